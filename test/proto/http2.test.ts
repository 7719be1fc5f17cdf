import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../../sim/core/context.js';
import { applyFault } from '../../sim/core/fault-schedule.js';
import type { Network } from '../../sim/net/network.js';
import { createHttpServer, HttpAgent, type HttpHandler, type HttpResponse } from '../../sim/proto/http1.js';
import { createHttp2Server, decodeHeaderBlock, FrameDecoder, Http2Client, type Http2ServerOptions } from '../../sim/proto/http2.js';
import { dataFrame, encodeHeaderBlock, goawayFrame, headersFrame, settingsFrame, windowUpdateFrame } from '../../sim/proto/http2-frames.js';
import { dataSegments, ms, records, sends, world } from './http1-helpers.js';
import { RequestContext } from '../../sim/requests/context.js';
import { dropFirstSegment } from '../net/tcp-helpers.js';

type Failure = { code: string; message: string; atUs: number; retryable?: boolean };

async function outcome(ctx: ActorContext, p: Promise<HttpResponse>): Promise<Failure | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    const e = err as { code: string; message: string; retryable?: boolean };
    return { code: e.code, message: e.message, atUs: ctx.now, ...(e.retryable !== undefined ? { retryable: e.retryable } : {}) };
  }
}

/** An HTTP/2 server on s:80 (a daemon actor); `handler` gets the server's context. */
function serve2(net: Network, options: Partial<Http2ServerOptions>, handler: (ctx: ActorContext) => HttpHandler): void {
  net.host('s').spawn('server', (ctx) => void createHttp2Server(ctx, options, handler(ctx)).listen(80), { daemon: true });
}

/** Handler: answers after `delayMs` (from the path '/<bytes>?delay=<ms>') with that many body bytes. */
const sized = (ctx: ActorContext): HttpHandler => async (req, res) => {
  const m = /^\/(\d+)(?:\?delay=(\d+))?$/.exec(req.path);
  if (m?.[2]) await ctx.sleep(ms(Number(m[2])));
  res.end({ bodyBytes: Number(m?.[1] ?? 0) });
};

/** Drops, once, the first segment from `from` to `to` whose data is longer than `minLen` bytes. */
describe('HTTP/2: frames', () => {
  it('the decoder reads frames fed one byte at a time, and refuses one above SETTINGS_MAX_FRAME_SIZE', () => {
    const headers: [string, string][] = [[':status', '200'], ['content-length', '20000']];
    const wire = [settingsFrame([[4, 65_535]]), headersFrame(1, encodeHeaderBlock(headers), false), dataFrame(1, 16_384, false), dataFrame(1, 3_616, true), windowUpdateFrame(0, 32_768), goawayFrame(1, 0)];
    // 9-byte headers: each frame is its payload plus 9.
    expect(wire.map((f) => f.byteLength)).toEqual([9 + 6, 9 + 4 + 7 + 3 + 4 + 14 + 5, 9 + 16_384, 9 + 3_616, 9 + 4, 9 + 8]);
    const all = new Uint8Array(wire.reduce((n, f) => n + f.byteLength, 0));
    wire.reduce((at, f) => (all.set(f, at), at + f.byteLength), 0);
    const decoder = new FrameDecoder();
    const seen: string[] = [];
    for (let i = 0; i < all.byteLength; i++) {
      decoder.push(all.subarray(i, i + 1));
      for (let f = decoder.next(); f; f = decoder.next()) seen.push(`${f.type}:${f.streamId}:${f.length}:${f.flags}`);
    }
    expect(seen).toEqual(['SETTINGS:0:6:0', 'HEADERS:1:37:4', 'DATA:1:16384:0', 'DATA:1:3616:1', 'WINDOW_UPDATE:0:4:0', 'GOAWAY:0:8:0']);
    const again = new FrameDecoder();
    again.push(wire[1]!);
    expect(decodeHeaderBlock(again.next()!.payload)).toEqual(headers);
    const strict = new FrameDecoder();
    strict.push(dataFrame(1, 16_385, false));
    expect(() => strict.next()).toThrow('a frame of 16385 bytes exceeds SETTINGS_MAX_FRAME_SIZE 16384');
  });
});

