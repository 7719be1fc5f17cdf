import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { DurationError, formatDuration, formatTimestamp, parseDuration } from '../../sim/core/time.js';

/** Runs parseDuration expecting a DurationError and returns it. */
function durationError(input: unknown, what = 'duration'): DurationError {
  try {
    parseDuration(input as never, what);
  } catch (err) {
    expect(err).toBeInstanceOf(DurationError);
    return err as DurationError;
  }
  throw new Error(`parseDuration(${JSON.stringify(input)}) did not throw`);
}

describe('parseDuration reads strings with units', () => {
  it.each([
    ['250ms', 250_000],
    ['30s', 30_000_000],
    ['2m', 120_000_000],
    ['1h', 3_600_000_000],
    ['1h30m', 5_400_000_000],
    ['1m30s', 90_000_000],
    ['1.5s', 1_500_000],
    ['0.1ms', 100],
    ['750us', 750],
    ['750\u00b5s', 750],
    ['0us', 0],
    ['2.000001s', 2_000_001],
    ['1.000000s', 1_000_000],
  ])('%s is %i µs', (text, us) => {
    expect(parseDuration(text)).toBe(us);
  });

  it('reads decimals exactly, never as binary fractions', () => {
    // 0.1 * 1000 in floating point is 100.00000000000001; the parser must give exactly 100.
    expect(parseDuration('0.1ms')).toBe(100);
    expect(parseDuration('0.3ms')).toBe(300);
    expect(parseDuration('4.35s')).toBe(4_350_000);
  });

  it('ignores surrounding white space', () => {
    expect(parseDuration('  30s ')).toBe(30_000_000);
  });

  it('reads decimal minutes and hours (1.5m is 90 s, 0.5h is 30 min)', () => {
    expect(parseDuration('1.5m')).toBe(90_000_000);
    expect(parseDuration('0.5h')).toBe(1_800_000_000);
    expect(parseDuration('0.1h')).toBe(360_000_000);
    expect(parseDuration('0.00000001h')).toBe(36);
    expect(() => parseDuration('0.000000001h')).toThrow(/finer than 1 µs/);
  });
});

describe('parseDuration reads numbers as microseconds', () => {
  it.each([0, 1, 750, 1_500_000, Number.MAX_SAFE_INTEGER])('%i is %i µs', (n) => {
    expect(parseDuration(n)).toBe(n);
  });
});

describe('parseDuration refuses what it cannot read', () => {
  it.each([
    ['-5s', /negative/],
    ['30', /needs a unit/],
    ['abc', /cannot read/],
    ['1.0000001s', /finer than 1 µs/],
    ['0.5us', /finer than 1 µs/],
    ['5 s', /cannot read/],
    ['5sec', /cannot read/],
    ['.5s', /cannot read/],
  ])('%s is refused with a message that names the field and quotes the input', (input, reason) => {
    const err = durationError(input, 'params.latency');
    expect(err.what).toBe('params.latency');
    expect(err.name).toBe('DurationError');
    expect(err.message).toMatch(reason);
    expect(err.message.startsWith('params.latency: ')).toBe(true);
    expect(err.message).toContain(`'${input}'`);
    expect(err.message).not.toContain('\n');
  });

  it('refuses the empty string', () => {
    const err = durationError('', 'sleep');
    expect(err.message).toBe("sleep: '' is empty");
  });

  it.each([
    [1.5, /not a whole number/],
    [-1, /negative/],
    [NaN, /not a finite number/],
    [Infinity, /not a finite number/],
    [2 ** 53, /too large/],
  ])('the number %d is refused', (input, reason) => {
    const err = durationError(input, 'sleep');
    expect(err.message).toMatch(/^sleep: /);
    expect(err.message).toMatch(reason);
    expect(err.message).toContain(String(input));
  });

  it('refuses values that are not numbers or strings', () => {
    expect(durationError(null).message).toMatch(/^duration: expected microseconds/);
  });

  it('refuses a sum beyond the safe integer range', () => {
    expect(durationError('9007199254740993us').message).toMatch(/too large/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [750, '750us'],
    [1_500, '1.5ms'],
    [2_000_001, '2.000001s'],
    [120_000_000, '2m'],
    [3_600_000_000, '1h'],
  ])('formats %i µs as %s', (us, text) => {
    expect(formatDuration(us)).toBe(text);
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 50 - 1 })], { numRuns: 2000 })(
    'parseDuration reads back what formatDuration writes, below 2^50 µs',
    (us) => {
      expect(parseDuration(formatDuration(us))).toBe(us);
    },
  );

  test.prop([fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })], { numRuns: 2000 })(
    'parseDuration reads back what formatDuration writes, over every safe integer',
    (us) => {
      expect(parseDuration(formatDuration(us))).toBe(us);
    },
  );

  test.prop([fc.integer({ min: 0, max: Math.floor(Number.MAX_SAFE_INTEGER / 60_000_000) }).map((k) => k * 60_000_000)])(
    'whole minutes and hours read back exactly',
    (us) => {
      expect(parseDuration(formatDuration(us))).toBe(us);
    },
  );
});

describe('formatTimestamp', () => {
  it.each([
    [0, '0.000000'],
    [1_500, '0.001500'],
    [12_000_250, '12.000250'],
    [999_999, '0.999999'],
    [3_600_000_001, '3600.000001'],
  ])('formats %i µs as %s', (us, text) => {
    expect(formatTimestamp(us)).toBe(text);
  });
});
