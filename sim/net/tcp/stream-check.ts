/**
 * An invariant over every TCP connection: each direction's bytes reach the receiving application intact and
 * in order, or the connection fails. The sending end records what its application writes; the receiving end
 * compares every byte handed to its application with the head of that record, consuming it. A connection
 * that fails (RST, ETIMEDOUT, a crashed or killed host) may deliver only a prefix; one that ends cleanly (the
 * peer's FIN read after all its data) must have delivered everything written before that FIN.
 *
 * Off unless asked for (`new Network(sim, { checkStreams: true })`, or `new World({ checkStreams: true })`), so
 * the data path pays one null check. When on, it writes a trace record only for a
 * violation, so a healthy run's trace (and digest) is the same with it on and off.
 */
import type { Simulation } from '../../core/simulation.js';
import type { Micros } from '../../core/time.js';

/** 'mismatch': a byte differs; 'extra': bytes past what was written; 'missing': a clean end before all of it. */
export type StreamViolationKind = 'mismatch' | 'extra' | 'missing';

/** Which way the bytes went: the client is the end that connected (named first in the connection id). */
export type StreamDirection = 'client>server' | 'server>client';

export interface StreamViolation {
  /** Virtual time the receiving application got (or ended without) the bytes. */
  t: Micros;
  kind: StreamViolationKind;
  /** The connection's trace id ('client:32768>server:80'). */
  conn: string;
  direction: StreamDirection;
  /** Offset in the direction's byte stream of the first wrong, extra or missing byte. */
  offset: number;
  /** The byte written at `offset` (mismatch, missing). */
  expectedByte?: number;
  /** The byte delivered at `offset` (mismatch, extra). */
  gotByte?: number;
  /** extra: bytes delivered past the end of what was written; missing: bytes written and never delivered. */
  bytes?: number;
}

export interface StreamCheckSummary {
  /** Connections whose two ends were both seen (each checked both ways). */
  connections: number;
  /** Connections with an end not yet closed: the ones whose state is still kept. */
  open: number;
  /** Bytes delivered to applications and found equal to what was written. */
  bytesVerified: number;
  /** All violations found (at most one per direction of a connection: after one, that direction is not compared). */
  violationCount: number;
  /** The first VIOLATIONS_KEPT_MAX of them, in the order found. */
  violations: StreamViolation[];
}

/** Violations kept in the summary and written to the trace; more are only counted. */
export const VIOLATIONS_KEPT_MAX = 100;

/**
 * A chunk the application wrote, as written: not copied. The stack carries views of the caller's array all the
 * way to the receiving application (as Node's net does, not write(2)), and never writes into one, so where the
 * receiver gets the very bytes of the writer's array at the same place they are right by construction; the
 * checker compares bytes only where the receive path made new ones (a read spanning segments, or a bug).
 */
interface Written {
  data: Uint8Array;
  next: Written | null;
}

/** One direction of one connection: what the sender's application wrote and the receiver has not read yet. */
export class ExpectedStream {
  private head: Written | null = null;
  private tail: Written | null = null;
  /** Read position inside head.data. */
  private headAt = 0;
  /** Bytes the sending application wrote. */
  writtenBytes = 0;
  /** Bytes the receiving application got and that matched. */
  deliveredBytes = 0;
  /** A violation was reported: the rest of this direction is not compared (everything after would differ). */
  private broken = false;

  constructor(
    private readonly checker: StreamChecker,
    private readonly conn: string,
    readonly direction: StreamDirection,
    /** The receiving host, for the trace record. */
    private readonly receiverHost: string,
  ) {}

  /** The sending application wrote `data` (the socket accepted it). */
  written(data: Uint8Array): void {
    if (this.broken || data.byteLength === 0) return;
    const node: Written = { data, next: null };
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.writtenBytes += data.byteLength;
  }

  /** The receiving application got `got`, next in the stream. */
  delivered(got: Uint8Array): void {
    if (this.broken) return;
    const n = got.byteLength;
    let i = 0;
    while (i < n) {
      const expected = this.head;
      if (expected === null) {
        this.checker.verified(i);
        this.deliveredBytes += i;
        this.violate({ kind: 'extra', offset: this.deliveredBytes, gotByte: got[i], bytes: n - i });
        return;
      }
      const data = expected.data;
      const at = this.headAt;
      const m = Math.min(n - i, data.byteLength - at);
      const sameMemory = got.buffer === data.buffer && got.byteOffset + i === data.byteOffset + at;
      const k = sameMemory ? -1 : firstDifference(data, at, got, i, m);
      if (k >= 0) {
        this.checker.verified(i + k);
        this.deliveredBytes += i + k;
        this.violate({ kind: 'mismatch', offset: this.deliveredBytes, expectedByte: data[at + k], gotByte: got[i + k] });
        return;
      }
      i += m;
      if (at + m === data.byteLength) {
        this.head = expected.next;
        if (this.head === null) this.tail = null;
        this.headAt = 0;
      } else this.headAt = at + m;
    }
    this.deliveredBytes += n;
    this.checker.verified(n);
  }

