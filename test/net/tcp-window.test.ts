/**
 * Window scaling and buffer autotuning on a long fat path: 100 ms RTT, 100 Mbit/s, no loss. Its
 * bandwidth-delay product is 1.25 MB; a fixed 128 KiB receive buffer caps a connection at a tenth of it, a
 * fixed 16 KiB send buffer a writer that waits for 'drain' at less.
 */
import { describe, expect, it } from 'vitest';
import type { TcpOptions } from '../../sim/net/tcp/options.js';
import { api, world } from './tcp-helpers.js';

const LINK = { latency: '50ms', bandwidthBps: 100_000_000 } as const;

/** Mbit/s the receiving application got between 3 s and 8 s (slow start is over by 3 s), and the last window it advertised. */
async function longFatPath(tcp: Partial<TcpOptions>): Promise<{ mbps: number; lastWindow: number }> {
  const w = world({ link: LINK, tcp, tracePackets: true });
  let bytesAt3s = 0;
  let bytesAt8s = 0;
  let received = 0;
  w.server.spawn(
    's',
    (ctx) =>
      void api(ctx)
        .createServer((sock) => sock.on('data', (c) => (received += c.byteLength)))
        .listen(80),
    { daemon: true },
  );
  w.client.spawn('c', async (ctx) => {
    const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
    const chunk = new Uint8Array(64 * 1024);
    // Keep the send queue full: write whenever the socket drains.
    for (;;) {
      while (sock.write(chunk));
      await sock.wait('drain');
    }
  });
  w.sim.at('3s', () => (bytesAt3s = received));
  w.sim.at('8s', () => (bytesAt8s = received));
  await w.sim.run({ until: '8s' });
  const windows = w.sink.records.filter((r) => r.kind === 'pkt.send' && r.host === 'server').map((r) => Number(r.fields?.win));
  return { mbps: ((bytesAt8s - bytesAt3s) * 8) / 5 / 1e6, lastWindow: windows.at(-1)! };
}

describe('window scaling and receive-buffer autotuning (100 ms RTT, 100 Mbit/s, no loss, a 1000-packet queue)', () => {
  it('with autotuning and a buffer the path can hold (2 MiB: under the BDP plus the queue) the connection fills the path: within 10% of 100 Mbit/s after slow start', async () => {
    const { mbps, lastWindow } = await longFatPath({ sendBufferAutotuning: true, receiveBufferAutotuning: true, receiveBufferMaxBytes: 2 * 1024 * 1024 });
    expect(mbps).toBeGreaterThan(90);
    expect(mbps).toBeLessThanOrEqual(100);
    expect(lastWindow).toBeGreaterThan(1_250_000); // the window has outgrown the bandwidth-delay product
  });

  it('with autotuning up to Linux\'s 6 MiB, slow start overshoots the queue and NewReno without SACK repairs one segment per round trip: why autotuning is off by default for now', async () => {
    const { mbps } = await longFatPath({ sendBufferAutotuning: true, receiveBufferAutotuning: true });
    expect(mbps).toBeLessThan(1);
  });

  it('without receive-buffer autotuning (the default here) the fixed 128 KiB buffer caps it at one window per round trip: about 10.5 Mbit/s', async () => {
    const { mbps } = await longFatPath({ sendBufferAutotuning: true });
    expect(mbps).toBeGreaterThan(9.5);
    expect(mbps).toBeLessThan((131_072 * 8) / 0.1 / 1e6 + 0.1);
  });

  it('without window scaling the window stops at 65,535 bytes: about 5.2 Mbit/s', async () => {
    const { mbps, lastWindow } = await longFatPath({ sendBufferAutotuning: true, windowScaling: false });
    expect(lastWindow).toBeLessThanOrEqual(65_535);
    expect(mbps).toBeGreaterThan(4.5);
    expect(mbps).toBeLessThan((65_535 * 8) / 0.1 / 1e6 + 0.1);
  });

  it('without send-buffer autotuning (the default here) a writer that waits for drain keeps only 16 KiB beyond its last write in flight', async () => {
    const { mbps } = await longFatPath({ receiveBufferAutotuning: true, receiveBufferMaxBytes: 2 * 1024 * 1024 });
    expect(mbps).toBeLessThan(10);
  });
});
