/**
 * Invariants that hold the configuration to its word at every hop. Each is shown to hold on a healthy run
 * and to fail on one with the bug it guards against planted (a pool whose timeout never fires, a gateway that
 * ignores maxRetries, a handler that forgets to answer, a close that never completes).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkInvariants,
  createHttpServer,
  defineScenario,
  eventOrder,
  expectOk,
  hopRules,
  HttpAgent,
  Pool,
  poolWaits,
  runClient,
  runGateway,
  simulate,
  tcpAtRest,
  World,
  z,
} from 'faultline';
import { http2Hol, poolExhaustion } from 'faultline/scenarios';
import { Gateway } from '../../sim/actors/gateway.js';
import { Http2Client } from '../../sim/proto/http2-client.js';

const restore: (() => void)[] = [];
afterEach(() => restore.splice(0).forEach((undo) => undo()));

/** Replaces a prototype method for this test only. */
function plant<T extends object>(proto: T, name: string, replacement: (this: T, ...args: unknown[]) => unknown): void {
  const target = proto as Record<string, unknown>;
  const original = target[name];
  target[name] = replacement;
  restore.push(() => (target[name] = original));
}

describe('pool-waits: every waiter served or gone by acquire + connectionTimeout', () => {
  const slowDb = { slowAt: '1s', slowFor: '10s', slowFactor: 40 };

  it('holds in pool-exhaustion, where hundreds of waiters time out', async () => {
    const run = await simulate(poolExhaustion, { params: slowDb, duration: '15s', traceDetail: 'light' });
    expect(run.world.pools.all().find((p) => p.name === 'service-db')!.stats.timeouts).toBeGreaterThan(100);
    expect(checkInvariants(run, [poolWaits])).toEqual([]);
  });

  it('fails when the acquire timeout never fires (the waiters wait on for a connection)', async () => {
    plant(Pool.prototype, 'waiterTimedOut', () => {});
    const run = await simulate(poolExhaustion, { params: slowDb, duration: '15s', traceDetail: 'light' });
    const [v] = checkInvariants(run, [poolWaits]);
    expect(v?.invariant).toBe('pool-waits');
    expect(v?.message).toMatch(/^pool service-db: a waiter (waited \d+ µs|in line since \d+ µs was still there at the end), past connectionTimeout 2000 ms/);
  });
});

/** A gateway in front of one replica that always answers 502 (retryable for nginx: http_502 in retryOn). */
const failingUpstream = defineScenario({
  name: 'failing-upstream',
  description: 'A gateway retrying a failing upstream',
  defaultDuration: '2s',
  params: z.object({}),
  build(world) {
    const net = world.createNetwork({ link: { latency: '1ms' } });
    net.host('up-1').spawn('api', (ctx) => void createHttpServer(ctx, {}, (_req, res) => res.end({ status: 502 })).listen(8080), { daemon: true });
    net.host('up-2').spawn('api', (ctx) => void createHttpServer(ctx, {}, (_req, res) => res.end({ status: 502 })).listen(8080), { daemon: true });
    net.host('gw').spawn('envoy', (ctx) => void runGateway(ctx, { preset: 'envoy', maxRetries: 1, retryOn: ['http_502'], upstream: { replicas: [{ host: 'up-1', port: 8080 }, { host: 'up-2', port: 8080 }] } }), { daemon: true });
    net.host('client').spawn('load', (ctx) => {
      const agent = new HttpAgent(ctx, { host: 'gw', port: 80 });
      runClient(ctx, { arrival: 'fixed', ratePerS: 20 }, async (req) => void expectOk(await agent.request({ path: '/', context: req })));
    }, { daemon: true });
  },
});

describe('gateway-tries: maxRetries + 1 tries per request at most', () => {
  it('holds for a gateway retrying a failing upstream', async () => {
    const run = await simulate(failingUpstream);
    expect(run.requests.byError['502']).toBeGreaterThan(10);
    expect(checkInvariants(run, [hopRules])).toEqual([]);
  });

  it('fails when the gateway ignores maxRetries', async () => {
    const mayRetry = (Gateway.prototype as unknown as { mayRetry: (...a: unknown[]) => boolean }).mayRetry;
    plant(Gateway.prototype, 'mayRetry', function (this: Gateway, result: unknown, attempt: unknown, tried: unknown, context: unknown) {
      // The bug: the attempt count is never compared with maxRetries.
      return mayRetry.call(this, result, 1, tried, context) || (attempt as number) < 4;
    });
    const [v] = checkInvariants(await simulate(failingUpstream), [hopRules]);
    expect(v?.invariant).toBe('gateway-tries');
    expect(v?.message).toMatch(/^gateway gw: request r\d+: try 3, but maxRetries 1 allows 2/);
  });
});

