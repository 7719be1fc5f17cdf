import { describe, expect, it } from 'vitest';
import type { NetError } from '../../sim/net/errors.js';
import { api, sent, world } from './tcp-helpers.js';

/** A server that accepts and reads forever; a client that connects and then does `clientWork`. */
function pair(options: Parameters<typeof world>[0], clientWork: (sock: import('../../sim/net/tcp/socket.js').Socket, ctx: import('../../sim/core/context.js').ActorContext) => Promise<void>) {
  const w = world(options);
  w.server.spawn(
    's',
    (ctx) =>
      void api(ctx)
        .createServer((sock) => {
          sock.on('data', () => {});
          sock.on('error', () => {});
        })
        .listen(80),
    { daemon: true },
  );
  w.client.spawn('c', async (ctx) => {
    const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
    await clientWork(sock, ctx);
  });
  return w;
}

describe('kill versus silent crash', () => {
  it('after a kill, the kernel closes the dead process\'s idle socket with a FIN: the peer reads end-of-stream within one trip', async () => {
    let outcome = '';
    const w = pair({ tracePackets: true }, async (sock, ctx) => {
      outcome = `${await sock.read()}@${ctx.now}`;
    });
    w.sim.at('1s', () => w.server.host.kill());
    await w.sim.run();
    expect(outcome).toBe('null@1010000');
    expect(sent(w.sink.records, 'server', 'FIN|ACK').map((r) => r.t)).toEqual([1_000_000]);
    expect(sent(w.sink.records, 'server', 'RST|ACK')).toEqual([]);
  });

  it('after a kill, a peer that keeps writing to the closed socket draws an RST: EPIPE (the reset arrived after its FIN)', async () => {
    const errors: string[] = [];
    const w = pair({ tracePackets: true }, async (sock, ctx) => {
      sock.on('error', (e: NetError) => errors.push(`${e.code}@${ctx.now}`));
      await ctx.sleep('2s');
      sock.write('anyone?'); // the FIN came at 1.01 s; the dead process's kernel answers this with RST
      await ctx.sleep('1s');
      sock.write('still?');
    });
    w.sim.at('1s', () => w.server.host.kill());
    await w.sim.run({ until: '10s' });
    expect(sent(w.sink.records, 'server', 'RST|ACK').map((r) => r.t)).toEqual([2_030_000]);
    expect(errors[0]).toBe('EPIPE@2040000');
  });

  it('after a kill, a socket with unread data is reset instead: the peer sees ECONNRESET within one trip', async () => {
    let outcome = '';
    const w = world({ tracePackets: true });
    // A server that accepts and never reads.
    w.server.spawn('s', (ctx) => void api(ctx).createServer(() => {}).listen(80), { daemon: true });
    w.client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      sock.write('unread');
      await sock.read().catch((e: NetError) => (outcome = `${e.code}@${ctx.now}`));
    });
    w.sim.at('1s', () => w.server.host.kill());
    await w.sim.run();
    expect(outcome).toBe('ECONNRESET@1010000');
    expect(sent(w.sink.records, 'server', 'FIN|ACK')).toEqual([]);
  });

  it('after a kill, the listener is closed: connections waiting in its accept queue are reset and new connects are refused', async () => {
    const w = world({ tracePackets: false });
    w.server.spawn('s', (ctx) => void api(ctx).createServer({ autoAccept: false }).listen(80), { daemon: true });
    const outcomes: string[] = [];
    w.client.spawn('c', async (ctx) => {
      const queued = await api(ctx).connectAsync({ host: 'server', port: 80 }); // handshake done, never accepted
      await queued.read().catch((e: NetError) => outcomes.push(`queued ${e.code}@${ctx.now}`));
      await api(ctx)
        .connectAsync({ host: 'server', port: 80 })
        .catch((e: NetError) => outcomes.push(`new ${e.code}@${ctx.now}`));
    });
    w.sim.at('1s', () => w.server.host.kill());
    await w.sim.run();
    expect(outcomes).toEqual(['queued ECONNRESET@1010000', 'new ECONNREFUSED@1030000']);
  });

  it('a silent crash, unlike a kill, sends nothing at all', async () => {
    const w = pair({ tracePackets: true }, async (sock) => {
      await sock.read();
    });
    w.sim.at('1s', () => w.server.host.crash());
    await w.sim.run({ until: '10s' });
    expect(w.sink.records.filter((r) => r.kind === 'pkt.send' && r.host === 'server' && r.t >= 1_000_000)).toEqual([]);
  });

  it('after a silent crash a writing peer retransmits with backoff and ends with ETIMEDOUT (tcp_retries2 = 15)', async () => {
    let outcome = '';
    const w = pair({ tracePackets: false }, async (sock, ctx) => {
      await ctx.sleep('1s');
      sock.write('are you there?');
      await sock.read().catch((e: NetError) => (outcome = `${e.code} ${e.message}`));
      ctx.trace('gave-up');
    });
    w.sim.at('500ms', () => w.server.host.crash());
    await w.sim.run();
    const gaveUp = w.sink.records.find((r) => r.kind === 'gave-up')!;
    expect(outcome).toBe('ETIMEDOUT write ETIMEDOUT 10.0.0.2:80');
    // The RTO after the handshake is max(3R, R + 200 ms) = 220 ms for R = 20 ms; it doubles to the 120 s
    // ceiling. Linux gives up at the first expiry 924.6 s or more after the first send (tcp_model_timeout).
    const rtos = [220, 440, 880, 1760, 3520, 7040, 14080, 28160, 56320, 112640, 120000, 120000, 120000, 120000, 120000, 120000];
    const expiries = rtos.reduce<number[]>((acc, r) => [...acc, (acc.at(-1) ?? 0) + r], []);
    const giveUpAfterMs = expiries.find((t) => t >= 924_600)!;
    // The write left at 1.02 s (connected at 20 ms, then slept 1 s).
    expect(gaveUp.t).toBe(1_020_000 + giveUpAfterMs * 1000);
    expect(w.sim.metrics.counter('tcp.segments.retransmitted').value).toBe(15);
  });

  it('after a silent crash a reading peer without keepalive waits forever', async () => {
    const w = pair({ tracePackets: false }, async (sock) => {
      await sock.read();
    });
    w.sim.at('1s', () => w.server.host.crash());
    const result = await w.sim.run({ until: '3h' });
    expect(result.stop).toBe('deadlock');
    expect(result.message).toContain('client/c waits on a read on client:32768>server:80');
  });

  it('with keepalive on, a reading peer learns of a silent crash 7875 s after it last heard from it', async () => {
    let outcome = '';
    const w = pair({ tracePackets: false, tcp: { keepAlive: true } }, async (sock, ctx) => {
      await sock.read().catch((e: NetError) => (outcome = `${e.code}@${ctx.now}`));
    });
    w.sim.at('1s', () => w.server.host.crash());
    await w.sim.run({ until: '3h' });
    // Last segment heard: the server's ACK of the handshake's... the SYN-ACK at 20 ms.
    expect(outcome).toBe(`ETIMEDOUT@${20_000 + 7_875_000_000}`);
    expect(w.sim.metrics.counter('tcp.keepalive-probes').value).toBe(9);
  });

  it('a host that restarted after a crash answers the old connection with RST: ECONNRESET', async () => {
    let outcome = '';
    const w = pair({ tracePackets: false }, async (sock, ctx) => {
      await ctx.sleep('10s');
      sock.write('hello again');
      await sock.read().catch((e: NetError) => (outcome = `${e.code}@${ctx.now}`));
    });
    w.sim.at('1s', () => w.server.host.crash());
    w.sim.at('5s', () => w.server.host.restart());
    await w.sim.run({ until: '1m' });
    // Connected at 20 ms, wrote at 10.02 s; the restarted host's RST is back one round trip later.
    expect(outcome).toBe('ECONNRESET@10040000');
  });

  it('a client restarted after a crash reconnects from the same port: the server\'s half-open connection answers the SYN with a challenge ACK, the client resets it, and the SYN retry 1 s later connects', async () => {
    const w = world({ tracePackets: true });
    const connected: string[] = [];
    const serverErrors: string[] = [];
    w.server.spawn(
      's',
      (ctx) =>
        void api(ctx)
          .createServer((sock) => {
            sock.on('error', (e: NetError) => serverErrors.push(`${e.code}@${ctx.now}`));
          })
          .listen(80),
      { daemon: true },
    );
    // Each incarnation of the client binds port 32768 (a reboot would start its ephemeral ports elsewhere), so
    // the second reuses the 4-tuple.
    w.client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80, localPort: 32768 });
      connected.push(`${sock.localPort}@${ctx.now}`);
      await ctx.sleep('1h');
    });
    w.sim.at('1s', () => w.client.host.crash());
    w.sim.at('2s', () => w.client.host.restart());
    await w.sim.run({ until: '10s' });
    // 2 s: SYN; at the server 2.01 s, which answers with a challenge ACK; at the client 2.02 s, which answers
    // with RST; that resets the server's stale connection at 2.03 s; the SYN retransmitted at 3 s connects at 3.02 s.
    expect(connected).toEqual(['32768@20000', '32768@3020000']);
    expect(serverErrors).toEqual(['ECONNRESET@2030000']);
    const rst = w.sink.records.find((r) => r.kind === 'tcp.rst' && r.fields?.reason === 'unacceptable-ack');
    expect(rst?.t).toBe(2_020_000);
  });

  it('a rebooted client takes its ephemeral ports from elsewhere (a per-boot draw, as Linux\'s RFC 6056 secret), not its old ones', async () => {
    const w = world({ tracePackets: false });
    w.server.spawn('s', (ctx) => void api(ctx).createServer(() => {}).listen(80), { daemon: true });
    const ports: number[] = [];
    w.client.spawn('c', async (ctx) => {
      for (let i = 0; i < 2; i++) ports.push((await api(ctx).connectAsync({ host: 'server', port: 80 })).localPort!);
      await ctx.sleep('1h');
    });
    for (const at of [2, 4]) {
      w.sim.at(`${at}s`, () => w.client.host.crash());
      w.sim.at(`${at + 1}s`, () => w.client.host.restart());
    }
    await w.sim.run({ until: '10s' });
    // First boot: 32768 and 32769, in order; each reboot: two consecutive ports from a drawn start.
    expect(ports.slice(0, 2)).toEqual([32768, 32769]);
    for (const boot of [1, 2]) {
      const [a, b] = ports.slice(2 * boot, 2 * boot + 2);
      expect(a).not.toBe(32768);
      expect(a! >= 32768 && a! <= 60999).toBe(true);
      expect(b).toBe(a === 60999 ? 32768 : a! + 1);
    }
    expect(ports[4]).not.toBe(ports[2]);
  });

  it('connect with a localPort whose 4-tuple is taken fails with EADDRINUSE', async () => {
    const w = world({ tracePackets: false });
    w.server.spawn('s', (ctx) => void api(ctx).createServer(() => {}).listen(80), { daemon: true });
    let second = '';
    w.client.spawn('c', async (ctx) => {
      await api(ctx).connectAsync({ host: 'server', port: 80, localPort: 40000 });
      second = await api(ctx).connectAsync({ host: 'server', port: 80, localPort: 40000 }).then(() => 'connected', (e: NetError) => e.code);
      await ctx.sleep('1h');
    });
    await w.sim.run({ until: '2s' });
    expect(second).toBe('EADDRINUSE');
  });

  it('a graceful stop closes connections with FIN: the peer reads end-of-stream', async () => {
    let outcome = '';
    const w = pair({ tracePackets: false }, async (sock, ctx) => {
      outcome = `${await sock.read()}@${ctx.now}`;
    });
    w.sim.at('1s', () => w.server.host.stop());
    await w.sim.run();
    expect(outcome).toBe('null@1010000');
  });
});

