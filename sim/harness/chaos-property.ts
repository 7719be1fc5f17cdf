/**
 * The chaos property: a fast-check property that turns a drawn ChaosInput into a ChaosCase, runs it and
 * fails on any violation (for `test.prop`), and the pieces every chaos driver shares: running one input,
 * drawing a case from a seed, and removing episodes one at a time until none can go (so a reported schedule
 * has no episode that can be removed with the property still failing).
 */
import fc from 'fast-check';
import type { World } from '../world.js';
import type { Scenario } from '../scenario.js';
import { chaosInputArbitrary, type ChaosArbitraryOptions, type ChaosInput } from './chaos-arbitraries.js';
import { scheduleOf } from './chaos-episodes.js';
import { makeCase, runCase, type CaseResult, type ChaosCase } from './chaos-run.js';
import { chaosTopology, type ChaosTopology } from './chaos-topology.js';
import type { Invariant, Violation } from './invariants.js';

export interface ChaosPropertyOptions extends ChaosArbitraryOptions {
  /** Instead of caseInvariants(scenario). */
  invariants?: readonly Invariant[];
  /** Breaks something before each run (a canary). */
  beforeRun?: (world: World) => void;
  /** Events each case may fire before it is a runaway (case-budget.ts); default CASE_MAX_EVENTS_DEFAULT. */
  maxEvents?: number;
  /** Hears every case run (the Node side times them; nothing under sim/ reads a clock). */
  onCase?: (c: ChaosCase, result: CaseResult) => void;
}

/** A property's failure: the violations of the case, carried through fast-check to the report. */
export class ChaosViolation extends Error {
  constructor(
    readonly chaosCase: ChaosCase,
    readonly violations: Violation[],
  ) {
    super(violations.map((v) => `${v.class} · ${v.invariant}: ${v.message}`).join('\n'));
    this.name = 'ChaosViolation';
  }
}

/** The case a ChaosInput stands for: its episodes' faults, then the heal, release and drain. */
export function caseOf(scenario: Scenario, input: ChaosInput, topology: ChaosTopology = chaosTopology(scenario)): ChaosCase {
  return makeCase(scenario, input.seed, scheduleOf(input.episodes, topology), input.params);
}

/** Runs one input; the case comes back with its first failure (safety before liveness) filled in. */
export async function runInput(scenario: Scenario, input: ChaosInput, options: ChaosPropertyOptions = {}, topology: ChaosTopology = chaosTopology(scenario)): Promise<CaseResult & { chaosCase: ChaosCase }> {
  const drawn = caseOf(scenario, input, topology);
  const c = options.maxEvents !== undefined ? { ...drawn, maxEvents: options.maxEvents } : drawn;
  const result = await runCase(scenario, c, { invariants: options.invariants, beforeRun: options.beforeRun });
  options.onCase?.(c, result);
  const first = firstViolation(result.violations);
  const chaosCase: ChaosCase = first ? { ...c, failure: { class: first.class, invariant: first.invariant, message: first.message, ...(first.atUs !== undefined ? { atUs: first.atUs } : {}) } } : c;
  return { ...result, chaosCase };
}

/** Safety before liveness: a broken law matters more than a slow recovery. */
export function firstViolation(violations: readonly Violation[]): Violation | undefined {
  return violations.find((v) => v.class === 'safety') ?? violations[0];
}

/** The predicate of a chaos property: throws ChaosViolation when the input's case breaks an invariant. */
export function chaosPredicate(scenario: Scenario, options: ChaosPropertyOptions = {}, topology: ChaosTopology = chaosTopology(scenario)): (input: ChaosInput) => Promise<void> {
  return async (input) => {
    const r = await runInput(scenario, input, options, topology);
    if (r.violations.length > 0) throw new ChaosViolation(r.chaosCase, r.violations);
  };
}

/** `scenario` keeps its invariants under any drawn fault schedule: a fast-check async property. */
export function chaosProperty(scenario: Scenario, options: ChaosPropertyOptions = {}): fc.IAsyncPropertyWithHooks<[ChaosInput]> {
  const topology = chaosTopology(scenario);
  return fc.asyncProperty(chaosInputArbitrary(scenario, options, topology), chaosPredicate(scenario, options, topology));
}

export interface Minimal {
  input: ChaosInput;
  violations: Violation[];
  chaosCase: ChaosCase;
}

async function rerun(scenario: Scenario, input: ChaosInput, options: ChaosPropertyOptions, topology: ChaosTopology): Promise<Minimal> {
  const r = await runInput(scenario, input, options, topology);
  return { input, violations: r.violations, chaosCase: r.chaosCase };
}

/**
 * Removes episodes one at a time while the property still fails, until no single removal keeps it failing
 * (1-minimal, as delta debugging calls it). fast-check's array shrinking usually gets there; this pass makes
 * it a guarantee, at one run per remaining episode (and a restart after each removal).
 */
export async function minimizeEpisodes(scenario: Scenario, input: ChaosInput, options: ChaosPropertyOptions = {}, topology: ChaosTopology = chaosTopology(scenario)): Promise<Minimal> {
  let current = await rerun(scenario, input, options, topology);
  if (current.violations.length === 0) return current;
  for (let i = 0; i < current.input.episodes.length; ) {
    const episodes = current.input.episodes.filter((_, j) => j !== i);
    const candidate = await rerun(scenario, { ...current.input, episodes }, options, topology);
    if (candidate.violations.length > 0) {
      current = candidate;
      i = 0;
    } else i++;
  }
  return current;
}

/**
 * One case drawn from `seed` alone (no shrinking): for a runner that spreads independent cases across workers.
 * The case's simulation seed is `seed` too, so a summary's seed is the case's.
 */
export function drawChaosCase(scenario: Scenario, seed: number, options: ChaosArbitraryOptions = {}, topology: ChaosTopology = chaosTopology(scenario)): ChaosCase {
  return caseOf(scenario, drawChaosInput(scenario, seed, options, topology), topology);
}

/** The input drawChaosCase turns into its case: the episodes, to shrink a failing one. */
export function drawChaosInput(scenario: Scenario, seed: number, options: ChaosArbitraryOptions = {}, topology: ChaosTopology = chaosTopology(scenario)): ChaosInput {
  const [input] = fc.sample(chaosInputArbitrary(scenario, options, topology), { seed, numRuns: 1 });
  return { ...input!, seed };
}
