/**
 * Random durations as data: a distribution is a plain JSON spec, validated, compiled once to a sampler.
 *
 * Every sample is an integer number of microseconds: the real-valued draw is rounded to the nearest
 * microsecond, halves up (Math.round), and never below 0. A spec may be a bare duration ('5ms'), meaning
 * that constant.
 */
import { z } from 'zod';
import type { RandomStream } from './random.js';
import { parseDuration, type Duration, type Micros } from './time.js';

export type DistributionSpec =
  | Duration
  | { kind: 'constant'; value: Duration }
  | { kind: 'uniform'; min: Duration; max: Duration }
  | { kind: 'exponential'; mean: Duration; max?: Duration }
  /** Clamped to [min, max]; min defaults to 0, since a duration cannot be negative. */
  | { kind: 'normal'; mean: Duration; stddev: Duration; min?: Duration; max?: Duration }
  /** median = e^μ; sigma is σ of the underlying normal. */
  | { kind: 'lognormal'; median: Duration; sigma: number; max?: Duration }
  /** Pareto type I: scale x_m (the minimum), shape α; `max` caps the tail. */
  | { kind: 'pareto'; scale: Duration; shape: number; max?: Duration }
  /** Picks a part with probability weight / Σweights, then samples it. */
  | { kind: 'mixture'; parts: { weight: number; dist: DistributionSpec }[] };

/** A compiled distribution. */
export interface Distribution {
  /** One sample, integer microseconds ≥ 0. */
  sample(stream: RandomStream): Micros;
  /** The spec it was compiled from. */
  readonly spec: DistributionSpec;
}

/**
 * FoundationDB's simulated network latency shape: 99.9% uniform in 0.1–0.8 ms, 0.1% uniform in 0.8–100 ms.
 */
export const fdbLatency: DistributionSpec = {
  kind: 'mixture',
  parts: [
    { weight: 999, dist: { kind: 'uniform', min: '100us', max: '800us' } },
    { weight: 1, dist: { kind: 'uniform', min: '800us', max: '100ms' } },
  ],
};

const durationSchema = z.union([z.number(), z.string()]);
const positive = z.number().positive().finite();

/** zod schema for a DistributionSpec (shape only; durations are checked when compiled). */
export const distributionSchema: z.ZodType<DistributionSpec> = z.lazy(() =>
  z.union([
    durationSchema,
    z.strictObject({ kind: z.literal('constant'), value: durationSchema }),
    z.strictObject({ kind: z.literal('uniform'), min: durationSchema, max: durationSchema }),
    z.strictObject({ kind: z.literal('exponential'), mean: durationSchema, max: durationSchema.optional() }),
    z.strictObject({
      kind: z.literal('normal'),
      mean: durationSchema,
      stddev: durationSchema,
      min: durationSchema.optional(),
      max: durationSchema.optional(),
    }),
    z.strictObject({ kind: z.literal('lognormal'), median: durationSchema, sigma: positive, max: durationSchema.optional() }),
    z.strictObject({ kind: z.literal('pareto'), scale: durationSchema, shape: positive, max: durationSchema.optional() }),
    z.strictObject({
      kind: z.literal('mixture'),
      parts: z.array(z.strictObject({ weight: positive, dist: distributionSchema })).min(1),
    }),
  ]),
);

/** Thrown for a spec that cannot be compiled; the message is one line naming the field. */
export class DistributionError extends Error {
  override name = 'DistributionError';
}

const roundUs = (x: number): Micros => (x <= 0 ? 0 : Math.round(x));

