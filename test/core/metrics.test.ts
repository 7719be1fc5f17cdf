import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Metrics } from '../../sim/core/metrics.js';

const SECOND = 1_000_000;

describe('Counter', () => {
  it('starts at 0 and counts by 1 or by a given amount', () => {
    const c = new Counter('requests');
    expect(c.value).toBe(0);
    c.inc();
    c.inc();
    c.inc(5);
    expect(c.value).toBe(7);
  });
});

describe('Gauge', () => {
  it('a gauge at 10 for 9 s and 0 for 1 s has a time-weighted mean of 9', () => {
    let now = 0;
    const m = new Metrics(() => now);
    const g = m.gauge('pool.active');
    g.set(10);
    now = 9 * SECOND;
    g.set(0);
    now = 10 * SECOND;
    expect(g.mean(0, 10 * SECOND)).toBe(9);
    expect(g.mean()).toBe(9);
  });

  it('the mean does not depend on how many times the value changed', () => {
    let now = 0;
    const g = new Gauge('g', () => now);
    // 10 for 9 s, reached by many small steps at one instant and many repeats of the same value.
    for (let i = 1; i <= 10; i++) g.set(i);
    for (let t = 1; t < 9; t++) {
      now = t * SECOND;
      g.set(10);
    }
    now = 9 * SECOND;
    g.set(0);
    now = 10 * SECOND;
    expect(g.mean()).toBe(9);
  });

  it('several set() calls at the same instant keep only the last', () => {
    let now = 0;
    const g = new Gauge('queue', () => now);
    now = 5;
    g.set(3);
    g.set(7);
    g.set(4);
    now = 8;
    g.set(1);
    expect(g.timesUs).toEqual([0, 5, 8]);
    expect(g.values).toEqual([0, 4, 1]);
    expect(g.value).toBe(1);
    // The 7 held for no time, so it has no weight: [0,5) at 0, [5,8) at 4, [8,10) at 1.
    now = 10;
    expect(g.mean(0, 10)).toBeCloseTo((0 * 5 + 4 * 3 + 1 * 2) / 10, 12);
  });

  it('setting the current value adds no step', () => {
    let now = 0;
    const g = new Gauge('g', () => now, 3);
    now = 1;
    g.set(3);
    expect(g.timesUs).toEqual([0]);
    expect(g.values).toEqual([3]);
  });

  it('add() moves the value by a delta', () => {
    let now = 0;
    const g = new Gauge('g', () => now);
    now = 1;
    g.add(2);
    now = 2;
    g.add(-1);
    expect(g.value).toBe(1);
    expect(g.values).toEqual([0, 2, 1]);
  });

  it('valueAt gives the last step at or before the time', () => {
    let now = 100;
    const g = new Gauge('g', () => now, 1);
    now = 200;
    g.set(2);
    now = 300;
    g.set(3);
    expect(g.valueAt(50)).toBe(1); // before the first step: the initial value
    expect(g.valueAt(100)).toBe(1);
    expect(g.valueAt(199)).toBe(1);
    expect(g.valueAt(200)).toBe(2);
    expect(g.valueAt(299)).toBe(2);
    expect(g.valueAt(300)).toBe(3);
    expect(g.valueAt(1e9)).toBe(3);
  });

  it('mean over a window weighs only the part of each step inside it', () => {
    let now = 0;
    const g = new Gauge('g', () => now);
    g.set(10);
    now = 9 * SECOND;
    g.set(0);
    now = 20 * SECOND;
    expect(g.mean(8 * SECOND, 10 * SECOND)).toBe(5);
    expect(g.mean(9 * SECOND, 20 * SECOND)).toBe(0);
    expect(g.mean(0, 18 * SECOND)).toBe(5);
  });

  it('a zero-length window gives the value at that time', () => {
    let now = 0;
    const g = new Gauge('g', () => now, 4);
    now = 10;
    g.set(6);
    expect(g.mean(10, 10)).toBe(6);
    expect(g.mean(5, 5)).toBe(4);
  });

  it('the mean starts at the gauge creation time by default', () => {
    let now = 1_000;
    const g = new Gauge('g', () => now, 2);
    now = 2_000;
    g.set(4);
    now = 3_000;
    expect(g.mean()).toBe(3);
  });

  it('max is the largest value held', () => {
    let now = 0;
    const g = new Gauge('g', () => now);
    for (const [t, v] of [
      [1, 3],
      [2, 12],
      [3, 5],
      [4, -2],
    ]) {
      now = t!;
      g.set(v!);
    }
    expect(g.max).toBe(12);
    expect(new Gauge('neg', () => 0, -5).max).toBe(-5);
  });
});

