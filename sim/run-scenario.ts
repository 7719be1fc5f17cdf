/**
 * Runs a scenario from its name-level inputs (seed, parameters, duration, fault schedule) and hands back the
 * whole result: the world it built, the run's stop, digest and unseed, the requests, pools, metrics and (when
 * kept) the trace. The one path the CLI, `simulate()`, the check workers and the browser share, so the same
 * inputs give the same digest and the same figures everywhere.
 */
import type { z } from 'zod';
import type { MetricsSnapshot } from './core/metrics.js';
import type { Seed } from './core/random.js';
import type { RunResult, Simulation, TraceDetail } from './core/simulation.js';
import { DurationError, parseDuration, type Duration, type Micros } from './core/time.js';
import type { TraceRecord, TraceSink } from './core/trace.js';
import { scheduleFaults } from './core/fault-schedule.js';
import { describeError, SimError } from './core/errors.js';
import { DistributionError } from './core/distribution.js';
import { ParamError, resolveParams } from './params.js';
import { replayCommand } from './harness/replay.js';
import { TraceQuery } from './harness/trace-query.js';
import type { PoolSummary } from './pool/registry.js';
import type { KeepRequests, RequestRecord, RequestSummary } from './requests/ledger.js';
import { paramsJson, type Scenario } from './scenario.js';
import { World } from './world.js';

export interface ScenarioRunOptions {
  seed: Seed;
  /** Parameter values by name (strings are read as on the command line); the rest take their defaults. */
  params?: Record<string, unknown>;
  /** Virtual time to run for; default: the scenario's defaultDuration. */
  duration?: Duration;
  /** Where trace records go besides the digest (a JSONL file, a ring buffer, the browser's batches). */
  sinks?: TraceSink[];
  /** 'light' leaves packets and request spans out of the trace (chaos runs); default 'full'. */
  traceDetail?: TraceDetail;
  maxEvents?: number;
  /** A fault schedule (JSON: a list of faults with `at`), applied to the scenario's network. */
  faults?: unknown;
  /** Keep the trace in memory for `run.trace` (simulate() does; the CLI streams it instead). Default false. */
  keepTrace?: boolean;
  /** Check every TCP byte stream arrives intact and in order (the stream-integrity invariant). Default false. */
  checkStreams?: boolean;
  /** Which ended requests `run.records` holds: 'all', 'none' or the last n (default 1000; simulate() keeps all). */
  keepRequests?: KeepRequests;
  /** Steps each gauge keeps exactly (default 4096; Infinity: all). */
  gaugeExactSteps?: number;
  /**
   * Called every `everyEvents` events with where the run is (the CLI's status line on a terminal). It runs
   * between events with the real-world traps lifted; it only reads, so the run is the same with or without it.
   */
  progress?: { everyEvents: number; report(progress: ScenarioProgress): void };
  /** Called after the scenario is built and before it runs (tests add actors or faults, a canary breaks a pool). */
  beforeRun?: (world: World) => void;
}

/** A run under way, as its progress hook sees it. */
export interface ScenarioProgress {
  /** Virtual time so far and the run's limit, µs. */
  nowUs: Micros;
  limitUs: Micros;
  /** Events fired so far. */
  events: number;
  requests: { total: number; ok: number; failed: number };
}

/** The whole of a finished run. */
export interface ScenarioRun<S extends z.ZodObject = z.ZodObject> {
  scenario: string;
  seed: Seed;
  /** The parameters after defaults, as the build saw them. */
  params: z.output<S>;
  /** The parameters as given (what the replay command sets). */
  givenParams: Record<string, unknown>;
  /** The fault schedule as given ([] for none). */
  faults: unknown;
  /** The duration as given (undefined: the scenario's default). */
  duration: Duration | undefined;
  /** The run's time limit, µs. */
  limitUs: Micros;
  /** What the build made: simulation, network, ledger, pools, stream check. */
  world: World;
  /** The world's simulation (world.sim). */
  sim: Simulation;
  result: RunResult;
  digest: string;
  unseed: string;
  requests: RequestSummary;
  /** The requests kept whole, with their spans, in start order (every one from simulate(); see keepRequests). */
  records: readonly RequestRecord[];
  pools: Record<string, PoolSummary>;
  metrics: MetricsSnapshot;
  /** The trace, when kept (keepTrace); empty otherwise. */
  trace: TraceQuery;
  /** The first trace record whose time is before the one written just before it (null: time only went forward). */
  timeRegression: { index: number; kind: string; tUs: number; previousUs: number } | null;
  /** The command that reruns this run; with faults, pass where the schedule is saved. */
  replay(faultsPath?: string): string;
}

