/**
 * TCP options, every number a Linux default (shared/reference/linux-tcp.md; the kernel's include/net/tcp.h
 * and Documentation/networking/ip-sysctl.rst). Durations are milliseconds in the names, as sysctls are.
 */
import { SimError } from '../../core/errors.js';

export interface TcpOptions {
  /** Maximum segment size, bytes (Ethernet MTU 1500 − 40). */
  mssBytes: number;
  /** Initial congestion window, segments (RFC 6928). */
  initialCwndSegments: number;
  /** tcp_syn_retries: SYNs resent before connect() fails with ETIMEDOUT (6: at 1, 3, 7, 15, 31, 63 s; fail at 127 s). */
  synRetries: number;
  /** tcp_synack_retries: SYN-ACKs resent before a half-open connection is dropped (5: gives up at 63 s). */
  synackRetries: number;
  /** RTO before any RTT sample (TCP_TIMEOUT_INIT), ms. */
  initialRtoMs: number;
  /** TCP_RTO_MIN, ms: also the floor of the variance term in the Linux estimator. */
  minRtoMs: number;
  /** TCP_RTO_MAX, ms. */
  maxRtoMs: number;
  /** RTO for the first data after a retransmitted SYN (RFC 6298 §5.7, TCP_TIMEOUT_FALLBACK), ms. */
  rtoAfterSynRetransmitMs: number;
  /**
   * 'linux': RTO = SRTT + max(minRto, 4·RTTVAR) (the kernel floors the variance term; first sample gives
   * max(3R, R + 200 ms)). 'rfc6298': RTO = max(1 s, SRTT + max(G, 4·RTTVAR)) with G = 1 ms.
   */
  rtoEstimator: 'linux' | 'rfc6298';
  /** tcp_retries2: an unacknowledged connection fails after the time 15 backoffs from TCP_RTO_MIN take (924.6 s). */
  retries2: number;
  /** TIME_WAIT length (TCP_TIMEWAIT_LEN), ms. Fixed in Linux. */
  timeWaitMs: number;
  /** Delayed ACK timer (TCP_DELACK_MIN), ms; a second full segment is acknowledged at once. */
  delayedAckMs: number;
  /** Duplicate ACKs that trigger fast retransmit (tcp_reordering). */
  dupAckThreshold: number;
  /** Receive buffer, bytes: the most the advertised window can be at first (tcp_rmem's default, 131072). */
  receiveBufferBytes: number;
  /**
   * Receive-buffer autotuning (tcp_moderate_rcvbuf, Linux's dynamic right-sizing, tcp_rcv_space_adjust): once
   * per RTT the buffer grows to about twice what the application read in the last RTT, up to
   * receiveBufferMaxBytes, so the window keeps ahead of the sender's congestion window on a long fat path.
   * On in Linux, off here by default until faultline has SACK and HyStart: with a window free to grow, slow
   * start overshoots a bottleneck queue, and NewReno without SACK then repairs one lost segment per round trip
   * (test/net/tcp-window.test.ts: 100 Mbit/s, 100 ms, a 1000-packet queue, 6 MiB: 0.2 Mbit/s).
   */
  receiveBufferAutotuning: boolean;
  /** tcp_rmem's maximum, bytes: the most autotuning grows the receive buffer to (6 MiB). */
  receiveBufferMaxBytes: number;
  /**
   * Window scaling (RFC 7323, tcp_window_scaling): the advertised window may exceed 65,535 bytes. false: it is
   * capped there, as without the option (a 128 KiB buffer then advertises 64 KiB). faultline keeps the window
   * to the byte either way (it does not round it to the scale's 128-byte units).
   */
  windowScaling: boolean;
  /** Send buffer, bytes: unacknowledged plus unsent data the kernel holds, at first (tcp_wmem's default, 16384). */
  sendBufferBytes: number;
  /**
   * Send-buffer autotuning (tcp_sndbuf_expand): the buffer grows with the congestion window, to twice what it
   * lets out (2 × cwnd × MSS), up to sendBufferMaxBytes, so write() keeps a fast path full. On in Linux; off
   * here by default for now, as the protocol layers and their tests were written against a fixed 16 KiB
   * (when write() returns false); it changes no built-in scenario's digest.
   */
  sendBufferAutotuning: boolean;
  /** tcp_wmem's maximum, bytes (4 MiB). */
  sendBufferMaxBytes: number;
  /** net.core.somaxconn: a listen backlog above this is cut to it. */
  somaxconn: number;
  /** Backlog when listen() is not told one (Node.js and nginx ask for 511). */
  defaultBacklog: number;
  /** tcp_abort_on_overflow: answer the final ACK of a handshake with RST when the accept queue is full. */
  abortOnOverflow: boolean;
  /**
   * Nagle's algorithm (RFC 896) in Linux's form (Minshall's variant, tcp_nagle_check): a segment shorter than
   * the MSS waits while an earlier short one is unacknowledged. On unless a socket sets TCP_NODELAY (Node's
   * net sockets leave it on; its HTTP stacks and node-postgres turn it off; PostgreSQL too). false: every
   * socket on the host behaves as TCP_NODELAY.
   */
  nagle: boolean;
  /** SO_KEEPALIVE default for new sockets (off in Linux and Node). */
  keepAlive: boolean;
  /** tcp_keepalive_time, ms. */
  keepAliveTimeMs: number;
  /** tcp_keepalive_intvl, ms. */
  keepAliveIntervalMs: number;
  /** tcp_keepalive_probes. */
  keepAliveProbes: number;
  /**
   * Bytes a socket buffers in user space beyond the kernel's send buffer before write() fails with ENOBUFS.
   * Node grows this without limit (until the process runs out of memory); faultline bounds it so a writer
   * that ignores backpressure ends with an error instead of unbounded memory.
   */
  userBufferMaxBytes: number;
}

