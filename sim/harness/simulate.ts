/**
 * `simulate(scenario, { seed, params, faults, duration })`: one run, and everything a test asks of it —
 * requests, pools, metrics, a queryable trace, the digest and the command that replays it.
 */
import type { MetricsSnapshot } from '../core/metrics.js';
import type { Seed } from '../core/random.js';
import type { RunResult, Simulation, TraceDetail } from '../core/simulation.js';
import type { Duration } from '../core/time.js';
import type { TraceRecord, TraceSink } from '../core/trace.js';
import { summarizePools, type PoolSummary } from '../pool/summary.js';
import { RequestLedger, type RequestRecord, type RequestSummary } from '../requests/ledger.js';
import { StreamChecker } from '../net/tcp/stream-check.js';
import { runScenario } from '../run-scenario.js';
import type { Scenario } from '../scenario.js';
import { replayCommand } from './replay.js';
import { TraceQuery } from './trace-query.js';

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
  beforeRun?: (sim: Simulation) => void;
  /** Check every TCP byte stream arrives intact and in order (the stream-integrity invariant); default false. */
  checkStreams?: boolean;
}

export interface SimRun {
  scenario: string;
  seed: Seed;
  /** The parameters after defaults, as the scenario saw them. */
  params: Record<string, unknown>;
  /** The parameters as given (what the replay command sets). */
  givenParams: Record<string, unknown>;
  faults: unknown;
  duration: Duration | undefined;
  digest: string;
  unseed: string;
  result: RunResult;
  sim: Simulation;
  requests: RequestSummary;
  /** Every request with its spans (empty when the scenario turns record keeping off). */
  records: readonly RequestRecord[];
  pools: Record<string, PoolSummary>;
  metrics: MetricsSnapshot;
  trace: TraceQuery;
  /** The first trace record whose time is before the one written just before it (null: time only went forward). */
  timeRegression: { index: number; kind: string; tUs: number; previousUs: number } | null;
  /** The command that reruns this run; with faults, pass where the schedule is saved. */
  replay(faultsPath?: string): string;
}

export async function simulate(scenario: Scenario, options: SimulateOptions = {}): Promise<SimRun> {
  const seed = options.seed ?? 1;
  const trace = new TraceQuery();
  const clock = new TimeWatch();
  const sinks = [clock, ...(options.keepTrace === false ? [] : [trace]), ...(options.sinks ?? [])];
  const givenParams = options.params ?? {};
  const { result, sim, params } = await runScenario(scenario, {
    seed,
    params: givenParams,
    duration: options.duration,
    faults: options.faults,
    traceDetail: options.traceDetail,
    sinks,
    beforeRun: options.beforeRun,
    beforeBuild: options.checkStreams ? (sim) => StreamChecker.enable(sim) : undefined,
  });
  const ledger = RequestLedger.of(sim);
  const hasFaults = Array.isArray(options.faults) ? options.faults.length > 0 : options.faults !== undefined;
  return {
    scenario: scenario.name,
    seed,
    params: params as Record<string, unknown>,
    givenParams,
    faults: options.faults ?? [],
    duration: options.duration,
    digest: result.digest,
    unseed: result.unseed,
    result,
    sim,
    requests: ledger.summary(),
    records: ledger.all(),
    pools: summarizePools(sim),
    metrics: sim.metrics.snapshot(),
    trace,
    timeRegression: clock.regression,
    replay: (faultsPath) =>
      replayCommand({ scenario: scenario.name, seed, duration: options.duration, params: givenParams, faultsPath: hasFaults ? (faultsPath ?? '<faults.json>') : undefined }),
  };
}

/** Watches every record's time, so a run checks that time went forward without keeping its trace. */
class TimeWatch implements TraceSink {
  regression: SimRun['timeRegression'] = null;
  private lastUs = 0;
  private index = 0;
  write(record: TraceRecord): void {
    if (record.t < this.lastUs && this.regression === null) this.regression = { index: this.index, kind: record.kind, tUs: record.t, previousUs: this.lastUs };
    this.lastUs = Math.max(this.lastUs, record.t);
    this.index++;
  }
}
