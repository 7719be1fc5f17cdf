/**
 * A level over time (pool active connections, queue depth) in memory that does not grow with the run: the
 * recent steps exactly, and the whole run in fixed buckets (min, max, time-weighted area, last value) whose
 * width doubles when they fill. A mean over any window is weighted by how long each value held: a pool at 10
 * for 9 s and 0 for 1 s averages 9, however many times it changed. Exact within the recent steps and over
 * the whole run (mean() from the start); older windows are read from the buckets.
 */
import type { Micros } from './time.js';

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

/** Steps kept exactly (a ring): a pool's gauges change a few times per request, so some thousands of requests. */
export const GAUGE_EXACT_STEPS = 4096;
/** Buckets over the whole run; when they fill, neighbours merge and the width doubles. */
export const GAUGE_BUCKETS = 1024;
/** The first buckets' width, µs: a 1 s run has them 1 ms wide, a 1000 s one about 1 s. */
const FIRST_BUCKET_US = 1024;

export class Gauge {
  /** The largest value ever set, even one replaced at the same instant: a pool that touched 11 of 10 did. */
  max = -Infinity;
  /** When the value first reached max. */
  maxAtUs: Micros = 0;

  private readonly originUs: Micros;
  private readonly initial: number;
  private current: number;
  private sinceUs: Micros;
  /** ∫ value dt from origin to sinceUs. */
  private areaUs = 0;

  // The recent steps: time, value, and ∫ from origin to that time. Plain arrays that grow to their bound, so
  // a gauge that seldom changes (most of them) stays small.
  private readonly ringTimes: number[] = [];
  private readonly ringValues: number[] = [];
  private readonly ringAreas: number[] = [];
  private ringHead = 0;
  private ringLength = 0;

