/**
 * One request context down the stack: the client's request id, deadline and span recorder travel through the
 * HTTP clients (x-request-id, x-timeout-ms), the gateway and the service; with honorDeadline the pool wait,
 * the query and the calls are bounded by what remains of the deadline.
 */
import { describe, expect, it } from 'vitest';
import {
  createHttp2Server,
  createHttpServer,
  expectOk,
  Http2Client,
  HttpAgent,
  MemorySink,
  RequestContext,
  runClient,
  runGateway,
  runService,
  startDatabase,
  World,
  type ActorContext,
  type HttpRequest,
  type ServiceOptions,
} from 'faultline';

interface Seen {
  host: string;
  path: string;
  id: string | undefined;
  timeoutMs: string | undefined;
  atUs: number;
}

/** client → gateway (nginx) → api (service; db behind it, and a call to 'stock') with a 300 ms client deadline. */
async function stack(o: { gatewayPropagates: boolean; clientPropagates: boolean; service: Partial<ServiceOptions>; queryTime?: string; requests?: number }) {
  const sink = new MemorySink();
  const world = new World({ seed: 1, sinks: [sink] });
  const net = world.createNetwork({ link: { latency: '1ms' } });
  const seen: Seen[] = [];
  startDatabase(net.host('db'), { queryTime: o.queryTime ?? '2ms', cpuCores: 8, maxConnections: 100 });
  net.host('stock').spawn(
    'stock',
    (ctx) => {
      createHttpServer(ctx, {}, (req: HttpRequest, res) => {
        seen.push({ host: 'stock', path: req.path, id: req.context.id, timeoutMs: req.headers['x-timeout-ms'], atUs: ctx.now });
        res.end({ status: 200 });
      }).listen(8080);
    },
    { daemon: true },
  );
  net.host('api').spawn(
    'api',
    (ctx) =>
      void runService(ctx, {
        cpuTime: '1ms',
        database: { host: 'db', port: 5432, pool: { preset: 'hikari', maximumPoolSize: 2, connectionTimeoutMs: 5000 }, queriesPerRequest: 1, rows: 1, rowBytes: 10 },
        calls: [{ host: 'stock', port: 8080, path: '/stock', timeoutMs: 0 }],
        ...o.service,
      }),
    { daemon: true },
  );
  net.host('gateway').spawn('nginx', (ctx) => void runGateway(ctx, { preset: 'nginx', propagateDeadline: o.gatewayPropagates, readTimeoutMs: 10_000, upstream: { replicas: [{ host: 'api', port: 8080 }] } }), { daemon: true });
  net.host('client').spawn(
    'load',
    (ctx) => {
      const agent = new HttpAgent(ctx, { host: 'gateway', port: 80, propagateDeadline: o.clientPropagates });
      runClient(ctx, { arrival: 'fixed', ratePerS: 100, deadlineMs: 300, stopAtMs: 10 * (o.requests ?? 1) + 1 }, async (req) => {
        expectOk(await agent.request({ path: '/orders', context: req }));
      });
    },
    { daemon: true },
  );
  await world.sim.run({ until: '20s' });
  return { world, seen, records: world.requests.all(), sink };
}

