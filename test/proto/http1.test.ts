import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../../sim/core/context.js';
import { netOf } from '../../sim/net/api.js';
import { applyFault } from '../../sim/core/fault-schedule.js';
import { HttpAgent, type HttpResponse } from '../../sim/proto/http1.js';
import { dataSegments, ms, records, sends, serve, text, world } from './http1-helpers.js';

type Failure = { code: string; message: string; atUs: number };

/** Runs `p`, returning its error's code and message and when it came. */
async function failureOf(ctx: ActorContext, p: Promise<unknown>): Promise<Failure | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message, atUs: ctx.now };
  }
}

/** Everything a raw TCP client reads on s:80 after writing `request`, until the end or an error. */
async function rawExchange(ctx: ActorContext, request: string): Promise<{ text: string; end: string }> {
  const sock = await netOf(ctx).connectAsync({ host: 's', port: 80 });
  sock.write(request);
  let got = '';
  for (;;) {
    try {
      const chunk = await sock.read();
      if (chunk === null) return { text: got, end: 'EOF' };
      got += text(chunk);
    } catch (err) {
      return { text: got, end: (err as { code: string }).code };
    }
  }
}

describe('HTTP/1.1: wire format', () => {
  it('a GET and a 1 MiB response arrive intact; the response takes 719 full segments, the request one', async () => {
    const { sim, net, sink } = world();
    serve(net, {}, () => (req, res) => res.end({ bodyBytes: req.path === '/big' ? 1 << 20 : 0 }));
    let response: HttpResponse | undefined;
    net.host('c').spawn('client', async (ctx) => {
      const agent = new HttpAgent(ctx, { host: 's', port: 80 });
      response = await agent.request({ path: '/big', headers: { 'x-request-id': 'r-1' } });
      agent.close();
    });
    const result = await sim.run();
    expect(result.failures).toEqual([]);
    expect(response).toMatchObject({ status: 200, bodyBytes: 1_048_576, headers: { 'content-length': '1048576', connection: 'keep-alive', 'keep-alive': 'timeout=5' } });

    const requestHead = 'GET /big HTTP/1.1\r\nhost: s\r\nx-request-id: r-1\r\n\r\n';
    const responseHead = 'HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n';
    const clientData = dataSegments(sink, 'c');
    expect(clientData.map((r) => r.fields?.len)).toEqual([requestHead.length]);
    const serverData = dataSegments(sink, 's');
    const responseBytes = responseHead.length + 1_048_576;
    expect(serverData.reduce((n, r) => n + (r.fields?.len as number), 0)).toBe(responseBytes);
    // Every segment full but the last: ⌈(head + 1 MiB) / MSS 1460⌉.
    expect(serverData).toHaveLength(Math.ceil(responseBytes / 1460));
    expect(serverData).toHaveLength(719);
    expect(serverData.slice(0, -1).every((r) => r.fields?.len === 1460)).toBe(true);
    expect(sim.metrics.counter('tcp.segments.sent').value).toBe(sends(sink, 'c').length + sends(sink, 's').length);
  });

  it('a POST body of 100 000 bytes reaches the handler whole and takes 69 segments', async () => {
    const { sim, net, sink } = world();
    const seen: number[] = [];
    serve(net, {}, () => (req, res) => {
      seen.push(req.bodyBytes);
      res.end({ status: 201 });
    });
    let status = 0;
    net.host('c').spawn('client', async (ctx) => {
      const agent = new HttpAgent(ctx, { host: 's', port: 80 });
      status = (await agent.request({ method: 'POST', path: '/upload', bodyBytes: 100_000 })).status;
      agent.close();
    });
    await sim.run();
    expect(status).toBe(201);
    expect(seen).toEqual([100_000]);
    const head = 'POST /upload HTTP/1.1\r\nhost: s\r\ncontent-length: 100000\r\n\r\n';
    expect(dataSegments(sink, 'c')).toHaveLength(Math.ceil((head.length + 100_000) / 1460));
    expect(dataSegments(sink, 'c')).toHaveLength(69);
  });

  it('HEAD gets the length of the body without the body; the connection stays usable', async () => {
    const { sim, net } = world();
    serve(net, {}, () => (_req, res) => res.end({ bodyBytes: 5000 }));
    const got: HttpResponse[] = [];
    net.host('c').spawn('client', async (ctx) => {
      const agent = new HttpAgent(ctx, { host: 's', port: 80 });
      got.push(await agent.request({ method: 'HEAD', path: '/' }));
      got.push(await agent.request({ path: '/' }));
      agent.close();
    });
    await sim.run();
    expect(got.map((r) => [r.bodyBytes, r.headers['content-length']])).toEqual([
      [0, '5000'],
      [5000, '5000'],
    ]);
    expect(got[0]!.connectionId).toBe(got[1]!.connectionId);
  });

  it('a 503 passes through as a response (not an error) and the connection is reused', async () => {
    const { sim, net, sink } = world();
    serve(net, {}, () => (req, res) => res.end({ status: req.path === '/down' ? 503 : 200, bodyBytes: 20 }));
    const statuses: number[] = [];
    net.host('c').spawn('client', async (ctx) => {
      const agent = new HttpAgent(ctx, { host: 's', port: 80 });
      statuses.push((await agent.request({ path: '/down', headers: { 'x-request-id': 'a' } })).status);
      statuses.push((await agent.request({ path: '/up', headers: { 'x-request-id': 'b' } })).status);
      agent.close();
    });
    await sim.run();
    expect(statuses).toEqual([503, 200]);
    expect(sends(sink, 'c', 'SYN')).toHaveLength(1);
    expect(records(sink, 'http.request', 'c').map((r) => [r.req, r.fields?.status, r.fields?.error])).toEqual([
      ['a', 503, undefined],
      ['b', 200, undefined],
    ]);
  });

  it('a request the server reads in one chunk with the next (pipelined) is answered before the next is read', async () => {
    const { sim, net } = world();
    const handled: [string, number][] = [];
    serve(net, {}, (ctx) => async (req, res) => {
      handled.push([req.path, ctx.now]);
      if (req.path === '/slow') await ctx.sleep('100ms');
      res.end({ bodyBytes: req.path.length });
    });
    let got = { text: '', end: '' };
    net.host('c').spawn('client', async (ctx) => {
      got = await rawExchange(ctx, 'GET /slow HTTP/1.1\r\nHost: s\r\n\r\nGET /b HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n');
    });
    await sim.run();
    // Sent at 2 ms (the SYN-ACK's arrival), read at 3 ms; the second waits for the first's response at 103 ms.
    expect(handled).toEqual([
      ['/slow', ms(3)],
      ['/b', ms(103)],
    ]);
    expect(got.text).toBe(
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n\0\0\0\0\0' + 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n\0\0',
    );
    expect(got.end).toBe('EOF');
  });
});