/** A server whose handler forgets to answer when `forget` says so. */
const forgetful = (forget: boolean, throws: boolean) =>
  defineScenario({
    name: 'forgetful',
    description: 'A handler that does not answer',
    defaultDuration: '1s',
    params: z.object({}),
    build(world) {
      const net = world.createNetwork({ link: { latency: '1ms' } });
      net.host('api').spawn('api', (ctx) => {
        let n = 0;
        createHttpServer(ctx, {}, async (_req, res) => {
          await ctx.sleep('1ms');
          if (++n % 5 === 0 && throws) throw new Error('a bug in the handler');
          if (n % 5 === 0 && forget) return; // the bug: an early return that never answers
          res.end({ status: 200 });
        }).listen(80);
      }, { daemon: true });
      net.host('client').spawn('load', (ctx) => {
        const agent = new HttpAgent(ctx, { host: 'api', port: 80 });
        runClient(ctx, { arrival: 'fixed', ratePerS: 50 }, async (req) => void expectOk(await agent.request({ path: '/', context: req, timeoutMs: 200 })));
      }, { daemon: true });
    },
  });

describe('http-answers: every request whose handler finished on a live connection was answered', () => {
  it('holds when the handler throws: the server answers 500 for it', async () => {
    const run = await simulate(forgetful(false, true));
    expect(run.requests.byError['500']).toBeGreaterThan(5);
    expect(checkInvariants(run, [hopRules])).toEqual([]);
  });

  it('fails for a handler that returns without answering', async () => {
    const [v] = checkInvariants(await simulate(forgetful(true, false)), [hopRules]);
    expect(v?.invariant).toBe('http-answers');
    expect(v?.message).toMatch(/^http server api:80: GET \/ \(request r5\): its handler finished without an answer on a live connection \(\d+ times\)$/);
  });
});

describe('tcp-at-rest: no close left hanging after the drain while the peer lives', () => {
  const closer = (blackhole: boolean) =>
    defineScenario({
      name: 'closer',
      description: 'A client that closes its connection',
      defaultDuration: '20s',
      params: z.object({}),
      build(world) {
        const net = world.createNetwork({ link: { latency: '1ms' } });
        net.host('server').spawn('api', (ctx) => void createHttpServer(ctx, {}, (_req, res) => res.end({ status: 200 })).listen(80), { daemon: true });
        net.host('client').spawn('one', async (ctx) => {
          const agent = new HttpAgent(ctx, { host: 'server', port: 80 });
          await agent.request({ path: '/' });
          // The path from client to server goes black just after the client closes: its last ACK never arrives.
          if (blackhole) world.sim.at(ctx.now, () => net.configureLink('client', 'server', { loss: 1 }));
          agent.close();
        });
      },
    });

  it('holds for a close that completes', async () => {
    const run = await simulate(closer(false));
    expect(checkInvariants(run, [tcpAtRest], { drainAtUs: 1_000_000 })).toEqual([]);
  });

  it('fails for a close that never completes while the peer is up', async () => {
    const run = await simulate(closer(true));
    const [v] = checkInvariants(run, [tcpAtRest], { drainAtUs: 1_000_000 });
    expect(v?.invariant).toBe('tcp-at-rest');
    // The client's FIN arrived; the server's FIN is answered by ACKs that the black path loses: LAST_ACK for good.
    expect(v?.message).toMatch(/^connection client:\d+>server:80 on server in LAST_ACK since \d+ µs, \d+\.\d s at the end, while its peer client is up$/);
  });
});

