/**
 * Counters, time-weighted gauges and latency histograms, read off the virtual clock.
 * Registries iterate in creation order (a Map), never by hash.
 */
import * as hdr from 'hdr-histogram-js';
import type { Micros } from './time.js';

/** A monotonically increasing count. */
export class Counter {
  value = 0;
  constructor(readonly name: string) {}
  inc(by = 1): void {
    this.value += by;
  }
}

/**
 * A level over time (pool active connections, queue depth). Every change is kept as a (time, value) step so
 * the visualizer can plot it and a mean over any window is weighted by how long each value held: a pool at
 * 10 for 9 s and 0 for 1 s averages 9, however many times it changed.
 */
/** A gauge's summary over one window of virtual time, as the trace carries it for the visualizer. */
export interface GaugeWindow {
  name: string;
  fromUs: Micros;
  toUs: Micros;
  /** The value when the window began, the last value in it, and the extremes it touched. */
  first: number;
  last: number;
  min: number;
  max: number;
}

/**
 * Writes gauge windows somewhere (the trace). Each gauge reports a window when it changes in a later one, or
 * when the run ends, so a window with no change is never written: the value held.
 */
export interface GaugeWindowSink {
  windowUs: Micros;
  write(w: GaugeWindow): void;
}

export class Gauge {
  /** Step start times, microseconds, non-decreasing. */
  readonly timesUs: number[] = [];
  /** Value from timesUs[i] until timesUs[i + 1]. */
  readonly values: number[] = [];
  /** The largest value ever set, even one replaced at the same instant: a pool that touched 11 of 10 did. */
  max = -Infinity;

  /** The open window (index), its first value and extremes; -1: none open. */
  private win = -1;
  private winFirst = 0;
  private winMin = 0;
  private winMax = 0;

  constructor(
    readonly name: string,
    private readonly now: () => Micros,
    initial = 0,
    private readonly windows: GaugeWindowSink | null = null,
  ) {
    this.push(now(), initial);
  }

  /** Writes the open window, if any (the run is ending). */
  flushWindow(): void {
    if (this.win < 0 || !this.windows) return;
    const w = this.windows.windowUs;
    this.windows.write({ name: this.name, fromUs: this.win * w, toUs: (this.win + 1) * w, first: this.winFirst, last: this.value, min: this.winMin, max: this.winMax });
    this.win = -1;
  }

  get value(): number {
    return this.values[this.values.length - 1]!;
  }

  set(value: number): void {
    if (value === this.value) return;
    this.push(this.now(), value);
  }

  add(delta: number): void {
    this.set(this.value + delta);
  }

  /** Time-weighted mean over [fromUs, toUs); toUs defaults to now. A zero-length window gives the value then. */
  mean(fromUs: Micros = this.timesUs[0]!, toUs: Micros = this.now()): number {
    if (toUs <= fromUs) return this.valueAt(fromUs);
    let area = 0;
    for (let i = 0; i < this.timesUs.length; i++) {
      const start = Math.max(fromUs, this.timesUs[i]!);
      const end = Math.min(toUs, i + 1 < this.timesUs.length ? this.timesUs[i + 1]! : Infinity);
      if (end > start) area += this.values[i]! * (end - start);
    }
    return area / (toUs - fromUs);
  }

  /** The value holding at time t (the last step at or before t). */
  valueAt(tUs: Micros): number {
    let lo = 0;
    let hi = this.timesUs.length - 1;
    if (tUs < this.timesUs[0]!) return this.values[0]!;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.timesUs[mid]! <= tUs) lo = mid;
      else hi = mid - 1;
    }
    return this.values[lo]!;
  }

  private push(t: Micros, value: number): void {
    if (this.windows && this.timesUs.length > 0) this.window(t, value);
    const last = this.timesUs.length - 1;
    // Several changes at one instant hold for no time: keep only the last.
    if (last >= 0 && this.timesUs[last] === t) this.values[last] = value;
    else {
      this.timesUs.push(t);
      this.values.push(value);
    }
    if (value > this.max) this.max = value;
  }

  /** Folds a change at t into its window, writing the previous window first when t is in a later one. */
  private window(t: Micros, value: number): void {
    const index = Math.floor(t / this.windows!.windowUs);
    if (index !== this.win) {
      this.flushWindow();
      const before = this.value;
      this.win = index;
      this.winFirst = before;
      this.winMin = before;
      this.winMax = before;
    }
    if (value < this.winMin) this.winMin = value;
    if (value > this.winMax) this.winMax = value;
  }
}

export interface HistogramSummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * Latency distribution in integer microseconds. HdrHistogram (hdr-histogram-js) with 3 significant digits:
 * percentiles are within 0.1% of the exact value, in constant memory however many samples are recorded.
 */
export class Histogram {
  private readonly h = hdr.build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3, autoResize: true });
  constructor(readonly name: string) {}

  record(valueUs: Micros): void {
    this.h.recordValue(valueUs);
  }

  get count(): number {
    return this.h.totalCount;
  }

  /**
   * The value at percentile p (0–100). HdrHistogram answers with the top of the value's bucket, which can
   * exceed the largest value recorded; it is clamped to the recorded range.
   */
  percentile(p: number): number {
    const h = this.h;
    if (h.totalCount === 0) return 0;
    return Math.min(h.maxValue, h.getValueAtPercentile(p));
  }

  summary(): HistogramSummary {
    const h = this.h;
    if (h.totalCount === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    return {
      count: h.totalCount,
      min: h.getValueAtPercentile(0) === 0 ? 0 : h.minNonZeroValue,
      mean: h.mean,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: h.maxValue,
    };
  }
}

/** Every metric by name, in creation order (arrays, since an object would list integer-like names first). */
export interface MetricsSnapshot {
  counters: { name: string; value: number }[];
  gauges: { name: string; value: number; max: number; mean: number }[];
  histograms: ({ name: string } & HistogramSummary)[];
}

/** All metrics of one run, by name. Asking twice for a name gives the same metric. */
export class Metrics {
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, Gauge>();
  private readonly histograms = new Map<string, Histogram>();

  /** Where gauges write their windows (the trace, in a full trace); null: nowhere. Set before gauges are made. */
  windows: GaugeWindowSink | null = null;

  constructor(private readonly now: () => Micros) {}

  /** Writes every gauge's open window (the run is ending). */
  flushWindows(): void {
    for (const g of this.gauges.values()) g.flushWindow();
  }

  counter(name: string): Counter {
    return getOrCreate(this.counters, name, () => new Counter(name));
  }

  gauge(name: string, initial = 0): Gauge {
    return getOrCreate(this.gauges, name, () => new Gauge(name, this.now, initial, this.windows));
  }

  histogram(name: string): Histogram {
    return getOrCreate(this.histograms, name, () => new Histogram(name));
  }

  snapshot(): MetricsSnapshot {
    return {
      counters: [...this.counters.values()].map((c) => ({ name: c.name, value: c.value })),
      gauges: [...this.gauges.values()].map((g) => ({ name: g.name, value: g.value, max: g.max, mean: g.mean() })),
      histograms: [...this.histograms.values()].map((h) => ({ name: h.name, ...h.summary() })),
    };
  }
}

function getOrCreate<V>(map: Map<string, V>, name: string, make: () => V): V {
  let v = map.get(name);
  if (v === undefined) {
    v = make();
    map.set(name, v);
  }
  return v;
}
