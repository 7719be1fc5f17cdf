/** Small worlds for HTTP/1.1 tests: a client host 'c' and a server host 's' 1 ms apart, and trace filters. */
import type { ActorContext } from '../../sim/core/context.js';
import { Simulation } from '../../sim/core/simulation.js';
import { MemorySink, type TraceRecord } from '../../sim/core/trace.js';
import { Network } from '../../sim/net/network.js';
import { createHttpServer, type HttpHandler, type HttpServerOptions } from '../../sim/proto/http1.js';

export function world(seed = 1) {
  const sink = new MemorySink();
  const sim = new Simulation({ seed, sinks: [sink] });
  const net = new Network(sim, { link: { latency: '1ms' } });
  return { sim, net, sink };
}

/** An HTTP server on s:80 (a daemon actor); `handler` gets the server's context. */
export function serve(net: Network, options: Partial<HttpServerOptions>, handler: (ctx: ActorContext) => HttpHandler): void {
  net.host('s').spawn('server', (ctx) => void createHttpServer(ctx, options, handler(ctx)).listen(80), { daemon: true });
}

/** pkt.send records of `host`, optionally only with these TCP flags. */
export function sends(sink: MemorySink, host: string, flags?: string): TraceRecord[] {
  return sink.records.filter((r) => r.kind === 'pkt.send' && r.host === host && (flags === undefined || r.fields?.flags === flags));
}

/** Segments of `host` that carry data. */
export function dataSegments(sink: MemorySink, host: string): TraceRecord[] {
  return sends(sink, host).filter((r) => (r.fields?.len as number) > 0);
}

export function records(sink: MemorySink, kind: string, host?: string): TraceRecord[] {
  return sink.records.filter((r) => r.kind === kind && (host === undefined || r.host === host));
}

export const text = (bytes: Uint8Array | null) => (bytes === null ? null : new TextDecoder('latin1').decode(bytes));

export const ms = (n: number) => n * 1000;
