import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  distribution,
  DistributionError,
  distributionSchema,
  fdbLatency,
  type DistributionSpec,
} from '../../sim/core/distribution.js';
import { Randomness, type RandomStream } from '../../sim/core/random.js';
import { DurationError } from '../../sim/core/time.js';

function samples(spec: DistributionSpec, n: number, seed: number | string = 1): Float64Array {
  const d = distribution(spec);
  const s = new Randomness(seed).stream('dist');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = d.sample(s);
  return out;
}

function mean(xs: Float64Array): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

function stddev(xs: Float64Array): number {
  const m = mean(xs);
  let sq = 0;
  for (const x of xs) sq += (x - m) * (x - m);
  return Math.sqrt(sq / (xs.length - 1));
}

function median(xs: Float64Array): number {
  const sorted = Float64Array.from(xs).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function minMax(xs: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

/** A stream that always draws the same value, to test the arithmetic after the draw. */
function fixedStream(u: number): RandomStream {
  return { next: () => u } as unknown as RandomStream;
}

/** Expects `fn` to throw an error of `type` whose message is one line starting with `prefix`. */
function expectSpecError(fn: () => unknown, type: typeof DistributionError | typeof DurationError, prefix: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(type);
  const message = (err as Error).message;
  expect(message.startsWith(`${prefix}: `), `message '${message}' should start with '${prefix}: '`).toBe(true);
  expect(message).not.toContain('\n');
}

const N = 200_000;

describe('every kind samples non-negative integer microseconds', () => {
  const specs: [string, DistributionSpec][] = [
    ['bare duration', '5ms'],
    ['constant', { kind: 'constant', value: '1.5ms' }],
    ['uniform', { kind: 'uniform', min: '0us', max: '3ms' }],
    ['exponential', { kind: 'exponential', mean: '2ms' }],
    ['normal around 0', { kind: 'normal', mean: 0, stddev: '1ms' }],
    ['lognormal', { kind: 'lognormal', median: '1ms', sigma: 2 }],
    ['pareto', { kind: 'pareto', scale: '100us', shape: 1.1 }],
    ['mixture', fdbLatency],
  ];
  for (const [name, spec] of specs) {
    test.prop([fc.oneof(fc.integer(), fc.string({ minLength: 1 }))], { numRuns: 50 })(name, (seed) => {
      const d = distribution(spec);
      const s = new Randomness(seed).stream('dist');
      const bad: number[] = [];
      for (let i = 0; i < 200; i++) {
        const x = d.sample(s);
        if (!Number.isSafeInteger(x) || x < 0) bad.push(x);
      }
      expect(bad).toEqual([]);
    });
  }
});

describe('sampling', () => {
  it('is deterministic for a seed', () => {
    expect(samples(fdbLatency, 1000, 'x')).toEqual(samples(fdbLatency, 1000, 'x'));
    expect(samples(fdbLatency, 1000, 'x')).not.toEqual(samples(fdbLatency, 1000, 'y'));
  });

  it('a bare duration is that constant', () => {
    expect([...samples('5ms', 10)]).toEqual(Array(10).fill(5000));
    expect([...samples(250, 10)]).toEqual(Array(10).fill(250));
  });

  it('constant gives its value', () => {
    expect([...samples({ kind: 'constant', value: '1.5ms' }, 10)]).toEqual(Array(10).fill(1500));
  });

  it('uniform stays within [min, max] and its mean is within 1%', () => {
    const xs = samples({ kind: 'uniform', min: '1ms', max: '3ms' }, N);
    const [lo, hi] = minMax(xs);
    expect(lo).toBeGreaterThanOrEqual(1000);
    expect(hi).toBeLessThanOrEqual(3000);
    expect(lo).toBeLessThan(1010);
    expect(hi).toBeGreaterThan(2990);
    expect(Math.abs(mean(xs) - 2000) / 2000).toBeLessThan(0.01);
  });

  it('uniform with min = max gives that constant', () => {
    expect([...samples({ kind: 'uniform', min: '7ms', max: 7000 }, 100)]).toEqual(Array(100).fill(7000));
  });

  it('rounds to the nearest microsecond, halves up', () => {
    const u = distribution({ kind: 'uniform', min: 0, max: 5 });
    expect(u.sample(fixedStream(0.5))).toBe(3); // 2.5 → 3 (not banker's 2)
    expect(u.sample(fixedStream(0.3))).toBe(2); // 1.5 → 2
    expect(u.sample(fixedStream(0.2))).toBe(1); // 1.0
    expect(u.sample(fixedStream(0.08))).toBe(0); // 0.4 → 0
    expect(distribution({ kind: 'uniform', min: 0, max: 1 }).sample(fixedStream(0.5))).toBe(1);
  });

  it('exponential mean is within 2%', () => {
    const xs = samples({ kind: 'exponential', mean: '10ms' }, N);
    expect(Math.abs(mean(xs) - 10_000) / 10_000).toBeLessThan(0.02);
  });

  it('exponential is capped at max', () => {
    const xs = samples({ kind: 'exponential', mean: '10ms', max: '15ms' }, 10_000);
    const [, hi] = minMax(xs);
    expect(hi).toBe(15_000); // P(X > 15ms) ≈ 22%, so the cap is reached
  });

  it('normal mean and stddev are within 2%', () => {
    const xs = samples({ kind: 'normal', mean: '100ms', stddev: '10ms' }, N);
    expect(Math.abs(mean(xs) - 100_000) / 100_000).toBeLessThan(0.02);
    expect(Math.abs(stddev(xs) - 10_000) / 10_000).toBeLessThan(0.02);
  });

  it('normal is clamped at min = 0 by default', () => {
    const xs = samples({ kind: 'normal', mean: 0, stddev: '1ms' }, N);
    const [lo] = minMax(xs);
    expect(lo).toBe(0);
    // Half the mass is below 0 and clamps to 0; draws in (0, 0.5) µs round to 0 too.
    const zeros = xs.filter((x) => x === 0).length / xs.length;
    expect(zeros).toBeGreaterThan(0.49);
    expect(zeros).toBeLessThan(0.51);
  });

  it('normal is clamped to an explicit [min, max]', () => {
    const xs = samples({ kind: 'normal', mean: '10ms', stddev: '5ms', min: '8ms', max: '12ms' }, 10_000);
    expect(minMax(xs)).toEqual([8000, 12_000]);
  });

  it('lognormal median is within 2%', () => {
    const xs = samples({ kind: 'lognormal', median: '5ms', sigma: 0.8 }, N);
    expect(Math.abs(median(xs) - 5000) / 5000).toBeLessThan(0.02);
  });

  it('pareto never goes below scale and its mean for shape 3 is within 5% of shape·scale/(shape−1)', () => {
    const xs = samples({ kind: 'pareto', scale: '1ms', shape: 3 }, N);
    const [lo] = minMax(xs);
    expect(lo).toBeGreaterThanOrEqual(1000);
    expect(lo).toBeLessThan(1005);
    const expected = (3 * 1000) / (3 - 1);
    expect(Math.abs(mean(xs) - expected) / expected).toBeLessThan(0.05);
  });

  it('pareto is capped at max', () => {
    const xs = samples({ kind: 'pareto', scale: '1ms', shape: 1, max: '5ms' }, 10_000);
    expect(minMax(xs)[1]).toBe(5000);
  });

  it('mixture picks parts in proportion to their weights (within 0.2 percentage points)', () => {
    const xs = samples(
      {
        kind: 'mixture',
        parts: [
          { weight: 1, dist: '1ms' },
          { weight: 3, dist: '2ms' },
        ],
      },
      1_000_000,
    );
    const share = xs.filter((x) => x === 1000).length / xs.length;
    expect(Math.abs(share - 0.25)).toBeLessThan(0.002);
    expect(xs.every((x) => x === 1000 || x === 2000)).toBe(true);
  });

  it('fdbLatency: about 0.1% of samples above 800 µs, all within 100 µs..100 ms', () => {
    const xs = samples(fdbLatency, 1_000_000);
    const slow = xs.filter((x) => x > 800).length / xs.length;
    expect(slow).toBeGreaterThan(0.0007);
    expect(slow).toBeLessThan(0.0013);
    expect(minMax(xs)[0]).toBeGreaterThanOrEqual(100);
    expect(minMax(xs)[1]).toBeLessThanOrEqual(100_000);
  });

  it('keeps the spec it was compiled from', () => {
    expect(distribution(fdbLatency).spec).toBe(fdbLatency);
  });
});

describe('invalid specs', () => {
  it('uniform with max below min names x.max', () => {
    expectSpecError(() => distribution({ kind: 'uniform', min: '5ms', max: '1ms' }, 'x'), DistributionError, 'x.max');
  });

  it('a negative duration names its field', () => {
    expectSpecError(() => distribution({ kind: 'uniform', min: '-5ms', max: '1ms' }, 'x'), DurationError, 'x.min');
    expectSpecError(() => distribution({ kind: 'exponential', mean: -3 }, 'x'), DurationError, 'x.mean');
    expectSpecError(() => distribution('-1ms', 'params.latency'), DurationError, 'params.latency');
  });

  it('sigma 0 is refused', () => {
    expectSpecError(() => distribution({ kind: 'lognormal', median: '1ms', sigma: 0 }, 'x'), DistributionError, 'x.sigma');
  });

  it('a non-positive pareto shape is refused', () => {
    expectSpecError(() => distribution({ kind: 'pareto', scale: '1ms', shape: -1 }, 'x'), DistributionError, 'x.shape');
  });

  it('a zero lognormal median is refused', () => {
    expectSpecError(() => distribution({ kind: 'lognormal', median: 0, sigma: 1 }, 'x'), DistributionError, 'x.median');
  });

  it('an unknown kind is refused, quoting it', () => {
    expectSpecError(() => distribution({ kind: 'gamma' } as never, 'x'), DistributionError, 'x.kind');
    expect(() => distribution({ kind: 'gamma' } as never, 'x')).toThrow(/'gamma'/);
  });

  it('a mixture with no parts is refused', () => {
    expectSpecError(() => distribution({ kind: 'mixture', parts: [] }, 'x'), DistributionError, 'x.parts');
  });

  it('errors inside a mixture name the part', () => {
    expectSpecError(
      () =>
        distribution(
          {
            kind: 'mixture',
            parts: [
              { weight: 1, dist: '1ms' },
              { weight: 1, dist: { kind: 'uniform', min: '2ms', max: '1ms' } },
            ],
          },
          'x',
        ),
      DistributionError,
      'x.parts[1].dist.max',
    );
    expectSpecError(
      () => distribution({ kind: 'mixture', parts: [{ weight: 0, dist: '1ms' }] }, 'x'),
      DistributionError,
      'x.parts[0].weight',
    );
  });

  it('a value that is neither a duration nor an object is refused', () => {
    expectSpecError(() => distribution(null as never, 'x'), DistributionError, 'x');
  });
});

describe('distributionSchema', () => {
  it('accepts the fdbLatency preset and bare durations', () => {
    expect(distributionSchema.safeParse(fdbLatency).success).toBe(true);
    expect(distributionSchema.safeParse('5ms').success).toBe(true);
    expect(distributionSchema.safeParse(250).success).toBe(true);
  });

  it('rejects a uniform without max', () => {
    expect(distributionSchema.safeParse({ kind: 'uniform', min: '1ms' }).success).toBe(false);
  });

  it('rejects unknown members, unknown kinds and non-positive sigma', () => {
    expect(distributionSchema.safeParse({ kind: 'constant', value: '1ms', extra: 1 }).success).toBe(false);
    expect(distributionSchema.safeParse({ kind: 'gamma', value: '1ms' }).success).toBe(false);
    expect(distributionSchema.safeParse({ kind: 'lognormal', median: '1ms', sigma: 0 }).success).toBe(false);
    expect(distributionSchema.safeParse({ kind: 'mixture', parts: [] }).success).toBe(false);
  });
});
