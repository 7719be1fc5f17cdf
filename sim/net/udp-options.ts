/**
 * UDP options, each a Linux default, and their check.
 */
import { SimError } from '../core/errors.js';

export interface UdpOptions {
  /**
   * A socket's receive buffer, bytes of datagram payload queued and not yet read (net.core.rmem_default,
   * 212992). A datagram that would overflow it is dropped (counted udp.drop.buffer-full). Linux charges
   * each datagram's kernel overhead too, so a real socket holds somewhat fewer; faultline counts payload.
   */
  receiveBufferBytes: number;
  /** Largest payload a datagram may carry: 65535 − 20 (IPv4 header) − 8 (UDP header) = 65507 bytes. */
  maxDatagramBytes: number;
}

export const linuxUdpDefaults: Readonly<UdpOptions> = Object.freeze({
  receiveBufferBytes: 212_992,
  maxDatagramBytes: 65_507,
});

/** Linux defaults under `partial`, checked; a bad field gets a one-line error naming it. */
export function resolveUdpOptions(partial: Partial<UdpOptions>, what = 'udp'): UdpOptions {
  if (partial === null || typeof partial !== 'object') throw bad(`${what}: expected an object of UDP options, got ${JSON.stringify(partial)}`);
  for (const key of Object.keys(partial)) {
    if (!(key in linuxUdpDefaults)) throw bad(`${what}.${key}: not a UDP option (options: ${Object.keys(linuxUdpDefaults).join(', ')})`);
  }
  const out: UdpOptions = { ...linuxUdpDefaults, ...partial };
  const rcv = out.receiveBufferBytes;
  if (typeof rcv !== 'number' || !Number.isSafeInteger(rcv) || rcv <= 0) throw bad(`${what}.receiveBufferBytes: expected a positive whole number of bytes, got ${JSON.stringify(rcv)}`);
  const max = out.maxDatagramBytes;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max <= 0 || max > 65_507) {
    throw bad(`${what}.maxDatagramBytes: expected a whole number of bytes from 1 to 65507 (the IPv4 limit), got ${JSON.stringify(max)}`);
  }
  return out;
}

function bad(message: string): SimError {
  return new SimError('ERR_UDP_OPTION', message);
}
