/**
 * Runs a scenario from its name-level inputs (seed, parameters, duration): the one path the CLI, the tests
 * and the browser share, so the same inputs give the same digest everywhere.
 */
import type { z } from 'zod';
import type { Seed } from './core/random.js';
import { Simulation, type RunResult } from './core/simulation.js';
import { parseDuration, type Duration, type Micros } from './core/time.js';
import type { TraceSink } from './core/trace.js';
import { paramsJson, type Scenario } from './scenario.js';
import { resolveParams } from './params.js';

export interface ScenarioRunOptions {
  seed: Seed;
  /** Parameter values by name (strings are read as on the command line); the rest take their defaults. */
  params?: Record<string, unknown>;
  /** Virtual time to run for; default: the scenario's defaultDuration. */
  duration?: Duration;
  sinks?: TraceSink[];
  maxEvents?: number;
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
  const sim = new Simulation({ seed: options.seed, scenario: scenario.name, params: paramsJson(params), sinks: options.sinks });
  scenario.build(sim, params);
  options.beforeRun?.(sim);
  const result = await sim.run({ until: limitUs, maxEvents: options.maxEvents });
  sim.trace.close();
  return { result, sim, params, limitUs };
}
