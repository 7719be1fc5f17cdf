/**
 * What travels on a link: TCP segments and UDP datagrams as plain data. Payloads are byte views (never
 * copied on the way), and the wire size used for bandwidth counts IPv4 + TCP/UDP headers.
 */

/** TCP flags, as bits. */
export const SYN = 1;
export const ACK = 2;
export const FIN = 4;
export const RST = 8;

/** IPv4 (20) + TCP (20) header bytes; options such as timestamps are not modelled. */
export const TCP_HEADER_BYTES = 40;
/** IPv4 (20) + UDP (8) header bytes. */
export const UDP_HEADER_BYTES = 28;

export interface TcpSegment {
  proto: 'tcp';
  /** Unique per run, in send order; a duplicate made by a link keeps its original's id. */
  id: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /**
   * Sequence number of the first byte (or of the SYN / FIN). Sequence numbers here do not wrap at 2^32:
   * a run never sends 2^53 bytes, and unwrapped numbers keep the comparisons plain.
   */
  seq: number;
  /** Next byte expected from the peer, when the ACK flag is set. */
  ack: number;
  flags: number;
  /** Receive window the sender advertises, in bytes. */
  window: number;
  /** Payload, or null for a bare control segment. */
  data: Uint8Array | null;
}

export interface UdpDatagram {
  proto: 'udp';
  id: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  data: Uint8Array;
}

export type Packet = TcpSegment | UdpDatagram;

/** Bytes on the wire, for serialisation delay and queue bounds. */
export function wireBytes(p: Packet): number {
  const payload = p.data === null ? 0 : p.data.byteLength;
  return payload + (p.proto === 'tcp' ? TCP_HEADER_BYTES : UDP_HEADER_BYTES);
}

/** 'SYN|ACK' for traces. */
export function flagNames(flags: number): string {
  const names: string[] = [];
  if (flags & SYN) names.push('SYN');
  if (flags & FIN) names.push('FIN');
  if (flags & RST) names.push('RST');
  if (flags & ACK) names.push('ACK');
  return names.join('|') || 'none';
}
