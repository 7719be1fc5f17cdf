/** Every named scenario, in the order `faultline list` shows them. */
import type { Scenario } from '../sim/scenario.js';
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

export const scenarios: readonly Scenario[] = [hello as unknown as Scenario, mmc as unknown as Scenario, poolExhaustion as unknown as Scenario, dbMaxConnections as unknown as Scenario, keepaliveRace as unknown as Scenario, backlogOverflow as unknown as Scenario, crashVsKill as unknown as Scenario, connectionStorm as unknown as Scenario, retryStorm as unknown as Scenario, partition as unknown as Scenario, http2Hol as unknown as Scenario];

export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((s) => s.name === name);
}