describe('HTTP/2: one connection, many streams', () => {
  it('20 concurrent requests share one TCP connection (one SYN, one connection id, streams 1, 3, … 39)', async () => {
    const { sim, net, sink } = world();
    serve2(net, {}, sized);
    const conns = new Set<string | undefined>();
    let connections = 0;
    net.host('c').spawn('client', async (ctx) => {
      const client = new Http2Client(ctx, { host: 's', port: 80 });
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => client.request({ path: `/${10 * i}`, headers: { 'x-request-id': `r${i}` } })));
      for (const r of responses) conns.add(r.connectionId);
      expect(responses.map((r) => r.bodyBytes)).toEqual(Array.from({ length: 20 }, (_, i) => 10 * i));
      connections = client.stats.connections;
      client.close();
    });
    const result = await sim.run();
    expect(result.failures).toEqual([]);
    expect(result.stop).toBe('idle');
    expect(sends(sink, 'c', 'SYN')).toHaveLength(1);
    expect(conns.size).toBe(1);
    expect(connections).toBe(1);
    expect(records(sink, 'http2.stream-open', 'c').map((r) => r.fields?.stream)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i + 1));
    expect(records(sink, 'http.request', 's').map((r) => [r.fields?.protocol, r.fields?.status])).toHaveLength(20);
    // All sent in the first flight after the preface: every response is in one round trip after the handshake.
    expect(records(sink, 'http.request', 'c').every((r) => r.t === ms(4))).toBe(true);
  });

  it('with maxConcurrentStreams 2 the third concurrent request waits in the client until a stream frees', async () => {
    const { sim, net, sink } = world();
    serve2(net, { maxConcurrentStreams: 2 }, sized);
    const done: [string, number][] = [];
    let queuedWhileBusy = -1;
    net.host('c').spawn('client', async (ctx) => {
      const client = new Http2Client(ctx, { host: 's', port: 80 });
      await client.request({ path: '/0' }); // the server's SETTINGS (limit 2) arrive with it
      const t0 = ctx.now;
      const all = ['a', 'b', 'c'].map(async (name) => {
        await client.request({ path: '/100?delay=50' });
        done.push([name, ctx.now - t0]);
      });
      queuedWhileBusy = client.queuedRequests;
      await Promise.all(all);
      client.close();
    });
    await sim.run();
    expect(queuedWhileBusy).toBe(1);
    // a and b: 1 + 50 + 1 ms; c is sent when the first response is in, and takes as long again.
    expect(done).toEqual([
      ['a', ms(52)],
      ['b', ms(52)],
      ['c', ms(104)],
    ]);
    expect(records(sink, 'http2.refused-stream')).toEqual([]);
  });

  it("before the server's SETTINGS arrive the client assumes 100 streams (Node's default): a stream past a lower limit is refused, REFUSED_STREAM, retryable", async () => {
    const { sim, net, sink } = world();
    serve2(net, { maxConcurrentStreams: 2 }, sized);
    const outcomes: (Failure | 'ok')[] = [];
    net.host('c').spawn('client', async (ctx) => {
      const client = new Http2Client(ctx, { host: 's', port: 80 });
      outcomes.push(...(await Promise.all([0, 1, 2].map(() => outcome(ctx, client.request({ path: '/10?delay=5' }))))));
      client.close();
    });
    await sim.run();
    expect(outcomes).toEqual(['ok', 'ok', { code: 'ERR_HTTP2_STREAM_ERROR', message: 'Stream closed with error code NGHTTP2_REFUSED_STREAM', atUs: ms(4), retryable: true }]);
    expect(records(sink, 'http2.refused-stream', 's').map((r) => r.fields?.stream)).toEqual([5]);
  });

  it('a 1 MiB response arrives intact as DATA frames of at most 16 384 bytes, in full segments', async () => {
    const { sim, net, sink } = world();
    serve2(net, {}, sized);
    let response: HttpResponse | undefined;
    let dataFrames = 0;
    net.host('c').spawn('client', async (ctx) => {
      const client = new Http2Client(ctx, { host: 's', port: 80 });
      response = await client.request({ path: `/${1 << 20}` });
      dataFrames = client.stats.framesReceived.DATA ?? 0;
      client.close();
    });
    await sim.run();
    expect(response).toMatchObject({ status: 200, bodyBytes: 1_048_576, headers: { 'content-length': '1048576' } });
    // 64 frames of SETTINGS_MAX_FRAME_SIZE, and one more where the connection window cut a frame short.
    expect(dataFrames).toBe(65);
    const segments = dataSegments(sink, 's');
    const bytes = segments.reduce((n, r) => n + (r.fields?.len as number), 0);
    // The body and one 9-byte header per DATA frame are on the wire, with the HEADERS and SETTINGS frames.
    expect(bytes).toBeGreaterThan(1_048_576 + 64 * 9);
    expect(segments.length).toBeGreaterThanOrEqual(Math.ceil(1_048_576 / 1460));
    expect(segments.filter((r) => r.fields?.len === 1460).length).toBeGreaterThan(700);
  });
});

