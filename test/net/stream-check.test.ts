import { afterEach, describe, expect, it } from 'vitest';
import type { ActorContext } from '../../sim/core/context.js';
import { Simulation } from '../../sim/core/simulation.js';
import type { NetError } from '../../sim/net/errors.js';
import type { LinkOptions } from '../../sim/net/link.js';
import { Network } from '../../sim/net/network.js';
import { Connection } from '../../sim/net/tcp/connection.js';
import type { Socket } from '../../sim/net/tcp/socket.js';
import { StreamChecker, type StreamCheckSummary } from '../../sim/net/tcp/stream-check.js';
import { api, concat, pattern, world } from './tcp-helpers.js';
import { World as WorldOf } from '../../sim/world.js';

type World = ReturnType<typeof world>;

const faultyLink: Partial<LinkOptions> = { latency: { kind: 'uniform', min: '1ms', max: '20ms' }, loss: 0.05, duplicate: 0.05, reorder: 0.1 };

/** Writes `data` in 64 KiB writes, waiting for 'drain' when told to, then ends. */
async function writeAll(sock: Socket, data: Uint8Array): Promise<void> {
  for (let at = 0; at < data.byteLength; at += 65_536) {
    if (!sock.write(data.subarray(at, at + 65_536))) await sock.wait('drain');
  }
  sock.end();
}

/** Client and server each write their bytes while reading the other's; both half-close when done. */
async function exchange(w: World, up: Uint8Array, down: Uint8Array) {
  const gotUp: Uint8Array[] = [];
  const gotDown: Uint8Array[] = [];
  w.server.spawn(
    's',
    (ctx: ActorContext) =>
      void api(ctx)
        .createServer({ allowHalfOpen: true }, (sock) => {
          sock.on('data', (c) => gotUp.push(c));
          ctx.go(() => writeAll(sock, down));
        })
        .listen(80),
    { daemon: true },
  );
  w.client.spawn('c', async (ctx) => {
    const sock = await api(ctx).connectAsync({ host: 'server', port: 80, allowHalfOpen: true });
    sock.on('data', (c) => gotDown.push(c));
    await writeAll(sock, up);
    if (!sock.readableEnded) await sock.wait('end');
  });
  const result = await w.sim.run({ until: '1h' });
  return { result, up: concat(gotUp), down: concat(gotDown), summary: w.net.streamChecker?.summary()! };
}

/**
 * The client writes `data` and ends (or runs `write`), with `during` beside; the server reads with for-await
 * until the end or an error.
 */
async function oneWay(
  w: World,
  data: Uint8Array,
  during?: (ctx: ActorContext, sock: Socket) => Promise<void>,
  write: (ctx: ActorContext, sock: Socket) => Promise<void> = (_ctx, sock) => writeAll(sock, data),
) {
  const received: Uint8Array[] = [];
  let error: string | undefined;
  let clientConn = '';
  w.server.spawn(
    's',
    async (ctx: ActorContext) => {
      const sock = await api(ctx).createServer({ autoAccept: false }).listen(80).accept();
      try {
        for await (const chunk of sock) received.push(chunk);
      } catch (e) {
        error = (e as NetError).code;
      }
    },
    { daemon: true },
  );
  w.client.spawn('c', async (ctx) => {
    const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
    sock.on('error', () => {});
    clientConn = sock.connectionId!;
    if (during) ctx.go(() => during(ctx, sock));
    await write(ctx, sock);
    await sock.read();
  });
  const result = await w.sim.run({ until: '1h' });
  return { result, got: concat(received), error, conn: clientConn, summary: w.net.streamChecker?.summary()! };
}

/** The first offset where `got` differs from `expected` (or where it runs past it), or -1. */
function firstDifference(got: Uint8Array, expected: Uint8Array): number {
  for (let i = 0; i < got.byteLength; i++) if (i >= expected.byteLength || got[i] !== expected[i]) return i;
  return got.byteLength < expected.byteLength ? got.byteLength : -1;
}

// ---- Bugs planted in the receive path, in the test only: each wraps what the server's application reads ----

const originalRead = Connection.prototype.read;
afterEach(() => {
  Connection.prototype.read = originalRead;
});

/**
 * Replaces Connection.read on the server's end with `bug`, which gets the real read and the stream offset of
 * the next byte the application would get.
 */
