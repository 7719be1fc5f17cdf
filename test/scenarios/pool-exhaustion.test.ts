import { describe, expect, it } from 'vitest';
import { poolExhaustion } from '../../scenarios/pool-exhaustion.js';
import { runScenario } from '../../sim/run-scenario.js';

describe('pool-exhaustion', () => {
  it('a slow database drains the pool: waiters pile up, the gateway answers 504 once the line is longer than its read timeout, the pool times the abandoned waiters out, and all recovers with the database', async () => {
    const { sim, world, result } = await runScenario(poolExhaustion, { keepRequests: 'all', seed: 1 });
    const ledger = world.requests;
    const summary = ledger.summary();
    // Nothing is lost.
    expect(summary.total).toBe(summary.ok + summary.failed + summary.inFlight);
    const { arrivalRatePerS, meanInSystem, meanTimeInSystemS } = summary.littlesLaw;
    expect(Math.abs(meanInSystem / (arrivalRatePerS * meanTimeInSystemS) - 1)).toBeLessThan(0.01);
    // Clients see the gateway's 504, at its 1 s read timeout (plus the two half round trips), and nothing else.
    expect(Object.keys(summary.byError)).toEqual(['504']);
    const failed = ledger.all().filter((r) => r.outcome !== 'ok');
    for (const r of failed) expect(r.endUs! - r.startUs).toBeGreaterThanOrEqual(1_000_000), expect(r.endUs! - r.startUs).toBeLessThan(1_003_000);
    expect(sim.metrics.counter('gateway.gateway.try.UND_ERR_HEADERS_TIMEOUT').value).toBe(failed.length);
    // The pool carries 10 / 100 ms = 100 queries/s of the 150/s: the line grows by 50/s, so waits pass the
    // gateway's 1 s about 2 s in (a wait of 1 s needs a line of 100), and only during the slowdown.
    const firstFailureUs = Math.min(...failed.map((r) => r.endUs!));
    expect(firstFailureUs).toBeGreaterThanOrEqual(11_500_000);
    expect(firstFailureUs).toBeLessThan(14_000_000);
    expect(failed.every((r) => r.startUs >= 10_000_000 && r.startUs < 25_000_000)).toBe(true);
    expect(failed.length).toBeGreaterThan(1000);
    // After the database recovers, within a second, every request succeeds.
    expect(ledger.all().filter((r) => r.startUs >= 26_000_000).every((r) => r.outcome === 'ok')).toBe(true);
    // The service never learns its callers left: its waiters run out HikariCP's 2 s connectionTimeout.
    const pool = world.pools.summary()['service-db']!;
    expect(pool.peakActive).toBe(10);
    expect(pool.peakPending).toBeGreaterThan(200);
    expect(pool.acquireTimeouts).toBeGreaterThan(100);
    expect(result.failures).toEqual([]);
  });

  it('a pool big enough for the slow queries does not run dry', async () => {
    const { sim, world } = await runScenario(poolExhaustion, { keepRequests: 'all', seed: 2, params: { poolSize: 40 } });
    expect(world.requests.summary().failed).toBe(0);
  });
});
