/**
 * Neighbour resolution (ARP) for an on-link address no host answers for. The simulated network is one IPv4
 * subnet, so an address without a host is on-link and unanswered: Linux queues the packet, sends
 * mcast_solicit (3) ARP requests retrans_time_ms (1 s) apart, then marks the neighbour FAILED and reports
 * the queued packet as undeliverable (arp_error_report: an ICMP host unreachable delivered locally, which
 * tcp_v4_err turns into EHOSTUNREACH for a connect in SYN_SENT). So connect() to such an address fails with
 * EHOSTUNREACH 3 s after it started — never ENOTFOUND, which is DNS's answer for a name, not an address.
 *
 * Packets to the same address while its resolution is under way wait for the same answer (the neighbour
 * entry is shared), so every connect started within those 3 s fails when it ends; a connect after that
 * starts a new resolution (a FAILED entry is probed again on use, mcast_solicit > 0).
 *
 * Measured against Linux 6.18 with HZ 250 (test/kernel/): 3.07–3.09 s, not 3.00 s. The neighbour timer is an
 * ordinary timer-wheel timer, and a 1 s timeout at HZ 250 (250 jiffies) sits in the wheel's second level,
 * whose 8-jiffy (32 ms) buckets fire it up to 32 ms late, three times. faultline keeps the exact 3 s.
 */
import { SimError } from '../core/errors.js';

export interface NeighbourOptions {
  /** net.ipv4.neigh.default.retrans_time_ms: time between ARP requests, ms. */
  retransTimeMs: number;
  /** net.ipv4.neigh.default.mcast_solicit: broadcast ARP requests before the neighbour is FAILED. */
  mcastSolicit: number;
}

export const linuxNeighbourDefaults: Readonly<NeighbourOptions> = Object.freeze({
  retransTimeMs: 1000,
  mcastSolicit: 3,
});

/** Linux defaults under `partial`, checked; a bad field gets a one-line error naming it. */
export function resolveNeighbourOptions(partial: Partial<NeighbourOptions>, what = 'neighbour'): NeighbourOptions {
  for (const key of Object.keys(partial)) {
    if (!(key in linuxNeighbourDefaults)) throw new SimError('ERR_NET_OPTION', `${what}.${key}: not a neighbour option (options: ${Object.keys(linuxNeighbourDefaults).join(', ')})`);
  }
  const out: NeighbourOptions = { ...linuxNeighbourDefaults, ...partial };
  for (const key of ['retransTimeMs', 'mcastSolicit'] as const) {
    const v = out[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new SimError('ERR_NET_OPTION', `${what}.${key}: expected a positive integer, got ${JSON.stringify(v)}`);
  }
  return out;
}

/** One host's neighbour table, as far as it matters here: resolutions under way, by address. */
export class NeighbourTable {
  /** Address → virtual time (µs) its resolution fails. */
  private readonly failingAtUs = new Map<string, number>();

  constructor(private readonly options: NeighbourOptions) {}

  /**
   * When a packet queued now for `ip` (an address no host has) is reported undeliverable: the end of the
   * resolution under way, or of a new one started now.
   */
  unreachableAtUs(ip: string, nowUs: number): number {
    const pending = this.failingAtUs.get(ip);
    if (pending !== undefined && pending > nowUs) return pending;
    const at = nowUs + this.options.retransTimeMs * 1000 * this.options.mcastSolicit;
    this.failingAtUs.set(ip, at);
    return at;
  }
}
