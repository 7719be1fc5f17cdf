/**
 * The kernel as the oracle: each behaviour runs twice, once against the Linux kernel this test runs on (two
 * network namespaces on a veth pair, nft to drop or reject, sysctls shortened per namespace, a Node process
 * doing the steps with real sockets: netns.ts, driver.mjs) and once in faultline with the same settings, and
 * the two must agree: the outcome and error code exactly, the time within 10 ms + 2%, plus the most the
 * kernel's timer wheel can delay the timers involved (wheelSlackMs: up to 32 ms per 1 s timer at HZ 250;
 * faultline fires its timers exactly), plus what is not network time (a process waking up to report, one
 * dying after a SIGKILL).
 *
 * Linux 6.x retransmits a SYN with linear timeouts first (tcp_syn_linear_timeouts, default 4: SYNs at 0, 1, 2,
 * 3, 4, 5, 7, 11 … s). faultline models the classic doubling schedule, so the SYN case sets it to 0.
 *
 * Needs root, iproute2, nftables and python3; without them the suite is skipped with one line saying why.
 * About 25 s in all.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { NetError } from '../../sim/net/errors.js';
import type { TcpOptions } from '../../sim/net/tcp/options.js';
import { api, world } from '../net/tcp-helpers.js';
import { kernelUnavailable, NetnsPair, wheelSlackMs, type Report } from './netns.js';

const why = kernelUnavailable();
if (why !== null) console.log(`test/kernel: skipped, ${why}`);

/** One side's result: what the caller saw, and when (ms from the case's reference moment). */
interface Outcome {
  outcome: string;
  ms: number;
}

/**
 * A SIGKILLed process's sockets close when the kernel tears it down (do_exit unmaps its memory before it
 * closes its files): some 10 ms for a Node process on this machine, more on a busy one. faultline's kill is
 * instantaneous, so a time measured from a kill may run this much later on the kernel.
 */
const PROCESS_TEARDOWN_MS = 50;

/**
 * The kernel side's times are taken in a Node process's callbacks, after the kernel has done its part and the
 * process has been scheduled: on a loaded machine (the whole suite on two cores) that wake-up alone has taken
 * over 10 ms. Not network time, so it is allowed on top.
 */
const WAKEUP_MS = 15;

/**
 * The kernel and faultline agree: the same outcome, times within 10 ms + 2% + the timer wheel's slack (and
 * `extraMs` for what is not network time).
 */
function expectAgree(what: string, kernel: Outcome, sim: Outcome, kernelTimersMs: number[] = [], extraMs = 0): void {
  compared.push(`${what.padEnd(34)} kernel ${kernel.outcome.padEnd(12)} ${kernel.ms.toFixed(1).padStart(8)} ms   faultline ${sim.outcome.padEnd(12)} ${sim.ms.toFixed(1).padStart(8)} ms`);
  expect(kernel.outcome, `kernel ${JSON.stringify(kernel)} vs faultline ${JSON.stringify(sim)}`).toBe(sim.outcome);
  const slack = wheelSlackMs(kernelTimersMs) + WAKEUP_MS + extraMs;
  const tolerance = 10 + 0.02 * sim.ms + slack;
  // The kernel is never early: its timers fire on or after their deadline.
  expect(kernel.ms - sim.ms, `kernel ${kernel.ms.toFixed(1)} ms, faultline ${sim.ms.toFixed(1)} ms, tolerance ${tolerance.toFixed(1)} ms (wheel ${slack} ms)`).toBeGreaterThanOrEqual(-10);
  expect(kernel.ms - sim.ms, `kernel ${kernel.ms.toFixed(1)} ms, faultline ${sim.ms.toFixed(1)} ms, tolerance ${tolerance.toFixed(1)} ms (wheel ${slack} ms)`).toBeLessThanOrEqual(tolerance);
}

/** The first report that ends a connect or a read, as an outcome. */
const ending = (r: Report): boolean => r.ev === 'error' || r.ev === 'end' || r.ev === 'connect';
/** The first report that ends a read: the peer's FIN or an error. */
const readEnding = (r: Report): boolean => r.ev === 'error' || r.ev === 'end';
const outcomeOf = (r: Report): string => (r.ev === 'error' ? String(r.code) : r.ev);

