/**
 * The visualizer's data model, as plain types: what one run's trace says, arranged for drawing.
 *
 * API (stable; the app in viz/app imports these):
 *   TraceRecord        one JSONL line as JSON.parse gives it (the trace format, sim/core/trace.ts)
 *   HostInfo           a host: name, ip (from net.host) or null, lane index
 *   ActorInfo          an actor: host, name, 'host/name' address, first seen, crashes
 *   ConnectionInfo     a TCP connection by its trace id 'a:port>b:port': ends, open interval, tcp.state records
 *   RequestInfo        a ledger request: origin, start/end, outcome, attempts, its req.span record indexes
 *   Span               one request phase on one host, made on demand from a req.span record
 *   Packet             one row of the packet table as an object (sequence diagram hit-testing, tooltips)
 *   PoolInfo           a connection pool found in the gauge names, with its series and its maximum if known
 *   FaultPeriod        a fault from its start to its end (null: still on when the trace ends)
 *   IndexRange         a half-open range [start, end) of record indexes
 *   ThroughputBucket, LatencyBucket   rows of the request charts
 *
 * Everything the model holds is structured-cloneable (arrays, typed arrays, Maps, plain objects), so a model
 * built in a Web Worker can cross postMessage; RunModel.revive restores its methods on the other side.
 * Times are virtual microseconds (µs) throughout, as in the trace. Names from the trace (hosts, actors,
 * phases, outcomes) are untrusted text: the app must render them as text (textContent, never innerHTML).
 */
import type { GaugeSeries } from './gauges.js';

export type { TraceRecord } from 'faultline';

export interface HostInfo {
  name: string;
  /** From the host's net.host record; null for a host that is not on the network. */
  ip: string | null;
  /** Position in the trace's host order (first appearance): the lane of the sequence diagram. */
  index: number;
}

export interface ActorInfo {
  host: string;
  name: string;
  /** 'host/name', as the simulator addresses actors. */
  address: string;
  /** Time of the first record naming it (usually its actor.start). */
  firstUs: number;
  /** actor.crash records for it. */
  crashes: number;
}

export interface ConnectionInfo {
  /** The trace's conn id: 'client:32768>server:8080' (initiator first). */
  id: string;
  fromHost: string;
  toHost: string;
  fromPort: number | null;
  toPort: number | null;
  /** Its first tcp.state record (the SYN_SENT). */
  openUs: number;
  /** When a side first reached ESTABLISHED; null: never (refused, timed out, reset while connecting). */
  establishedUs: number | null;
  /** When a side first left ESTABLISHED (a FIN, a reset): from then on it is closing, TIME_WAIT included. */
  closingUs: number | null;
  /** When the last side with a state reached CLOSED; null: not closed when the trace ends. */
  closedUs: number | null;
  /** Record indexes of its tcp.state records, in time order (both sides: the record's host says which). */
  states: number[];
  /** tcp.rst records naming it (sent and received). */
  rsts: number;
  /** tcp.retransmit records naming it. */
  retransmits: number;
}

export interface RequestInfo {
  /** The ledger's id: 'r1', 'r2', … */
  id: string;
  /** Host that started it (the client). */
  origin: string;
  startUs: number;
  /** null: still in flight when the trace ends. */
  endUs: number | null;
  /** 'ok', an error name ('504', 'ECONNRESET', …), or null while in flight. */
  outcome: string | null;
  attempts: number;
  /** Record index of its req.start. */
  startRecord: number;
  /** Record index of its req.end, or -1. */
  endRecord: number;
  /** Record indexes of its req.span records, in trace order (a span is written when it ends). */
  spans: number[];
}

export interface Span {
  phase: string;
  /** Where the phase ran. */
  host: string;
  startUs: number;
  endUs: number;
  attempt: number;
  /** Its req.span record index. */
  record: number;
}

export interface Packet {
  /** The simulator's packet id. */
  id: number;
  /** The sending host, or '?' when the record names none. */
  fromHost: string;
  /** The receiving host (from pkt.recv, else the destination address's host), or '?' when unknown. */
  toHost: string;
  sendUs: number;
  recvUs: number | null;
  dropUs: number | null;
  dropReason: string | null;
  flags: string;
  len: number;
  /** Record index of its pkt.send. */
  sendRecord: number;
}

export interface PoolInfo {
  /** From the gauge names 'pool.<name>.<total|active|idle|pending>'. */
  name: string;
  /** Host, from its pool.timeout records; null when it never timed out. */
  host: string | null;
  /** Its maximum size: the largest `total` its pool.timeout records show (a waiter times out only at the cap); else null. */
  maxSize: number | null;
  /** Its gauges ('pool.<name>.total' …), or null where the trace has no such gauge (the same objects as in RunModel.gauges). */
  total: GaugeSeries | null;
  active: GaugeSeries | null;
  idle: GaugeSeries | null;
  pending: GaugeSeries | null;
  /** Record indexes of its pool.timeout records (the acquire-timeout markers). */
  timeouts: number[];
}

export interface FaultPeriod {
  /** The fault's kind: partition, hold, crash, kill, stop, pause, slow, latency, loss, link, drain. */
  kind: string;
  /** One line for a legend: 'partition gw → svc-1', 'slow db ×20', 'crash service'. */
  label: string;
  /** Hosts it touches. */
  targets: string[];
  /** Link faults: the directed links (from, to) it covered when it began; absent for host faults. */
  links?: [string, string][];
  fromUs: number;
  /** When it ended (heal, release, restart, resume, slow 1, the next change of the same links); null: still on. */
  toUs: number | null;
  /** Record index of the record that began it. */
  record: number;
}

/** Record indexes [start, end). */
export interface IndexRange {
  start: number;
  end: number;
}

export interface ThroughputBucket {
  fromUs: number;
  toUs: number;
  ok: number;
  failed: number;
  /** Failed requests by outcome ('504', 'ECONNRESET', …), in first-seen order. */
  byOutcome: Map<string, number>;
}

export interface LatencyBucket {
  fromUs: number;
  toUs: number;
  /** Successful requests that ended in the bucket. */
  count: number;
  /** Latency percentiles (nearest rank) and maximum, µs; null when count is 0. */
  p50Us: number | null;
  p99Us: number | null;
  maxUs: number | null;
}