describe('Histogram', () => {
  function oneToTenThousand(): Histogram {
    const h = new Histogram('latency');
    for (let us = 1; us <= 10_000; us++) h.record(us);
    return h;
  }

  it('percentiles of 1..10000 µs are within 0.1% of the exact values', () => {
    const h = oneToTenThousand();
    expect(Math.abs(h.percentile(50) - 5000) / 5000).toBeLessThanOrEqual(0.001);
    expect(Math.abs(h.percentile(99) - 9900) / 9900).toBeLessThanOrEqual(0.001);
    expect(Math.abs(h.percentile(90) - 9000) / 9000).toBeLessThanOrEqual(0.001);
  });

  it('never reports a percentile above the largest value recorded', () => {
    const h = new Histogram('h');
    h.record(10_001); // its bucket's top is above 10001
    expect(h.percentile(100)).toBe(10_001);
    expect(h.percentile(50)).toBe(10_001);
  });

  it('summarizes count, min, max, mean and percentiles', () => {
    const s = oneToTenThousand().summary();
    expect(s.count).toBe(10_000);
    expect(s.min).toBe(1);
    expect(s.max).toBe(10_000);
    expect(Math.abs(s.mean - 5000.5) / 5000.5).toBeLessThanOrEqual(0.001);
    expect(Math.abs(s.p50 - 5000) / 5000).toBeLessThanOrEqual(0.001);
    expect(Math.abs(s.p90 - 9000) / 9000).toBeLessThanOrEqual(0.001);
    expect(Math.abs(s.p99 - 9900) / 9900).toBeLessThanOrEqual(0.001);
    expect(Math.abs(s.p999 - 9990) / 9990).toBeLessThanOrEqual(0.001);
  });

  it('counts every record', () => {
    const h = new Histogram('h');
    for (let i = 0; i < 123; i++) h.record(42);
    expect(h.count).toBe(123);
    expect(h.summary().count).toBe(123);
    expect(h.summary().p50).toBe(42);
  });

  it('an empty histogram summarizes to zeros', () => {
    const h = new Histogram('h');
    expect(h.percentile(50)).toBe(0);
    expect(h.summary()).toEqual({ count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
  });

  it('reports a minimum of 0 when 0 was recorded', () => {
    const h = new Histogram('h');
    h.record(0);
    h.record(7);
    expect(h.summary().min).toBe(0);
  });
});

describe('Metrics registry', () => {
  it('returns the same object for the same name', () => {
    const m = new Metrics(() => 0);
    expect(m.counter('a')).toBe(m.counter('a'));
    expect(m.gauge('a')).toBe(m.gauge('a'));
    expect(m.histogram('a')).toBe(m.histogram('a'));
    expect(m.counter('a')).not.toBe(m.counter('b'));
  });

  it('a gauge asked for again keeps its value, not the new initial one', () => {
    const m = new Metrics(() => 0);
    m.gauge('g', 5);
    expect(m.gauge('g', 9).value).toBe(5);
  });

  it('snapshot() lists metrics in creation order with their values', () => {
    let now = 0;
    const m = new Metrics(() => now);
    m.counter('zeta').inc(3);
    m.counter('alpha').inc();
    m.counter('mid');
    const g = m.gauge('pool', 2);
    m.gauge('aaa');
    m.histogram('rtt').record(100);
    m.histogram('a.rtt');
    now = 10;
    g.set(4);
    now = 20;
    const snap = m.snapshot();
    expect(snap.counters).toEqual([
      { name: 'zeta', value: 3 },
      { name: 'alpha', value: 1 },
      { name: 'mid', value: 0 },
    ]);
    expect(snap.gauges).toEqual([
      { name: 'pool', value: 4, max: 4, mean: 3 },
      { name: 'aaa', value: 0, max: 0, mean: 0 },
    ]);
    expect(snap.histograms.map((h) => [h.name, h.count])).toEqual([
      ['rtt', 1],
      ['a.rtt', 0],
    ]);
  });

  // A plain object would list integer-like keys first in numeric order; the snapshot's arrays keep creation order.
  it('snapshot() keeps creation order for names that look like integers', () => {
    const m = new Metrics(() => 0);
    m.counter('status.b');
    m.counter('404');
    m.counter('200');
    expect(m.snapshot().counters.map((c) => c.name)).toEqual(['status.b', '404', '200']);
  });
});

describe('gauge windows in the trace', () => {
  it('a full trace carries each gauge per 100 ms window it changed in (first, last, min, max), and the open window at the end', async () => {
    const { Simulation } = await import('../../sim/core/simulation.js');
    const { MemorySink } = await import('../../sim/core/trace.js');
    const sink = new MemorySink();
    const sim = new Simulation({ seed: 1, sinks: [sink] });
    sim.host('h').spawn('a', async (ctx) => {
      const g = ctx.simulation.metrics.gauge('queue');
      g.set(3); // window 0: 0 → 3
      await ctx.sleep('10ms');
      g.set(1); // window 0: min 0, max 3, last 1
      await ctx.sleep('300ms'); // windows 1–2 quiet
      g.set(7); // window 3
      g.set(2);
    });
    await sim.run();
    const windows = sink.records.filter((r) => r.kind === 'gauge').map((r) => ({ t: r.t, ...r.fields }));
    expect(windows).toEqual([
      { t: 310_000, name: 'queue', fromUs: 0, toUs: 100_000, first: 0, last: 1, min: 0, max: 3 },
      { t: 310_000, name: 'queue', fromUs: 300_000, toUs: 400_000, first: 1, last: 2, min: 1, max: 7 },
    ]);
  });

  it('a light trace has none', async () => {
    const { Simulation } = await import('../../sim/core/simulation.js');
    const { MemorySink } = await import('../../sim/core/trace.js');
    const sink = new MemorySink();
    const sim = new Simulation({ seed: 1, sinks: [sink], traceDetail: 'light' });
    sim.host('h').spawn('a', (ctx) => void ctx.simulation.metrics.gauge('queue').set(3));
    await sim.run();
    expect(sink.records.filter((r) => r.kind === 'gauge')).toEqual([]);
  });
});
