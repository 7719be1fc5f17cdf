/**
 * A circuit breaker with Resilience4j's count-based state machine and defaults: closed until the last
 * `windowCalls` calls (at least `minimumCalls` of them) fail at `failureRatePercent` or more; open fails every
 * call fast for `openMs`; then half-open lets `halfOpenCalls` trial calls through and closes or re-opens on
 * their failure rate. Pure state over the times it is given, so a test can drive it without a simulation.
 */
import { SimError } from '../core/errors.js';
import type { Micros } from '../core/time.js';

export interface CircuitBreakerOptions {
  /** Resilience4j failureRateThreshold: 50. */
  failureRatePercent: number;
  /** slidingWindowSize (COUNT_BASED): 100 calls. */
  windowCalls: number;
  /** minimumNumberOfCalls: 100; fewer recorded calls never open the breaker. */
  minimumCalls: number;
  /** waitDurationInOpenState: 60 s. */
  openMs: number;
  /** permittedNumberOfCallsInHalfOpenState: 10. */
  halfOpenCalls: number;
}

export const resilience4jDefaults: Readonly<CircuitBreakerOptions> = Object.freeze({
  failureRatePercent: 50,
  windowCalls: 100,
  minimumCalls: 100,
  openMs: 60_000,
  halfOpenCalls: 10,
});

export type BreakerState = 'closed' | 'open' | 'half-open';

export function resolveBreakerOptions(partial: Partial<CircuitBreakerOptions>, what = 'circuitBreaker'): CircuitBreakerOptions {
  for (const key of Object.keys(partial)) {
    if (!(key in resilience4jDefaults)) throw new SimError('ERR_GATEWAY_OPTION', `${what}.${key}: not a circuit breaker option (options: ${Object.keys(resilience4jDefaults).join(', ')})`);
  }
  const o = { ...resilience4jDefaults, ...partial };
  for (const key of ['windowCalls', 'minimumCalls', 'halfOpenCalls'] as const) {
    if (!Number.isSafeInteger(o[key]) || o[key] < 1) throw new SimError('ERR_GATEWAY_OPTION', `${what}.${key}: expected a positive integer, got ${JSON.stringify(o[key])}`);
  }
  if (!Number.isSafeInteger(o.openMs) || o.openMs < 0) throw new SimError('ERR_GATEWAY_OPTION', `${what}.openMs: expected a non-negative integer, got ${JSON.stringify(o.openMs)}`);
  if (!(o.failureRatePercent > 0 && o.failureRatePercent <= 100)) throw new SimError('ERR_GATEWAY_OPTION', `${what}.failureRatePercent: expected a number in (0, 100], got ${JSON.stringify(o.failureRatePercent)}`);
  return o;
}

export class CircuitBreaker {
  readonly options: CircuitBreakerOptions;
  private stateNow: BreakerState = 'closed';
  /** Outcomes of the last calls (true: failed), a ring of windowCalls. */
  private readonly ring: boolean[] = [];
  private ringNext = 0;
  private failures = 0;
  private openedAtUs = 0;
  /** Half-open: trial calls let through, and their results so far. */
  private trialsIssued = 0;
  private trialResults = 0;
  private trialFailures = 0;

  constructor(
    options: Partial<CircuitBreakerOptions> = {},
    /** Called on every state change (for trace records and metrics). */
    private readonly onTransition: (from: BreakerState, to: BreakerState, failureRatePercent: number) => void = () => {},
  ) {
    this.options = resolveBreakerOptions(options);
  }

  get state(): BreakerState {
    return this.stateNow;
  }

  /**
   * May a call go through now? Open turns half-open on the first call after openMs (Resilience4j's
   * default: no automatic transition without a call). A permitted call must report onResult.
   */
  tryAcquire(nowUs: Micros): boolean {
    if (this.stateNow === 'open') {
      if (nowUs - this.openedAtUs < this.options.openMs * 1000) return false;
      this.moveTo('half-open', this.rate());
      this.trialsIssued = this.trialResults = this.trialFailures = 0;
    }
    if (this.stateNow === 'half-open') {
      if (this.trialsIssued >= this.options.halfOpenCalls) return false;
      this.trialsIssued++;
    }
    return true;
  }

  /** The result of a call that tryAcquire let through. */
  onResult(nowUs: Micros, failed: boolean): void {
    if (this.stateNow === 'half-open') {
      this.trialResults++;
      if (failed) this.trialFailures++;
      if (this.trialResults < this.options.halfOpenCalls) return;
      const rate = (100 * this.trialFailures) / this.trialResults;
      if (rate >= this.options.failureRatePercent) this.open(nowUs, rate);
      else {
        this.resetWindow();
        this.moveTo('closed', rate);
      }
      return;
    }
    if (this.stateNow === 'open') return; // a call from before it opened
    if (this.ring.length < this.options.windowCalls) this.ring.push(failed);
    else {
      if (this.ring[this.ringNext]) this.failures--;
      this.ring[this.ringNext] = failed;
      this.ringNext = (this.ringNext + 1) % this.options.windowCalls;
    }
    if (failed) this.failures++;
    if (this.ring.length >= this.options.minimumCalls && this.rate() >= this.options.failureRatePercent) this.open(nowUs, this.rate());
  }

  private rate(): number {
    return this.ring.length === 0 ? 0 : (100 * this.failures) / this.ring.length;
  }

  private open(nowUs: Micros, rate: number): void {
    this.openedAtUs = nowUs;
    this.resetWindow();
    this.moveTo('open', rate);
  }

  private resetWindow(): void {
    this.ring.length = 0;
    this.ringNext = 0;
    this.failures = 0;
  }

  private moveTo(to: BreakerState, rate: number): void {
    const from = this.stateNow;
    this.stateNow = to;
    this.onTransition(from, to, rate);
  }
}
