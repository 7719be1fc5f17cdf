/**
 * Node's `net` API, as a Node engineer writes against it: listen's callback forms, EADDRINUSE as an 'error'
 * event, setTimeout and 'timeout', the connect `timeout` option, setEncoding, read(n), and the byte counts
 * (readableLength, bytesRead, writableLength, bytesWritten) with Node's meanings.
 */
import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../../sim/core/context.js';
import type { NetApi } from '../../sim/net/api.js';
import type { NetError } from '../../sim/net/errors.js';
import type { Socket } from '../../sim/net/tcp/socket.js';
import { api, concat, pattern, world } from './tcp-helpers.js';

/** A daemon actor on the server host runs `main`; what it hears goes into `heard`. */
function onServer(main: (net: NetApi, heard: string[], ctx: ActorContext) => void) {
  const w = world({ tracePackets: false });
  const heard: string[] = [];
  w.server.spawn('s', (ctx) => main(api(ctx), heard, ctx), { daemon: true });
  return { w, heard };
}

describe('server.listen, as Node takes it', () => {
  it("listen(port, cb), listen(port, backlog, cb), listen({ port }, cb), listen(0, host, cb) call cb a moment later, as does a 'listening' listener added after listen()", async () => {
    const { w, heard } = onServer((net, heard) => {
      const a = net.createServer().listen(80, () => heard.push(`a ${a.address()?.port}`));
      const b = net.createServer().listen(81, 7, () => heard.push(`b ${b.address()?.port}`));
      const c = net.createServer().listen({ port: 82, backlog: 3 }, () => heard.push(`c ${c.address()?.port}`));
      const d = net.createServer().listen(0, '0.0.0.0', () => heard.push(`d ${d.address()!.port >= 32768}`));
      const e = net.createServer().listen(83);
      e.on('listening', () => heard.push('e, added after listen()'));
    });
    await w.sim.run({ until: '1s' });
    expect(heard).toEqual(['a 80', 'b 81', 'c 82', 'd true', 'e, added after listen()']);
    const listens = w.sink.records.filter((r) => r.kind === 'tcp.listen').map((r) => [r.fields?.port, r.fields?.backlog]);
    expect(listens.slice(0, 3)).toEqual([
      [80, 511],
      [81, 7],
      [82, 3],
    ]);
  });

  it('a port in use is an error event a moment later (so a listener added after listen() hears it), not a throw', async () => {
    const { w, heard } = onServer((net, heard, ctx) => {
      net.createServer().listen(80);
      const second = net.createServer();
      second.listen(80, () => heard.push('listening'));
      second.on('error', (e) => heard.push(`${e.code} ${e.message} listening=${second.listening}@${ctx.now}`));
    });
    await w.sim.run({ until: '1s' });
    expect(heard).toEqual(['EADDRINUSE listen EADDRINUSE 0.0.0.0:80 listening=false@0']);
  });

  it('with no error listener, a port in use fails the actor, as an uncaught error ends a Node process', async () => {
    const w = world({ tracePackets: false });
    w.server.spawn('s', (ctx) => {
      api(ctx).createServer().listen(80);
      api(ctx).createServer().listen(80);
    });
    const result = await w.sim.run({ until: '1s' });
    expect(result.failures).toEqual([{ actor: 'server/s', atUs: 0, error: "Unhandled 'error' event: listen EADDRINUSE 0.0.0.0:80" }]);
  });
});

/** A server that echoes nothing and reads everything; the client gets the connected socket. */
function quietPair(client: (sock: Socket, ctx: ActorContext) => Promise<void>, options: Parameters<typeof world>[0] = {}) {
  const w = world({ tracePackets: false, ...options });
  w.server.spawn('s', (ctx) => void api(ctx).createServer((sock) => sock.on('data', () => {})).listen(80), { daemon: true });
  w.client.spawn('c', async (ctx) => client(await api(ctx).connectAsync({ host: 'server', port: 80 }), ctx));
  return w;
}

describe('socket.setTimeout and the connect timeout option', () => {
  it("'timeout' fires after the idle time since the last read or write; the socket stays open; activity restarts the count; setTimeout(ms, cb) adds cb once", async () => {
    const heard: string[] = [];
    const w = quietPair(async (sock, ctx) => {
      sock.setTimeout(500);
      sock.on('timeout', () => heard.push(`timeout@${ctx.now} ${sock.readyState}`));
      await ctx.sleep('300ms');
      sock.write('x'); // activity at 320 ms: the timeout moves to 820 ms
      await ctx.sleep('2s');
      sock.write('y'); // after a 'timeout', activity arms it again: 2.82 s
      await ctx.sleep('1s');
      sock.setTimeout(0); // off
      sock.write('z');
      await ctx.sleep('2s');
      sock.setTimeout(100, () => heard.push(`once@${ctx.now}`));
      sock.write('w');
      await ctx.sleep('150ms');
      sock.write('v');
      await ctx.sleep('150ms');
      sock.destroy();
    });
    await w.sim.run();
    // The callback given to setTimeout hears only the first after it (Node adds it with once).
    expect(heard).toEqual(['timeout@820000 open', 'timeout@2820000 open', 'timeout@5420000 open', 'once@5420000', 'timeout@5570000 open']);
  });

  it("connect({ timeout }) sets it before connecting: a SYN into the void gets 'timeout' at that time, and destroy() ends it quietly", async () => {
    const w = world({ tracePackets: false });
    w.net.configureLink('client', 'server', { loss: 1 });
    const heard: string[] = [];
    w.client.spawn('c', (ctx) => {
      const sock = api(ctx).connect({ host: 'server', port: 80, timeout: 2500 });
      sock.on('timeout', () => {
        heard.push(`timeout@${ctx.now} connecting=${sock.connecting} ${sock.timeout}`);
        sock.destroy();
      });
      sock.on('error', (e: NetError) => heard.push(`error ${e.code}`));
      sock.on('close', (hadError) => heard.push(`close ${hadError}@${ctx.now}`));
    });
    await w.sim.run();
    expect(heard).toEqual(['timeout@2500000 connecting=true 2500', 'close false@2500000']);
  });
});

