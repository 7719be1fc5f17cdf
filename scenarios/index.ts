/**
 * The built-in scenarios (`faultline/scenarios`): each by its camelCase name, and `scenarios`, every one in
 * the order `faultline list` shows them.
 */
import type { Scenario } from 'faultline';
import { hello } from './hello.js';
import { mmc } from './mmc.js';
import { poolExhaustion } from './pool-exhaustion.js';
import { dbMaxConnections } from './db-max-connections.js';
import { keepaliveRace } from './keepalive-race.js';
import { backlogOverflow } from './backlog-overflow.js';
import { crashVsKill } from './crash-vs-kill.js';
import { connectionStorm } from './connection-storm.js';
import { retryStorm } from './retry-storm.js';
import { http2Hol } from './http2-hol.js';
import { partition } from './partition.js';

export { hello, mmc, poolExhaustion, dbMaxConnections, keepaliveRace, backlogOverflow, crashVsKill, connectionStorm, retryStorm, http2Hol, partition };

export const scenarios: readonly Scenario[] = [hello, mmc, poolExhaustion, dbMaxConnections, keepaliveRace, backlogOverflow, crashVsKill, connectionStorm, retryStorm, partition, http2Hol] as unknown as Scenario[];

/** A built-in scenario by its name on the command line ('pool-exhaustion'). */
export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((s) => s.name === name);
}
