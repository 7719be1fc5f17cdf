/**
 * Counters, time-weighted gauges and latency histograms, read off the virtual clock.
 * Registries iterate in creation order (a Map), never by hash.
 */
import * as hdr from 'hdr-histogram-js';
import { SimError } from './errors.js';
import type { Micros } from './time.js';

/** A monotonically increasing count. */
export class Counter {
  value = 0;
  constructor(readonly name: string) {}
  inc(by = 1): void {
    this.value += by;
  }
}

export { Gauge, type GaugeWindow, type GaugeWindowSink } from './gauge.js';
import { Gauge, GAUGE_EXACT_STEPS, type GaugeWindowSink } from './gauge.js';

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

  constructor(
    private readonly now: () => Micros,
    /** Steps each gauge keeps exactly (the rest in its buckets); Infinity keeps every one. */
    private readonly gaugeExactSteps = GAUGE_EXACT_STEPS,
  ) {
    if (!(gaugeExactSteps === Infinity || (Number.isSafeInteger(gaugeExactSteps) && gaugeExactSteps >= 1))) {
      throw new SimError('ERR_ARG', `gaugeExactSteps: expected a whole number of steps from 1, or Infinity, got ${gaugeExactSteps}`);
    }
  }

  /** Writes every gauge's open window (the run is ending). */
  flushWindows(): void {
    for (const g of this.gauges.values()) g.flushWindow();
  }

  counter(name: string): Counter {
    return getOrCreate(this.counters, name, () => new Counter(name));
  }

  gauge(name: string, initial = 0): Gauge {
    return getOrCreate(this.gauges, name, () => new Gauge(name, this.now, initial, this.windows, this.gaugeExactSteps));
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