/** Every comparison made, printed at the end: the two columns of the README's fidelity table. */
const compared: string[] = [];
afterAll(() => {
  if (compared.length > 0) console.log(`kernel (${'this machine'}) against faultline:\n${compared.join('\n')}`);
});

/** veth: a one-way trip of some 20 µs. */
const vethLink = { latency: '20us' } as const;

/** The kernel side of a connect: from the driver's start to its connect, error or end. */
async function kernelConnect(ns: NetnsPair, host: string, port: number): Promise<Outcome> {
  const c = ns.driver(ns.a, 'connect', host, port);
  const [start, end] = [await c.next('start'), await c.next(ending)];
  return { outcome: outcomeOf(end), ms: end.t - start.t };
}

/** faultline's side of a connect at time 0 from 'client' (a world with `tcp`, `before` run on it first). */
async function simConnect(host: string, port: number, tcp: Partial<TcpOptions> = {}, before?: (w: ReturnType<typeof world>) => void): Promise<Outcome> {
  const w = world({ link: vethLink, tcp, tracePackets: false });
  before?.(w);
  let sim: Outcome = { outcome: 'connect', ms: 0 };
  w.client.spawn('c', async (ctx) => {
    await api(ctx)
      .connectAsync({ host, port })
      .then(
        () => (sim = { outcome: 'connect', ms: ctx.now / 1000 }),
        (e: NetError) => (sim = { outcome: e.code, ms: ctx.now / 1000 }),
      );
  });
  await w.sim.run();
  return sim;
}

