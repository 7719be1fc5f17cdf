import { describe, expect, it } from 'vitest';
import { Simulation } from '../../sim/core/simulation.js';
import { MemorySink } from '../../sim/core/trace.js';
import { NetError } from '../../sim/net/errors.js';
import { Network } from '../../sim/net/network.js';
import { api, sent, world } from './tcp-helpers.js';

describe('connect (Linux numbers: shared/reference/linux-tcp.md)', () => {
  it('to a port with no listener fails with ECONNREFUSED after one round trip', async () => {
    const { sim, client } = world();
    let outcome: { code: string; atUs: number } | undefined;
    client.spawn('c', async (ctx) => {
      try {
        await api(ctx).connectAsync({ host: 'server', port: 81 });
      } catch (err) {
        outcome = { code: (err as NetError).code, atUs: ctx.now };
      }
    });
    await sim.run();
    expect(outcome).toEqual({ code: 'ECONNREFUSED', atUs: 20_000 });
  });

  it('to a host that drops everything sends SYNs at 0, 1, 3, 7, 15, 31, 63 s and fails with ETIMEDOUT at 127 s', async () => {
    const { sim, net, sink, client } = world();
    net.configureLink('client', 'server', { loss: 1 });
    let outcome: { code: string; atUs: number; message: string } | undefined;
    client.spawn('c', async (ctx) => {
      try {
        await api(ctx).connectAsync({ host: 'server', port: 80 });
      } catch (err) {
        outcome = { code: (err as NetError).code, atUs: ctx.now, message: (err as Error).message };
      }
    });
    await sim.run();
    expect(sent(sink.records, 'client', 'SYN').map((r) => r.t / 1e6)).toEqual([0, 1, 3, 7, 15, 31, 63]);
    expect(outcome).toEqual({ code: 'ETIMEDOUT', atUs: 127_000_000, message: 'connect ETIMEDOUT 10.0.0.2:80' });
  });

  it('synRetries is a named option: 2 retries time out at 7 s', async () => {
    const { sim, net, client } = world({ tcp: { synRetries: 2 } });
    net.configureLink('client', 'server', { loss: 1 });
    let atUs = -1;
    client.spawn('c', async (ctx) => {
      await api(ctx).connectAsync({ host: 'server', port: 80 }).catch(() => (atUs = ctx.now));
    });
    await sim.run();
    expect(atUs).toBe(7_000_000);
  });

  it('to an unknown host fails with ENOTFOUND', async () => {
    const { sim, client } = world();
    let code = '';
    client.spawn('c', async (ctx) => {
      await api(ctx).connectAsync({ host: 'nowhere', port: 80 }).catch((e: NetError) => (code = e.code));
    });
    await sim.run();
    expect(code).toBe('ENOTFOUND');
  });

  it('to an address no host has fails with EHOSTUNREACH when ARP gives up, 3 s on (three requests 1 s apart), never ENOTFOUND', async () => {
    const { sim, client } = world();
    const outcomes: string[] = [];
    client.spawn('c', async (ctx) => {
      const first = api(ctx).connectAsync({ host: '10.9.9.9', port: 80 }).catch((e: NetError) => outcomes.push(`${e.message}@${ctx.now}`));
      await ctx.sleep('1s');
      // A second connect while the address is still being resolved waits for the same answer.
      await api(ctx).connectAsync({ host: '10.9.9.9', port: 81 }).catch((e: NetError) => outcomes.push(`${e.message}@${ctx.now}`));
      await first;
      // After the failure, a new connect starts a new resolution.
      await api(ctx).connectAsync({ host: '10.9.9.9', port: 80 }).catch((e: NetError) => outcomes.push(`${e.code}@${ctx.now}`));
    });
    await sim.run();
    expect(outcomes).toEqual(['connect EHOSTUNREACH 10.9.9.9:80@3000000', 'connect EHOSTUNREACH 10.9.9.9:81@3000000', 'EHOSTUNREACH@6000000']);
  });

  it('to an address no host has: ARP\'s timing is an option, and a SYN schedule shorter than it ends in ETIMEDOUT first', async () => {
    const outcome = async (net: { neighbour?: { retransTimeMs?: number; mcastSolicit?: number }; synRetries?: number }) => {
      const sink = new MemorySink();
      const sim = new Simulation({ seed: 1, sinks: [sink] });
      const network = new Network(sim, { neighbour: net.neighbour, tcp: net.synRetries === undefined ? {} : { synRetries: net.synRetries } });
      let out = '';
      network.host('client').spawn('c', async (ctx) => {
        await api(ctx).connectAsync({ host: '10.9.9.9', port: 80 }).catch((e: NetError) => (out = `${e.code}@${ctx.now}`));
      });
      await sim.run();
      return out;
    };
    expect(await outcome({ neighbour: { mcastSolicit: 5 } })).toBe('EHOSTUNREACH@5000000');
    expect(await outcome({ neighbour: { retransTimeMs: 500 } })).toBe('EHOSTUNREACH@1500000');
    expect(await outcome({ synRetries: 0 })).toBe('ETIMEDOUT@1000000');
    expect(await outcome({ synRetries: 1 })).toBe('EHOSTUNREACH@3000000');
  });

  it('a connect to an unreachable address destroyed before ARP gives up reports nothing more', async () => {
    const { sim, client } = world();
    const events: string[] = [];
    client.spawn('c', async (ctx) => {
      const sock = api(ctx).connect({ host: '10.9.9.9', port: 80 });
      sock.on('error', (e) => events.push(`error ${e.code}`));
      sock.on('close', (hadError) => events.push(`close ${hadError}@${ctx.now}`));
      await ctx.sleep('1s');
      sock.destroy();
    });
    await sim.run();
    expect(events).toEqual(['close false@1000000']);
  });

  it('when the SYN-ACK is lost, the server resends it at 1, 3, 7, 15, 31 s and drops the half-open connection at 63 s', async () => {
    const { sim, net, sink, client, server } = world({ tcp: { synRetries: 0 } });
    net.configureLink('server', 'client', { loss: 1 });
    server.spawn('s', (ctx) => void api(ctx).createServer().listen(80), { daemon: true });
    client.spawn('c', async (ctx) => {
      await api(ctx).connectAsync({ host: 'server', port: 80 }).catch(() => {});
    });
    await sim.run();
    expect(sent(sink.records, 'server', 'SYN|ACK').map((r) => (r.t - 10_000) / 1e6)).toEqual([0, 1, 3, 7, 15, 31]);
    const closed = sink.records.find((r) => r.host === 'server' && r.kind === 'tcp.state' && r.fields?.to === 'CLOSED');
    expect(closed?.t).toBe(10_000 + 63_000_000);
  });
});

