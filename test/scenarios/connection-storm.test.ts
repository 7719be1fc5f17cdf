import { describe, expect, it } from 'vitest';
import { connectionStorm } from '../../scenarios/connection-storm.js';
import { runScenario } from '../../sim/run-scenario.js';

describe('connection-storm', () => {
  it('a new client-closed connection per request at 600/s runs out of ephemeral ports after 28,232 / 600 ≈ 47 s: EADDRNOTAVAIL', async () => {
    const { sim, world } = await runScenario(connectionStorm, { keepRequests: 'all', seed: 1 });
    const ledger = world.requests;
    const s = ledger.summary();
    expect(s.ok).toBe(28_232);
    expect(Object.keys(s.byError)).toEqual(['EADDRNOTAVAIL']);
    const firstFailure = Math.min(...ledger.all().filter((r) => r.outcome === 'EADDRNOTAVAIL').map((r) => r.startUs));
    expect(firstFailure / 1e6).toBeCloseTo(28_232 / 600, 1);
  });

  it('at 400/s the ports in TIME_WAIT (24,000 after 60 s) never run out, though 36,000 connections are opened in 90 s', async () => {
    const { sim, world } = await runScenario(connectionStorm, { keepRequests: 'all', seed: 1, params: { ratePerS: 400 }, duration: '90s' });
    const s = world.requests.summary();
    expect(s.failed).toBe(0);
    expect(s.total).toBe(36_000);
  });

  it('with keep-alive a few connections carry every request', async () => {
    const { sim, world } = await runScenario(connectionStorm, { keepRequests: 'all', seed: 1, params: { keepAlive: true }, duration: '10s' });
    expect(world.requests.summary().failed).toBe(0);
    expect(sim.metrics.counter('pool.client->server.created').value).toBeLessThan(10);
  });
});