function plant(bug: (read: () => Uint8Array | null, offset: number) => Uint8Array | null): void {
  const offsets = new WeakMap<Connection, number>();
  Connection.prototype.read = function (this: Connection, maxBytes?: number) {
    if (this.stack.host.name !== 'server') return originalRead.call(this, maxBytes);
    const offset = offsets.get(this) ?? 0;
    const chunk = bug(() => originalRead.call(this, maxBytes), offset);
    if (chunk) offsets.set(this, offset + chunk.byteLength);
    return chunk;
  };
}

/** A bug that strikes once, at the first chunk reaching `offset`. */
function once(offset: number, strike: (chunk: Uint8Array, read: () => Uint8Array | null) => Uint8Array | null) {
  let struck = false;
  return (read: () => Uint8Array | null, at: number): Uint8Array | null => {
    const chunk = read();
    if (struck || chunk === null || at + chunk.byteLength <= offset) return chunk;
    struck = true;
    return strike(chunk, read);
  };
}

describe('the stream check', () => {
  it('1 MB each way over lossy, duplicating, reordering links with jittery latency: intact, all verified, no violation', async () => {
    const w = world({ link: faultyLink, tracePackets: false, checkStreams: true });
    const up = pattern(1 << 20);
    const down = pattern((1 << 20) + 13).subarray(13);
    const { result, summary, ...got } = await exchange(w, up, down);
    expect(result.failures).toEqual([]);
    expect(Buffer.from(got.up).equals(Buffer.from(up))).toBe(true);
    expect(Buffer.from(got.down).equals(Buffer.from(down))).toBe(true);
    expect(w.sim.metrics.counter('tcp.segments.retransmitted').value).toBeGreaterThan(20);
    expect(w.sim.metrics.counter('net.drop.loss').value).toBeGreaterThan(0);
    expect(summary).toEqual({ connections: 1, open: 0, bytesVerified: 2 << 20, violationCount: 0, violations: [] });
  });

  it('a world with checkStreams turns it on for the network its build makes, whatever that network asks; it is off by default', () => {
    const on = new WorldOf({ seed: 1, checkStreams: true });
    on.createNetwork({ checkStreams: false });
    expect(on.streams?.summary()).toMatchObject({ connections: 0, bytesVerified: 0, violations: [] });
    const off = new WorldOf({ seed: 1 });
    off.createNetwork();
    expect(off.streams).toBeNull();
    expect(new Network(new Simulation({ seed: 1 }), { checkStreams: true }).streamChecker).not.toBeNull();
  });

  describe('catches a receive path that corrupts the stream', () => {
    const data = pattern(200_000);

    async function caught(bug: Parameters<typeof plant>[0]) {
      plant(bug);
      const run = await oneWay(world({ link: { latency: '5ms' }, tracePackets: false, checkStreams: true }), data);
      const offset = firstDifference(run.got, data);
      expect(offset).toBeGreaterThanOrEqual(0); // the planted bug did reach the application
      expect(run.summary.violationCount).toBe(1);
      const v = run.summary.violations[0]!;
      expect(v.conn).toBe(run.conn);
      expect(v.conn).toBe('client:32768>server:80');
      expect(v.direction).toBe('client>server');
      expect(v.offset).toBe(offset);
      expect(run.summary.bytesVerified).toBe(offset);
      return { v, got: run.got };
    }

    it('one byte flipped', async () => {
      const { v } = await caught(
        once(100_000, (chunk) => {
          const bad = chunk.slice();
          bad[bad.byteLength - 1]! ^= 0x10;
          return bad;
        }),
      );
      expect(v.kind).toBe('mismatch');
      expect(v.gotByte).toBe(data[v.offset]! ^ 0x10);
      expect(v.expectedByte).toBe(data[v.offset]);
    });

    it('one segment delivered twice', async () => {
      let again: Uint8Array | null = null;
      const { v, got } = await caught((read, at) => {
        if (again) {
          const chunk = again;
          again = null;
          return chunk;
        }
        const chunk = read();
        if (chunk && at < 50_000 && at + chunk.byteLength >= 50_000) again = chunk;
        return chunk;
      });
      expect(v.kind).toBe('mismatch');
      expect(got.byteLength).toBeGreaterThan(data.byteLength);
    });

    it('two chunks swapped', async () => {
      let held: Uint8Array | null = null;
      let swapped = false;
      const { v } = await caught((read, at) => {
        if (swapped && held) {
          const first = held;
          held = null;
          return first;
        }
        const chunk = read();
        if (swapped || chunk === null) return chunk;
        if (held) {
          swapped = true; // the later chunk goes first; the held one next
          return chunk;
        }
        if (at >= 70_000) held = chunk; // withheld until the next chunk arrives
        return held ? null : chunk;
      });
      expect(v.kind).toBe('mismatch');
    });

    it('the last chunk delivered twice: extra bytes', async () => {
      let again: Uint8Array | null = null;
      let last = false;
      const { v } = await caught((read, at) => {
        if (again) {
          const chunk = again;
          again = null;
          last = true;
          return chunk;
        }
        const chunk = read();
        if (chunk && !last && at + chunk.byteLength === data.byteLength) again = chunk;
        return chunk;
      });
      expect(v).toMatchObject({ kind: 'extra', offset: data.byteLength });
      expect(v.bytes).toBeGreaterThan(0);
    });
  });

  describe('a stream that ends', () => {
    it('cleanly (FIN) with bytes never delivered is a violation: missing', async () => {
      // The bug: the last chunk vanishes between the kernel and the application.
      plant((read) => {
        const chunk = read();
        return chunk && chunk[0] === 0x42 ? read() : chunk;
      });
      const w = world({ link: { latency: '5ms' }, tracePackets: false, checkStreams: true });
      const run = await oneWay(w, new Uint8Array(0), undefined, async (ctx, sock) => {
        sock.write(new Uint8Array(1000).fill(0x41));
        await ctx.sleep('1s');
        sock.end(new Uint8Array(500).fill(0x42));
      });
      expect(run.error).toBeUndefined();
      expect(run.got.byteLength).toBe(1000);
      expect(run.summary.violations).toEqual([
        { t: expect.any(Number), kind: 'missing', conn: 'client:32768>server:80', direction: 'client>server', offset: 1000, expectedByte: 0x42, bytes: 500 },
      ]);
      const record = w.sink.records.find((r) => r.kind === 'tcp.stream-violation');
      expect(record).toEqual({
        t: run.summary.violations[0]!.t,
        kind: 'tcp.stream-violation',
        host: 'server',
        conn: 'client:32768>server:80',
        fields: { kind: 'missing', direction: 'client>server', offset: 1000, expectedByte: 0x42, bytes: 500 },
      });
    });

    it('with a reset mid-stream delivers a prefix: not a violation', async () => {
      const data = pattern(1 << 20);
      const run = await oneWay(world({ link: { latency: '5ms' }, tracePackets: false, checkStreams: true }), data, async (ctx, sock) => {
        await ctx.sleep('150ms');
        sock.resetAndDestroy();
      });
      expect(run.error).toBe('ECONNRESET');
      expect(run.got.byteLength).toBeGreaterThan(0);
      expect(run.got.byteLength).toBeLessThan(data.byteLength);
      expect(firstDifference(run.got, data)).toBe(run.got.byteLength); // a prefix, cut short
      expect(run.summary).toMatchObject({ connections: 1, bytesVerified: run.got.byteLength, violations: [] });
    });

    for (const [fault, host] of [
      ['crash', 'client'],
      ['crash', 'server'],
      ['kill', 'client'],
    ] as const) {
      it(`when the ${host === 'client' ? 'sending' : 'receiving'} host is ${fault === 'crash' ? 'crashed' : 'killed'} mid-transfer: not a violation`, async () => {
        const data = pattern(1 << 20);
        const w = world({ link: faultyLink, tracePackets: false, checkStreams: true });
        w.sim.at('300ms', () => w.sim.host(host)[fault]());
        const run = await oneWay(w, data);
        expect(run.got.byteLength).toBeLessThan(data.byteLength);
        expect(firstDifference(run.got, data)).toBe(run.got.byteLength);
        expect(run.summary.bytesVerified).toBe(run.got.byteLength);
        expect(run.summary.violations).toEqual([]);
      });
    }
  });

  it('a client restarted after a crash that binds the same port reuses the 4-tuple at once: each incarnation is its own stream', async () => {
    const w = world({ link: { latency: '5ms' }, tracePackets: false, checkStreams: true });
    w.server.spawn('s', (ctx) => void api(ctx).createServer((sock) => sock.on('data', (c) => sock.write(c))).listen(80), { daemon: true });
    const ids: string[] = [];
    const echoes: number[] = [];
    w.client.spawn('c', async (ctx) => {
      // A reboot starts the ephemeral ports elsewhere: the port is bound, so every incarnation has the same 4-tuple.
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80, localPort: 32768 });
      ids.push(sock.connectionId!);
      const payload = pattern(5_000 + ids.length * 1_000); // a different length each time
      sock.end(payload);
      let n = 0;
      for await (const c of sock) n += c.byteLength;
      echoes.push(n);
      await ctx.sleep('1h'); // its port waits in TIME_WAIT until the crash wipes it
    });
    for (const at of [2, 4, 6]) {
      w.sim.at(`${at}s`, () => w.sim.host('client').crash());
      w.sim.at(`${at + 1}s`, () => w.sim.host('client').restart());
    }
    await w.sim.run({ until: '10s' });
    expect(ids).toEqual(Array(4).fill('client:32768>server:80'));
    expect(echoes).toEqual([6_000, 7_000, 8_000, 9_000]);
    expect(w.net.streamChecker?.summary()!).toEqual({ connections: 4, open: 1, bytesVerified: 2 * 30_000, violationCount: 0, violations: [] });
  });

  it('thousands of short connections reusing ports (after TIME_WAIT) are each their own stream: no violation', async () => {
    const w = world({ link: { latency: '1ms', loss: 0.01 }, tracePackets: false, checkStreams: true, tcp: { timeWaitMs: 5_000 } });
    w.server.spawn('s', (ctx) => void api(ctx).createServer((sock) => sock.on('data', (c) => sock.write(c))).listen(80), { daemon: true });
    const ids = new Set<string>();
    let echoed = 0;
    const connections = 30_000;
    w.client.spawn('c', (ctx) => {
      let opened = 0;
      const tick = () => {
        if (opened === connections) return;
        const n = opened++;
        const sock = api(ctx).connect({ host: 'server', port: 80 });
        sock.on('error', () => {});
        sock.on('connect', () => {
          ids.add(sock.connectionId!);
          sock.end(`hello ${n}`);
        });
        sock.on('data', (c) => (echoed += c.byteLength));
        ctx.timer(1_000, tick);
      };
      tick();
    });
    const result = await w.sim.run({ until: '2m' });
    expect(result.failures).toEqual([]);
    const summary: StreamCheckSummary = w.net.streamChecker?.summary()!;
    expect(ids.size).toBeLessThan(connections); // ports came round again
    expect(summary.connections).toBe(connections);
    expect(summary.open).toBe(0); // every pair's state was dropped once both ends closed
    expect(summary.violations).toEqual([]);
    expect(summary.bytesVerified).toBe(2 * echoed);
  });

  describe('the trace', () => {
    async function digestOf(checkStreams: boolean, bug?: Parameters<typeof plant>[0]) {
      if (bug) plant(bug);
      const w = world({ link: faultyLink, checkStreams });
      const run = await oneWay(w, pattern(100_000));
      Connection.prototype.read = originalRead;
      return { digest: run.result.digest, unseed: run.result.unseed, lines: w.sink.lines, checker: w.net.streamChecker };
    }

    it('a healthy run traces the same with the check on as off (same digest and unseed)', async () => {
      const off = await digestOf(false);
      const on = await digestOf(true);
      expect(off.checker).toBeNull();
      expect(on.checker!.summary()).toMatchObject({ connections: 1, bytesVerified: 100_000, violations: [] });
      expect(on.digest).toBe(off.digest);
      expect(on.unseed).toBe(off.unseed);
      expect(on.lines.length).toBe(off.lines.length);
    });

    it('with a violation, the trace differs only by the tcp.stream-violation record', async () => {
      const flip = () =>
        once(30_000, (chunk) => {
          const bad = chunk.slice();
          bad[0]! ^= 1;
          return bad;
        });
      const off = await digestOf(false, flip());
      const on = await digestOf(true, flip());
      const violations = on.lines.filter((l) => l.includes('"kind":"tcp.stream-violation"'));
      expect(violations).toHaveLength(1);
      expect(on.lines.filter((l) => !violations.includes(l))).toEqual(off.lines);
      expect(on.digest).not.toBe(off.digest);
    });
  });
});
