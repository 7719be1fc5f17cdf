/**
 * One chaos case, run and judged: the scenario under a fault schedule (its faults, then every fault healed,
 * then the load drained), checked against the safety invariants and, after the heal, liveness. A case is
 * plain JSON, so a failing one can be saved, shrunk, replayed and kept as a regression test.
 */
import type { Seed } from '../core/random.js';
import type { TraceDetail } from '../core/simulation.js';
import type { World } from '../world.js';
import type { Micros } from '../core/time.js';
import type { Scenario } from '../scenario.js';
import { FAULTLINE_VERSION } from '../version.js';
import { CASE_MAX_EVENTS_DEFAULT, eventBudgetViolation } from './case-budget.js';
import { resolveChaosProfile, type ResolvedChaosProfile } from './chaos-profile.js';
import { checkInvariants, quiescence, recovers, safetyInvariants, tcpAtRest, type FailureClass, type Invariant, type Violation } from './invariants.js';
import { replayCommand } from './replay.js';
import { simulate, type SimRun } from './simulate.js';

export interface ChaosCase {
  faultline: string;
  scenario: string;
  /** The scenario's module when it is not a built-in (a case file holds it relative to itself). */
  module?: string;
  seed: Seed;
  /** Parameters as given to the scenario (the chaos profile's, and any drawn). */
  params: Record<string, unknown>;
  /** Virtual time of the whole run, µs. */
  durationUs: Micros;
  /** The whole schedule as `faultline run --faults` reads it: the faults, the heal, the drain. */
  faults: Record<string, unknown>[];
  phases: { healAtUs: Micros; drainAtUs: Micros };
  traceDetail: TraceDetail;
  /** Events its run may fire; over them it is a runaway (case-budget.ts). Default CASE_MAX_EVENTS_DEFAULT. */
  maxEvents?: number;
  /** Heap limit of the worker thread that runs it, MB (faultline check's --max-heap-mb). */
  maxHeapMb?: number;
  /** How it failed, when it did (the corpus keeps failing cases). */
  failure?: { class: FailureClass; invariant: string; message: string; atUs?: Micros };
  /** The fast-check run that found it. */
  fastCheck?: { seed: number; path?: string };
}

export interface CaseResult {
  violations: Violation[];
  run: SimRun;
}

/** What every chaos run ends with: partitions healed and clogs released at the heal; the load stopped at the drain. */
export function closingFaults(profile: Pick<ResolvedChaosProfile, 'healAtUs' | 'drainAtUs'>): Record<string, unknown>[] {
  return [
    { at: profile.healAtUs, kind: 'heal' },
    { at: profile.healAtUs, kind: 'release' },
    { at: profile.drainAtUs, kind: 'drain' },
  ];
}

/** A case for `scenario` with `faults` (the chaos faults only; the closing ones are added). */
export function makeCase(scenario: Scenario, seed: Seed, faults: Record<string, unknown>[], extraParams: Record<string, unknown> = {}): ChaosCase {
  const profile = resolveChaosProfile(scenario);
  return {
    faultline: FAULTLINE_VERSION,
    scenario: scenario.name,
    ...(scenario.source !== undefined ? { module: scenario.source } : {}),
    seed,
    params: { ...profile.params, ...extraParams },
    durationUs: profile.durationUs,
    faults: [...faults, ...closingFaults(profile)],
    phases: { healAtUs: profile.healAtUs, drainAtUs: profile.drainAtUs },
    traceDetail: 'light',
  };
}

/** The invariants a chaos run of `scenario` is held to: safety, then rest after the drain, then recovery. */
export function caseInvariants(scenario: Scenario): Invariant[] {
  const profile = resolveChaosProfile(scenario);
  const out: Invariant[] = [...safetyInvariants, quiescence, tcpAtRest];
  if (profile.minOkShare > 0) out.push(recovers({ settleMs: profile.settleUs / 1000, minOkShare: profile.minOkShare }));
  return out;
}

export interface RunCaseOptions {
  /** Keep the trace in memory (for a divergence report); default false. */
  keepTrace?: boolean;
  /** Instead of caseInvariants(scenario). */
  invariants?: readonly Invariant[];
  /** Let a test break something before the run (the canary). */
  beforeRun?: (world: World) => void;
}

export async function runCase(scenario: Scenario, c: ChaosCase, options: RunCaseOptions = {}): Promise<CaseResult> {
  if (c.scenario !== scenario.name) throw new Error(`case is for scenario '${c.scenario}', not '${scenario.name}'`);
  const maxEvents = c.maxEvents ?? CASE_MAX_EVENTS_DEFAULT;
  const run = await simulate(scenario, {
    maxEvents,
    seed: c.seed,
    params: c.params,
    faults: c.faults,
    duration: c.durationUs,
    traceDetail: c.traceDetail,
    keepTrace: options.keepTrace ?? false,
    beforeRun: options.beforeRun,
    checkStreams: true,
  });
  // A run stopped by its budget did not reach its end: the invariants would judge half a run.
  if (run.result.stop === 'maxEvents') return { violations: [eventBudgetViolation(maxEvents, run.result.endUs)], run };
  // The case's phase names differ from the invariants' (healAt vs healedAt): passed as is, `recovers` never ran.
  const violations = checkInvariants(run, options.invariants ?? caseInvariants(scenario), { healedAtUs: c.phases.healAtUs, drainAtUs: c.phases.drainAtUs });
  return { violations, run };
}

/** `faultline run …` that reruns the case (same virtual time, same digest); the schedule saved at `faultsPath`. */
export function caseRunCommand(c: ChaosCase, faultsPath: string): string {
  return `${replayCommand({ scenario: c.module ?? c.scenario, seed: c.seed, duration: `${c.durationUs}us`, params: c.params, faultsPath })}${c.traceDetail === 'light' ? ' --trace-detail light' : ''}`;
}
