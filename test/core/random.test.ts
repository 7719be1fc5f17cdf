import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Randomness, RandomStream, seedKey } from '../../sim/core/random.js';

function draws(stream: RandomStream, n: number): number[] {
  return Array.from({ length: n }, () => stream.next());
}

describe('streams', () => {
  it('the same seed and name give the same sequence', () => {
    const a = new Randomness(42).stream('net.latency');
    const b = new Randomness(42).stream('net.latency');
    expect(draws(a, 1000)).toEqual(draws(b, 1000));
  });

  it('different names give different sequences', () => {
    const r = new Randomness(42);
    const a = draws(r.stream('host.a'), 100);
    const b = draws(r.stream('host.b'), 100);
    expect(a).not.toEqual(b);
    // Not merely shifted or partly shared: no draw of one appears in the other.
    const setA = new Set(a);
    expect(b.filter((x) => setA.has(x))).toEqual([]);
  });

  it('different seeds give different sequences', () => {
    expect(draws(new Randomness(1).stream('x'), 100)).not.toEqual(draws(new Randomness(2).stream('x'), 100));
  });

  it('seed 7 and seed "7" are the same seed', () => {
    expect(new Randomness(7).key).toBe('7');
    expect(new Randomness('7').key).toBe('7');
    expect(draws(new Randomness(7).stream('s'), 200)).toEqual(draws(new Randomness('7').stream('s'), 200));
    expect(new Randomness(7).unseed(1000)).toBe(new Randomness('7').unseed(1000));
  });

  it('a name is not confused with a seed that shares its text across the separator', () => {
    expect(draws(new Randomness('a').stream('b/c'), 20)).not.toEqual(draws(new Randomness('a/b').stream('c'), 20));
  });

  it('asking twice for a name gives the same stream object', () => {
    const r = new Randomness(1);
    expect(r.stream('x')).toBe(r.stream('x'));
  });

  it('draws are in [0, 1)', () => {
    const s = new Randomness(3).stream('u');
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < 100_000; i++) {
      const x = s.next();
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(min).toBeLessThan(0.001);
    expect(max).toBeLessThan(1);
    expect(max).toBeGreaterThan(0.999);
  });

  it('each next(), int(), chance(), pick() and uint32() counts as one draw', () => {
    const s = new Randomness(3).stream('count');
    s.next();
    s.int(1, 6);
    s.chance(0.5);
    s.pick(['a', 'b']);
    s.uint32();
    expect(s.draws).toBe(5);
  });

  it('pick from an empty array throws a RangeError naming the stream', () => {
    expect(() => new Randomness(3).stream('picker').pick([])).toThrow(RangeError);
    expect(() => new Randomness(3).stream('picker').pick([])).toThrow(/picker/);
  });
});

describe('independence of streams', () => {
  const target = 'target';
  const others = ['host.a', 'host.b', 'faults', 'zzz', 'aaa'];
  // An operation: draw from the target, or create-and-draw from one of the other streams.
  const op = fc.oneof(
    fc.constant({ stream: target, n: 1 }),
    fc.record({ stream: fc.constantFrom(...others), n: fc.integer({ min: 0, max: 5 }) }),
  );

  test.prop([fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.string({ minLength: 1 })), fc.array(op, { maxLength: 200 })])(
    'creating other streams and drawing from them, in any order, never changes the draws of a stream',
    (seed, ops) => {
      const alone = new Randomness(seed).stream(target);
      const r = new Randomness(seed);
      const seen: number[] = [];
      for (const { stream, n } of ops) {
        const s = r.stream(stream);
        for (let i = 0; i < n; i++) {
          const x = s.next();
          if (stream === target) seen.push(x);
        }
      }
      expect(seen).toEqual(draws(alone, seen.length));
    },
  );

  it('a stream created after others have drawn starts where a lone stream starts', () => {
    const r = new Randomness(9);
    for (const name of others) draws(r.stream(name), 50);
    expect(draws(r.stream(target), 10)).toEqual(draws(new Randomness(9).stream(target), 10));
  });
});

