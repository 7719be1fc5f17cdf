/**
 * The fault kinds chaos relies on beyond the network's own: 'slow' (a database's queries take factor × longer)
 * and 'drain' (load stops, so a run can come to rest); and the rule that a pool whose process was killed is
 * not a leak (its leases died with it).
 */
import { describe, expect, it } from 'vitest';
import { poolExhaustion } from '../../scenarios/pool-exhaustion.js';
import { quiescence } from '../../sim/harness/invariants.js';
import { simulate } from '../../sim/harness/simulate.js';

const quiet = { slowFor: '0s', ratePerS: 50 }; // the scenario's own slowdown off

describe("the 'slow' and 'drain' faults", () => {
  it('slow: the database runs each query factor × longer from the fault, and normally again at factor 1', async () => {
    const run = await simulate(poolExhaustion, {
      seed: 1,
      params: quiet,
      duration: '3s',
      faults: [
        { at: '1s', kind: 'slow', host: 'db', factor: 10 },
        { at: '2s', kind: 'slow', host: 'db', factor: 1 },
      ],
    });
    const execUs = (from: number, to: number) => [...new Set(run.trace.where({ kind: 'db.query.end', fromUs: from, toUs: to }).map((r) => r.fields!.execUs))];
    expect(execUs(0, 1_000_000)).toEqual([5_000]);
    expect(execUs(1_060_000, 2_000_000)).toEqual([50_000]); // queries started after the fault (5 ms → 50 ms)
    expect(execUs(2_060_000, 3_000_000)).toEqual([5_000]);
  });

  it('drain: clients start no request after it, and those under way finish', async () => {
    const run = await simulate(poolExhaustion, { seed: 1, params: quiet, duration: '4s', faults: [{ at: '2s', kind: 'drain' }] });
    expect(run.records.length).toBeGreaterThan(50);
    expect(Math.max(...run.records.map((r) => r.startUs))).toBeLessThan(2_000_000);
    expect(run.requests.inFlight).toBe(0);
    expect(run.trace.first({ kind: 'sim.drain' })!.t).toBe(2_000_000);
  });

  it('quiescence leaves out a pool whose process was killed: the restarted process made a new one', async () => {
    const run = await simulate(poolExhaustion, {
      seed: 2,
      params: { ...quiet, ratePerS: 300 },
      duration: '8s',
      traceDetail: 'light',
      faults: [
        { at: '1s', kind: 'slow', host: 'db', factor: 50 }, // queries in flight when the kill comes
        { at: '1500ms', kind: 'kill', host: 'service' },
        { at: '2s', kind: 'restart', host: 'service' },
        { at: '2s', kind: 'slow', host: 'db', factor: 1 },
        { at: '3s', kind: 'drain' },
      ],
    });
    const pools = run.world.pools.all().filter((p) => p.name === 'service-db');
    expect(pools.map((p) => p.gone)).toEqual([true, false]);
    expect(pools[0]!.activeConnections).toBeGreaterThan(0); // what the killed process held when it died
    expect(quiescence.check(run, { drainAtUs: 3_000_000 })).toBeNull();
  });
});