describe('pool-fifo: waiters are served in the order they came', () => {
  /** Five acquires wait on a one-connection pool; the holder gives it back; who got it, in order. */
  async function serveOrder(lifo: boolean) {
    const world = new World({ seed: 1 });
    const order: number[] = [];
    let pool!: Pool<number>;
    world.sim.host('app').spawn('svc', async (ctx) => {
      pool = new Pool<number>(ctx, { maximumPoolSize: 1, minimumIdle: 0, connectionTimeoutMs: 10_000 }, { open: (done) => done(null, 1), close: () => {} });
      // The bug planted: a stack where the line should be (the newest waiter served first).
      if (lifo) (pool as unknown as { waiters: unknown }).waiters = lifoLine();
      const held = await pool.acquire();
      const waits = [1, 2, 3, 4, 5].map(async (n) => {
        await ctx.sleep(n);
        const lease = await pool.acquire();
        order.push(n);
        await ctx.sleep(10);
        lease.release();
      });
      await ctx.sleep(100);
      held.release();
      await Promise.all(waits);
    });
    await world.sim.run();
    return { order, audit: world.audits.all().find((a) => a.rule === 'pool-fifo')! };
  }

  it('holds for the pool as built: first come, first served', async () => {
    const { order, audit } = await serveOrder(false);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(audit.first).toBeNull();
  });

  it('fails for a pool whose line is a stack', async () => {
    const { order, audit } = await serveOrder(true);
    expect(order).toEqual([5, 4, 3, 2, 1]);
    expect(audit.first?.message).toMatch(/^pool [\w-]+: a waiter in line since \d+ µs was served before one in line since \d+ µs$/);
  });
});

/** A waiter line with the Fifo's interface that serves the newest first. */
function lifoLine() {
  const items: { done: boolean; enqueuedUs: number }[] = [];
  return {
    get length() {
      return items.length;
    },
    push: (w: { done: boolean; enqueuedUs: number }) => void items.push(w),
    shift: () => items.pop(),
    find: (test: (w: { done: boolean; enqueuedUs: number }) => boolean) => items.find(test),
  };
}

describe('event-order: same-instant timers fire in the order they were set', () => {
  async function fireOrder(reverse: boolean) {
    const world = new World({ seed: 1 });
    const sched = world.sim.scheduler as unknown as { heap: { push(t: { at: number }): void; pop(): unknown; peek(): unknown } };
    if (reverse) {
      // The bug planted: a queue whose ties in time leave newest first.
      const items: { at: number; seq: number }[] = [];
      const top = () => items.reduce<{ at: number; seq: number } | undefined>((best, t) => (!best || t.at < best.at || (t.at === best.at && t.seq > best.seq) ? t : best), undefined);
      sched.heap = { push: (t) => void items.push(t as { at: number; seq: number }), peek: top, pop: () => items.splice(items.indexOf(top()!), 1)[0] };
    }
    const fired: string[] = [];
    for (const name of ['a', 'b', 'c']) world.sim.scheduler.at(1000, () => fired.push(name), null);
    await world.sim.run();
    return { fired, violations: checkInvariants({ sim: world.sim } as never, [eventOrder]) };
  }

  it('holds for the scheduler as built', async () => {
    const { fired, violations } = await fireOrder(false);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(violations).toEqual([]);
  });

  it('fails for a queue that breaks ties newest first', async () => {
    const { fired, violations } = await fireOrder(true);
    expect(fired).toEqual(['c', 'b', 'a']);
    expect(violations[0]?.message).toMatch(/^timer #\d+ due at 1000 µs fired after timer #\d+ at 1000 µs$/);
  });
});

describe('h2-stream-slots: every HTTP/2 stream gives its concurrency slot back when its request ends', () => {
  // The server aborts a third of its responses (HEADERS, then RST_STREAM INTERNAL_ERROR): the client's
  // reset path runs hundreds of times beside the ordinary one.
  const aborts = [{ at: '1s', kind: 'response-aborts', host: 'server', percent: 30 }];
  const slotsAudit = (run: Awaited<ReturnType<typeof simulate>>) => run.world.audits.all().filter((a) => a.rule === 'h2-stream-slots');

  it('holds in http2-hol with the server resetting streams', async () => {
    const run = await simulate(http2Hol, { faults: aborts, duration: '6s', traceDetail: 'light' });
    expect(run.requests.byError.ERR_HTTP2_STREAM_ERROR).toBeGreaterThan(20);
    const audits = slotsAudit(run);
    expect(audits.length).toBeGreaterThan(0);
    for (const a of audits) expect(a.first).toBeNull();
  });

  it('fails when a stream that ends keeps its slot', async () => {
    plant(Http2Client.prototype, 'release', () => {});
    const run = await simulate(http2Hol, { faults: aborts, duration: '6s', traceDetail: 'light' });
    const breached = slotsAudit(run).find((a) => a.first !== null);
    expect(breached?.first?.message).toMatch(/^stream \d+ \(request [^)]+\) ended with .+ but still holds its concurrency slot \(\d+ held\)$/);
  });
});