export const linuxTcpDefaults: Readonly<TcpOptions> = Object.freeze({
  mssBytes: 1460,
  initialCwndSegments: 10,
  synRetries: 6,
  synackRetries: 5,
  initialRtoMs: 1000,
  minRtoMs: 200,
  maxRtoMs: 120_000,
  rtoAfterSynRetransmitMs: 3000,
  rtoEstimator: 'linux',
  retries2: 15,
  timeWaitMs: 60_000,
  delayedAckMs: 40,
  dupAckThreshold: 3,
  receiveBufferBytes: 131_072,
  receiveBufferAutotuning: false,
  receiveBufferMaxBytes: 6_291_456,
  windowScaling: true,
  sendBufferBytes: 16_384,
  sendBufferAutotuning: false,
  sendBufferMaxBytes: 4_194_304,
  somaxconn: 4096,
  defaultBacklog: 511,
  abortOnOverflow: false,
  nagle: true,
  keepAlive: false,
  keepAliveTimeMs: 7_200_000,
  keepAliveIntervalMs: 75_000,
  keepAliveProbes: 9,
  userBufferMaxBytes: 64 * 1024 * 1024,
});

const positiveInts: (keyof TcpOptions)[] = [
  'mssBytes',
  'initialCwndSegments',
  'initialRtoMs',
  'minRtoMs',
  'maxRtoMs',
  'rtoAfterSynRetransmitMs',
  'delayedAckMs',
  'dupAckThreshold',
  'receiveBufferBytes',
  'receiveBufferMaxBytes',
  'sendBufferBytes',
  'sendBufferMaxBytes',
  'somaxconn',
  'keepAliveTimeMs',
  'keepAliveIntervalMs',
  'keepAliveProbes',
  'userBufferMaxBytes',
];
const nonNegativeInts: (keyof TcpOptions)[] = ['synRetries', 'synackRetries', 'retries2', 'timeWaitMs', 'defaultBacklog'];

/** Linux defaults under `partial`, checked; a bad field gets a one-line error naming it. */
export function resolveTcpOptions(partial: Partial<TcpOptions>, what = 'tcp'): TcpOptions {
  const out = { ...linuxTcpDefaults, ...partial } as TcpOptions;
  for (const key of Object.keys(partial)) {
    if (!(key in linuxTcpDefaults)) throw new SimError('ERR_TCP_OPTION', `${what}.${key}: not a TCP option (options: ${Object.keys(linuxTcpDefaults).join(', ')})`);
  }
  for (const key of positiveInts) {
    const v = out[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new SimError('ERR_TCP_OPTION', `${what}.${key}: expected a positive integer, got ${JSON.stringify(v)}`);
  }
  for (const key of nonNegativeInts) {
    const v = out[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new SimError('ERR_TCP_OPTION', `${what}.${key}: expected a non-negative integer, got ${JSON.stringify(v)}`);
  }
  if (out.rtoEstimator !== 'linux' && out.rtoEstimator !== 'rfc6298') throw new SimError('ERR_TCP_OPTION', `${what}.rtoEstimator: expected 'linux' or 'rfc6298', got ${JSON.stringify(out.rtoEstimator)}`);
  for (const key of ['abortOnOverflow', 'nagle', 'keepAlive', 'receiveBufferAutotuning', 'windowScaling', 'sendBufferAutotuning'] as const) {
    if (typeof out[key] !== 'boolean') throw new SimError('ERR_TCP_OPTION', `${what}.${key}: expected true or false, got ${JSON.stringify(out[key])}`);
  }
  if (out.receiveBufferBytes > out.receiveBufferMaxBytes) throw new SimError('ERR_TCP_OPTION', `${what}.receiveBufferBytes: ${out.receiveBufferBytes} is above receiveBufferMaxBytes ${out.receiveBufferMaxBytes}`);
  if (out.sendBufferBytes > out.sendBufferMaxBytes) throw new SimError('ERR_TCP_OPTION', `${what}.sendBufferBytes: ${out.sendBufferBytes} is above sendBufferMaxBytes ${out.sendBufferMaxBytes}`);
  if (out.minRtoMs > out.maxRtoMs) throw new SimError('ERR_TCP_OPTION', `${what}.minRtoMs: ${out.minRtoMs} is above maxRtoMs ${out.maxRtoMs}`);
  return out;
}
