/**
 * A sweep point's figure across seeds: the mean and the half-width of its 95% confidence interval, from
 * Student's t with n − 1 degrees of freedom (seeds are few, so the normal's 1.96 would claim too much).
 */

/** t(0.975, df) for df = 1…30 (any statistics table; e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056,
  2.052, 2.048, 2.045, 2.042,
];
/** Beyond 30: df and t(0.975, df), ending at the normal's 1.96; read linearly in 1/df between them (within 0.001). */
const T975_TAIL: readonly (readonly [number, number])[] = [
  [30, 2.042],
  [40, 2.021],
  [60, 2.0],
  [120, 1.98],
  [Infinity, 1.96],
];

/** The 0.975 quantile of Student's t with `df` degrees of freedom (df ≥ 1): the 95% two-sided interval's factor. */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a whole number >= 1, got ${df}`);
  if (df <= T975.length) return T975[df - 1]!;
  for (let i = 1; i < T975_TAIL.length; i++) {
    const [hiDf, hiT] = T975_TAIL[i]!;
    if (df > hiDf) continue;
    const [loDf, loT] = T975_TAIL[i - 1]!;
    const share = (1 / loDf - 1 / df) / (1 / loDf - 1 / hiDf);
    return loT + (hiT - loT) * share;
  }
  return 1.96;
}

/** Mean and 95% interval of a figure across seeds; `ci95` is null for one value (no spread to go by). */
export interface Estimate {
  mean: number;
  /** Half-width of the 95% confidence interval: the mean is mean ± ci95. */
  ci95: number | null;
  /** Values it is made of. */
  n: number;
}

/** The estimate from `values`, summed in the order given (a sweep gives them in seed order, so it is the same on any number of workers). */
export function estimate(values: readonly number[]): Estimate {
  const n = values.length;
  if (n === 0) throw new RangeError('an estimate needs at least one value');
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n === 1) return { mean, ci95: null, n };
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  const sd = Math.sqrt(squares / (n - 1));
  return { mean, ci95: (tQuantile975(n - 1) * sd) / Math.sqrt(n), n };
}
