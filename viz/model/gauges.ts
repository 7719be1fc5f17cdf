/**
 * One gauge's history as the trace carries it: a window record per 100 ms window in which the gauge changed
 * (sim/core/metrics.ts), holding the value at the window's start (first), at its end (last) and the extremes
 * it touched. A window without a record held the previous value, so the series is exact between windows and
 * bounded by [min, max] inside one.
 *
 * API:
 *   GaugeSeries            columns fromUs, toUs, first, last, min, max (Float64Array, one row per window, in time order)
 *   .valueAt(tUs)          the value at t: exact outside windows; inside one, its last value (the truth is in [min, max])
 *   .windowAt(tUs)         the index of the window holding t, or -1 when t is between windows
 *   .extremesIn(from, to)  the smallest and largest value over [from, to)
 *   GaugeSeries.revive(o)  restores the methods of a series that crossed postMessage
 *   GaugeSeriesBuilder     add(fields) per gauge record, finish() → GaugeSeries
 */
import type { Fields } from 'faultline';

export class GaugeSeries {
  constructor(
    readonly name: string,
    readonly fromUs: Float64Array,
    readonly toUs: Float64Array,
    readonly first: Float64Array,
    readonly last: Float64Array,
    readonly min: Float64Array,
    readonly max: Float64Array,
  ) {}

  /** Windows in the series. */
  get count(): number {
    return this.fromUs.length;
  }

  /** The largest value the gauge ever touched. */
  get peak(): number {
    let peak = -Infinity;
    for (let i = 0; i < this.max.length; i++) if (this.max[i]! > peak) peak = this.max[i]!;
    return peak;
  }

  /** Index of the last window starting at or before t, or -1 before the first. */
  private lastStartingBy(tUs: number): number {
    let lo = 0;
    let hi = this.fromUs.length - 1;
    if (hi < 0 || tUs < this.fromUs[0]!) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.fromUs[mid]! <= tUs) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The window containing t, or -1 when t falls where the gauge held still. */
  windowAt(tUs: number): number {
    const i = this.lastStartingBy(tUs);
    return i >= 0 && tUs < this.toUs[i]! ? i : -1;
  }

  /**
   * The value at t. Before the first window the gauge held that window's first value (its initial one);
   * after a window, that window's last. Inside a window the trace keeps only extremes, so this answers the
   * window's last value, which lies within them.
   */
  valueAt(tUs: number): number {
    const i = this.lastStartingBy(tUs);
    if (i < 0) return this.first.length > 0 ? this.first[0]! : 0;
    return this.last[i]!;
  }

  /** The smallest and largest value over [fromUs, toUs); an empty range gives the value at fromUs. */
  extremesIn(fromUs: number, toUs: number): { min: number; max: number } {
    if (this.fromUs.length === 0) return { min: 0, max: 0 };
    if (toUs <= fromUs) toUs = fromUs + 1;
    let lo = Infinity;
    let hi = -Infinity;
    let i = this.lastStartingBy(fromUs);
    // fromUs may fall where the gauge held still: the held value counts.
    if (i < 0 || fromUs >= this.toUs[i]!) {
      const held = i < 0 ? this.first[0]! : this.last[i]!;
      lo = held;
      hi = held;
      i++;
    }
    for (; i < this.fromUs.length && this.fromUs[i]! < toUs; i++) {
      if (this.min[i]! < lo) lo = this.min[i]!;
      if (this.max[i]! > hi) hi = this.max[i]!;
    }
    return { min: lo, max: hi };
  }

  /** A series whose prototype was lost in a structured clone gets its methods back. */
  static revive(o: GaugeSeries): GaugeSeries {
    return Object.setPrototypeOf(o, GaugeSeries.prototype) as GaugeSeries;
  }
}

/** Collects one gauge's window records (each gauge writes its windows in time order). */
export class GaugeSeriesBuilder {
  private readonly fromUs: number[] = [];
  private readonly toUs: number[] = [];
  private readonly first: number[] = [];
  private readonly last: number[] = [];
  private readonly min: number[] = [];
  private readonly max: number[] = [];

  constructor(readonly name: string) {}

  add(f: Fields): void {
    this.fromUs.push(num(f.fromUs));
    this.toUs.push(num(f.toUs));
    this.first.push(num(f.first));
    this.last.push(num(f.last));
    this.min.push(num(f.min));
    this.max.push(num(f.max));
  }

  finish(): GaugeSeries {
    return new GaugeSeries(
      this.name,
      Float64Array.from(this.fromUs),
      Float64Array.from(this.toUs),
      Float64Array.from(this.first),
      Float64Array.from(this.last),
      Float64Array.from(this.min),
      Float64Array.from(this.max),
    );
  }
}

/** A number field, or NaN (a hand-made trace may leave one out; NaN draws as a gap rather than a false 0). */
function num(v: unknown): number {
  return typeof v === 'number' ? v : NaN;
}