describe('int(min, max)', () => {
  it('covers both bounds and nothing outside them', () => {
    const s = new Randomness(11).stream('dice');
    const counts = new Map<number, number>();
    for (let i = 0; i < 60_000; i++) {
      const x = s.int(3, 8);
      counts.set(x, (counts.get(x) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8]);
    // Each of 6 faces ~10000 times; 9000..11000 is ±10 standard deviations.
    for (const c of counts.values()) {
      expect(c).toBeGreaterThan(9_000);
      expect(c).toBeLessThan(11_000);
    }
  });

  it('works for negative ranges and single values', () => {
    const s = new Randomness(11).stream('neg');
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(s.int(-2, 1));
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1]);
    for (let i = 0; i < 100; i++) expect(s.int(5, 5)).toBe(5);
  });

  test.prop([fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 1e9 }), fc.integer()])(
    'is an integer within [min, max]',
    (min, span, seed) => {
      const s = new Randomness(seed).stream('int');
      for (let i = 0; i < 20; i++) {
        const x = s.int(min, min + span);
        expect(Number.isInteger(x)).toBe(true);
        expect(x).toBeGreaterThanOrEqual(min);
        expect(x).toBeLessThanOrEqual(min + span);
      }
    },
  );
});

describe('usage()', () => {
  it('lists streams sorted by name with their draw counts', () => {
    const r = new Randomness(5);
    draws(r.stream('zeta'), 3);
    r.stream('alpha');
    draws(r.stream('Mid'), 2);
    draws(r.stream('beta'), 7);
    draws(r.stream('zeta'), 1);
    expect(r.usage()).toEqual([
      { name: 'Mid', draws: 2 },
      { name: 'alpha', draws: 0 },
      { name: 'beta', draws: 7 },
      { name: 'zeta', draws: 4 },
    ]);
  });

  it('is empty before any stream is created', () => {
    expect(new Randomness(5).usage()).toEqual([]);
  });
});

describe('unseed(endUs)', () => {
  function run(seed: number | string, plan: [string, number][]): Randomness {
    const r = new Randomness(seed);
    for (const [name, n] of plan) draws(r.stream(name), n);
    return r;
  }

  it('is 16 lowercase hex digits', () => {
    expect(run(1, [['a', 3]]).unseed(0)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is equal for equal usage, whatever order the streams were created and drawn in', () => {
    const a = run(1, [['a', 3], ['b', 2], ['c', 1]]);
    const b = run(1, [['c', 1], ['b', 1], ['a', 3], ['b', 1]]);
    expect(a.unseed(5_000_000)).toBe(b.unseed(5_000_000));
  });

  it('takes no draw of its own: asking twice gives the same answer and usage is unchanged', () => {
    const a = run(1, [['a', 3]]);
    const first = a.unseed(10);
    expect(a.unseed(10)).toBe(first);
    expect(a.usage()).toEqual([{ name: 'a', draws: 3 }]);
  });

  it('differs when any stream drew a different number of times', () => {
    const base = run(1, [['a', 3], ['b', 2], ['c', 1]]).unseed(100);
    expect(run(1, [['a', 4], ['b', 2], ['c', 1]]).unseed(100)).not.toBe(base);
    expect(run(1, [['a', 3], ['b', 1], ['c', 1]]).unseed(100)).not.toBe(base);
    expect(run(1, [['a', 3], ['b', 2], ['c', 2]]).unseed(100)).not.toBe(base);
  });

  it('differs when the end time differs', () => {
    const r = run(1, [['a', 3]]);
    expect(r.unseed(100)).not.toBe(r.unseed(101));
  });

  it('differs between seeds', () => {
    expect(run(1, [['a', 3]]).unseed(100)).not.toBe(run(2, [['a', 3]]).unseed(100));
  });

  test.prop([fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 5 }), fc.nat(), fc.nat({ max: 4 })])(
    'changes when one stream takes one more draw',
    (counts, endUs, which) => {
      const plan = counts.map((n, i): [string, number] => [`s${i}`, n]);
      const bumped = plan.map(([name, n], i): [string, number] => [name, i === which % plan.length ? n + 1 : n]);
      expect(run('p', plan).unseed(endUs)).not.toBe(run('p', bumped).unseed(endUs));
      expect(run('p', plan).unseed(endUs)).toBe(run('p', plan).unseed(endUs));
    },
  );
});

describe('seedKey', () => {
  it('gives the text of integers and strings', () => {
    expect(seedKey(7)).toBe('7');
    expect(seedKey(-3)).toBe('-3');
    expect(seedKey('abc')).toBe('abc');
  });

  it.each([1.5, NaN, Infinity, 2 ** 53])('refuses the number %d', (seed) => {
    expect(() => seedKey(seed)).toThrow(RangeError);
    expect(() => seedKey(seed)).toThrow(/^seed: .* is not an integer$/);
  });

  it('refuses the empty string', () => {
    expect(() => seedKey('')).toThrow(RangeError);
    expect(() => seedKey('')).toThrow('seed: expected an integer or a non-empty string');
    expect(() => new Randomness('')).toThrow(RangeError);
  });
});