describe('throughput under loss', () => {
  it('on a 100 ms RTT link with 1% loss, long-run throughput is within 30% of the Mathis estimate (1.43 Mbit/s at MSS 1460)', async () => {
    const mathisMbps = ((1460 * 8) / 0.1) * Math.sqrt(1.5) / Math.sqrt(0.01) / 1e6;
    expect(mathisMbps).toBeCloseTo(1.43, 2);
    for (const seed of [1, 2]) {
      const w = world({ seed, link: { latency: '50ms' }, tracePackets: false });
      w.net.configureLink('client', 'server', { loss: 0.01 });
      const warmUpUs = 20_000_000;
      let atWarmUp = 0;
      let total = 0;
      let lastUs = 0;
      w.server.spawn(
        's',
        async (ctx) => {
          const sock = await api(ctx).createServer({ autoAccept: false }).listen(80).accept();
          for await (const c of sock) {
            total += c.byteLength;
            if (ctx.now < warmUpUs) atWarmUp = total;
            lastUs = ctx.now;
          }
        },
        { daemon: true },
      );
      w.client.spawn('c', async (ctx) => {
        const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
        const chunk = new Uint8Array(65_536);
        for (;;) if (!sock.write(chunk)) await sock.wait('drain');
      });
      await w.sim.run({ until: '320s' });
      const mbps = ((total - atWarmUp) * 8) / ((lastUs - warmUpUs) / 1e6) / 1e6;
      expect(mbps / mathisMbps).toBeGreaterThan(0.7);
      expect(mbps / mathisMbps).toBeLessThan(1.3);
    }
  });
});

