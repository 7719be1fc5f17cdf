import { describe, expect, it } from 'vitest';
import { mmc } from '../../scenarios/mmc.js';
import { runScenario } from '../../sim/run-scenario.js';
import { cli } from '../helpers/cli.js';

/** Erlang C (shared/reference/validation.md): probability that an arrival waits, and the mean wait in s. */
function erlangC(c: number, lambda: number, mu: number): { pWait: number; wqS: number } {
  const a = lambda / mu;
  let term = 1;
  let sum = 1; // k = 0
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const top = ((term * a) / c) * (c / (c - a)); // a^c / c! · c / (c − a)
  const pWait = top / (sum + top);
  return { pWait, wqS: pWait / (c * mu - lambda) };
}

describe('mmc: a pool as an M/M/c queue', () => {
  it('the Erlang C reference values are what validation.md says (c = 10, λ = 8, μ = 1)', () => {
    const { pWait, wqS } = erlangC(10, 8, 1);
    expect(pWait).toBeCloseTo(0.4092, 4);
    expect(wqS).toBeCloseTo(0.2046, 4);
  });

  it('`faultline run mmc --set c=10 --set lambda=8 --set mu=1 --duration 100h --json` is within 2% of Erlang C (0.4092, 204.6 ms), for several seeds', async () => {
    const { pWait, wqS } = erlangC(10, 8, 1);
    const runs = await Promise.all([11, 12].map((seed) => cli(['run', 'mmc', '--seed', String(seed), '--set', 'c=10', '--set', 'lambda=8', '--set', 'mu=1', '--duration', '100h', '--json'])));
    for (const r of runs) {
      expect(r.code).toBe(0);
      const pool = (JSON.parse(r.stdout) as { pools: Record<string, { waitProbability: number; meanWaitMs: number }> }).pools.mmc!;
      expect(Math.abs(pool.waitProbability / pWait - 1)).toBeLessThan(0.02);
      expect(Math.abs(pool.meanWaitMs / (wqS * 1000) - 1)).toBeLessThan(0.02);
    }
  }, 180_000); // two 100-hour runs in child processes: ~25 s alone, several times that on a loaded machine

  it("obeys Little's law: mean connections in use plus waiting = λ × mean time in system, within 1%", async () => {
    const { sim, world } = await runScenario(mmc, { seed: 3, params: { c: 5, lambda: 4, mu: 1, warmUp: '1h' }, duration: '30h' });
    const fromUs = 3_600_000_000;
    const toUs = sim.now;
    const inSystem = sim.metrics.gauge('pool.mmc.active').mean(fromUs, toUs) + sim.metrics.gauge('pool.mmc.pending').mean(fromUs, toUs);
    const p = world.pools.summary().mmc!;
    const lambda = p.acquires / ((toUs - fromUs) / 1e6);
    const holdS = sim.metrics.gauge('pool.mmc.active').mean(fromUs, toUs) / lambda; // L_active = λ·E[hold]
    const timeInSystemS = p.meanWaitMs / 1000 + holdS;
    expect(Math.abs(inSystem / (lambda * timeInSystemS) - 1)).toBeLessThan(0.01);
    // And the hold time really is 1/μ.
    expect(Math.abs(holdS / 1 - 1)).toBeLessThan(0.02);
  });

  it('c = 1 is M/M/1: P(wait) = ρ and Wq = ρ / (μ − λ)', async () => {
    const { sim, world } = await runScenario(mmc, { seed: 5, params: { c: 1, lambda: 5, mu: 10, warmUp: '10m' }, duration: '20h' });
    const p = world.pools.summary().mmc!;
    expect(Math.abs(p.waitProbability / 0.5 - 1)).toBeLessThan(0.02);
    expect(Math.abs(p.meanWaitMs / 100 - 1)).toBeLessThan(0.03);
  });
});
