/** Small worlds for TCP tests: a simulation, a network with given link options, and trace filters. */
import type { ActorContext } from '../../sim/core/context.js';
import { Simulation } from '../../sim/core/simulation.js';
import { MemorySink, type TraceRecord } from '../../sim/core/trace.js';
import { netOf, type NetApi } from '../../sim/net/api.js';
import type { LinkOptions } from '../../sim/net/link.js';
import { Network } from '../../sim/net/network.js';
import type { Packet } from '../../sim/net/packet.js';
import type { TcpOptions } from '../../sim/net/tcp/options.js';

export function world(options: { seed?: number; link?: Partial<LinkOptions>; tcp?: Partial<TcpOptions>; tracePackets?: boolean; checkStreams?: boolean } = {}) {
  const sink = new MemorySink();
  const sim = new Simulation({ seed: options.seed ?? 1, sinks: [sink] });
  const net = new Network(sim, { link: { latency: '10ms', ...options.link }, tcp: options.tcp, tracePackets: options.tracePackets ?? true, checkStreams: options.checkStreams });
  const client = net.host('client');
  const server = net.host('server');
  return { sim, net, sink, client, server };
}

export const api = (ctx: ActorContext): NetApi => netOf(ctx);

/** Packets a host sent with exactly these TCP flags. */
export function sent(records: TraceRecord[], host: string, flags: string): TraceRecord[] {
  return records.filter((r) => r.kind === 'pkt.send' && r.host === host && r.fields?.flags === flags);
}

export const text = (bytes: Uint8Array | null) => (bytes === null ? null : new TextDecoder().decode(bytes));

/** Deterministic test bytes: byte i is (i * 7 + 3) mod 251, so any reordering or loss shows. */
export function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + 3) % 251;
  return out;
}

export function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Drops the first TCP segment from `from` to `to` carrying more than `minLen` bytes, once; returns when it
 * did (undefined: not yet).
 */
export function dropFirstSegment(net: Network, from: string, to: string, minLen = 0): () => number | undefined {
  const link = net.link(from, to);
  const send = link.send.bind(link);
  let droppedAt: number | undefined;
  link.send = (p: Packet) => {
    if (droppedAt === undefined && p.proto === 'tcp' && (p.data?.byteLength ?? 0) > minLen) {
      droppedAt = net.sim.now;
      return;
    }
    send(p);
  };
  return () => droppedAt;
}