describe('ephemeral ports (32768–60999) and TIME_WAIT', () => {
  async function churn(perSecond: number) {
    const { sim, net, client, server } = world({ tracePackets: false, link: { latency: '1ms' } });
    void net;
    server.spawn('s', (ctx) => void api(ctx).createServer((sock) => sock.on('data', () => {})).listen(80), { daemon: true });
    let firstError: { code: string; atUs: number; opened: number } | undefined;
    let opened = 0;
    let attempts = 0;
    const intervalUs = Math.round(1_000_000 / perSecond);
    client.spawn('c', (ctx) => {
      const tick = () => {
        if (firstError) return;
        const sock = api(ctx).connect({ host: 'server', port: 80 });
        const attempt = attempts++;
        sock.on('error', (e: NetError) => (firstError ??= { code: e.code, atUs: ctx.now, opened: attempt }));
        sock.on('connect', () => {
          opened++;
          sock.end(); // the client closes first, so its port waits in TIME_WAIT for 60 s
        });
        sock.on('data', () => {});
        ctx.timer(intervalUs, tick);
      };
      tick();
    });
    await sim.run({ until: '90s' });
    return firstError;
  }

  it('one client closing first at 600 connections/s runs out of ports after about 28,232 / 600 ≈ 47 s: EADDRNOTAVAIL', async () => {
    const err = await churn(600);
    expect(err?.code).toBe('EADDRNOTAVAIL');
    expect(err!.opened).toBe(28_232);
    expect(err!.atUs / 1e6).toBeCloseTo(28_232 / 600, 0);
  });

  it('at 400 connections/s it never does', async () => {
    expect(await churn(400)).toBeUndefined();
  });
});
