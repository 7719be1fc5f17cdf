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
  /** How chaos checks run it (faultline check); omitted: the defaults in sim/harness/chaos-profile.ts. */
  chaos?: ChaosProfile;
}

/**
 * A scenario's chaos phases and what must hold after them. A chaos run: faults drawn by the seed during
 * [0, faultWindow); every fault healed at faultWindow; load goes on for `recover` (liveness is judged on
 * its requests after `settle`); then the load stops (drain) and the run has `drain` to come to rest.
 */
export interface ChaosProfile {
  /** Parameters over the scenario's defaults for chaos runs (say, a built-in fault turned off). */
  params?: Record<string, unknown>;
  faultWindow?: Duration;
  recover?: Duration;
  /** Time after the heal before liveness is judged (timeouts and backoffs running out). */
  settle?: Duration;
  drain?: Duration;
  /** Share of requests started after heal + settle that must succeed (0 turns the liveness check off). */
  minOkShare?: number;
  /** Hosts faults may target (crash, kill, pause, slow, partitions); default every host. */
  hosts?: string[];
  /** Hosts with a slowable component (a database), for 'slow' faults; default none. */
  slowHosts?: string[];
}

/** Declares a scenario with its parameter types inferred from the schema. */
export function defineScenario<S extends z.ZodObject>(scenario: Scenario<S>): Scenario<S> {
  return scenario;
}

/** Parameters as plain JSON, for the trace header. */
export function paramsJson(params: unknown): JsonValue {
  return JSON.parse(JSON.stringify(params)) as JsonValue;
}
