/**
 * Failure scenarios as tests: these read as the documentation of `simulate()` and the matchers (README,
 * "Write a failure scenario as a test").
 */
import { describe, expect, it } from 'vitest';
import { simulate } from 'faultline';
import 'faultline/vitest';
import { poolExhaustion } from 'faultline/scenarios';
import tinyPool from '../fixtures/tiny-pool.mjs';

describe('simulate() and the matchers', () => {
  it('pool-exhaustion loses nothing and keeps its pools bounded, but its p99 is far above 500 ms', async () => {
    const run = await simulate(poolExhaustion, { seed: 1, duration: '20s', traceDetail: 'light' });
    expect(run).toLoseNoRequests();
    expect(run).toMeetDeadlines();
    expect(run).toKeepPoolsWithinMax();
    expect(run).not.toHaveP99Below(500);
    expect(run).not.toHaveErrorRateBelow(0.05);
    // The trace answers questions: the pool's first timeout comes 2 s (its connectionTimeout) into the slowdown or later.
    const firstTimeout = run.trace.first({ kind: 'pool.timeout' });
    expect(firstTimeout!.t).toBeGreaterThanOrEqual(12_000_000);
    expect(run.pools['service-db']!.peakPending).toBeGreaterThan(200);
  });

  it('a failing matcher shows the numbers, the seed and the command that replays the run', async () => {
    const run = await simulate(poolExhaustion, { seed: 3, duration: '15s', params: { ratePerS: 120 }, traceDetail: 'light' });
    let message = '';
    try {
      expect(run).toHaveErrorRateBelow(0.01);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^expected an error rate below 1\.00%, got \d+\.\d\d% \(\d+ requests: \d+ ok, \d+ failed \(504 ×\d+\), \d+ in flight\)$/m);
    expect(message).toContain('seed 3 · digest ');
    expect(message).toContain('replay: npx faultline run pool-exhaustion --seed 3 --duration 15s --set ratePerS=120');
  });

  it('the same inputs give the same digest; a different seed a different one', async () => {
    const a = await simulate(poolExhaustion, { seed: 5, duration: '3s' });
    const b = await simulate(poolExhaustion, { seed: 5, duration: '3s' });
    const c = await simulate(poolExhaustion, { seed: 6, duration: '3s' });
    expect(b.digest).toBe(a.digest);
    expect(c.digest).not.toBe(a.digest);
  });
});

/**
 * Your own scenario in a few lines (test/fixtures/tiny-pool.mjs, the module the package test runs with the
 * bin): a client calling a service whose database sits behind a pool of 2, with the database host cut off for
 * 2 s. Requests must fail with the pool's timeout, not hang.
 */
describe('writing your own scenario', () => {
  it('a database partition fails requests with the pool timeout within their deadline, and nothing is lost', async () => {
    const run = await simulate(tinyPool, { seed: 1, faults: [{ at: '4s', kind: 'partition', a: 'db' }, { at: '6s', kind: 'heal' }] });
    expect(run).toLoseNoRequests();
    expect(run).toMeetDeadlines();
    expect(run).toKeepPoolsWithinMax();
    const errors = Object.keys(run.requests.byError);
    expect(errors).toContain('POOL_ACQUIRE_TIMEOUT');
    // Before the partition and after a settling second, everything succeeds.
    const outside = run.records.filter((r) => r.startUs < 3_900_000 || r.startUs > 7_000_000);
    expect(outside.every((r) => r.outcome === 'ok' || r.outcome === null)).toBe(true);
    expect(run.replay('faults.json')).toBe('npx faultline run tiny-pool --seed 1 --faults faults.json');
  });
});