describe.skipIf(why !== null)(`the kernel as the oracle${why === null ? '' : ` (skipped: ${why})`}`, () => {
  let pair: NetnsPair | null = null;
  const netns = (): NetnsPair => (pair = new NetnsPair());
  afterEach(() => {
    pair?.down();
    pair = null;
  });

  it('SYNs to a port that drops them: ETIMEDOUT when tcp_syn_retries (2) run out, at 1 + 2 + 4 s', async () => {
    const ns = netns();
    ns.sysctl(ns.a, { 'net.ipv4.tcp_syn_retries': 2, 'net.ipv4.tcp_syn_linear_timeouts': 0 });
    ns.nft(ns.b, [{ chain: 'input', rule: 'tcp dport 80 drop' }]);
    const kernel = await kernelConnect(ns, ns.ipB, 80);
    const sim = await simConnect('server', 80, { synRetries: 2 }, (w) => w.net.configureLink('client', 'server', { loss: 1 }));
    expect(sim).toEqual({ outcome: 'ETIMEDOUT', ms: 7000 });
    expectAgree('SYN retries (2) to ETIMEDOUT', kernel, sim, [1000, 2000, 4000]);
  });

  it('a port with no listener, and one whose SYNs nft rejects with a TCP reset: ECONNREFUSED within a round trip', async () => {
    const ns = netns();
    ns.nft(ns.b, [{ chain: 'input', rule: 'tcp dport 82 reject with tcp reset' }]);
    const server = ns.driver(ns.b, 'server', 82, 'read');
    await server.next('listening');
    const kernel = [await kernelConnect(ns, ns.ipB, 81), await kernelConnect(ns, ns.ipB, 82)];
    // faultline has no reject rule: a reset for the SYN is what a port with no listener sends.
    const sim = await simConnect('server', 81);
    expect(sim).toEqual({ outcome: 'ECONNREFUSED', ms: 0.04 });
    kernel.forEach((k, i) => expectAgree(i === 0 ? 'no listener' : 'nft reject with tcp reset', k, sim));
  });

  it('an address on the subnet that no host has: EHOSTUNREACH when ARP gives up, 3 s on', async () => {
    const ns = netns();
    const kernel = await kernelConnect(ns, ns.ipUnused, 80);
    const sim = await simConnect('10.0.9.77', 80);
    expectAgree('unused on-link address', kernel, sim, [1000, 1000, 1000]);
  });

  /**
   * kill -9 of the server process while the client idles on a connection: the kernel closes the dead
   * process's socket. `serverReads`: whether the server read what the client sent (`clientWrites` bytes).
   * Returns the client's outcome and its time from the kill, on both sides.
   */
  async function killServer(serverReads: boolean, clientWrites: number): Promise<{ kernel: Outcome; sim: Outcome }> {
    const ns = netns();
    const server = serverReads ? ns.driver(ns.b, 'server', 80, 'read') : ns.acceptNoRead(ns.b, 80);
    await server.next('listening');
    const c = ns.driver(ns.a, 'connect', ns.ipB, 80, '--write', clientWrites);
    await c.next('connect');
    await server.next('accepted');
    await new Promise((r) => setTimeout(r, 100)); // the write is in and (or not) read
    const killedAt = server.kill();
    const end = await c.next(readEnding);
    const kernel = { outcome: outcomeOf(end), ms: end.t - killedAt };

    const w = world({ link: vethLink, tracePackets: false });
    w.server.spawn('s', (ctx) => void api(ctx).createServer((sock) => (serverReads ? sock.on('data', () => {}) : sock.pause())).listen(80), { daemon: true });
    let sim: Outcome = { outcome: 'none', ms: 0 };
    w.client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      if (clientWrites > 0) sock.write(new Uint8Array(clientWrites));
      const chunk = await sock.read().catch((e: NetError) => e);
      sim = { outcome: chunk === null ? 'end' : chunk instanceof Error ? (chunk as NetError).code : 'data', ms: (ctx.now - 1_000_000) / 1000 };
    });
    w.sim.at('1s', () => w.server.host.kill());
    await w.sim.run();
    return { kernel, sim };
  }

  it('kill -9 of a process holding an idle connection: the kernel sends FIN, the peer reads end-of-stream', async () => {
    const { kernel, sim } = await killServer(true, 0);
    expect(sim.outcome).toBe('end');
    expectAgree('kill -9, idle socket (from kill)', kernel, sim, [], PROCESS_TEARDOWN_MS);
  });

  it('kill -9 of a process with unread data on its connection: the kernel sends RST, the peer gets ECONNRESET', async () => {
    const { kernel, sim } = await killServer(false, 1000);
    expect(sim.outcome).toBe('ECONNRESET');
    expectAgree('kill -9, unread data (from kill)', kernel, sim, [], PROCESS_TEARDOWN_MS);
  });

  it('kill -9 of a listener with a connection in its accept queue: that one is reset, a new connect is refused', async () => {
    const ns = netns();
    const listener = ns.listenOnly(ns.b, 80, 8);
    await listener.next('listening');
    const queued = ns.driver(ns.a, 'connect', ns.ipB, 80);
    await queued.next('connect'); // the kernel completed the handshake; nobody accepts
    await new Promise((r) => setTimeout(r, 50));
    const killedAt = listener.kill();
    const reset = await queued.next(readEnding);
    await new Promise((r) => setTimeout(r, 50));
    const again = ns.driver(ns.a, 'connect', ns.ipB, 80);
    const [start, refused] = [await again.next('start'), await again.next(ending)];
    const kernel = [
      { outcome: outcomeOf(reset), ms: reset.t - killedAt },
      { outcome: outcomeOf(refused), ms: refused.t - start.t },
    ];

    const w = world({ link: vethLink, tracePackets: false });
    w.server.spawn('s', (ctx) => void api(ctx).createServer({ autoAccept: false }).listen(80, 8), { daemon: true });
    const sim: Outcome[] = [];
    w.client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      await sock.read().catch((e: NetError) => sim.push({ outcome: e.code, ms: (ctx.now - 1_000_000) / 1000 }));
      const startUs = ctx.now;
      await api(ctx)
        .connectAsync({ host: 'server', port: 80 })
        .catch((e: NetError) => sim.push({ outcome: e.code, ms: (ctx.now - startUs) / 1000 }));
    });
    w.sim.at('1s', () => w.server.host.kill());
    await w.sim.run();
    expect(sim.map((s) => s.outcome)).toEqual(['ECONNRESET', 'ECONNREFUSED']);
    expectAgree('kill -9 listener: queued conn', kernel[0]!, sim[0]!, [], PROCESS_TEARDOWN_MS);
    expectAgree('kill -9 listener: new connect', kernel[1]!, sim[1]!);
  });

  it('half-close: the client ends its side after a question, the server answers after reading the end, then ends', async () => {
    const ns = netns();
    const server = ns.driver(ns.b, 'half-close-server', 80);
    await server.next('listening');
    const c = ns.driver(ns.a, 'half-close-client', ns.ipB, 80);
    await c.next('close');
    const kernel = c.reports.map((r) => (r.ev === 'data' ? `data ${String(r.text)}` : r.ev));

    const w = world({ link: vethLink, tracePackets: false });
    w.server.spawn(
      's',
      (ctx) =>
        void api(ctx)
          .createServer({ allowHalfOpen: true }, (sock) => {
            let got = '';
            sock.on('data', (chunk) => (got += new TextDecoder().decode(chunk)));
            sock.on('end', () => sock.end(`answer to ${got}`));
          })
          .listen(80),
      { daemon: true },
    );
    const sim: string[] = [];
    w.client.spawn('c', (ctx) => {
      const sock = api(ctx).connect({ host: 'server', port: 80, allowHalfOpen: true });
      sock.on('connect', () => {
        sim.push('connect');
        sock.end('question');
      });
      sock.on('data', (chunk) => sim.push(`data ${new TextDecoder().decode(chunk)}`));
      sock.on('end', () => sim.push('end'));
      sock.on('close', () => sim.push('close'));
    });
    await w.sim.run();
    compared.push(`${'half-close'.padEnd(34)} kernel ${kernel.join(', ')}   faultline ${sim.join(', ')}`);
    expect(kernel).toEqual(sim);
    expect(sim).toEqual(['connect', 'data answer to question', 'end', 'close']);
  });

  it('a listener that never accepts, backlog 1: two connections complete (backlog + 1), the third SYN is dropped and retried', async () => {
    const ns = netns();
    const listener = ns.listenOnly(ns.b, 80, 1);
    await listener.next('listening');
    const clients = [0, 1, 2].map(() => ns.driver(ns.a, 'connect', ns.ipB, 80, '--hold-ms', 1500));
    await Promise.all(clients.map((c) => c.next('hold-over', 10_000)));
    const kernel = clients.filter((c) => c.reports.some((r) => r.ev === 'connect')).length;

    const w = world({ link: vethLink, tracePackets: false });
    w.server.spawn('s', (ctx) => void api(ctx).createServer({ autoAccept: false }).listen(80, 1), { daemon: true });
    let sim = 0;
    // The kernel's three clients are three processes started one after another, so each SYN comes after the
    // handshakes before it have completed (Node's start-up takes tens of ms): the same here, 50 ms apart.
    for (let i = 0; i < 3; i++) w.client.spawn(`c${i}`, (ctx) => void api(ctx).connect({ host: 'server', port: 80 }).on('connect', () => sim++), { at: 50_000 * i });
    await w.sim.run({ until: '1500ms' });
    compared.push(`${'backlog 1, never accepted'.padEnd(34)} kernel ${kernel} connected              faultline ${sim} connected`);
    expect(sim).toBe(2);
    expect(kernel).toBe(sim);
  });

  it('an established connection whose path goes black: RTO backoff from 200 ms, ETIMEDOUT when tcp_retries2 (3) is spent, 3 s after the write', async () => {
    const ns = netns();
    ns.sysctl(ns.a, { 'net.ipv4.tcp_retries2': 3 });
    const server = ns.driver(ns.b, 'server', 80, 'read');
    await server.next('listening');
    const c = ns.driver(ns.a, 'connect', ns.ipB, 80, '--write', 100, '--write-after-ms', 300);
    await c.next('connect');
    ns.nft(ns.a, [{ chain: 'output', rule: `ip daddr ${ns.ipB} drop` }]);
    const end = await c.next(readEnding);
    const connected = await c.next('connect');
    const kernel = { outcome: outcomeOf(end), ms: end.t - (connected.t + 300) };

    const w = world({ link: vethLink, tcp: { retries2: 3 }, tracePackets: false });
    w.server.spawn('s', (ctx) => void api(ctx).createServer((sock) => sock.on('data', () => {})).listen(80), { daemon: true });
    let sim: Outcome = { outcome: 'none', ms: 0 };
    w.client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      await ctx.sleep('300ms');
      w.net.configureLink('client', 'server', { loss: 1 });
      const wroteUs = ctx.now;
      sock.write(new Uint8Array(100));
      await sock.read().catch((e: NetError) => (sim = { outcome: e.code, ms: (ctx.now - wroteUs) / 1000 }));
    });
    await w.sim.run();
    expect(sim.outcome).toBe('ETIMEDOUT');
    // Four RTOs, 200 ms doubling (tcp_model_timeout(3, TCP_RTO_MIN) = 3 s).
    expectAgree('blackhole, tcp_retries2 3', kernel, sim, [200, 400, 800, 1600]);
  });
});
