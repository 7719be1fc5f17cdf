/**
 * The chaos property and its runner: a fast-check property that turns a drawn ChaosInput into a ChaosCase,
 * runs it and fails on any violation; `checkScenario` runs it `runs` times from a seed, lets fast-check
 * shrink a failure, then removes episodes one at a time until none can go (so the schedule it reports has
 * no episode that can be removed with the property still failing), and hands back the case to save.
 */
import fc from 'fast-check';
import type { World } from '../world.js';
import type { Scenario } from '../scenario.js';
import { chaosInputArbitrary, type ChaosArbitraryOptions, type ChaosInput } from './chaos-arbitraries.js';
import { scheduleOf } from './chaos-episodes.js';
import { makeCase, runCase, type CaseResult, type ChaosCase } from './chaos-run.js';
import { chaosTopology, type ChaosTopology } from './chaos-topology.js';
import type { FailureClass, Invariant, Violation } from './invariants.js';

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

export interface CheckScenarioOptions extends ChaosPropertyOptions {
  /** Cases to run. Default 100. */
  runs?: number;
  /** fast-check's seed (a 32-bit integer): the same seed draws the same cases. Default 1. */
  seed?: number;
  /** fast-check's path to one case (from a report): runs that case only, and shrinks from there. */
  path?: string;
  /** Skip the one-episode-at-a-time pass after fast-check's shrinking (it costs one run per episode). Default false. */
  skipMinimize?: boolean;
  /**
   * Most runs fast-check's shrinking may spend after the first failure; past it every candidate counts as
   * passing, so fast-check stops at the smallest failure found so far (the removal pass still makes the
   * schedule 1-minimal). Default 100: a case of a second or so keeps a failing check under two minutes.
   */
  maxShrinkRuns?: number;
}

export interface ChaosFailure {
  /** Safety or liveness: the class of the case's first violation (safety first). */
  class: FailureClass;
  violations: Violation[];
  /** The smallest input found: fast-check's shrunk one, with every removable episode removed. */
  input: ChaosInput;
  /** The case to save and replay, with `failure` and `fastCheck` filled in. */
  chaosCase: ChaosCase;
  /** What fast-check reported (its path reproduces `shrunk`, before the episode-removal pass). */
  fastCheck: { seed: number; path: string; numRuns: number; numShrinks: number };
  /** fast-check's counterexample, before the episode-removal pass. */
  shrunk: ChaosInput;
  /** Episodes the removal pass took out after fast-check's shrinking. */
  removedAfterShrink: number;
}

export interface CheckResult {
  scenario: string;
  /** Runs fast-check made up to the first failure (all of them when none failed); shrinking not counted. */
  numRuns: number;
  seed: number;
  failure: ChaosFailure | null;
}

/** Runs the chaos property `runs` times; on a failure, shrinks it and returns the minimal case. */
export async function checkScenario(scenario: Scenario, options: CheckScenarioOptions = {}): Promise<CheckResult> {
  const topology = chaosTopology(scenario);
  const seed = options.seed ?? 1;
  const predicate = chaosPredicate(scenario, options, topology);
  const budget = options.maxShrinkRuns ?? 100;
  let shrinkRuns = -1; // -1 until the first failure
  const property = fc.asyncProperty(chaosInputArbitrary(scenario, options, topology), async (input) => {
    if (shrinkRuns >= 0 && ++shrinkRuns > budget) return; // out of budget: counts as passing
    try {
      await predicate(input);
    } catch (err) {
      if (shrinkRuns < 0) shrinkRuns = 0;
      throw err;
    }
  });
  const details = await fc.check(property, { numRuns: options.runs ?? 100, seed, ...(options.path !== undefined ? { path: options.path } : {}) });
  if (!details.failed) return { scenario: scenario.name, numRuns: details.numRuns, seed, failure: null };
  if (details.counterexample === null) throw new Error(`chaos check of ${scenario.name} stopped without a counterexample (fast-check seed ${seed})`);
  const [shrunk] = details.counterexample;
  const fastCheck = { seed: details.seed, path: details.counterexamplePath, numRuns: details.numRuns, numShrinks: details.numShrinks };
  const minimal = options.skipMinimize ? await rerun(scenario, shrunk, options, topology) : await minimizeEpisodes(scenario, shrunk, options, topology);
  if (minimal.violations.length === 0) throw new Error(`chaos check of ${scenario.name}: fast-check's counterexample passes when run again (nondeterminism?); fast-check seed ${seed}, path ${fastCheck.path}`);
  const first = firstViolation(minimal.violations)!;
  return {
    scenario: scenario.name,
    numRuns: details.numRuns,
    seed,
    failure: {
      class: first.class,
      violations: minimal.violations,
      input: minimal.input,
      chaosCase: { ...minimal.chaosCase, fastCheck: { seed: fastCheck.seed, path: fastCheck.path } },
      fastCheck,
      shrunk,
      removedAfterShrink: shrunk.episodes.length - minimal.input.episodes.length,
    },
  };
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
