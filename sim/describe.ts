/**
 * What a scenario builds, without running it: its hosts (with their addresses and roles), its pools and its
 * network's default links. Chaos picks its targets from it, the visualizer its forms and layout. The scenario
 * is built in a throwaway world and its actors are started (the events due at time 0 fire), because roles and
 * pools are declared by actors as they start (runService, runGateway, runClient, a database); what an actor
 * declares only after its first wait is not seen.
 */
import type { z } from 'zod';
import type { LinkBase } from './core/fault-kinds.js';
import type { Duration } from './core/time.js';
import { resolveParams } from './params.js';
import { buildScenario } from './run-scenario.js';
import type { Scenario } from './scenario.js';
import { World } from './world.js';

export interface HostDescription {
  name: string;
  /** Its address on the network; null without one. */
  ip: string | null;
  /** What runs there: 'client' (a load generator), 'gateway', 'service', 'database'. */
  roles: string[];
}

export interface PoolDescription {
  name: string;
  /** The host of the process that made it. */
  host: string;
  max: number;
}

export interface ScenarioDescription {
  name: string;
  description: string;
  defaultDuration: Duration;
  /** The parameters the build saw (defaults filled in). */
  params: Record<string, unknown>;
  hasNetwork: boolean;
  /** Hosts in creation order (the network's when it has one). */
  hosts: HostDescription[];
  /** Pools made by the actors as they started, once per name. */
  pools: PoolDescription[];
  /** The network's default link latency and loss (what the end of a loss or latency fault restores); null without a network. */
  link: LinkBase | null;
}

/** Events at time 0 a description fires at most (actor starts, and what they schedule for now). */
const START_EVENTS_MAX = 100_000;

/** Builds `scenario` with `params` (over its defaults) and starts its actors, then reads what was made. */
export function describeScenario<S extends z.ZodObject>(scenario: Scenario<S>, params: Record<string, unknown> = {}): ScenarioDescription {
  const resolved = resolveParams(scenario.name, scenario.params, params);
  const world = new World({ seed: 0, scenario: scenario.name });
  buildScenario(scenario, world, resolved);
  const sim = world.sim;
  // Synchronously, without the run loop: an async actor runs to its first wait, which is as far as it declares.
  for (let fired = 0; fired < START_EVENTS_MAX && sim.scheduler.fireNext(0); fired++);
  const net = world.hasNetwork ? world.net : null;
  const hosts = world.hostNames().map((name) => ({
    name,
    ip: net?.find(name)?.ip ?? null,
    roles: [...sim.host(name).roles].sort(),
  }));
  const pools: PoolDescription[] = [];
  for (const pool of world.pools.all()) {
    if (!pools.some((p) => p.name === pool.name)) pools.push({ name: pool.name, host: pool.host, max: pool.options.maximumPoolSize });
  }
  return {
    name: scenario.name,
    description: scenario.description,
    defaultDuration: scenario.defaultDuration,
    params: resolved as Record<string, unknown>,
    hasNetwork: net !== null,
    hosts,
    pools,
    link: net ? { latency: net.linkDefaults.latency, loss: net.linkDefaults.loss } : null,
  };
}
