import { World } from '../../sim/world.js';
import { describe, expect, it } from 'vitest';
import { runGateway, type Gateway } from '../../sim/actors/gateway.js';
import { resolveGatewayOptions, type GatewayOverrides } from '../../sim/actors/gateway-options.js';
import type { ActorContext } from '../../sim/core/context.js';
import { Simulation } from '../../sim/core/simulation.js';
import { applyFault } from '../../sim/core/fault-schedule.js';
import { Network } from '../../sim/net/network.js';
import { createHttpServer, HttpAgent, type HttpHandler } from '../../sim/proto/http1.js';
import { Http2Client } from '../../sim/proto/http2.js';

/** What a client saw: when it asked, when it got its answer, the status and the gateway's words. */
interface Seen {
  sentUs: number;
  doneUs: number;
  status: number | string;
  detail: string | undefined;
  upstream: string | undefined;
}

/**
 * A client 'c', a gateway 'gw' on port 80, and replicas s1…sN on 8080, 1 ms apart. `replicas` gives each
 * one's handler (null: the host exists but nothing listens). `requests` are the times the client sends.
 */
async function proxy(options: {
  gateway: GatewayOverrides;
  replicas: (((ctx: ActorContext) => HttpHandler) | null)[];
  requests: number[];
  until?: string;
  headers?: Record<string, string>;
  setup?: (net: Network) => void;
}) {
  const world = new World({ seed: 1 });
  const sim = world.sim;
  const net = world.createNetwork({ link: { latency: '1ms' } });
  const names = options.replicas.map((_, i) => `s${i + 1}`);
  options.replicas.forEach((handler, i) => {
    const host = net.host(names[i]!);
    if (handler) host.spawn('server', (ctx) => void createHttpServer(ctx, {}, handler(ctx)).listen(8080), { daemon: true });
  });
  let gateway: Gateway | null = null;
  net.host('gw').spawn(
    'gateway',
    (ctx) => {
      gateway = runGateway(ctx, { ...options.gateway, upstream: { replicas: names.map((host) => ({ host, port: 8080 })), ...options.gateway.upstream } });
    },
    { daemon: true },
  );
  options.setup?.(net);
  const seen: Seen[] = [];
  net.host('c').spawn(
    'client',
    (ctx) => {
      const agent = new HttpAgent(ctx, { host: 'gw', port: 80 });
      for (const atUs of options.requests) {
        ctx.timer(atUs, () =>
          ctx.go(async () => {
            const sentUs = ctx.now;
            try {
              const r = await agent.request({ path: '/x', headers: options.headers ?? {} });
              seen.push({ sentUs, doneUs: ctx.now, status: r.status, detail: r.headers['x-gateway-error'], upstream: r.headers['x-served-by'] });
            } catch (err) {
              seen.push({ sentUs, doneUs: ctx.now, status: (err as { code: string }).code, detail: undefined, upstream: undefined });
            }
          }),
        );
      }
    },
    { daemon: true },
  );
  await sim.run({ until: options.until ?? '200s' });
  seen.sort((a, b) => a.sentUs - b.sentUs);
  return { sim, seen, gateway: gateway! };
}

/** A replica that answers 200 after `delayUs`, naming itself. */
const ok =
  (delayUs = 0) =>
  (ctx: ActorContext): HttpHandler =>
  async (_req, res) => {
    if (delayUs > 0) await ctx.sleep(delayUs);
    res.end({ status: 200, headers: { 'x-served-by': ctx.host } });
  };
/** A replica that takes the request and never answers. */
const silent = () => (): HttpHandler => () => {};