/** `serve` gets the server's socket; the client writes `data` cut at `cuts`, a write each 50 ms, then ends. */
function transfer(data: Uint8Array, cuts: number[], serve: (sock: Socket) => void) {
  const w = world({ tracePackets: false });
  w.server.spawn('s', (ctx) => void api(ctx).createServer(serve).listen(80), { daemon: true });
  w.client.spawn('c', async (ctx) => {
    const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
    let at = 0;
    for (const cut of [...cuts, data.byteLength]) {
      sock.write(data.subarray(at, cut));
      at = cut;
      await ctx.sleep('50ms');
    }
    sock.end();
  });
  return w.sim.run();
}

describe('setEncoding', () => {
  it("utf8: a character cut between two segments arrives whole; 'data' gives strings", async () => {
    const text = 'naïve café — 日本語 ✓';
    const got: string[] = [];
    // Cut inside 'ï' (2 bytes) and inside '日' (3 bytes).
    await transfer(new TextEncoder().encode(text), [3, 16], (sock) => sock.setEncoding('utf8').on('data', (chunk) => got.push(chunk)));
    expect(got.join('')).toBe(text);
    expect(got.every((c) => typeof c === 'string' && !c.includes('\ufffd'))).toBe(true);
    expect(got.length).toBe(3);
  });

  it('hex, base64 and latin1 through read() across segment boundaries equal the whole stream encoded at once (Node Buffer as the reference)', async () => {
    const data = pattern(3000);
    for (const encoding of ['hex', 'base64', 'latin1'] as const) {
      let out = '';
      await transfer(data, [1000, 1001], async (sock) => {
        const s = sock.setEncoding(encoding);
        for (let chunk = await s.read(); chunk !== null; chunk = await s.read()) out += chunk;
      });
      expect(out, encoding).toBe(Buffer.from(data).toString(encoding));
    }
  });

  it('an unknown encoding throws, as in Node', async () => {
    const w = quietPair(async (sock) => {
      expect(() => sock.setEncoding('utf7' as 'utf8')).toThrow('Unknown encoding: utf7');
      sock.destroy();
    });
    const result = await w.sim.run();
    expect(result.failures).toEqual([]);
  });
});

describe('read(n) and the byte counts', () => {
  it('read(n) waits for exactly n bytes, gives fewer only at the end of the stream, then null', async () => {
    const data = pattern(10_000);
    const sizes: (number | null)[] = [];
    const chunks: Uint8Array[] = [];
    const cuts = Array.from({ length: 14 }, (_, i) => (i + 1) * 700);
    await transfer(data, cuts, async (sock) => {
      for (;;) {
        const chunk = await sock.read(4096);
        sizes.push(chunk?.byteLength ?? null);
        if (chunk === null) return;
        chunks.push(chunk);
      }
    });
    expect(sizes).toEqual([4096, 4096, 1808, null]);
    expect(concat(chunks)).toEqual(data);
  });

  it('read(n) beyond the receive buffer is refused (it could never be satisfied)', async () => {
    let message = '';
    const w = quietPair(async (sock) => {
      message = await sock.read(131_073).then(
        () => 'read',
        (e: Error) => `${e.name}: ${e.message}`,
      );
      sock.destroy();
    });
    await w.sim.run();
    expect(message).toBe('RangeError: read(size): size must be a whole number of bytes from 1 to the receive buffer (131072), got 131073');
  });

  it('readableLength is what waits unread, bytesRead what the application took; writableLength counts only what the kernel has not taken', async () => {
    const seen: Record<string, number>[] = [];
    const w = world({ tracePackets: false });
    w.server.spawn(
      's',
      (ctx) =>
        void api(ctx)
          .createServer(async (sock) => {
            await ctx.sleep('500ms'); // all 23,000 bytes arrived, none read
            seen.push({ readableLength: sock.readableLength, bytesRead: sock.bytesRead });
            await sock.read(1000);
            seen.push({ readableLength: sock.readableLength, bytesRead: sock.bytesRead });
            sock.pause(); // the rest waits
          })
          .listen(80),
      { daemon: true },
    );
    w.client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      sock.write(pattern(3000));
      seen.push({ writableLength: sock.writableLength, bytesWritten: sock.bytesWritten });
      // 20,000 bytes more: the kernel's 16 KiB send buffer takes 16,384 of the 23,000, the rest waits in user space.
      sock.write(pattern(20_000));
      seen.push({ writableLength: sock.writableLength, bytesWritten: sock.bytesWritten });
      await ctx.sleep('2s');
      seen.push({ writableLength: sock.writableLength, bytesWritten: sock.bytesWritten });
      sock.destroy();
    });
    await w.sim.run({ until: '3s' });
    expect(seen).toEqual([
      { writableLength: 0, bytesWritten: 3000 },
      { writableLength: 23_000 - 16_384, bytesWritten: 23_000 },
      { readableLength: 23_000, bytesRead: 0 },
      { readableLength: 22_000, bytesRead: 1000 },
      { writableLength: 0, bytesWritten: 23_000 },
    ]);
  });
});
