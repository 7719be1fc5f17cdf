/**
 * A scenario: a named, described, parameterised way to build a world. The CLI, the test harness and the
 * visualizer all run scenarios through this one definition, built-in or from a user's module.
 */
import type { z } from 'zod';
import type { JsonValue } from './core/canonical.js';
import type { Duration } from './core/time.js';
import type { World } from './world.js';

export interface Scenario<S extends z.ZodObject = z.ZodObject> {
  /** Short name used on the command line: `faultline run <name>`. */
  name: string;
  /**
   * The module it was loaded from, when it came from a file (`faultline run ./mine.ts` sets it): the commands
   * that rerun a run or a case name this path instead of the name, which only built-ins answer to.
   */
  source?: string;
  /** What production incident it reproduces and what the user should see. */
  description: string;
  /** Parameters, each with a default and a description. */
  params: S;
  /** How long to run when the caller does not say. */
  defaultDuration: Duration;
  /** Adds hosts and actors (and schedules faults) to a fresh world: `world.createNetwork()`, `world.sim.at()`. */
  build(world: World, params: z.output<S>): void;
  /**
   * How chaos checks run it (faultline check). Omitted: a default profile — faults may hit every host but the
   * load generators, `slow` the databases and services, with the default phases (sim/harness/chaos-profile.ts).
   */
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
  /** Hosts faults may target (partitions, pauses, and host episodes without a list of their own); default every host. */
  hosts?: string[];
  /**
   * Hosts an episode kind may target, by episode name, where the kind keeps a list of its own: `crash` and
   * `kill` (default: `hosts`), `slow` (default: none; only a host with a slowable component, a database or a
   * service, feels it), and any registered kind that asks for one.
   *
   * A peer that sends nothing (a request on the wire, a query sent, no timeout, no TCP keepalive) waits forever
   * on a silently crashed host, so list for `crash` only hosts whose callers bound their wait.
   */
  hostsFor?: Record<string, string[]>;
  /** The fault episodes chaos may draw (swarm testing picks a subset per run); default every kind that applies. */
  episodes?: ChaosEpisodeKind[];
  /**
   * Parameters chaos may vary, each with its values; the first is the one shrinking returns to. Values must
   * be safe: the healthy scenario passes with any of them (keep the list short, every entry multiplies cases).
   */
  paramChoices?: Record<string, JsonValue[]>;
}

/**
 * A fault episode's name: a registered fault kind chaos may draw, and the fault that ends it, inside the fault
 * window. Built in: partition, loss, latency, clog (hold then release), crash / kill then restart, pause then
 * resume, slow (a database's queries `factor` times slower, then normal).
 */
export type ChaosEpisodeKind = 'partition' | 'loss' | 'latency' | 'clog' | 'crash' | 'kill' | 'pause' | 'slow' | (string & {});

/** Marks objects made by defineScenario, across copies of the library (a user's module and the CLI's). */
export const SCENARIO_BRAND: unique symbol = Symbol.for('faultline.scenario') as never;

/** Declares a scenario with its parameter types inferred from the schema. */
export function defineScenario<S extends z.ZodObject>(scenario: Scenario<S>): Scenario<S> {
  Object.defineProperty(scenario, SCENARIO_BRAND, { value: true, enumerable: false });
  return scenario;
}

/** True for an object made with defineScenario. */
export function isScenario(value: unknown): value is Scenario {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SCENARIO_BRAND] === true;
}

/** Parameters as plain JSON, for the trace header. */
export function paramsJson(params: unknown): JsonValue {
  return JSON.parse(JSON.stringify(params)) as JsonValue;
}