describe('HTTP/1.1: keep-alive', () => {
  it('10 sequential requests use one connection: one SYN, one pool connection, the same connection id', async () => {
    const { sim, net, sink } = world();
    serve(net, {}, () => (_req, res) => res.end({ bodyBytes: 100 }));
    const conns = new Set<string | undefined>();
    let created = -1;
    net.host('c').spawn('client', async (ctx) => {
      const agent = new HttpAgent(ctx, { host: 's', port: 80 });
      for (let i = 0; i < 10; i++) {
        conns.add((await agent.request({ path: `/${i}`, headers: { 'x-request-id': `r${i}` } })).connectionId);
        await ctx.sleep('100ms');
      }
      created = agent.pool.stats.created;
      agent.close();
    });
    await sim.run();
    expect(sends(sink, 'c', 'SYN')).toHaveLength(1);
    expect(conns.size).toBe(1);
    expect(created).toBe(1);
    expect(records(sink, 'http.request', 's').map((r) => r.req)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9']);
  });

  it('the server closes an idle keep-alive connection (FIN) exactly 5 s after its response; a later request notices and opens another', async () => {
    const { sim, net, sink } = world();
    serve(net, {}, () => (_req, res) => res.end());
    const ids: (string | undefined)[] = [];
    net.host('c').spawn('client', async (ctx) => {
      // The client keeps idle connections 10 s, longer than the server's 5 s.
      const agent = new HttpAgent(ctx, { host: 's', port: 80, pool: { idleTimeoutMs: 10_000 } });
      ids.push((await agent.request({ path: '/' })).connectionId);
      await ctx.sleep('6s');
      ids.push((await agent.request({ path: '/' })).connectionId);
      agent.close();
    });
    const result = await sim.run();
    expect(result.failures).toEqual([]);
    const responded = records(sink, 'http.request', 's').map((r) => r.t);
    // Handshake at 0–2 ms, request read at 3 ms; the second at 6.004 s + a new handshake + 1 ms.
    expect(responded).toEqual([ms(3), ms(6004 + 3)]);
    // The server's first FIN: exactly 5 s after the response it wrote at 3 ms.
    expect(sends(sink, 's', 'FIN|ACK')[0]!.t).toBe(ms(3) + 5_000_000);
    expect(records(sink, 'http.keepalive-timeout', 's').map((r) => r.t)).toEqual([ms(5003)]);
    // The FIN arrived at 5.004 s, before reuse at 6.004 s: evicted, a second connection carries the request.
    expect(records(sink, 'http.stale-connection', 'c').map((r) => r.t)).toEqual([ms(6004)]);
    expect(sends(sink, 'c', 'SYN').map((r) => r.t)).toEqual([0, ms(6004)]);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('a connection closed while idle (the server process was killed: its kernel sends FIN) is evicted, and the request opens another', async () => {
    const { sim, net, sink } = world();
    serve(net, {}, () => (_req, res) => res.end());
    const outcomes: (Failure | 'ok')[] = [];
    net.host('c').spawn('client', async (ctx) => {
      const agent = new HttpAgent(ctx, { host: 's', port: 80 });
      outcomes.push(await failureOf(ctx, agent.request({ path: '/' })));
      await ctx.sleep('1s');
      applyFault(net, { kind: 'kill', host: 's' }); // the OS closes the server's connections
      await ctx.sleep('500ms');
      applyFault(net, { kind: 'restart', host: 's' });
      await ctx.sleep('500ms');
      outcomes.push(await failureOf(ctx, agent.request({ path: '/' })));
      agent.close();
    });
    const result = await sim.run();
    expect(result.failures).toEqual([]);
    expect(outcomes).toEqual(['ok', 'ok']);
    // The kernel closes the killed process's idle connection with a FIN (nothing unread), the agent answers
    // with its own; the next request finds the connection ended and opens another.
    expect(sends(sink, 's', 'FIN|ACK').map((r) => r.t)).toEqual([ms(1004), ms(2009)]); // the second: the restarted server answers agent.close()
    expect(sends(sink, 's', 'RST|ACK')).toEqual([]);
    expect(sends(sink, 'c', 'FIN|ACK').map((r) => r.t)).toEqual([ms(1005), ms(2008)]);
    expect(records(sink, 'http.stale-connection', 'c').map((r) => [r.t, r.fields?.error])).toEqual([[ms(2004), undefined]]);
    expect(sends(sink, 'c', 'SYN').map((r) => r.t)).toEqual([0, ms(2004)]);
  });

  it("undici's pool (4 s idle) closes its side first, at exactly 4 s after the response came in", async () => {
    const { sim, net, sink } = world();
    serve(net, {}, () => (_req, res) => res.end());
    net.host('c').spawn('client', async (ctx) => {
      const agent = new HttpAgent(ctx, { host: 's', port: 80 });
      await agent.request({ path: '/' });
    });
    await sim.run();
    expect(sends(sink, 'c', 'FIN|ACK').map((r) => r.t)).toEqual([ms(4) + 4_000_000]);
    expect(records(sink, 'http.keepalive-timeout')).toEqual([]);
  });

  it('Connection: close from the client, from the handler, and maxRequestsPerSocket each end the connection after the response', async () => {
    const { sim, net, sink } = world();
    serve(net, { maxRequestsPerSocket: 3 }, () => (req, res) => res.end({ headers: req.path === '/bye' ? { connection: 'close' } : {} }));
    const seen: string[] = [];
    net.host('c').spawn('client', async (ctx) => {
      const agent = new HttpAgent(ctx, { host: 's', port: 80 });
      const r1 = await agent.request({ path: '/a', headers: { connection: 'close' } });
      const r2 = await agent.request({ path: '/bye' });
      seen.push(r1.headers.connection!, r2.headers.connection!);
      for (let i = 0; i < 7; i++) seen.push((await agent.request({ path: '/n' })).headers.connection!);
      agent.close();
    });
    await sim.run();
    expect(seen).toEqual(['close', 'close', 'keep-alive', 'keep-alive', 'close', 'keep-alive', 'keep-alive', 'close', 'keep-alive']);
    // 1 + 1 + ⌈7 / 3⌉ connections.
    expect(sends(sink, 'c', 'SYN')).toHaveLength(5);
  });

  it('concurrent requests each get a connection of their own (one request at a time); with maximumPoolSize 1 they queue on one', async () => {
    async function run(pool: { maximumPoolSize?: number }) {
      const { sim, net, sink } = world();
      serve(net, {}, (ctx) => async (_req, res) => {
        await ctx.sleep('50ms');
        res.end();
      });
      const done: [number, string | undefined][] = [];
      net.host('c').spawn('client', async (ctx) => {
        const agent = new HttpAgent(ctx, { host: 's', port: 80, pool });
        await Promise.all(
          [0, 1, 2].map(async () => {
            const r = await agent.request({ path: '/' });
            done.push([ctx.now, r.connectionId]);
          }),
        );
        agent.close();
      });
      await sim.run();
      return { done, syns: sends(sink, 'c', 'SYN').length };
    }
    const open = await run({});
    expect(open.syns).toBe(3);
    expect(open.done.map(([t]) => t)).toEqual([ms(54), ms(54), ms(54)]);
    expect(new Set(open.done.map(([, c]) => c)).size).toBe(3);
    const queued = await run({ maximumPoolSize: 1 });
    expect(queued.syns).toBe(1);
    // Each waits for the one before: 2 ms handshake, then 1 + 50 + 1 ms per request.
    expect(queued.done.map(([t]) => t)).toEqual([ms(54), ms(106), ms(158)]);
  });

  it('closing an agent fails the requests still waiting for a connection, lets the busy one finish, and refuses new ones', async () => {
    const { sim, net } = world();
    serve(net, {}, (ctx) => async (_req, res) => {
      await ctx.sleep('100ms');
      res.end();
    });
    const outcomes: [string, Failure | 'ok'][] = [];
    net.host('c').spawn('client', async (ctx) => {
      const agent = new HttpAgent(ctx, { host: 's', port: 80, pool: { maximumPoolSize: 1 } });
      const busy = failureOf(ctx, agent.request({ path: '/busy' }));
      const queued = failureOf(ctx, agent.request({ path: '/queued' }));
      await ctx.sleep('10ms');
      agent.close();
      outcomes.push(['queued', await queued], ['busy', await busy]);
    });
    await sim.run();
    expect(outcomes).toEqual([
      ['queued', { code: 'UND_ERR_CLOSED', message: 'The client is closed', atUs: ms(10) }],
      ['busy', 'ok'],
    ]);
  });

  it('a closed agent refuses new requests with UND_ERR_CLOSED and closes its idle connections', async () => {
    const { sim, net, sink } = world();
    serve(net, {}, () => (_req, res) => res.end());
    let outcome: Failure | 'ok' = 'ok';
    net.host('c').spawn('client', async (ctx) => {
      const agent = new HttpAgent(ctx, { host: 's', port: 80 });
      await agent.request({ path: '/' });
      await ctx.sleep('1s');
      agent.close();
      outcome = await failureOf(ctx, agent.request({ path: '/' }));
    });
    await sim.run();
    expect(outcome).toEqual({ code: 'UND_ERR_CLOSED', message: 'The client is closed', atUs: ms(1004) });
    expect(sends(sink, 'c', 'FIN|ACK').map((r) => r.t)).toEqual([ms(1004)]);
  });
});

describe('HTTP/1.1: the keep-alive race', () => {
  /** One request; then the next sent `gapMs` after the first response arrived. Server keepAliveTimeout 3 s, client undici (4 s). */
  async function secondRequestAfter(gapMs: number) {
    const { sim, net, sink } = world();
    serve(net, { keepAliveTimeoutMs: 3000 }, () => (_req, res) => res.end({ bodyBytes: 10 }));
    let outcome: Failure | 'ok' = 'ok';
    let sentAt = 0;
    net.host('c').spawn('client', async (ctx) => {
      const agent = new HttpAgent(ctx, { host: 's', port: 80 });
      await agent.request({ path: '/' });
      await ctx.sleep(ms(gapMs));
      sentAt = ctx.now;
      outcome = await failureOf(ctx, agent.request({ path: '/', headers: { 'x-request-id': 'second' } }));
      agent.close();
    });
    const result = await sim.run();
    expect(result.failures).toEqual([]);
    return { sink, outcome, sentAt, serverFin: sends(sink, 's', 'FIN|ACK')[0]?.t };
  }

  it('a request sent at the very moment the server closes fails with ECONNRESET, and is not retried', async () => {
    // First response written at 3 ms, in at 4 ms; the server closes at 3.003 s, which is 2999 ms later.
    const { sink, outcome, sentAt, serverFin } = await secondRequestAfter(2999);
    expect(serverFin).toBe(ms(3003));
    expect(sentAt).toBe(serverFin);
    // The client hears the FIN at 3.004 s with its request unanswered.
    expect(outcome).toEqual({ code: 'ECONNRESET', message: 'socket hang up', atUs: ms(3004) });
    // The request's bytes reached a closed socket: the server answered with RST.
    expect(sends(sink, 's', 'RST|ACK').map((r) => r.t)).toEqual([ms(3004)]);
    expect(sends(sink, 'c', 'SYN')).toHaveLength(1); // no second connection: no automatic retry
    expect(records(sink, 'http.request', 's')).toHaveLength(1);
    expect(records(sink, 'http.request', 'c').map((r) => [r.req, r.fields?.error])).toEqual([
      [undefined, undefined],
      ['second', 'ECONNRESET'],
    ]);
  });

  it('2 ms earlier the request arrives before the close and is served on the same connection', async () => {
    const { sink, outcome } = await secondRequestAfter(2997);
    expect(outcome).toBe('ok');
    expect(sends(sink, 'c', 'SYN')).toHaveLength(1);
    expect(records(sink, 'http.request', 's')).toHaveLength(2);
  });

  it('2 ms later the FIN has arrived: the connection is evicted and the request goes on a new one', async () => {
    const { sink, outcome } = await secondRequestAfter(3001);
    expect(outcome).toBe('ok');
    expect(sends(sink, 'c', 'SYN').map((r) => r.t)).toEqual([0, ms(3005)]);
    expect(records(sink, 'http.stale-connection', 'c')).toHaveLength(1);
  });

  /**
   * 300 requests, each after a think time drawn near 3 s, 4 s or 5 s (±10 ms) from the previous response;
   * failures are counted, never retried.
   */
  async function raceRun(serverKeepAliveMs: number, seed = 7) {
    const { sim, net, sink } = world(seed);
    serve(net, { keepAliveTimeoutMs: serverKeepAliveMs }, () => (_req, res) => res.end({ bodyBytes: 10 }));
    const resets: number[] = [];
    const okThinks: number[] = [];
    const other: string[] = [];
    const thinks: number[] = [];
    let idleClosed = 0;
    net.host('c').spawn('client', async (ctx) => {
      const agent = new HttpAgent(ctx, { host: 's', port: 80 }); // undici: idle 4 s
      const window = (s: number) => ({ weight: 1, dist: { kind: 'uniform' as const, min: ms(s * 1000 - 10), max: ms(s * 1000 + 10) } });
      const think = { kind: 'mixture' as const, parts: [window(3), window(4), window(5)] };
      let lastThink = -1;
      for (let i = 0; i < 300; i++) {
        const outcome = await failureOf(ctx, agent.request({ path: '/', headers: { 'x-request-id': `r${i}` } }));
        if (outcome === 'ok') okThinks.push(lastThink);
        else if (outcome.code === 'ECONNRESET') resets.push(lastThink);
        else other.push(outcome.code);
        lastThink = ctx.sample(think, 'think');
        thinks.push(lastThink);
        await ctx.sleep(lastThink);
      }
      idleClosed = agent.pool.stats.closed.idleTimeout;
      agent.close();
    });
    const result = await sim.run();
    expect(result.failures).toEqual([]);
    return { resets, okThinks, other, thinks, idleClosed, digest: result.digest, sink };
  }

  it('server idle timeout (3 s) shorter than the client pool’s (4 s): ECONNRESETs, exactly when the request meets the FIN', async () => {
    const { resets, okThinks, other } = await raceRun(3000);
    expect(other).toEqual([]);
    expect(resets.length + okThinks.length).toBe(300);
    expect(resets.length).toBeGreaterThan(0);
    expect(resets.length).toBe(7);
    // The server closes 2999 ms after the client got the response; its FIN lands at 3000 ms. A request sent
    // in [2998, 3000] ms reaches the closed socket before the client hears the FIN: exactly those fail.
    expect(resets.every((t) => t >= ms(2998) && t <= ms(3000))).toBe(true);
    expect(okThinks.filter((t) => t >= ms(2998) && t <= ms(3000))).toEqual([]);
  });

  it('client pool idle timeout (4 s) shorter than the server’s (5 s, Node’s default): never an ECONNRESET', async () => {
    const { resets, okThinks, other, thinks, idleClosed, sink } = await raceRun(5000);
    expect(other).toEqual([]);
    expect(resets).toEqual([]);
    expect(okThinks).toHaveLength(300);
    // The client retired its idle connection itself after every think time of 4 s or more (about two in three),
    // so it never found one the server had closed.
    expect(idleClosed).toBe(thinks.filter((t) => t >= ms(4000)).length);
    expect(idleClosed).toBeGreaterThan(100);
    expect(records(sink, 'http.stale-connection')).toEqual([]);
    expect(records(sink, 'http.keepalive-timeout')).toEqual([]);
  });

  it('the same seed gives the same run', async () => {
    const a = await raceRun(3000, 11);
    const b = await raceRun(3000, 11);
    expect(a.digest).toBe(b.digest);
    expect(a.resets).toEqual(b.resets);
  });
});

describe('HTTP/1.1: errors', () => {
  it('a handler that throws or rejects gets 500; the server actor lives on and the connection is reused', async () => {
    const { sim, net, sink } = world();
    serve(net, {}, (ctx) => async (req, res) => {
      if (req.path === '/sync') throw new Error('boom');
      if (req.path === '/async') {
        await ctx.sleep('10ms');
        throw new Error('later boom');
      }
      res.end();
    });
    const statuses: number[] = [];
    net.host('c').spawn('client', async (ctx) => {
      const agent = new HttpAgent(ctx, { host: 's', port: 80 });
      for (const path of ['/sync', '/async', '/ok']) statuses.push((await agent.request({ path })).status);
      agent.close();
    });
    const result = await sim.run();
    expect(statuses).toEqual([500, 500, 200]);
    expect(result.failures).toEqual([]);
    expect(result.stop).toBe('idle');
    expect(sim.actor('s/server')?.alive).toBe(true);
    expect(records(sink, 'http.handler-error', 's').map((r) => r.fields?.error)).toEqual(['boom', 'later boom']);
    expect(sends(sink, 'c', 'SYN')).toHaveLength(1);
  });

  it('a request timeout fails with ERR_HTTP_REQUEST_TIMEOUT at exactly timeoutMs and destroys its connection', async () => {
    const { sim, net, sink } = world();
    serve(net, {}, (ctx) => async (_req, res) => {
      await ctx.sleep('10s');
      res.end();
    });
    let outcome: Failure | 'ok' = 'ok';
    let startedAt = -1;
    let evicted = -1;
    net.host('c').spawn('client', async (ctx) => {
      const agent = new HttpAgent(ctx, { host: 's', port: 80 });
      await ctx.sleep('1s');
      startedAt = ctx.now;
      outcome = await failureOf(ctx, agent.request({ path: '/slow', timeoutMs: 250 }));
      evicted = agent.pool.stats.closed.evicted;
      agent.close();
    });
    const result = await sim.run();
    expect(result.failures).toEqual([]);
    expect(outcome).toEqual({ code: 'ERR_HTTP_REQUEST_TIMEOUT', message: 'request timed out after 250ms (GET /slow)', atUs: startedAt + ms(250) });
    expect(sends(sink, 'c', 'FIN|ACK').map((r) => r.t)).toEqual([startedAt + ms(250)]);
    expect(evicted).toBe(1);
  });

  it('a connect that gets no answer fails with UND_ERR_CONNECT_TIMEOUT at exactly 10 s; a closed port with ECONNREFUSED', async () => {
    const { sim, net } = world();
    net.host('s');
    const outcomes: (Failure | 'ok')[] = [];
    net.host('c').spawn('client', async (ctx) => {
      const refused = new HttpAgent(ctx, { host: 's', port: 81 });
      outcomes.push(await failureOf(ctx, refused.request({ path: '/' })));
      applyFault(net, { kind: 'partition', a: 's' });
      const started = ctx.now;
      const agent = new HttpAgent(ctx, { host: 's', port: 80 });
      const o = await failureOf(ctx, agent.request({ path: '/' }));
      outcomes.push(o === 'ok' ? o : { ...o, atUs: o.atUs - started });
      refused.close();
      agent.close();
    });
    await sim.run();
    expect(outcomes).toEqual([
      { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.1:81', atUs: ms(2) },
      { code: 'UND_ERR_CONNECT_TIMEOUT', message: 'Connect Timeout Error (attempted address: s:80, timeout: 10000ms)', atUs: 10_000_000 },
    ]);
  });

  it.each<[string, string, number, string]>([
    ['garbage', 'GARBAGE\r\n\r\n', 400, 'HPE_INVALID_METHOD'],
    ['a bad Content-Length', 'GET / HTTP/1.1\r\nHost: s\r\nContent-Length: 12x\r\n\r\n', 400, 'HPE_INVALID_CONTENT_LENGTH'],
    ['HTTP/2.0 as text', 'GET / HTTP/2.0\r\nHost: s\r\n\r\n', 400, 'HPE_INVALID_VERSION'],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost : s\r\n\r\n', 400, 'HPE_INVALID_HEADER_TOKEN'],
    ['no Host', 'GET / HTTP/1.1\r\n\r\n', 400, 'missing Host header'],
    ['a 17 000-byte head', `GET / HTTP/1.1\r\nHost: s\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`, 431, 'HPE_HEADER_OVERFLOW'],
  ])('a malformed request (%s) gets %d and the connection is closed', async (_what, request, status, error) => {
    const { sim, net, sink } = world();
    let handled = 0;
    serve(net, {}, () => (_req, res) => {
      handled++;
      res.end();
    });
    let got = { text: '', end: '' };
    net.host('c').spawn('client', async (ctx) => {
      got = await rawExchange(ctx, request);
    });
    const result = await sim.run();
    expect(result.failures).toEqual([]);
    expect(handled).toBe(0);
    const reason = status === 400 ? 'Bad Request' : 'Request Header Fields Too Large';
    expect(got.text).toBe(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n\r\n`);
    expect(records(sink, 'http.client-error', 's').map((r) => [r.fields?.status, r.fields?.error])).toEqual([[status, error]]);
    expect(sends(sink, 's', 'FIN|ACK').length + sends(sink, 's', 'RST|ACK').length).toBeGreaterThan(0);
    expect(['EOF', 'ECONNRESET']).toContain(got.end);
  });

  it('a connection that sends nothing gets 408 at exactly headersTimeoutMs after it opened, then FIN', async () => {
    const { sim, net, sink } = world();
    serve(net, { headersTimeoutMs: 2000 }, () => (_req, res) => res.end());
    let got = { text: '', end: '' };
    net.host('c').spawn('client', async (ctx) => {
      got = await rawExchange(ctx, 'GET / HT'); // never finished
    });
    await sim.run();
    expect(got).toEqual({ text: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n', end: 'EOF' });
    // The server's side opened at 3 ms (the handshake's last ACK).
    expect(dataSegments(sink, 's').map((r) => r.t)).toEqual([ms(2003)]);
    expect(sends(sink, 's', 'FIN|ACK').map((r) => r.t)).toEqual([ms(2003)]);
  });
});