describe('listen backlog (Linux accept-queue overflow)', () => {
  it('with backlog B and no accept, B+1 connections complete, the next SYNs follow the retry schedule, and it completes once the server accepts', async () => {
    const B = 3;
    const { sim, sink, client, server } = world();
    const connectedAt: number[] = [];
    server.spawn(
      's',
      async (ctx) => {
        const srv = api(ctx).createServer({ autoAccept: false }).listen(80, B);
        await ctx.sleep('5s');
        await srv.accept();
      },
      { daemon: true },
    );
    client.spawn('c', async (ctx) => {
      for (let i = 0; i < B + 2; i++) {
        const s = api(ctx).connect({ host: 'server', port: 80 });
        s.on('error', () => {});
        s.on('connect', () => connectedAt.push(ctx.now));
        await ctx.sleep('100ms');
      }
    });
    await sim.run({ until: '20s' });
    // B + 1 complete one after another (a 20 ms round trip each, 100 ms apart). The next one's SYN finds
    // the queue full and is dropped, as are its retries at 1 and 3 s; the one at 7 s finds room, since
    // the server accepted at 5 s.
    expect(connectedAt.slice(0, B + 1)).toEqual([20_000, 120_000, 220_000, 320_000]);
    const lastPort = 32768 + B + 1;
    const syns = sink.records.filter((r) => r.kind === 'pkt.send' && r.host === 'client' && r.fields?.flags === 'SYN' && r.fields?.src === `10.0.0.1:${lastPort}`);
    expect(syns.map((r) => r.t)).toEqual([400_000, 1_400_000, 3_400_000, 7_400_000]);
    expect(connectedAt).toHaveLength(B + 2);
    expect(connectedAt[B + 1]).toBe(7_400_000 + 20_000);
    expect(sim.metrics.counter('tcp.drop.listen-overflow').value).toBe(3);
  });

  it('a final ACK that meets a full queue is ignored: the client believes it is connected, the server resends SYN-ACK, and accept() completes it', async () => {
    const { sim, sink, client, server } = world();
    let acceptedAt = -1;
    server.spawn(
      's',
      async (ctx) => {
        const srv = api(ctx).createServer({ autoAccept: false }).listen(80, 0);
        await ctx.sleep('2s');
        await srv.accept(); // the first connection, queued at 30 ms
        await srv.accept(); // the second, once a resent SYN-ACK draws a fresh ACK into the free slot
        acceptedAt = ctx.now;
      },
      { daemon: true },
    );
    const connected: number[] = [];
    client.spawn('c', async (ctx) => {
      // Two SYNs at once: both get SYN-ACKs before either final ACK arrives, and a queue of backlog 0 holds one.
      for (const s of [api(ctx).connect({ host: 'server', port: 80 }), api(ctx).connect({ host: 'server', port: 80 })]) {
        s.on('connect', () => connected.push(ctx.now));
      }
    });
    await sim.run({ until: '10s' });
    expect(connected).toEqual([20_000, 20_000]);
    // Ignored twice: the final ACK at 30 ms and the ACK that answered the SYN-ACK resent at 1 s.
    expect(sim.metrics.counter('tcp.drop.accept-queue-full').value).toBe(2);
    // The server resent its SYN-ACK for the ignored one at 1 s and 3 s after it was first sent (10 ms).
    const synacks = sink.records.filter((r) => r.kind === 'pkt.send' && r.host === 'server' && r.fields?.flags === 'SYN|ACK').map((r) => r.t);
    expect(synacks).toEqual([10_000, 10_000, 1_010_000, 3_010_000]);
    expect(acceptedAt).toBe(3_030_000);
  });

  it('with tcp_abort_on_overflow, a final ACK into a full queue is answered with RST: the client sees ECONNRESET', async () => {
    const { sim, client, server } = world({ tcp: { abortOnOverflow: true } });
    const errors: string[] = [];
    server.spawn('s', (ctx) => void api(ctx).createServer({ autoAccept: false }).listen(80, 0), { daemon: true });
    client.spawn('c', async (ctx) => {
      // Two SYNs in one go: both get SYN-ACKs, only one fits a queue of backlog 0 + 1.
      const a = api(ctx).connect({ host: 'server', port: 80 });
      const b = api(ctx).connect({ host: 'server', port: 80 });
      for (const s of [a, b]) s.on('error', (e) => errors.push(`${e.code}@${ctx.now}`));
      await ctx.sleep('1s');
      a.write('x');
      b.write('x');
      await ctx.sleep('1s');
      a.destroy();
      b.destroy();
    });
    await sim.run({ until: '10s' });
    // The second final ACK reaches the full queue at 30 ms; its RST is back at 40 ms.
    // The 'error' listener heard the reset, so (as in Node) the socket was destroyed: a later write says so.
    expect(errors).toEqual(['ECONNRESET@40000', 'ERR_STREAM_DESTROYED@1000000']);
    expect(sim.metrics.counter('tcp.drop.accept-queue-full').value).toBe(1);
  });
});