describe('HTTP/2: flow control', () => {
  /** One response of `bytes`; what the client's window updates and the server's sending looked like. */
  async function fetch(bytes: number, settings: { initialWindowSize?: number } = {}) {
    const { sim, net } = world();
    serve2(net, {}, sized);
    let took = 0;
    let body = 0;
    let updatesSent = 0;
    net.host('c').spawn('client', async (ctx) => {
      const client = new Http2Client(ctx, { host: 's', port: 80, settings });
      await client.request({ path: '/0' }); // connected: time only the transfer
      const t0 = ctx.now;
      body = (await client.request({ path: `/${bytes}` })).bodyBytes;
      took = ctx.now - t0;
      updatesSent = client.stats.framesSent.WINDOW_UPDATE ?? 0;
      client.close();
    });
    const result = await sim.run();
    expect(result.failures).toEqual([]);
    return { took, body, updatesSent };
  }

  it('a body within the 65 535-byte windows needs no WINDOW_UPDATE; a larger one completes only because the client sends them', async () => {
    const small = await fetch(30_000);
    expect(small).toMatchObject({ body: 30_000, updatesSent: 0 });
    const large = await fetch(200_000);
    expect(large.body).toBe(200_000);
    // Half a window (32 767 bytes) consumed gives it back, on the stream and on the connection: without these
    // the server would stop at 65 535 bytes and the request would never finish.
    // The 134 465 bytes past the first windows need at least four updates of about 32 KiB on the stream and
    // as many on the connection.
    expect(large.updatesSent).toBe(10);
  });

  it('the stream window paces the sender: with a 16 KiB window 1 MiB takes more than twice as long as with 64 KiB', async () => {
    const normal = await fetch(1 << 20);
    const narrow = await fetch(1 << 20, { initialWindowSize: 16_384 });
    expect(narrow.body).toBe(1 << 20);
    // At most 16 KiB per round trip (2 ms): 64 round trips at least.
    expect(narrow.took).toBeGreaterThanOrEqual(64 * ms(2));
    expect(narrow.took).toBeGreaterThan(2 * normal.took);
  });
});

describe('HTTP/2: head-of-line blocking', () => {
  /**
   * Requests /a (answered at once, 1000 bytes) and /b (answered 5 ms later, 1000 bytes) at the same moment,
   * over HTTP/2 or over two HTTP/1.1 connections; optionally the segment carrying /a's response is lost.
   */
  async function pair(protocol: 'h2' | 'h1', lose: boolean) {
    const { sim, net, sink } = world();
    const handler = (ctx: ActorContext): HttpHandler => async (req, res) => {
      if (req.path === '/b') await ctx.sleep('5ms');
      res.end({ bodyBytes: 1000 });
    };
    if (protocol === 'h2') serve2(net, {}, handler);
    else net.host('s').spawn('server', (ctx) => void createHttpServer(ctx, {}, handler(ctx)).listen(80), { daemon: true });
    const finished: Record<string, number> = {};
    const clientHost = net.host('c');
    const droppedAt = lose ? dropFirstSegment(net, 's', 'c', 500) : () => undefined;
    clientHost.spawn('client', async (ctx) => {
      const client = protocol === 'h2' ? new Http2Client(ctx, { host: 's', port: 80 }) : new HttpAgent(ctx, { host: 's', port: 80 });
      await Promise.all(
        ['/a', '/b'].map(async (path) => {
          await client.request({ path, headers: { 'x-request-id': path } });
          finished[path] = ctx.now;
        }),
      );
      client.close();
    });
    const result = await sim.run();
    expect(result.failures).toEqual([]);
    // When /b's response reached the client host (the first response segment to arrive, /a's being lost), whatever TCP then did with it.
    const bArrived = sink.records.find((r) => r.kind === 'pkt.recv' && r.host === 'c' && (r.fields?.len as number) > 500)?.t;
    return { finished, droppedAt: droppedAt(), bArrived, retransmits: records(sink, 'tcp.retransmit', 's').map((r) => r.fields?.reason) };
  }

  it("over HTTP/2 a lost segment of /a's response holds /b's response, which arrived, until the retransmission (RTO ≥ 200 ms)", async () => {
    const clean = await pair('h2', false);
    expect(clean.finished).toEqual({ '/a': ms(4), '/b': ms(9) });
    const lossy = await pair('h2', true);
    expect(lossy.droppedAt).toBe(ms(3));
    // /b's bytes were at the client at 9 ms, but behind the hole in the byte stream: TCP holds them.
    expect(lossy.bArrived).toBe(ms(9));
    expect(lossy.retransmits).toEqual(['timeout']); // one duplicate ACK is too few for fast retransmit
    expect(lossy.finished['/b']).toBe(lossy.finished['/a']);
    expect(lossy.finished['/b']! - clean.finished['/b']!).toBeGreaterThan(ms(190));
  });

  it('over two HTTP/1.1 connections the same loss delays only /a', async () => {
    const lossy = await pair('h1', true);
    expect(lossy.finished['/b']).toBeLessThan(ms(20));
    expect(lossy.finished['/a']).toBeGreaterThan(ms(200));
  });
});

