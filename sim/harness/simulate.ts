/**
 * `simulate(scenario, { seed, params, faults, duration })`: runScenario as a test asks for it — the trace kept
 * for `run.trace`, seed 1 unless given — and everything a test asks of the run: requests, records, pools,
 * metrics, the digest and the command that replays it.
 */
import type { Seed } from '../core/random.js';
import type { TraceDetail } from '../core/simulation.js';
import type { Duration } from '../core/time.js';
import type { TraceSink } from '../core/trace.js';
import { runScenario, type ScenarioRun } from '../run-scenario.js';
import type { KeepRequests } from '../requests/ledger.js';
import type { Scenario } from '../scenario.js';
import type { World } from '../world.js';

export interface SimulateOptions {
  /** Default 1. */
  seed?: Seed;
  params?: Record<string, unknown>;
  /** A fault schedule: a JSON list of faults, each with `at`. */
  faults?: unknown;
  /** Default: the scenario's own. */
  duration?: Duration;
  /** 'light' leaves packets and request spans out of the trace (faster); default 'full'. */
  traceDetail?: TraceDetail;
  /** Keep the trace in memory for `run.trace` (default true; off saves memory on long runs). */
  keepTrace?: boolean;
  /** More sinks (a JSONL file, a ring buffer). */
  sinks?: TraceSink[];
  /** Called after the scenario is built and before it runs. */
  beforeRun?: (world: World) => void;
  /** Check every TCP byte stream arrives intact and in order (the stream-integrity invariant); default false. */
  checkStreams?: boolean;
  /** Stop after this many events (run.result.stop is then 'maxEvents'). Default: no limit. */
  maxEvents?: number;
  /** Which ended requests run.records holds: 'all' (default: a test reads them), 'none' or the last n. */
  keepRequests?: KeepRequests;
}

/** A finished run, as simulate() hands it back: runScenario's whole result. */
export type SimRun = ScenarioRun;

export async function simulate(scenario: Scenario, options: SimulateOptions = {}): Promise<SimRun> {
  return runScenario(scenario, {
    seed: options.seed ?? 1,
    params: options.params,
    duration: options.duration,
    faults: options.faults,
    traceDetail: options.traceDetail,
    sinks: options.sinks,
    keepTrace: options.keepTrace ?? true,
    checkStreams: options.checkStreams,
    beforeRun: options.beforeRun,
    maxEvents: options.maxEvents,
    keepRequests: options.keepRequests ?? 'all',
  });
}