  /** The receiving application reached a clean end of stream: the peer's FIN, after all data before it. */
  ended(): void {
    if (this.broken || this.head === null) return;
    this.violate({ kind: 'missing', offset: this.deliveredBytes, expectedByte: this.head.data[this.headAt], bytes: this.writtenBytes - this.deliveredBytes });
  }

  private violate(v: Omit<StreamViolation, 't' | 'conn' | 'direction'>): void {
    this.broken = true;
    this.head = this.tail = null; // nothing more is compared: free what was kept
    this.checker.report({ t: this.checker.sim.now, conn: this.conn, direction: this.direction, ...v }, this.receiverHost);
  }
}

/** One connection incarnation: both directions, and how many of its two ends are open. */
class CheckedConnection {
  ends = 0;
  paired = false;

  constructor(
    readonly key: string,
    readonly toServer: ExpectedStream,
    readonly toClient: ExpectedStream,
  ) {}
}

/** One end of a connection as the checker sees it: the stream its application writes and the one it reads. */
export class StreamEnd {
  private open = true;

  constructor(
    private readonly checker: StreamChecker,
    private readonly connection: CheckedConnection,
    /** What this end's application writes. */
    readonly sending: ExpectedStream,
    /** What this end's application reads. */
    readonly receiving: ExpectedStream,
  ) {}

  /** The kernel connection reached CLOSED (or vanished): the pairing entry goes once both ends have. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.checker.release(this.connection);
  }
}

export class StreamChecker {
  private readonly open = new Map<string, CheckedConnection>();
  private connections = 0;
  private bytesVerified = 0;
  private violationCount = 0;
  private readonly violations: StreamViolation[] = [];

  constructor(readonly sim: Simulation) {}

  /**
   * The end of connection `conn` on `host` joins its pair. Both ends are in this process; they meet on the
   * trace id (the 4-tuple, by name) and the client's initial sequence number, so a later connection on the
   * same 4-tuple (a port reused after TIME_WAIT) is a new pair.
   */
  attach(conn: string, clientIss: number, side: 'client' | 'server', host: string): StreamEnd {
    const key = `${conn}#${clientIss}`;
    let c = this.open.get(key);
    if (c === undefined) {
      // The receiving host of each direction is known to whichever end comes first: it is that end or its peer.
      const [clientHost, serverHost] = side === 'client' ? [host, peerHost(conn, 1)] : [peerHost(conn, 0), host];
      c = new CheckedConnection(key, new ExpectedStream(this, conn, 'client>server', serverHost), new ExpectedStream(this, conn, 'server>client', clientHost));
      this.open.set(key, c);
    } else if (!c.paired) {
      c.paired = true;
      this.connections++;
    }
    c.ends++;
    return side === 'client' ? new StreamEnd(this, c, c.toServer, c.toClient) : new StreamEnd(this, c, c.toClient, c.toServer);
  }

  /** @internal */
  release(c: CheckedConnection): void {
    if (--c.ends === 0 && this.open.get(c.key) === c) this.open.delete(c.key);
  }

  /** @internal */
  verified(bytes: number): void {
    this.bytesVerified += bytes;
  }

  /** @internal */
  report(v: StreamViolation, receiverHost: string): void {
    this.violationCount++;
    if (this.violations.length >= VIOLATIONS_KEPT_MAX) return;
    this.violations.push(v);
    const { t, conn, ...fields } = v;
    this.sim.trace.write({ t, kind: 'tcp.stream-violation', host: receiverHost, conn, fields });
  }

  summary(): StreamCheckSummary {
    return { connections: this.connections, open: this.open.size, bytesVerified: this.bytesVerified, violationCount: this.violationCount, violations: [...this.violations] };
  }
}

/** The first k < n where a[aAt + k] and b[bAt + k] differ, or -1. */
function firstDifference(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number, n: number): number {
  for (let k = 0; k < n; k++) if (a[aAt + k] !== b[bAt + k]) return k;
  return -1;
}

/** The host name of one end of a connection id 'a:32768>b:80' (0: the client, 1: the server). */
function peerHost(conn: string, end: 0 | 1): string {
  const part = conn.split('>')[end]!;
  return part.slice(0, part.lastIndexOf(':'));
}
