/**
 * Retransmission timeout from RTT samples (RFC 6298 §2), in one of two variants:
 * - 'linux': the variance term is floored at TCP_RTO_MIN instead of the RTO at 1 s, so
 *   RTO = SRTT + max(minRto, 4·RTTVAR); a first sample R gives max(3R, R + 200 ms).
 * - 'rfc6298': RTO = max(1 s, SRTT + max(G, 4·RTTVAR)), clock granularity G = 1 ms.
 * Either way the result is capped at maxRto and doubles on each expiry (backoff) until a new sample.
 * Samples never come from retransmitted segments (Karn); the connection enforces that.
 */
import type { TcpOptions } from './options.js';

const RFC_FLOOR_US = 1_000_000;
const RFC_GRANULARITY_US = 1_000;

export class RtoEstimator {
  /** Smoothed RTT, µs (real-valued; only the RTO is rounded). Undefined before the first sample. */
  srttUs: number | undefined;
  rttvarUs = 0;
  /** Current RTO including backoff, integer µs. */
  rtoUs: number;
  private readonly minUs: number;
  private readonly maxUs: number;

  constructor(private readonly options: TcpOptions) {
    this.minUs = options.minRtoMs * 1000;
    this.maxUs = options.maxRtoMs * 1000;
    this.rtoUs = options.initialRtoMs * 1000;
  }

  /** A new RTT measurement (µs) of a segment sent once; clears any backoff. */
  sample(rttUs: number): void {
    if (this.srttUs === undefined) {
      this.srttUs = rttUs;
      this.rttvarUs = rttUs / 2;
    } else {
      this.rttvarUs = 0.75 * this.rttvarUs + 0.25 * Math.abs(this.srttUs - rttUs);
      this.srttUs = 0.875 * this.srttUs + 0.125 * rttUs;
    }
    this.rtoUs = this.base();
  }

  /** The timer expired: double the RTO, up to the ceiling. */
  backoff(): void {
    this.rtoUs = Math.min(this.maxUs, this.rtoUs * 2);
  }

  /** Sets the RTO outright (the 3 s fallback after a retransmitted SYN). */
  set(rtoUs: number): void {
    this.rtoUs = Math.min(this.maxUs, rtoUs);
  }

  private base(): number {
    const srtt = this.srttUs!;
    const raw =
      this.options.rtoEstimator === 'linux'
        ? srtt + Math.max(this.minUs, 4 * this.rttvarUs)
        : Math.max(RFC_FLOOR_US, srtt + Math.max(RFC_GRANULARITY_US, 4 * this.rttvarUs));
    return Math.min(this.maxUs, Math.round(raw));
  }
}

/**
 * How long Linux keeps retransmitting before giving up (tcp_model_timeout in net/ipv4/tcp_timer.c): the sum
 * of `boundary` backoffs from `rtoBaseUs`, doubling until they reach maxRto. tcp_retries2 = 15 with the
 * 200 ms floor gives 924.6 s.
 */
export function retransmitTimeoutUs(boundary: number, rtoBaseUs: number, maxRtoUs: number): number {
  const thresh = Math.floor(Math.log2(maxRtoUs / rtoBaseUs));
  if (boundary <= thresh) return (2 ** (boundary + 1) - 1) * rtoBaseUs;
  return (2 ** (thresh + 1) - 1) * rtoBaseUs + (boundary - thresh) * maxRtoUs;
}