describe('HTTP/2: failures', () => {
  it('a connection that ends under open streams (the server process killed) fails every one with ECONNRESET at the same moment', async () => {
    const { sim, net } = world();
    serve2(net, {}, sized);
    const outcomes: (Failure | 'ok')[] = [];
    net.host('c').spawn('client', async (ctx) => {
      const client = new Http2Client(ctx, { host: 's', port: 80 });
      const pending = [0, 1, 2].map(() => outcome(ctx, client.request({ path: '/10?delay=100' })));
      ctx.timer('50ms', () => applyFault(net, { kind: 'kill', host: 's' })); // the OS closes the server's connections
      outcomes.push(...(await Promise.all(pending)));
      client.close();
    });
    const result = await sim.run();
    expect(result.failures).toEqual([]);
    // The kernel closes the killed server's connection with a FIN (it had read every request): the open streams
    // fail together when it arrives, as a connection that ends before their responses.
    const reset = { code: 'ECONNRESET', message: 'socket hang up', atUs: ms(51) };
    expect(outcomes).toEqual([reset, reset, reset]);
  });

  it('a connect that gets no answer fails with UND_ERR_CONNECT_TIMEOUT at 10 s; a closed port with ECONNREFUSED, queued requests too', async () => {
    const { sim, net } = world();
    net.host('s');
    const outcomes: (Failure | 'ok')[] = [];
    net.host('c').spawn('client', async (ctx) => {
      const refused = new Http2Client(ctx, { host: 's', port: 81 });
      outcomes.push(...(await Promise.all([0, 1].map(() => outcome(ctx, refused.request({ path: '/' }))))));
      applyFault(net, { kind: 'partition', a: 's' });
      const client = new Http2Client(ctx, { host: 's', port: 80 });
      const started = ctx.now;
      const o = await outcome(ctx, client.request({ path: '/' }));
      outcomes.push(o === 'ok' ? o : { ...o, atUs: o.atUs - started });
      refused.close();
      client.close();
    });
    await sim.run();
    const econnrefused = { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.1:81', atUs: ms(2) };
    expect(outcomes).toEqual([econnrefused, econnrefused, { code: 'UND_ERR_CONNECT_TIMEOUT', message: 'Connect Timeout Error (attempted address: s:80, timeout: 10000ms)', atUs: 10_000_000 }]);
  });

  it('a request timeout cancels its stream (RST_STREAM CANCEL); the connection carries on', async () => {
    const { sim, net, sink } = world();
    serve2(net, {}, sized);
    const outcomes: (Failure | 'ok')[] = [];
    net.host('c').spawn('client', async (ctx) => {
      const client = new Http2Client(ctx, { host: 's', port: 80 });
      outcomes.push(await outcome(ctx, client.request({ path: '/10?delay=1000', timeoutMs: 100 })));
      outcomes.push(await outcome(ctx, client.request({ path: '/10' })));
      client.close();
    });
    await sim.run();
    expect(outcomes).toEqual([{ code: 'ERR_HTTP_REQUEST_TIMEOUT', message: 'request timed out after 100ms (GET /10?delay=1000)', atUs: ms(100) }, 'ok']);
    expect(records(sink, 'http2.rst-stream', 's').map((r) => [r.fields?.direction, r.fields?.stream, r.fields?.code])).toEqual([['received', 1, 'CANCEL']]);
    expect(sends(sink, 'c', 'SYN')).toHaveLength(1);
  });

  it('readTimeoutMs and a context\'s deadline work as the HTTP/1.1 agent’s, cancelling only the stream', async () => {
    const { sim, net, sink } = world();
    serve2(net, {}, sized);
    const outcomes: (Failure | 'ok')[] = [];
    net.host('c').spawn('client', async (ctx) => {
      const client = new Http2Client(ctx, { host: 's', port: 80 });
      await client.request({ path: '/0' });
      const t0 = ctx.now;
      const [silent, late] = await Promise.all([
        outcome(ctx, client.request({ path: '/10?delay=500', readTimeoutMs: 50 })),
        outcome(ctx, client.request({ path: '/10?delay=500', context: RequestContext.named(ctx, undefined, t0 + ms(80)) })),
      ]);
      outcomes.push({ ...(silent as Failure), atUs: (silent as Failure).atUs - t0 }, { ...(late as Failure), atUs: (late as Failure).atUs - t0 });
      client.close();
    });
    await sim.run();
    expect(outcomes).toEqual([
      { code: 'UND_ERR_HEADERS_TIMEOUT', message: 'Headers Timeout Error (no response head in 50ms)', atUs: ms(50) },
      { code: 'ERR_HTTP_REQUEST_TIMEOUT', message: 'request timed out after 80ms (GET /10?delay=500)', atUs: ms(80) },
    ]);
    expect(sends(sink, 'c', 'SYN')).toHaveLength(1);
  });

  it('server close(): GOAWAY, open streams finish, a later request opens a new connection', async () => {
    const { sim, net, sink } = world();
    net.host('s').spawn(
      'server',
      (ctx) => {
        const server = createHttp2Server(ctx, {}, sized(ctx)).listen(80);
        ctx.timer('20ms', () => server.close());
        ctx.timer('40ms', () => createHttp2Server(ctx, {}, sized(ctx)).listen(80));
      },
      { daemon: true },
    );
    const outcomes: (Failure | 'ok')[] = [];
    net.host('c').spawn('client', async (ctx) => {
      const client = new Http2Client(ctx, { host: 's', port: 80 });
      outcomes.push(await outcome(ctx, client.request({ path: '/10?delay=30' })));
      await ctx.sleep('20ms');
      outcomes.push(await outcome(ctx, client.request({ path: '/10' })));
      client.close();
    });
    const result = await sim.run();
    expect(result.failures).toEqual([]);
    expect(outcomes).toEqual(['ok', 'ok']);
    expect(records(sink, 'http2.goaway', 'c').map((r) => [r.t, r.fields?.direction, r.fields?.lastStreamId, r.fields?.code])).toContainEqual([ms(21), 'received', 1, 'NO_ERROR']);
    expect(sends(sink, 'c', 'SYN')).toHaveLength(2);
  });

  it('a stream the server never processed (id above GOAWAY last-stream-id) fails with ERR_HTTP2_GOAWAY_SESSION, retryable', async () => {
    const { sim, net } = world();
    serve2(net, { idleTimeoutMs: 1000 }, sized);
    const outcomes: (Failure | 'ok')[] = [];
    net.host('c').spawn('client', async (ctx) => {
      const client = new Http2Client(ctx, { host: 's', port: 80 });
      outcomes.push(await outcome(ctx, client.request({ path: '/10' })));
      // The server's idle GOAWAY leaves at 1.003 s and lands at 1.004 s; this request crosses it.
      await ctx.sleep(ms(1000 - 1));
      outcomes.push(await outcome(ctx, client.request({ path: '/10' })));
      client.close();
    });
    const result = await sim.run();
    expect(result.failures).toEqual([]);
    expect(outcomes).toEqual(['ok', { code: 'ERR_HTTP2_GOAWAY_SESSION', message: 'the server sent GOAWAY (NO_ERROR, last stream 1) before processing this stream', atUs: ms(1004), retryable: true }]);
  });

  it('bad options get one line naming the field', () => {
    const { net } = world();
    const errors: string[] = [];
    net.host('c').spawn('client', (ctx) => {
      const attempts: (() => unknown)[] = [
        () => new Http2Client(ctx, { host: 's', port: 0 }),
        () => new Http2Client(ctx, { host: '', port: 80 }),
        () => new Http2Client(ctx, { host: 's', port: 80, peerMaxConcurrentStreams: 0 }),
        () => new Http2Client(ctx, { host: 's', port: 80, settings: { maxFrameSize: 1000 } }),
        () => createHttp2Server(ctx, { maxConcurrentStreams: -1 }, () => {}),
        () => createHttp2Server(ctx, { idleTimeoutMs: 1.5 }, () => {}),
        () => createHttp2Server(ctx, { maxStreams: 5 } as never, () => {}),
        () => createHttp2Server(ctx, { initialWindowSize: 2 ** 31 }, () => {}),
      ];
      for (const attempt of attempts) {
        try {
          attempt();
          errors.push('no error');
        } catch (err) {
          errors.push(`${(err as Error).name}: ${(err as Error).message}`);
        }
      }
    });
    return net.sim.run().then(() => {
      expect(errors).toEqual([
        'SimError: http2Client.port: expected an integer from 1 to 65535, got 0',
        'SimError: http2Client.host: expected a host name or address, got ""',
        'SimError: http2Client.peerMaxConcurrentStreams: expected a positive integer, got 0',
        'SimError: http2Client.settings.maxFrameSize: expected an integer from 16384 to 16777215, got 1000',
        'SimError: http2Server.maxConcurrentStreams: expected an integer from 0 to 4294967295, got -1',
        'SimError: http2Server.idleTimeoutMs: expected a non-negative integer, got 1.5',
        'SimError: http2Server.maxStreams: not an HTTP/2 server option (options: maxConcurrentStreams, idleTimeoutMs, initialWindowSize, maxFrameSize)',
        'SimError: http2Server.initialWindowSize: expected an integer from 1 to 2147483647, got 2147483648',
      ]);
      expect(errors.every((e) => !e.includes('\n'))).toBe(true);
    });
  });
});

describe('HTTP/2: the HTTP/1.1 handler and options', () => {
  it('one handler serves both protocols with the same answers; HTTP/2 drops connection-specific headers', async () => {
    const { sim, net } = world();
    const handler: HttpHandler = (req, res) => res.end({ status: 201, bodyBytes: 42, headers: { 'x-seen': `${req.method} ${req.path} ${req.headers.host} ${req.requestId}`, connection: 'close' } });
    net.host('s').spawn(
      'server',
      (ctx) => {
        createHttpServer(ctx, {}, handler).listen(80);
        createHttp2Server(ctx, {}, handler).listen(81);
      },
      { daemon: true },
    );
    const got: Record<string, unknown>[] = [];
    net.host('c').spawn('client', async (ctx) => {
      for (const client of [new HttpAgent(ctx, { host: 's', port: 80 }), new Http2Client(ctx, { host: 's', port: 81 })]) {
        const r = await client.request({ method: 'POST', path: '/x', bodyBytes: 100, headers: { 'x-request-id': 'id-1' } });
        got.push({ status: r.status, bodyBytes: r.bodyBytes, seen: r.headers['x-seen'], connection: r.headers.connection });
        client.close();
      }
    });
    await sim.run();
    expect(got).toEqual([
      { status: 201, bodyBytes: 42, seen: 'POST /x s id-1', connection: 'close' },
      { status: 201, bodyBytes: 42, seen: 'POST /x s:81 id-1', connection: undefined },
    ]);
  });

  it('with TLS 1.3 the handshake costs one round trip more, once for all streams', async () => {
    async function firstResponseAt(tls: boolean) {
      const { sim, net, sink } = world();
      net.host('s').spawn('server', (ctx) => void createHttp2Server(ctx, tls ? { tls: { serverCpu: 0, clientCpu: 0 } } : {}, sized(ctx)).listen(80), { daemon: true });
      let at = 0;
      net.host('c').spawn('client', async (ctx) => {
        const client = new Http2Client(ctx, { host: 's', port: 80, ...(tls ? { tls: { serverCpu: 0, clientCpu: 0 } } : {}) });
        await Promise.all([0, 1, 2, 3].map(() => client.request({ path: '/10' })));
        at = ctx.now;
        client.close();
      });
      await sim.run();
      return { at, syns: sends(sink, 'c', 'SYN').length };
    }
    const plain = await firstResponseAt(false);
    const tls = await firstResponseAt(true);
    expect(plain).toEqual({ at: ms(4), syns: 1 });
    expect(tls).toEqual({ at: ms(6), syns: 1 });
  });
});
