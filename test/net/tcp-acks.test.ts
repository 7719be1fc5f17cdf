import { describe, expect, it } from 'vitest';
import { api, dropFirstSegment, sent, world } from './tcp-helpers.js';

describe('acknowledgements', () => {
  it('a lone segment is acknowledged after the 40 ms delayed-ACK timer; a second full segment at once', async () => {
    const { sim, sink, client, server } = world();
    server.spawn('s', (ctx) => void api(ctx).createServer((s) => s.on('data', () => {})).listen(80), { daemon: true });
    client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      sock.write('x'); // at 20 ms, arrives at 30 ms
      await ctx.sleep('1s');
      sock.write(new Uint8Array(2 * 1460)); // two full segments at 1.02 s, arrive at 1.03 s
      await ctx.sleep('1s');
      sock.destroy();
    });
    await sim.run();
    const acks = sent(sink.records, 'server', 'ACK').map((r) => r.t);
    // The lone byte waits 40 ms; the pair is acknowledged at once. The client's FIN (at 2.03 s) needs no bare
    // ACK: the server's own FIN, sent at once as it ends its side too, carries the acknowledgement.
    expect(acks).toEqual([70_000, 1_030_000]);
    expect(sent(sink.records, 'server', 'FIN|ACK').map((r) => r.t)).toEqual([2_030_000]);
  });

  it('a single lost segment in a bulk transfer is repaired by fast retransmit after three duplicate ACKs, with no timeout', async () => {
    const { sim, net, sink, client, server } = world({ link: { latency: '10ms' } });
    let dropped = false;
    // Lose exactly the fifth data segment of the transfer, once.
    const link = net.link('client', 'server');
    const send = link.send.bind(link);
    let dataSegments = 0;
    link.send = (p) => {
      if (p.proto === 'tcp' && p.data && ++dataSegments === 5 && !dropped) {
        dropped = true;
        return;
      }
      send(p);
    };
    let total = 0;
    server.spawn('s', (ctx) => void api(ctx).createServer((s) => s.on('data', (c) => (total += c.byteLength))).listen(80), { daemon: true });
    client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      sock.write(new Uint8Array(20 * 1460));
      await ctx.sleep('2s');
      sock.destroy();
    });
    await sim.run();
    expect(total).toBe(20 * 1460);
    expect(sim.metrics.counter('tcp.fast-retransmits').value).toBe(1);
    expect(sim.metrics.counter('tcp.timeouts').value).toBe(0);
    const retransmit = sink.records.find((r) => r.kind === 'tcp.retransmit')!;
    expect(retransmit.fields).toMatchObject({ reason: 'fast', seq: 1 + 4 * 1460 });
    // Sent at 20 ms; the 6th, 7th and 8th segments' duplicate ACKs are back at 40 ms.
    expect(retransmit.t).toBe(40_000);
  });

  it("Karn's rule, cumulative: an ACK that covers a retransmitted segment gives no sample even for the segments after it that were sent once", async () => {
    const { sim, net, client, server } = world({ link: { latency: '10ms' } });
    dropFirstSegment(net, 'client', 'server'); // the first of two data segments, once: the second waits in the server's out-of-order queue
    let after: { srttUs: number | undefined; rtoUs: number } | undefined;
    server.spawn('s', (ctx) => void api(ctx).createServer((s) => s.on('data', () => {})).listen(80), { daemon: true });
    client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      sock.write(new Uint8Array(2 * 1460)); // two segments at 20 ms; the first is lost and resent at 240 ms
      await ctx.sleep('500ms');
      const i = sock.tcpInfo()!;
      after = { srttUs: i.srttUs, rtoUs: i.rtoUs };
      sock.destroy();
    });
    await sim.run();
    // The ACK at 260 ms covers both; timing the second (sent at 20 ms) would give a 240 ms "RTT". No sample:
    // SRTT stays the handshake's 20 ms and the backed-off RTO (440 ms) stays.
    expect(after).toEqual({ srttUs: 20_000, rtoUs: 440_000 });
  });

  it('after a retransmitted SYN, with no RTT sample, data starts with a 3 s RTO (RFC 6298 §5.7), not the SYN\'s backed-off 8 s', async () => {
    const { sim, net, client, server } = world({ link: { latency: '10ms' } });
    const link = net.link('client', 'server');
    link.partitioned = true; // the SYNs at 0, 1 and 3 s are lost; the one at 7 s gets through
    sim.at('6s', () => (link.partitioned = false));
    dropFirstSegment(net, 'client', 'server'); // the first data segment, once
    const resentAt: number[] = [];
    server.spawn('s', (ctx) => void api(ctx).createServer((s) => s.on('data', () => resentAt.push(ctx.now))).listen(80), { daemon: true });
    client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      sock.write('x'); // at 7.02 s, lost; resent 3 s later, at the server 10 ms after that
      await ctx.sleep('20s');
      sock.destroy();
    });
    await sim.run();
    expect(resentAt).toEqual([10_030_000]);
  });

  it("Karn's rule: the ACK of a retransmitted segment gives no RTT sample, so the backed-off RTO stays until a segment sent once is acknowledged", async () => {
    const { sim, net, client, server } = world({ link: { latency: '10ms' } });
    dropFirstSegment(net, 'client', 'server'); // the first data segment, once
    const seen: Record<string, unknown>[] = [];
    server.spawn('s', (ctx) => void api(ctx).createServer((s) => s.on('data', () => {})).listen(80), { daemon: true });
    client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      const info = () => {
        const i = sock.tcpInfo()!;
        return { t: ctx.now, srttUs: i.srttUs, rtoUs: i.rtoUs };
      };
      seen.push(info()); // after the handshake: R = 20 ms, RTO = 220 ms
      sock.write('a'); // lost; resent at 20 + 220 ms; its ACK (delayed 40 ms) arrives at 300 ms
      await ctx.sleep('500ms');
      seen.push(info());
      sock.write('b'); // sent once: its ACK (after 40 ms of delay) is a sample of 60 ms
      await ctx.sleep('500ms');
      seen.push(info());
      sock.destroy();
    });
    await sim.run();
    expect(seen).toEqual([
      { t: 20_000, srttUs: 20_000, rtoUs: 220_000 },
      { t: 520_000, srttUs: 20_000, rtoUs: 440_000 },
      // RTTVAR = 3/4·10 + 1/4·|20 − 60| = 17.5 ms; SRTT = 7/8·20 + 1/8·60 = 25 ms; RTO = 25 + max(200, 70).
      { t: 1_020_000, srttUs: 25_000, rtoUs: 225_000 },
    ]);
  });
});
