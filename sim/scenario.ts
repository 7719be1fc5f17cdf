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
  /**
   * Hosts chaos may crash (silently); default `hosts`. A peer that sends nothing (a request on the wire, a
   * query sent, no timeout, no TCP keepalive) waits forever on a silently crashed host, so list only hosts
   * whose callers bound their wait.
   */
  crashHosts?: string[];
  /**
   * Hosts chaos may kill; default `hosts`. A kill resets connections, but a reset lost to a concurrent loss
   * burst or partition leaves a peer that sends nothing waiting as after a crash.
   */
  killHosts?: string[];
  /** The fault episodes chaos may draw (swarm testing picks a subset per run); default every kind that applies. */
  episodes?: ChaosEpisodeKind[];
  /**
   * Parameters chaos may vary, each with its values; the first is the one shrinking returns to. Values must
   * be safe: the healthy scenario passes with any of them (keep the list short, every entry multiplies cases).
   */
  paramChoices?: Record<string, JsonValue[]>;
}

/**
 * A fault episode: a fault that starts and ends inside the fault window. partition (two host sets, one way or
 * both), loss and latency (a burst on some links), clog (hold then release), crash / kill then restart,
 * pause then resume, slow (a database's queries `factor` times slower, then normal).
 */
export type ChaosEpisodeKind = 'partition' | 'loss' | 'latency' | 'clog' | 'crash' | 'kill' | 'pause' | 'slow';

/** Declares a scenario with its parameter types inferred from the schema. */
export function defineScenario<S extends z.ZodObject>(scenario: Scenario<S>): Scenario<S> {
  return scenario;
}

/** Parameters as plain JSON, for the trace header. */
export function paramsJson(params: unknown): JsonValue {
  return JSON.parse(JSON.stringify(params)) as JsonValue;
}
