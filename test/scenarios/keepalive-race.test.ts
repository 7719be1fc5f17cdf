import { describe, expect, it } from 'vitest';
import { keepaliveRace } from '../../scenarios/keepalive-race.js';
import { runScenario } from '../../sim/run-scenario.js';

async function resets(seed: number, serverKeepAliveMs: number) {
  const { sim, world } = await runScenario(keepaliveRace, { seed, params: { serverKeepAliveMs }, duration: '5m' });
  const s = world.requests.summary();
  expect(s.total).toBe(s.ok + s.failed + s.inFlight);
  expect(Object.keys(s.byError).every((e) => e === 'ECONNRESET')).toBe(true);
  return s.byError.ECONNRESET ?? 0;
}

describe('keepalive-race', () => {
  it("client ECONNRESETs occur when the server's idle timeout (3 s) is shorter than the client pool's (4 s)", async () => {
    for (const seed of [1, 2]) expect(await resets(seed, 3000)).toBeGreaterThan(0);
  });

  it('and never when it is longer (5 s, Node\'s default)', async () => {
    for (const seed of [1, 2]) expect(await resets(seed, 5000)).toBe(0);
  });
});