  // Buckets from originUs, each bucketUs wide; those below bucketCount have been touched.
  private bucketUs = FIRST_BUCKET_US;
  private bucketCount = 0;
  private readonly bMin: number[] = [];
  private readonly bMax: number[] = [];
  private readonly bArea: number[] = [];
  private readonly bLast: number[] = [];

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
    /** Steps kept exactly (Infinity: every one, for a test that compares against the whole truth). */
    private readonly exactSteps = GAUGE_EXACT_STEPS,
  ) {
    this.originUs = now();
    this.initial = this.current = initial;
    this.sinceUs = this.originUs;
    this.pushStep(this.originUs, initial);
    this.touch(0, initial);
    this.max = initial;
    this.maxAtUs = this.originUs;
  }

  get value(): number {
    return this.current;
  }

  set(value: number): void {
    if (value === this.current) return;
    const t = this.now();
    if (this.windows) this.window(t, value);
    if (t === this.sinceUs) {
      // Several changes at one instant hold for no time: keep only the last.
      this.ringValues[(this.ringHead + this.ringLength - 1) % this.exactSteps] = value;
    } else {
      this.fold(this.sinceUs, t, this.current);
      this.areaUs += this.current * (t - this.sinceUs);
      this.sinceUs = t;
      this.pushStep(t, value);
    }
    this.current = value;
    this.touch(this.bucketOf(t), value);
    if (value > this.max) {
      this.max = value;
      this.maxAtUs = t;
    }
  }

  add(delta: number): void {
    this.set(this.current + delta);
  }

  /** Time-weighted mean over [fromUs, toUs); toUs defaults to now. A zero-length window gives the value then. */
  mean(fromUs: Micros = this.originUs, toUs: Micros = this.now()): number {
    if (toUs <= fromUs) return this.valueAt(fromUs);
    return (this.areaTo(toUs) - this.areaTo(fromUs)) / (toUs - fromUs);
  }

  /** The value holding at time t: exact within the recent steps, else the last value of t's bucket. */
  valueAt(tUs: Micros): number {
    if (tUs < this.originUs) return this.initial;
    const i = this.stepAt(tUs);
    if (i >= 0) return this.ringValues[i]!;
    return this.bLast[Math.min(this.bucketOf(tUs), this.bucketCount - 1)]!;
  }

  /** The highest value held at any time in [fromUs, toUs): exact within the recent steps, else the buckets' maxima. */
  maxIn(fromUs: Micros, toUs: Micros): number {
    let peak = -Infinity;
    const oldestUs = this.ringTimes[this.ringHead]!;
    if (fromUs < oldestUs) {
      const last = Math.min(this.bucketOf(Math.min(toUs, oldestUs) - 1), this.bucketCount - 1);
      for (let b = Math.max(0, this.bucketOf(fromUs)); b <= last; b++) peak = Math.max(peak, this.bMax[b]!);
    }
    for (let k = 0; k < this.ringLength; k++) {
      const i = (this.ringHead + k) % this.exactSteps;
      const start = this.ringTimes[i]!;
      const end = k + 1 < this.ringLength ? this.ringTimes[(i + 1) % this.exactSteps]! : Infinity;
      if (start < toUs && end > fromUs) peak = Math.max(peak, this.ringValues[i]!);
    }
    return peak;
  }

  /** The recent steps' start times (µs), oldest first: every step while there have been fewer than exactSteps. */
  get timesUs(): number[] {
    return this.ringSlice(this.ringTimes);
  }

  /** The recent steps' values, as timesUs. */
  get values(): number[] {
    return this.ringSlice(this.ringValues);
  }

  /** Writes the open window, if any (the run is ending). */
  flushWindow(): void {
    if (this.win < 0 || !this.windows) return;
    const w = this.windows.windowUs;
    this.windows.write({ name: this.name, fromUs: this.win * w, toUs: (this.win + 1) * w, first: this.winFirst, last: this.current, min: this.winMin, max: this.winMax });
    this.win = -1;
  }

  /** ∫ value dt from origin to t. */
  private areaTo(tUs: Micros): number {
    if (tUs <= this.originUs) return 0;
    if (tUs >= this.sinceUs) return this.areaUs + this.current * (tUs - this.sinceUs);
    const i = this.stepAt(tUs);
    if (i >= 0) return this.ringAreas[i]! + this.ringValues[i]! * (tUs - this.ringTimes[i]!);
    // Older than the recent steps: whole buckets, and a share of the one t falls in.
    const b = this.bucketOf(tUs);
    let area = 0;
    for (let k = 0; k < b; k++) area += this.bArea[k]!;
    return area + (this.bArea[b]! * (tUs - this.originUs - b * this.bucketUs)) / this.bucketUs;
  }

  /** The ring index of the last step at or before t, or -1 when t is older than the ring. */
  private stepAt(tUs: Micros): number {
    if (tUs < this.ringTimes[this.ringHead]!) return -1;
    let lo = 0;
    let hi = this.ringLength - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.ringTimes[(this.ringHead + mid) % this.exactSteps]! <= tUs) lo = mid;
      else hi = mid - 1;
    }
    return (this.ringHead + lo) % this.exactSteps;
  }

  private pushStep(t: Micros, value: number): void {
    let i: number;
    if (this.ringLength < this.exactSteps) i = (this.ringHead + this.ringLength++) % this.exactSteps;
    else {
      i = this.ringHead;
      this.ringHead = (this.ringHead + 1) % this.exactSteps;
    }
    this.ringTimes[i] = t;
    this.ringValues[i] = value;
    this.ringAreas[i] = this.areaUs;
  }

  private bucketOf(tUs: Micros): number {
    return Math.floor((tUs - this.originUs) / this.bucketUs);
  }

  /** Adds [fromUs, toUs) at `value` to the buckets it covers. */
  private fold(fromUs: Micros, toUs: Micros, value: number): void {
    while (this.bucketOf(toUs - 1) >= GAUGE_BUCKETS) this.coarsen();
    let t = fromUs;
    while (t < toUs) {
      const b = this.bucketOf(t);
      const end = Math.min(toUs, this.originUs + (b + 1) * this.bucketUs);
      this.touch(b, value);
      this.bArea[b]! += value * (end - t);
      this.bLast[b] = value;
      t = end;
    }
  }

  /** Marks bucket b as holding `value` at some time (opening it, and any before it, as needed). */
  private touch(b: number, value: number): void {
    while (b >= GAUGE_BUCKETS) {
      this.coarsen();
      b = b >> 1;
    }
    while (this.bucketCount <= b) {
      const k = this.bucketCount++;
      this.bMin[k] = value;
      this.bMax[k] = value;
      this.bArea[k] = 0;
      this.bLast[k] = value;
    }
    if (value < this.bMin[b]!) this.bMin[b] = value;
    if (value > this.bMax[b]!) this.bMax[b] = value;
    this.bLast[b] = value;
  }

  /** Merges neighbouring buckets: half as many, twice as wide. */
  private coarsen(): void {
    const n = this.bucketCount;
    for (let k = 0; 2 * k < n; k++) {
      const a = 2 * k;
      const b = a + 1;
      if (b < n) {
        this.bMin[k] = Math.min(this.bMin[a]!, this.bMin[b]!);
        this.bMax[k] = Math.max(this.bMax[a]!, this.bMax[b]!);
        this.bArea[k] = this.bArea[a]! + this.bArea[b]!;
        this.bLast[k] = this.bLast[b]!;
      } else {
        this.bMin[k] = this.bMin[a]!;
        this.bMax[k] = this.bMax[a]!;
        this.bArea[k] = this.bArea[a]!;
        this.bLast[k] = this.bLast[a]!;
      }
    }
    this.bucketCount = Math.ceil(n / 2);
    this.bucketUs *= 2;
  }

  private ringSlice(from: readonly number[]): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.ringLength; k++) out.push(from[(this.ringHead + k) % this.exactSteps]!);
    return out;
  }

  /** Folds a change at t into its trace window, writing the previous window first when t is in a later one. */
  private window(t: Micros, value: number): void {
    const index = Math.floor(t / this.windows!.windowUs);
    if (index !== this.win) {
      this.flushWindow();
      const before = this.current;
      this.win = index;
      this.winFirst = before;
      this.winMin = before;
      this.winMax = before;
    }
    if (value < this.winMin) this.winMin = value;
    if (value > this.winMax) this.winMax = value;
  }
}
