import { describe, expect, it } from 'vitest';
import { retryStorm } from '../../scenarios/retry-storm.js';
import { runScenario } from '../../sim/run-scenario.js';

/** Successful requests per second of virtual time, by the second they finished in. */
async function goodput(retryBudget: boolean): Promise<number[]> {
  const { sim, world } = await runScenario(retryStorm, { keepRequests: 'all', seed: 1, params: { retryBudget } });
  const ledger = world.requests;
  const s = ledger.summary();
  expect(s.total).toBe(s.ok + s.failed + s.inFlight);
  const perSecond = new Array<number>(30).fill(0);
  for (const r of ledger.all()) if (r.outcome === 'ok') perSecond[Math.floor(r.endUs! / 1e6)]!++;
  return perSecond;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('retry-storm (metastable failure)', () => {
  it('without a retry budget, goodput stays below half the offered 200/s for the 15 s after the 5 s slowdown ends', async () => {
    const g = await goodput(false);
    expect(mean(g.slice(0, 10))).toBeGreaterThan(180); // healthy before the trigger
    expect(Math.max(...g.slice(15, 30))).toBeLessThan(100);
  });

  it('with a 20% retry budget, goodput is back above 90% of the load within 5 s of the slowdown ending', async () => {
    const g = await goodput(true);
    expect(mean(g.slice(20, 30))).toBeGreaterThan(180);
  });
});