/** Compiles a spec; `what` names it in error messages (e.g. 'params.latency'). */
export function distribution(spec: DistributionSpec, what = 'distribution'): Distribution {
  const d = (value: Duration | undefined, field: string): Micros | undefined =>
    value === undefined ? undefined : parseDuration(value, `${what}.${field}`);
  const need = (value: Duration | undefined, field: string): Micros => {
    if (value === undefined) throw new DistributionError(`${what}.${field}: missing`);
    return parseDuration(value, `${what}.${field}`);
  };
  if (typeof spec === 'number' || typeof spec === 'string') {
    const value = parseDuration(spec, what);
    return { spec, sample: () => value };
  }
  if (spec === null || typeof spec !== 'object') throw new DistributionError(`${what}: expected a duration or a distribution object`);
  const cap = (max: Micros | undefined) => (max === undefined ? Infinity : max);
  const allowed = fieldsOf[String((spec as { kind?: unknown }).kind)];
  if (allowed === undefined) throw new DistributionError(`${what}.kind: unknown distribution '${String((spec as { kind?: unknown }).kind)}' (kinds: ${Object.keys(fieldsOf).join(', ')})`);
  for (const key of Object.keys(spec)) {
    if (key !== 'kind' && !allowed.includes(key)) throw new DistributionError(`${what}.${key}: not a field of a ${spec.kind} distribution (fields: ${allowed.join(', ')})`);
  }
  switch (spec.kind) {
    case 'constant': {
      const value = need(spec.value, 'value');
      return { spec, sample: () => value };
    }
    case 'uniform': {
      const min = need(spec.min, 'min');
      const max = need(spec.max, 'max');
      if (max < min) throw new DistributionError(`${what}.max: ${max} µs is below min ${min} µs`);
      return { spec, sample: (s) => roundUs(min + s.next() * (max - min)) };
    }
    case 'exponential': {
      const mean = need(spec.mean, 'mean');
      const max = cap(d(spec.max, 'max'));
      // 1 - u is in (0, 1], so the log is finite.
      return { spec, sample: (s) => roundUs(Math.min(max, -mean * Math.log(1 - s.next()))) };
    }
    case 'normal': {
      const mean = need(spec.mean, 'mean');
      const stddev = need(spec.stddev, 'stddev');
      const min = d(spec.min, 'min') ?? 0;
      const max = cap(d(spec.max, 'max'));
      return { spec, sample: (s) => roundUs(Math.min(max, Math.max(min, mean + stddev * standardNormal(s)))) };
    }
    case 'lognormal': {
      const median = need(spec.median, 'median');
      if (median <= 0) throw new DistributionError(`${what}.median: must be above 0`);
      const mu = Math.log(median);
      const sigma = checkPositive(spec.sigma, `${what}.sigma`);
      const max = cap(d(spec.max, 'max'));
      return { spec, sample: (s) => roundUs(Math.min(max, Math.exp(mu + sigma * standardNormal(s)))) };
    }
    case 'pareto': {
      const scale = need(spec.scale, 'scale');
      const shape = checkPositive(spec.shape, `${what}.shape`);
      const max = cap(d(spec.max, 'max'));
      return { spec, sample: (s) => roundUs(Math.min(max, scale / Math.pow(1 - s.next(), 1 / shape))) };
    }
    case 'mixture': {
      if (!Array.isArray(spec.parts) || spec.parts.length === 0) throw new DistributionError(`${what}.parts: needs at least one part`);
      const parts = spec.parts.map((p, i) => ({
        weight: checkPositive(p.weight, `${what}.parts[${i}].weight`),
        dist: distribution(p.dist, `${what}.parts[${i}].dist`),
      }));
      const total = parts.reduce((sum, p) => sum + p.weight, 0);
      const cumulative = parts.map(
        (
          (acc) => (p: { weight: number }) =>
            (acc += p.weight / total)
        )(0),
      );
      return {
        spec,
        sample: (s) => {
          const u = s.next();
          for (let i = 0; i < parts.length - 1; i++) if (u < cumulative[i]!) return parts[i]!.dist.sample(s);
          return parts[parts.length - 1]!.dist.sample(s);
        },
      };
    }
    default:
      throw new DistributionError(`${what}.kind: unknown distribution '${String((spec as { kind?: unknown }).kind)}'`);
  }
}

/** The fields each kind takes, besides 'kind'. */
const fieldsOf: Record<string, string[]> = {
  constant: ['value'],
  uniform: ['min', 'max'],
  exponential: ['mean', 'max'],
  normal: ['mean', 'stddev', 'min', 'max'],
  lognormal: ['median', 'sigma', 'max'],
  pareto: ['scale', 'shape', 'max'],
  mixture: ['parts'],
};

/** A compiled distribution as is; a spec compiled (so an API may take either). */
export function toDistribution(d: Distribution | DistributionSpec, what = 'distribution'): Distribution {
  return typeof d === 'object' && d !== null && typeof (d as Distribution).sample === 'function' ? (d as Distribution) : distribution(d as DistributionSpec, what);
}

function checkPositive(x: number, what: string): number {
  if (typeof x !== 'number' || !(x > 0) || !Number.isFinite(x)) throw new DistributionError(`${what}: expected a positive number, got ${x}`);
  return x;
}

/** Box–Muller; takes two draws, uses one result (a cached second value would make samples depend on call history). */
function standardNormal(s: RandomStream): number {
  const u1 = 1 - s.next();
  const u2 = s.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
