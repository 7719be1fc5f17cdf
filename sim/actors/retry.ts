/**
 * Retry backoff and retry budgets, as AWS, Envoy, Finagle and gRPC describe them
 * (shared/reference/pools-and-proxies.md, "Retries, deadlines, breakers").
 */
import type { RandomStream } from '../core/random.js';
import type { Micros } from '../core/time.js';

export interface BackoffOptions {
  /**
   * none: retry at once; exponential: min(cap, base·2^n); full: U(0, that) (AWS "full jitter", the usual
   * recommendation); equal: v/2 + U(0, v/2); decorrelated: min(cap, U(base, 3·previous)).
   */
  kind: 'none' | 'exponential' | 'full' | 'equal' | 'decorrelated';
  baseMs: number;
  capMs: number;
}

/** The wait before retry number `retry` (1 for the first retry), in integer µs. */
export function backoffUs(o: BackoffOptions, retry: number, previousUs: Micros, stream: RandomStream): Micros {
  const baseUs = o.baseMs * 1000;
  const capUs = o.capMs * 1000;
  const expUs = Math.min(capUs, baseUs * 2 ** (retry - 1));
  switch (o.kind) {
    case 'none':
      return 0;
    case 'exponential':
      return Math.round(expUs);
    case 'full':
      return Math.round(stream.next() * expUs);
    case 'equal':
      return Math.round(expUs / 2 + stream.next() * (expUs / 2));
    case 'decorrelated': {
      const prev = Math.max(baseUs, previousUs);
      return Math.round(Math.min(capUs, baseUs + stream.next() * (3 * prev - baseUs)));
    }
  }
}

/**
 * Finagle's retry budget: retries may be at most `ratio` of the requests in the last `windowMs`, plus
 * `minPerSecond` retries per second whatever the load. It keeps retries from multiplying load in an
 * outage (the sustaining effect of a metastable failure).
 */
export class RetryBudget {
  private readonly bucketUs: number;
  private readonly requests: number[];
  private readonly retries: number[];
  private bucket = -1;

  constructor(
    readonly ratio: number,
    readonly minPerSecond: number,
    readonly windowMs = 10_000,
    buckets = 10,
  ) {
    this.bucketUs = (windowMs * 1000) / buckets;
    this.requests = new Array<number>(buckets).fill(0);
    this.retries = new Array<number>(buckets).fill(0);
  }

  onRequest(nowUs: Micros): void {
    this.requests[this.advance(nowUs)]!++;
  }

  /** Takes a retry from the budget if there is one. */
  tryRetry(nowUs: Micros): boolean {
    const i = this.advance(nowUs);
    const requests = this.requests.reduce((a, b) => a + b, 0);
    const retries = this.retries.reduce((a, b) => a + b, 0);
    if (retries + 1 > this.ratio * requests + (this.minPerSecond * this.windowMs) / 1000) return false;
    this.retries[i]!++;
    return true;
  }

  /** Rolls the window forward to now; returns the current bucket's index. */
  private advance(nowUs: Micros): number {
    const n = this.requests.length;
    const bucket = Math.floor(nowUs / this.bucketUs);
    if (this.bucket < 0) this.bucket = bucket;
    for (let b = this.bucket + 1; b <= bucket && b <= this.bucket + n; b++) {
      this.requests[b % n] = 0;
      this.retries[b % n] = 0;
    }
    if (bucket > this.bucket) this.bucket = bucket;
    return bucket % n;
  }
}