export async function runScenario<S extends z.ZodObject>(scenario: Scenario<S>, options: ScenarioRunOptions): Promise<ScenarioRun<S>> {
  const givenParams = options.params ?? {};
  const params = resolveParams(scenario.name, scenario.params, givenParams);
  const limitUs = parseDuration(options.duration ?? scenario.defaultDuration, 'duration');
  const faults = options.faults ?? [];
  const trace = new TraceQuery();
  const clock = new TimeWatch();
  const sinks = [clock, ...(options.keepTrace ? [trace] : []), ...(options.sinks ?? [])];
  const world = new World({
    seed: options.seed,
    scenario: scenario.name,
    params: paramsJson(params),
    faults: paramsJson(faults),
    sinks,
    traceDetail: options.traceDetail,
    checkStreams: options.checkStreams,
    keepRequests: options.keepRequests,
    gaugeExactSteps: options.gaugeExactSteps,
  });
  buildScenario(scenario, world, params);
  if (options.faults !== undefined) scheduleFaults(world, faults);
  options.beforeRun?.(world);
  const sim = world.sim;
  const hook = options.progress;
  const progress = hook && {
    everyEvents: hook.everyEvents,
    report: () => hook.report({ nowUs: sim.now, limitUs, events: sim.scheduler.firedCount, requests: world.requests.counts() }),
  };
  const result = await sim.run({ until: limitUs, maxEvents: options.maxEvents, progress });
  sim.trace.close();
  const hasFaults = Array.isArray(options.faults) ? options.faults.length > 0 : options.faults !== undefined;
  return {
    scenario: scenario.name,
    seed: options.seed,
    params,
    givenParams,
    faults,
    duration: options.duration,
    limitUs,
    world,
    sim,
    result,
    digest: result.digest,
    unseed: result.unseed,
    requests: world.requests.summary(),
    records: world.requests.all(),
    pools: world.pools.summary(),
    metrics: sim.metrics.snapshot(),
    trace,
    timeRegression: clock.regression,
    replay: (faultsPath) =>
      replayCommand({ scenario: scenario.source ?? scenario.name, seed: options.seed, duration: options.duration, params: givenParams, faultsPath: hasFaults ? (faultsPath ?? '<faults.json>') : undefined }),
  };
}

/** Runs the scenario's build on `world`; a build that throws is the scenario's mistake, said in one line. */
export function buildScenario<S extends z.ZodObject>(scenario: Scenario<S>, world: World, params: z.output<S>): void {
  try {
    scenario.build(world, params);
  } catch (err) {
    // The simulator's own one-line errors (a bad option, a bad host name) already name what is wrong.
    if (err instanceof SimError || err instanceof ParamError || err instanceof DurationError || err instanceof DistributionError) throw err;
    throw new ScenarioBuildError(scenario.name, err);
  }
}

/** A scenario's build threw: bad input from the user's side (exit 2), named with the scenario. */
export class ScenarioBuildError extends Error {
  override name = 'ScenarioBuildError';
  constructor(
    readonly scenario: string,
    cause: unknown,
  ) {
    super(`scenario ${scenario}: its build threw: ${describeError(cause)}`, { cause });
  }
}

/** Watches every record's time, so a run checks that time went forward without keeping its trace. */
class TimeWatch implements TraceSink {
  regression: ScenarioRun['timeRegression'] = null;
  private lastUs = 0;
  private index = 0;
  write(record: TraceRecord): void {
    if (record.t < this.lastUs && this.regression === null) this.regression = { index: this.index, kind: record.kind, tUs: record.t, previousUs: this.lastUs };
    this.lastUs = Math.max(this.lastUs, record.t);
    this.index++;
  }
}
