/**
 * Runs a scenario from its name-level inputs (seed, parameters, duration): the one path the CLI, the tests
 * and the browser share, so the same inputs give the same digest everywhere.
 */
import type { z } from 'zod';
import type { Seed } from './core/random.js';
import { Simulation, type RunResult, type TraceDetail } from './core/simulation.js';
import { parseDuration, type Duration, type Micros } from './core/time.js';
import type { TraceSink } from './core/trace.js';
import { paramsJson, type Scenario } from './scenario.js';
import { resolveParams } from './params.js';
import { SimError } from './core/errors.js';
import { scheduleFaults } from './net/faults.js';
import { Network } from './net/network.js';

export interface ScenarioRunOptions {
  seed: Seed;
  /** Parameter values by name (strings are read as on the command line); the rest take their defaults. */
  params?: Record<string, unknown>;
  /** Virtual time to run for; default: the scenario's defaultDuration. */
  duration?: Duration;
  sinks?: TraceSink[];
  /** 'light' leaves packets and request spans out of the trace (chaos runs); default 'full'. */
  traceDetail?: TraceDetail;
  maxEvents?: number;
  /** A fault schedule (JSON: a list of faults with `at`), applied to the scenario's network. */
  faults?: unknown;
  /** Called before the scenario builds (to switch on checks its network reads when it is made). */
  beforeBuild?: (sim: Simulation) => void;
  /** Called after the scenario is built and before it runs (tests add streams, actors or faults here). */
  beforeRun?: (sim: Simulation) => void;
}

export interface ScenarioRun<S extends z.ZodObject = z.ZodObject> {
  result: RunResult;
  sim: Simulation;
  params: z.output<S>;
  /** The run's time limit, microseconds. */
  limitUs: Micros;
}

export async function runScenario<S extends z.ZodObject>(scenario: Scenario<S>, options: ScenarioRunOptions): Promise<ScenarioRun<S>> {
  const params = resolveParams(scenario.name, scenario.params, options.params ?? {});
  const limitUs = parseDuration(options.duration ?? scenario.defaultDuration, 'duration');
  const faults = options.faults ?? [];
  const sim = new Simulation({ seed: options.seed, scenario: scenario.name, params: paramsJson(params), faults: paramsJson(faults), sinks: options.sinks, traceDetail: options.traceDetail });
  options.beforeBuild?.(sim);
  scenario.build(sim, params);
  if (options.faults !== undefined) {
    const network = Network.of(sim);
    if (!network) throw new SimError('ERR_FAULTS', `scenario ${scenario.name} has no network, so it takes no fault schedule`);
    scheduleFaults(network, faults);
  }
  options.beforeRun?.(sim);
  const result = await sim.run({ until: limitUs, maxEvents: options.maxEvents });
  sim.trace.close();
  return { result, sim, params, limitUs };
}
