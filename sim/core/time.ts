/**
 * Virtual time: integer microseconds, and the one parser for durations.
 *
 * Time is an integer so that sums never drift (a float clock accumulates error and two runs that add the same
 * delays in a different grouping would disagree). 2^53 µs is about 285 years of virtual time.
 */

/** A point in virtual time or a span of it, in integer microseconds. */
export type Micros = number;

/** A duration as a caller writes it: integer microseconds, or a string such as '250ms', '1.5s', '2m', '1h30m'. */
export type Duration = number | string;

const unitUs: Record<string, number> = {
  us: 1,
  µs: 1,
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
};

const partRe = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)/y;

/** Thrown for a duration that cannot be read; `message` is one line that quotes the input. */
export class DurationError extends Error {
  override name = 'DurationError';
  constructor(
    /** What was being read ('sleep', 'params.latency'). */
    readonly what: string,
    /** The problem, without the name of what was read. */
    readonly reason: string,
  ) {
    super(`${what}: ${reason}`);
  }
}

/**
 * Reads a duration as integer microseconds. Numbers are microseconds and must be non-negative integers.
 * Strings are one or more `<decimal><unit>` parts ('1m30s'), units us|µs|ms|s|m|h; a bare number in a
 * string is refused because '30' meaning 30 µs surprises everyone who typed it. Decimals are exact
 * ('0.1ms' is 100 µs, never 99.99999); a value finer than 1 µs is refused rather than rounded.
 */
export function parseDuration(input: Duration, what = 'duration'): Micros {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new DurationError(what, `${input} is not a finite number of microseconds`);
    if (!Number.isInteger(input)) throw new DurationError(what, `${input} µs is not a whole number of microseconds`);
    if (input < 0) throw new DurationError(what, `${input} µs is negative`);
    if (!Number.isSafeInteger(input)) throw new DurationError(what, `${input} µs is too large`);
    return input;
  }
  if (typeof input !== 'string') throw new DurationError(what, `expected microseconds or a string like '250ms', got ${typeof input}`);
  const text = input.trim();
  if (text.startsWith('-')) throw new DurationError(what, `'${input}' is negative`);
  if (/^\d+(\.\d+)?$/.test(text)) {
    throw new DurationError(what, `'${input}' needs a unit (us, ms, s, m, h), e.g. '${text}ms'`);
  }
  let total = 0;
  let pos = 0;
  partRe.lastIndex = 0;
  while (pos < text.length) {
    partRe.lastIndex = pos;
    const m = partRe.exec(text);
    if (!m) throw new DurationError(what, `cannot read '${input}' (expected e.g. '250ms', '30s', '2m', '1h30m')`);
    total += exactMicros(m[1]!, unitUs[m[2]!]!, input, what);
    pos = partRe.lastIndex;
  }
  if (text.length === 0) throw new DurationError(what, `'${input}' is empty`);
  if (!Number.isSafeInteger(total)) throw new DurationError(what, `'${input}' is too large`);
  return total;
}

/**
 * `digits` × `scale` computed on the decimal text, so that no binary fraction creeps in: the fraction is
 * f / 10^k of the unit, exact in BigInt, and must come to a whole number of microseconds.
 */
function exactMicros(digits: string, scale: number, input: string, what: string): number {
  const dot = digits.indexOf('.');
  if (dot < 0) return Number(digits) * scale;
  const whole = Number(digits.slice(0, dot));
  const fracKept = digits.slice(dot + 1).replace(/0+$/, '');
  if (fracKept.length === 0) return whole * scale;
  const numerator = BigInt(fracKept) * BigInt(scale);
  const denominator = 10n ** BigInt(fracKept.length);
  if (numerator % denominator !== 0n) throw new DurationError(what, `'${input}' is finer than 1 µs`);
  return whole * scale + Number(numerator / denominator);
}

/** Formats microseconds for people: '0', '750µs', '1.5ms', '2.000001s', '2m', '1h30m'. Inverse of parseDuration for its own output. */
export function formatDuration(us: Micros): string {
  if (us === 0) return '0s';
  if (us % 3_600_000_000 === 0) return `${us / 3_600_000_000}h`;
  if (us % 60_000_000 === 0) return `${us / 60_000_000}m`;
  if (us >= 1_000_000) return `${trimFraction(us, 1_000_000)}s`;
  if (us >= 1_000) return `${trimFraction(us, 1_000)}ms`;
  return `${us}us`;
}

function trimFraction(us: number, scale: number): string {
  const whole = Math.floor(us / scale);
  const rest = us - whole * scale;
  if (rest === 0) return String(whole);
  const width = Math.round(Math.log10(scale));
  return `${whole}.${String(rest).padStart(width, '0').replace(/0+$/, '')}`;
}

/** Fixed-width time stamp for logs: seconds with six decimals, '12.000250'. */
export function formatTimestamp(us: Micros): string {
  const s = Math.floor(us / 1_000_000);
  return `${s}.${String(us - s * 1_000_000).padStart(6, '0')}`;
}
