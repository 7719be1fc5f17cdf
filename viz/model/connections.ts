/**
 * TCP connections from their tcp.state records. The trace names a connection 'a:port>b:port' (initiator
 * first) on both ends' records; it is open from its first state change until every side that had a state is
 * CLOSED again. An id can come back later (an ephemeral port reused after TIME_WAIT): a SYN on a closed
 * id starts a new connection.
 *
 * API:
 *   ConnectionTableBuilder   state/rst/retransmit per record; connections (in open order)
 *   linkLoadAt(conns, tUs)   connections per (fromHost, toHost) at t, by phase (connecting, established,
 *                            closing): the topology's live figures
 *
 * A crashed host's sockets vanish without a state record, so their connections stay open in the model
 * (closedUs null) unless the far side closes; that is what the simulated peer saw too.
 */
import type { TraceRecord } from 'faultline';
import type { ConnectionInfo } from './types.js';

export class ConnectionTableBuilder {
  readonly connections: ConnectionInfo[] = [];
  private readonly byId = new Map<string, ConnectionInfo>();
  /** Sides (per connection) currently out of CLOSED. */
  private readonly openSides = new Map<ConnectionInfo, number>();

  state(index: number, tUs: number, id: string, from: unknown, to: unknown): void {
    let c = this.byId.get(id);
    if (c === undefined || (c.closedUs !== null && from === 'CLOSED')) {
      c = newConnection(id, tUs);
      this.byId.set(id, c);
      this.connections.push(c);
      this.openSides.set(c, 0);
    }
    c.states.push(index);
    if (to === 'ESTABLISHED' && c.establishedUs === null) c.establishedUs = tUs;
    if (from === 'ESTABLISHED' && c.closingUs === null) c.closingUs = tUs;
    let open = this.openSides.get(c)!;
    if (from === 'CLOSED' && to !== 'CLOSED') open++;
    else if (to === 'CLOSED' && from !== 'CLOSED') open--;
    this.openSides.set(c, open);
    c.closedUs = open <= 0 ? tUs : null;
  }

  rst(r: TraceRecord): void {
    const c = this.byId.get(String(r.conn));
    if (c !== undefined) c.rsts++;
  }

  retransmit(r: TraceRecord): void {
    const c = this.byId.get(String(r.conn));
    if (c !== undefined) c.retransmits++;
  }
}

function newConnection(id: string, tUs: number): ConnectionInfo {
  // 'client:32768>server:8080'; host names cannot hold ':' or '>' (the simulator refuses them).
  const gt = id.indexOf('>');
  const [fromHost, fromPort] = endpoint(gt < 0 ? id : id.slice(0, gt));
  const [toHost, toPort] = endpoint(gt < 0 ? '' : id.slice(gt + 1));
  return { id, fromHost, toHost, fromPort, toPort, openUs: tUs, establishedUs: null, closingUs: null, closedUs: null, states: [], rsts: 0, retransmits: 0 };
}

function endpoint(text: string): [string, number | null] {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return [text, null];
  const port = Number(text.slice(colon + 1));
  return [text.slice(0, colon), Number.isInteger(port) ? port : null];
}

/** A link's connections at an instant, by phase; `open` is all three. */
export interface LinkLoad {
  fromHost: string;
  toHost: string;
  open: number;
  /** SYN sent, not yet established. */
  connecting: number;
  established: number;
  /** A side has left ESTABLISHED and not every side is CLOSED: FIN_WAIT, CLOSE_WAIT, TIME_WAIT (60 s on Linux). */
  closing: number;
}

/** Connections open at t, counted per initiator → acceptor pair ('a>b' keys, in first-seen order). */
export function linkLoadAt(connections: readonly ConnectionInfo[], tUs: number): Map<string, LinkLoad> {
  const out = new Map<string, LinkLoad>();
  for (const c of connections) {
    if (c.openUs > tUs || (c.closedUs !== null && c.closedUs <= tUs)) continue;
    const key = `${c.fromHost}>${c.toHost}`;
    let entry = out.get(key);
    if (entry === undefined) {
      entry = { fromHost: c.fromHost, toHost: c.toHost, open: 0, connecting: 0, established: 0, closing: 0 };
      out.set(key, entry);
    }
    entry.open++;
    if (c.closingUs !== null && c.closingUs <= tUs) entry.closing++;
    else if (c.establishedUs !== null && c.establishedUs <= tUs) entry.established++;
    else entry.connecting++;
  }
  return out;
}
