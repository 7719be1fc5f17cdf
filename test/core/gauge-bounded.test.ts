/**
 * A gauge's memory does not grow with the run (sim/core/gauge.ts): the recent steps exact, the whole run in
 * doubling buckets. Checked against a naive gauge that keeps every step: the whole-run mean and the recent
 * window exactly, older windows within a bucket's share, and the arrays never past their bounds.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { Gauge, GAUGE_BUCKETS, GAUGE_EXACT_STEPS } from '../../sim/core/gauge.js';
import { RequestLedger } from '../../sim/requests/ledger.js';
import { World } from '../../sim/world.js';

/** Every step kept: the truth the bounded gauge is read against. */
class NaiveGauge {
  readonly times: number[] = [0];
  readonly values: number[] = [0];
  set(t: number, v: number): void {
    if (v === this.values.at(-1)) return;
    if (this.times.at(-1) === t) this.values[this.values.length - 1] = v;
    else {
      this.times.push(t);
      this.values.push(v);
    }
  }
  area(from: number, to: number): number {
    let a = 0;
    for (let i = 0; i < this.times.length; i++) {
      const s = Math.max(from, this.times[i]!);
      const e = Math.min(to, i + 1 < this.times.length ? this.times[i + 1]! : Infinity);
      if (e > s) a += this.values[i]! * (e - s);
    }
    return a;
  }
  valueAt(t: number): number {
    let v = this.values[0]!;
    for (let i = 0; i < this.times.length && this.times[i]! <= t; i++) v = this.values[i]!;
    return v;
  }
  max(from: number, to: number): number {
    let m = -Infinity;
    for (let i = 0; i < this.times.length; i++) {
      const s = this.times[i]!;
      const e = i + 1 < this.times.length ? this.times[i + 1]! : Infinity;
      if (s < to && e > from) m = Math.max(m, this.values[i]!);
    }
    return m;
  }
}

/** A random walk of a pool's level: `steps` changes, 1–2000 µs apart, values 0–50. */
function walk(steps: number, seed: number) {
  let now = 0;
  const g = new Gauge('g', () => now);
  const truth = new NaiveGauge();
  let x = seed >>> 0 || 1;
  const next = () => ((x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) ^ (x + 0x9e3779b9)) >>> 0);
  let v = 0;
  for (let i = 0; i < steps; i++) {
    now += 1 + (next() % 2000);
    v = Math.max(0, Math.min(50, v + ((next() % 5) - 2)));
    g.set(v);
    truth.set(now, v);
  }
  now += 1000;
  return { g, truth, endUs: now };
}

describe('a gauge with more steps than it keeps exactly', () => {
  test.prop([fc.integer({ min: 1, max: 2 ** 31 - 1 })], { numRuns: 20 })('the whole-run mean is exact, the recent window exact, older windows within a bucket', (seed) => {
    const { g, truth, endUs } = walk(30_000, seed);
    expect(g.mean(0, endUs)).toBeCloseTo(truth.area(0, endUs) / endUs, 9);
    const recentFrom = g.timesUs[0]!;
    expect(g.timesUs).toHaveLength(GAUGE_EXACT_STEPS);
    expect(g.mean(recentFrom, endUs)).toBeCloseTo(truth.area(recentFrom, endUs) / (endUs - recentFrom), 9);
    for (const t of [recentFrom, recentFrom + 777, endUs - 1]) expect(g.valueAt(t)).toBe(truth.valueAt(t));
    expect(g.maxIn(recentFrom, endUs)).toBe(truth.max(recentFrom, endUs));
    // An old window: the truth's area, off by at most two buckets' worth at the top value (its two ends).
    const bucketUs = 2 ** Math.ceil(Math.log2(endUs / GAUGE_BUCKETS));
    const [from, to] = [endUs * 0.1, endUs * 0.4];
    expect(Math.abs(g.mean(from, to) * (to - from) - truth.area(from, to))).toBeLessThanOrEqual(2 * 50 * bucketUs);
    // An old window's peak is at least the truth's, and no more than the value it held somewhere.
    expect(g.maxIn(from, to)).toBeGreaterThanOrEqual(truth.max(from, to));
    expect(g.maxIn(from, to)).toBeLessThanOrEqual(50);
  });

  it('keeps no more than its bounds however many steps (the arrays are its memory)', () => {
    const { g } = walk(200_000, 7);
    const inner = g as unknown as { ringTimes: number[]; bMin: number[]; bArea: number[] };
    expect(inner.ringTimes.length).toBe(GAUGE_EXACT_STEPS);
    expect(inner.bMin.length).toBeLessThanOrEqual(GAUGE_BUCKETS);
    expect(inner.bArea.length).toBeLessThanOrEqual(GAUGE_BUCKETS);
  });

  it('with exactSteps Infinity keeps every step (a test comparing against the whole truth)', () => {
    let now = 0;
    const g = new Gauge('g', () => now, 0, null, Infinity);
    for (let i = 1; i <= 10_000; i++) {
      now = i * 10;
      g.set(i % 7);
    }
    expect(g.timesUs).toHaveLength(10_001);
    expect(g.valueAt(15)).toBe(1);
  });

  it('a bad exactSteps is refused in one line naming the option', () => {
    expect(() => new World({ seed: 1, gaugeExactSteps: 0 })).toThrow(/^gaugeExactSteps: expected a whole number of steps from 1, or Infinity, got 0$/);
  });
});

describe('the request ledger keeps the last n requests whole, and counts every one', () => {
  async function ledgerOf(keep: 'all' | 'none' | number) {
    const world = new World({ seed: 1, keepRequests: keep });
    const ledger: RequestLedger = world.requests;
    world.sim.host('h').spawn('client', async (ctx) => {
      for (let i = 0; i < 2500; i++) {
        const rec = ledger.start('h');
        await ctx.sleep(10);
        ledger.finish(rec, i % 10 === 0 ? 'ECONNRESET' : 'ok');
      }
    });
    await world.sim.run();
    return ledger;
  }

  it('a ring of 1000 by default: the last 1000 in start order; the summary counts all 2500', async () => {
    const ledger = await ledgerOf(1000);
    const all = ledger.all();
    expect(all).toHaveLength(1000);
    expect(all[0]!.id).toBe('r1501');
    expect(all.at(-1)!.id).toBe('r2500');
    expect(ledger.summary()).toMatchObject({ total: 2500, ok: 2250, failed: 250, byError: { ECONNRESET: 250 } });
  });

  it("'all' keeps every one and 'none' none, with the same summary", async () => {
    const [all, none] = await Promise.all([ledgerOf('all'), ledgerOf('none')]);
    expect(all.all()).toHaveLength(2500);
    expect(none.all()).toHaveLength(0);
    expect(none.summary()).toEqual(all.summary());
  });

  it('a bad keepRequests is refused in one line naming the option', () => {
    expect(() => new World({ seed: 1, keepRequests: -1 as never })).toThrow(/^keepRequests: expected 'all', 'none' or a number of requests, got -1$/);
  });
});