describe('gateway', () => {
  it('nginx: a replica that never answers gives 504 at exactly proxy_read_timeout after the request went out', async () => {
    const { seen, gateway } = await proxy({ gateway: { preset: 'nginx', readTimeoutMs: 3000 }, replicas: [silent()], requests: [0] });
    // 1 ms client→gateway, a 2 ms handshake, 1 ms for the request to reach s1: the read timer starts at send.
    expect(seen).toHaveLength(1);
    expect(seen[0]!.status).toBe(504);
    expect(seen[0]!.detail).toBe('upstream timed out (110: Connection timed out) while reading response header from upstream');
    // Sent at 0: at the gateway at 1 ms (after its own 2 ms handshake: 3 ms), connect 2 ms, read timer from 5 ms, answer 1 ms back.
    expect(seen[0]!.doneUs - seen[0]!.sentUs).toBe(3_000_000 + 6_000);
    expect(gateway.stats.tryFailures).toEqual({ UND_ERR_HEADERS_TIMEOUT: 1 });
  });

  it('nginx: a blackholed replica gives 504 at proxy_connect_timeout; Envoy answers 503 UF at its connect_timeout', async () => {
    const blackhole = (net: Network) => applyFault(net, { kind: 'partition', a: 'gw', b: 's1', oneWay: true });
    const nginx = await proxy({ gateway: { preset: 'nginx', connectTimeoutMs: 1000 }, replicas: [ok()], requests: [0], setup: blackhole });
    expect([nginx.seen[0]!.status, nginx.seen[0]!.detail]).toEqual([504, 'upstream timed out (110: Connection timed out) while connecting to upstream']);
    expect(nginx.seen[0]!.doneUs).toBe(3_000 + 1_000_000 + 1_000);
    const envoy = await proxy({ gateway: { preset: 'envoy', maxRetries: 0 }, replicas: [ok()], requests: [0], setup: blackhole });
    expect(envoy.seen[0]!.status).toBe(503);
    expect(envoy.seen[0]!.detail).toMatch(/^UF upstream connect error .* connection timeout$/);
    expect(envoy.seen[0]!.doneUs).toBe(3_000 + 5_000_000 + 1_000);
  });

  it('nginx: nothing listening is 502 (connection refused); Envoy says 503', async () => {
    const nginx = await proxy({ gateway: { preset: 'nginx' }, replicas: [null], requests: [0] });
    expect([nginx.seen[0]!.status, nginx.seen[0]!.detail]).toEqual([502, 'connect() failed (111: Connection refused) while connecting to upstream']);
    const envoy = await proxy({ gateway: { preset: 'envoy' }, replicas: [null], requests: [0] });
    expect(envoy.seen[0]!.status).toBe(503);
  });

  it('nginx: proxy_next_upstream retries a failed try on the next replica, each replica once', async () => {
    const { seen, gateway } = await proxy({ gateway: { preset: 'nginx' }, replicas: [null, ok(), null], requests: [0, 1_000_000, 2_000_000] });
    expect(seen.map((s) => [s.status, s.upstream])).toEqual([
      [200, 's2'],
      [200, 's2'],
      [200, 's2'],
    ]);
    expect(gateway.stats.retries).toBeGreaterThan(0);
    // All three refusing: three tries, then 502.
    const down = await proxy({ gateway: { preset: 'nginx' }, replicas: [null, null, null], requests: [0] });
    expect([down.seen[0]!.status, down.gateway.stats.tries]).toEqual([502, 3]);
  });

  it('an upstream answer passes through with its root cause; 5xx is not retried by nginx by default', async () => {
    const failing: HttpHandler = (_req, res) => res.end({ status: 500, headers: { 'x-error': 'POOL_ACQUIRE_TIMEOUT' } });
    const { seen, gateway } = await proxy({ gateway: { preset: 'nginx' }, replicas: [() => failing, ok()], requests: [0] });
    expect(seen[0]!.status).toBe(500);
    expect(seen[0]!.upstream).toBeUndefined();
    expect(gateway.stats.tries).toBe(1);
  });

  it('Envoy: the route timeout spans every try and answers 504 at exactly requestTimeoutMs', async () => {
    const { seen } = await proxy({ gateway: { preset: 'envoy', requestTimeoutMs: 700 }, replicas: [silent()], requests: [0] });
    expect([seen[0]!.status, seen[0]!.detail]).toEqual([504, 'UT upstream request timeout']);
    expect(seen[0]!.doneUs).toBe(3_000 + 700_000 + 1_000);
  });

  it("Envoy's caps fail fast with 503 UO: max_requests 2 lets two slow requests through and refuses the third at once", async () => {
    const { seen } = await proxy({
      gateway: { preset: 'envoy', caps: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 2, maxRetries: 3 } },
      replicas: [ok(500_000)],
      requests: [0, 10_000, 20_000],
    });
    expect(seen.map((s) => s.status)).toEqual([200, 200, 503]);
    expect(seen[2]!.detail).toBe('UO upstream overflow (max_requests)');
    expect(seen[2]!.doneUs - seen[2]!.sentUs).toBeLessThan(10_000);
  });

  it('the circuit breaker opens after the window fails, fails fast while open, and closes after good half-open trials', async () => {
    let healthy = false;
    const flaky = (ctx: ActorContext): HttpHandler => (_req, res) => res.end({ status: healthy ? 200 : 503, headers: { 'x-served-by': ctx.host } });
    const requests = Array.from({ length: 40 }, (_, i) => i * 100_000); // every 100 ms for 4 s
    const { seen, gateway, sim } = await proxy({
      gateway: { preset: 'envoy', maxRetries: 0, circuitBreaker: { windowCalls: 10, minimumCalls: 10, openMs: 2000, halfOpenCalls: 3 } },
      replicas: [flaky],
      requests,
      setup: (net) => net.sim.at(2_500_000, () => (healthy = true)),
    });
    // Ten failures (0–0.9 s) open it; until 2 s after that, 503 without a try.
    expect(seen.slice(0, 10).every((s) => s.status === 503 && s.detail === undefined)).toBe(true);
    const fastFail = seen.filter((s) => s.detail === 'UO circuit breaker open');
    expect(fastFail.length).toBe(20);
    expect(gateway.stats.tries).toBe(40 - 20);
    // Half-open after 2 s: three good trials close it; everything after succeeds.
    expect(seen.slice(30).every((s) => s.status === 200)).toBe(true);
    expect(gateway.breaker!.state).toBe('closed');
    expect(sim.metrics.counter('gateway.gw.breaker.open').value).toBe(1);
    expect(sim.metrics.counter('gateway.gw.breaker.closed').value).toBe(1);
  });

  it('deadline propagation: the client’s x-timeout-ms bounds the gateway and reaches the service as what remains', async () => {
    let received: string | undefined;
    const slow = (ctx: ActorContext): HttpHandler => async (req, res) => {
      received = req.headers['x-timeout-ms'];
      await ctx.sleep(1_000_000);
      res.end({ status: 200 });
    };
    const { seen } = await proxy({ gateway: { preset: 'nginx', propagateDeadline: true }, replicas: [slow], requests: [0], headers: { 'x-timeout-ms': '300' } });
    expect(seen[0]!.status).toBe(504);
    expect(seen[0]!.doneUs).toBe(3_000 + 300_000 + 1_000);
    // What remained when the request went out: 300 ms less the 2 ms connect to the upstream.
    expect(received).toBe('298');
  });

  it('load balancing: round robin rotates; least-conn and p2c steer away from a slow replica', async () => {
    const requests = Array.from({ length: 60 }, (_, i) => i * 20_000);
    const rr = await proxy({ gateway: { preset: 'nginx', upstream: { loadBalancing: 'round-robin' } }, replicas: [ok(), ok(), ok()], requests });
    const counts = (seen: Seen[]) => ['s1', 's2', 's3'].map((h) => seen.filter((s) => s.upstream === h).length);
    expect(counts(rr.seen)).toEqual([20, 20, 20]);
    for (const loadBalancing of ['least-conn', 'p2c'] as const) {
      const { seen } = await proxy({ gateway: { preset: 'nginx', upstream: { loadBalancing } }, replicas: [ok(400_000), ok(), ok()], requests });
      const [slowCount] = counts(seen);
      expect(seen.every((s) => s.status === 200)).toBe(true);
      expect(slowCount).toBeLessThan(10);
    }
  });

  it('an HTTP/2 listener carries many client requests as streams on one connection, each proxied over HTTP/1.1', async () => {
    const world = new World({ seed: 1 });
    const sim = world.sim;
    const net = world.createNetwork({ link: { latency: '1ms' } });
    net.host('s1').spawn('server', (ctx) => void createHttpServer(ctx, {}, ok(50_000)(ctx)).listen(8080), { daemon: true });
    net.host('gw').spawn('gateway', (ctx) => void runGateway(ctx, { protocol: 'http2', upstream: { replicas: [{ host: 's1', port: 8080 }] } }), { daemon: true });
    const answers: { status: number; conn: string | undefined; upstream: string | undefined }[] = [];
    net.host('c').spawn('client', async (ctx) => {
      const client = new Http2Client(ctx, { host: 'gw', port: 80 });
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          const r = await client.request({ path: '/x' });
          answers.push({ status: r.status, conn: r.connectionId, upstream: r.headers['x-served-by'] });
        }),
      );
      client.close();
    });
    await sim.run({ until: '10s' });
    expect(answers).toHaveLength(20);
    expect(answers.every((a) => a.status === 200 && a.upstream === 's1')).toBe(true);
    expect(new Set(answers.map((a) => a.conn)).size).toBe(1);
    // The 20 arrive together; the upstream side needs a connection each (HTTP/1.1: one request at a time).
    expect(sim.metrics.snapshot().counters.find((c) => c.name === 'pool.gw->s1.created')?.value).toBe(20);
  });

  it('bad options get one line naming the field', () => {
    expect(() => resolveGatewayOptions({ connectTimeoutMs: -1 })).toThrow('gateway.connectTimeoutMs: expected a non-negative integer, got -1');
    expect(() => resolveGatewayOptions({ upstream: { loadBalancing: 'random' as never } })).toThrow('gateway.upstream.loadBalancing: expected round-robin, least-conn, p2c, got "random"');
    expect(() => resolveGatewayOptions({ retryOn: ['5xx' as never] })).toThrow('gateway.retryOn: expected each of');
    expect(() => resolveGatewayOptions({ circuitBreaker: { openMs: -5 } })).toThrow('gateway.circuitBreaker.openMs: expected a non-negative integer, got -5');
    expect(() => resolveGatewayOptions({ upstream: { replicas: [] } })).toThrow('gateway.upstream.replicas: expected at least one { host, port }');
    expect(() => resolveGatewayOptions({ timeout: 5 } as never)).toThrow(/^gateway\.timeout: not a gateway option/);
  });
});
