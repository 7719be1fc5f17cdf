import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../../sim/core/context.js';
import type { LinkOptions } from '../../sim/net/link.js';
import { api, concat, pattern, world } from './tcp-helpers.js';

/** The client sends `bytes` and ends; the server reads to the end. Returns what arrived and when. */
async function transfer(bytes: number, link: Partial<LinkOptions>, seed = 1, setup?: (w: ReturnType<typeof world>) => void) {
  const w = world({ seed, link, tracePackets: false });
  const data = pattern(bytes);
  const received: Uint8Array[] = [];
  let doneAtUs = -1;
  w.server.spawn(
    's',
    async (ctx: ActorContext) => {
      const srv = api(ctx).createServer({ autoAccept: false }).listen(80);
      const sock = await srv.accept();
      for await (const chunk of sock) received.push(chunk);
      doneAtUs = ctx.now;
    },
    { daemon: true },
  );
  w.client.spawn('c', async (ctx) => {
    const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
    for (let at = 0; at < bytes; at += 65_536) {
      if (!sock.write(data.subarray(at, Math.min(bytes, at + 65_536)))) await sock.wait('drain');
    }
    sock.end();
    await sock.read();
  });
  setup?.(w);
  const result = await w.sim.run({ until: '2h' });
  return { w, data, got: concat(received), doneAtUs, result, retransmitted: w.sim.metrics.counter('tcp.segments.retransmitted').value };
}

describe('the byte stream', () => {
  it('1 MB over a clean link arrives complete and in order with no segment retransmitted', async () => {
    const { data, got, retransmitted, result } = await transfer(1 << 20, { latency: '5ms' });
    expect(got.byteLength).toBe(data.byteLength);
    expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
    expect(retransmitted).toBe(0);
    expect(result.failures).toEqual([]);
  });

  it('1 MB over a link with 5% loss (both ways) arrives complete and in order, with retransmissions', async () => {
    for (const seed of [1, 2, 3]) {
      const { data, got, retransmitted } = await transfer(1 << 20, { latency: '5ms', loss: 0.05 }, seed);
      expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
      expect(retransmitted).toBeGreaterThan(20);
    }
  });

  it('survives duplication and reordering', async () => {
    const { data, got } = await transfer(300_000, { latency: { kind: 'uniform', min: '1ms', max: '20ms' }, duplicate: 0.05, reorder: 0.1 });
    expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
  });

  it('a partition loses the segments in flight; TCP retransmits and the transfer completes after heal', async () => {
    const { data, got, doneAtUs, retransmitted } = await transfer(500_000, { latency: '10ms' }, 1, ({ sim, net }) => {
      sim.at('100ms', () => {
        net.link('client', 'server').partitioned = true;
        net.link('server', 'client').partitioned = true;
      });
      sim.at('5s', () => {
        net.link('client', 'server').partitioned = false;
        net.link('server', 'client').partitioned = false;
      });
    });
    expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
    expect(retransmitted).toBeGreaterThan(0);
    expect(doneAtUs).toBeGreaterThan(5_000_000);
  });

  it('hold then release loses nothing: no retransmission is needed beyond timer-driven ones, and delivery resumes in order', async () => {
    const { data, got, w } = await transfer(200_000, { latency: '10ms' }, 1, ({ sim, net }) => {
      sim.at('50ms', () => net.link('client', 'server').hold());
      sim.at('300ms', () => net.link('client', 'server').release());
    });
    expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
    expect(w.sim.metrics.snapshot().counters.filter((c) => c.name.startsWith('net.drop'))).toEqual([]);
  });

  it('a writer that ignores backpressure is told so (write() false, then drain) and is stopped with ENOBUFS at the user-space bound', async () => {
    const { sim, client, server } = world({ tcp: { userBufferMaxBytes: 1 << 20 } });
    server.spawn('s', (ctx) => void api(ctx).createServer(() => {}).listen(80), { daemon: true }); // never reads
    const results: boolean[] = [];
    let error = '';
    client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      sock.on('error', (e) => (error = `${e.code} at ${results.length}`));
      const chunk = new Uint8Array(64 * 1024);
      while (!sock.destroyed) {
        results.push(sock.write(chunk));
        await ctx.sleep('10ms');
      }
    });
    await sim.run({ until: '1m' });
    expect(results[0]).toBe(false); // 64 KiB already exceeds the 16 KiB send buffer
    // The receiver's 128 KiB window fills; the rest waits in the sender until the 1 MiB + 16 KiB bound.
    // 18 writes of 64 KiB: 1,179,648 bytes, of which the 128 KiB window took 131,072; the 19th would pass
    // the 16 KiB send buffer + 1 MiB bound.
    expect(error).toBe('ENOBUFS at 18');
  });

  it('a reader that stops reading closes the window; the sender resumes when it reads', async () => {
    const { sim, sink, client, server } = world();
    let total = 0;
    server.spawn(
      's',
      async (ctx) => {
        const srv = api(ctx).createServer({ autoAccept: false }).listen(80);
        const sock = await srv.accept();
        await ctx.sleep('2s');
        for await (const c of sock) total += c.byteLength;
      },
      { daemon: true },
    );
    client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      sock.write(new Uint8Array(400_000));
      sock.end();
      await sock.read();
    });
    await sim.run();
    expect(total).toBe(400_000);
    const zeroWindow = sink.records.find((r) => r.kind === 'pkt.send' && r.host === 'server' && r.fields?.win === 0);
    expect(zeroWindow).toBeDefined();
    expect(zeroWindow!.t).toBeLessThan(2_000_000);
  });
});
