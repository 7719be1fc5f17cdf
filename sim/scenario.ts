/**
 * A scenario: a named, described, parameterised way to build a simulation. The CLI, the test harness and the
 * visualizer all run scenarios through this one definition.
 */
import type { z } from 'zod';
import type { JsonValue } from './core/canonical.js';
import type { Simulation } from './core/simulation.js';
import type { Duration } from './core/time.js';

export interface Scenario<S extends z.ZodObject = z.ZodObject> {
  /** Short name used on the command line: `faultline run <name>`. */
  name: string;
  /** What production incident it reproduces and what the user should see. */
  description: string;
  /** Parameters, each with a default and a description. */
  params: S;
  /** How long to run when the caller does not say. */
  defaultDuration: Duration;
  /** Adds hosts and actors (and schedules faults) to a fresh simulation. */
  build(sim: Simulation, params: z.output<S>): void;
}

/** Declares a scenario with its parameter types inferred from the schema. */
export function defineScenario<S extends z.ZodObject>(scenario: Scenario<S>): Scenario<S> {
  return scenario;
}

/** Parameters as plain JSON, for the trace header. */
export function paramsJson(params: unknown): JsonValue {
  return JSON.parse(JSON.stringify(params)) as JsonValue;
}
