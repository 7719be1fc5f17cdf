import { describe, expect, it } from 'vitest';
import { poolExhaustion } from '../../scenarios/pool-exhaustion.js';
import { runScenario } from '../../sim/run-scenario.js';
import { summarizePools } from '../../sim/pool/summary.js';
import { RequestLedger } from '../../sim/requests/ledger.js';

describe('pool-exhaustion', () => {
  it('a slow database drains the pool: waiters pile up and fail with HikariCP\'s timeout once the line is longer than connectionTimeout, and it recovers when the database does', async () => {
    const { sim, result } = await runScenario(poolExhaustion, { seed: 1 });
    const ledger = RequestLedger.of(sim);
    const summary = ledger.summary();
    // Nothing is lost.
    expect(summary.total).toBe(summary.ok + summary.failed + summary.inFlight);
    const { arrivalRatePerS, meanInSystem, meanTimeInSystemS } = summary.littlesLaw;
    expect(Math.abs(meanInSystem / (arrivalRatePerS * meanTimeInSystemS) - 1)).toBeLessThan(0.01);
    // Only the pool's timeout fails requests, and only during the slowdown (10 s to 25 s).
    expect(Object.keys(summary.byError)).toEqual(['POOL_ACQUIRE_TIMEOUT']);
    const failed = ledger.all().filter((r) => r.outcome !== 'ok');
    const firstFailureUs = Math.min(...failed.map((r) => r.endUs!));
    // The pool carries 10 / 100 ms = 100 queries/s of the 150/s: the line grows by 50/s, so waits pass the
    // 500 ms timeout about a second in.
    expect(firstFailureUs).toBeGreaterThanOrEqual(10_500_000);
    expect(firstFailureUs).toBeLessThan(12_000_000);
    expect(failed.every((r) => r.startUs >= 10_000_000 && r.startUs < 25_000_000)).toBe(true);
    expect(failed.length).toBeGreaterThan(300);
    // After the database recovers, within a second, every request succeeds.
    expect(ledger.all().filter((r) => r.startUs >= 26_000_000).every((r) => r.outcome === 'ok')).toBe(true);
    const pool = summarizePools(sim)['service-db']!;
    expect(pool.peakActive).toBe(10);
    expect(pool.peakPending).toBeGreaterThan(50);
    expect(pool.acquireTimeouts).toBe(summary.byError.POOL_ACQUIRE_TIMEOUT);
    expect(result.failures).toEqual([]);
  });

  it('a pool big enough for the slow queries does not run dry', async () => {
    const { sim } = await runScenario(poolExhaustion, { seed: 2, params: { poolSize: 40 } });
    expect(RequestLedger.of(sim).summary().failed).toBe(0);
  });
});
