import { describe, expect, it } from 'vitest';
import { dbMaxConnections } from '../../scenarios/db-max-connections.js';
import { runScenario } from '../../sim/run-scenario.js';

describe('db-max-connections', () => {
  it('6 replicas × 10 connections against max_connections 40 (3 reserved): requests fail with 53300 and the replicas together hold 37', async () => {
    const { sim, world } = await runScenario(dbMaxConnections, { seed: 1, duration: '15s' });
    const s = world.requests.summary();
    expect(s.total).toBe(s.ok + s.failed + s.inFlight);
    expect(Object.keys(s.byError)).toEqual(['53300']);
    expect(s.byError['53300']).toBeGreaterThan(100);
    const dbPools = Object.entries(world.pools.summary()).filter(([name]) => name.endsWith('-db'));
    expect(dbPools.reduce((n, [, p]) => n + p.peakActive, 0)).toBeLessThanOrEqual(37);
    // A backend takes its slot at the startup packet and is refused after authentication once only the
    // reserved slots are left, so the database's count touches its limit while the pools hold 37.
    expect(sim.metrics.gauge('db.postgres.connections').max).toBe(40);
  });

  it('3 replicas (30 connections at most) never hit the limit', async () => {
    const { sim, world } = await runScenario(dbMaxConnections, { seed: 1, duration: '15s', params: { replicas: 3, ratePerS: 150 } });
    const s = world.requests.summary();
    expect(s.failed).toBe(0);
    expect(s.ok).toBeGreaterThan(2000);
  });
});