describe('one request context down the stack', () => {
  it('the client sends its id and what remains of its deadline; the gateway passes on what remains at each try; the service passes it to its calls', async () => {
    const { seen, records } = await stack({ gatewayPropagates: true, clientPropagates: true, service: { honorDeadline: true } });
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r.outcome).toBe('ok');
    // The call reached 'stock' with the client's id and less time than the client gave (hops and work spent it).
    expect(seen).toHaveLength(1);
    expect(seen[0]!.id).toBe(r.id);
    const leftMs = Number(seen[0]!.timeoutMs);
    const spentMs = (seen[0]!.atUs - r.startUs) / 1000;
    // Each hop stamps what remains as the request goes out and the next counts from arrival, so the one-way
    // latency of each of the 3 hops (1 ms) goes uncounted, as with gRPC's grpc-timeout; whole ms, rounded down.
    expect(Math.abs(leftMs - (300 - spentMs))).toBeLessThanOrEqual(3);
    // Every hop recorded its phases into the same record, in one id.
    const phases = r.spans.map((s) => `${s.phase}@${s.host}`);
    for (const p of ['connect@client', 'response@client', 'attempt@client', 'gateway@gateway', 'upstream api@gateway', 'pool wait@api', 'query@api', 'call stock@api', 'service@api']) expect(phases).toContain(p);
  });

  it('without propagation nothing goes on the wire and the service works for a caller who has gone', async () => {
    const { seen, records } = await stack({ gatewayPropagates: true, clientPropagates: false, service: { honorDeadline: true }, queryTime: '1s' });
    expect(records[0]!.outcome).toBe('DEADLINE_EXCEEDED');
    // The query ran its full second and the call went out after the client had given up.
    expect(seen).toHaveLength(1);
    expect(seen[0]!.timeoutMs).toBeUndefined();
    expect(seen[0]!.atUs).toBeGreaterThan(records[0]!.endUs!);
  });

  it('with honorDeadline a query still running at the deadline is abandoned then: 504 DEADLINE_EXCEEDED, its connection closed, no call made', async () => {
    const { world, seen, records, sink } = await stack({ gatewayPropagates: true, clientPropagates: true, service: { honorDeadline: true }, queryTime: '1s' });
    const r = records[0]!;
    expect(r.outcome).toBe('DEADLINE_EXCEEDED');
    expect(seen).toHaveLength(0);
    // The service answers 504 DEADLINE_EXCEEDED at its deadline: the client's, give or take the hops' one-way
    // latency (2 × 1 ms, uncounted) and whole-ms rounding — not after the 1 s query.
    const answer = sink.records.find((t) => t.kind === 'http.request' && t.host === 'api' && t.fields?.side === 'server')!;
    expect(answer.fields?.status).toBe(504);
    expect(Math.abs(answer.t - r.deadlineUs!)).toBeLessThanOrEqual(3_000);
    // pgx closes a connection whose query a deadline cut short: the pool evicts it.
    const pool = world.pools.all().find((p) => p.name === 'api-db')!;
    expect(pool.stats.closed.evicted).toBe(1);
  });

  it('the HTTP/2 client records its spans and sends the context too', async () => {
    const world = new World({ seed: 1 });
    const net = world.createNetwork({ link: { latency: '5ms' } });
    const heard: { id: string | undefined; timeoutMs: string | undefined }[] = [];
    net.host('s').spawn(
      'server',
      (ctx) => {
        createHttp2Server(ctx, {}, (req, res) => {
          heard.push({ id: req.context.id, timeoutMs: req.headers['x-timeout-ms'] });
          res.end({ bodyBytes: 100 });
        }).listen(443);
      },
      { daemon: true },
    );
    net.host('c').spawn(
      'client',
      (ctx) => {
        const client = new Http2Client(ctx, { host: 's', port: 443, propagateDeadline: true });
        runClient(ctx, { arrival: 'fixed', ratePerS: 100, deadlineMs: 1000, stopAtMs: 21 }, async (req) => {
          expectOk(await client.request({ path: '/', context: req }));
        });
      },
      { daemon: true },
    );
    await world.sim.run({ until: '5s' });
    const [first, second] = world.requests.all();
    expect(heard.map((h) => h.id)).toEqual([first!.id, second!.id]);
    // The first waited for the connection (handshake, SETTINGS): 1000 ms minus that wait, rounded down.
    expect(Number(heard[0]!.timeoutMs)).toBeLessThan(1000);
    expect(first!.spans.map((s) => s.phase)).toEqual(['stream wait', 'response', 'attempt']);
    // The second found the connection up: no wait, straight onto a stream.
    expect(second!.spans.map((s) => s.phase)).toEqual(['response', 'attempt']);
    expect(heard[1]!.timeoutMs).toBe('1000');
  });

  it('narrowing and detaching: the earlier deadline wins; detached has none; the header rounds down and never goes negative', () => {
    const world = new World({ seed: 1 });
    let ctx!: ActorContext;
    world.sim.host('h').spawn('a', (c) => void (ctx = c));
    return world.sim.run().then(() => {
      const c = RequestContext.named(ctx, 'r1', 10_500);
      expect(c.withDeadline(20_000).deadlineUs).toBe(10_500);
      expect(c.withDeadline(5_000).deadlineUs).toBe(5_000);
      expect(c.withDeadline(null)).toBe(c);
      expect(c.detached().deadlineUs).toBeNull();
      expect(c.detached().id).toBe('r1');
      expect(c.timeoutHeader(0)).toBe('10');
      expect(c.timeoutHeader(10_499)).toBe('0');
      expect(c.timeoutHeader(99_999)).toBe('0');
      expect(c.expired(10_499)).toBe(false);
      expect(c.expired(10_500)).toBe(true);
      expect(RequestContext.named(ctx, 'r2').timeoutHeader(0)).toBeUndefined();
    });
  });
});
