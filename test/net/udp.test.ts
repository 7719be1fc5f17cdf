import { describe, expect, it } from 'vitest';
import { SimError } from '../../sim/core/errors.js';
import { Simulation } from '../../sim/core/simulation.js';
import { MemorySink } from '../../sim/core/trace.js';
import { netOf } from '../../sim/net/api.js';
import { NetError } from '../../sim/net/errors.js';
import { Network, type NetworkOptions } from '../../sim/net/network.js';
import { linuxUdpDefaults, resolveUdpOptions } from '../../sim/net/udp-options.js';
import type { UdpSocket } from '../../sim/net/udp.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function world(options: NetworkOptions = { link: { latency: '1ms' } }, seed = 1) {
  const sink = new MemorySink();
  const sim = new Simulation({ seed, sinks: [sink] });
  const net = new Network(sim, options);
  const a = net.host('a');
  const b = net.host('b');
  const counter = (name: string) => sim.metrics.counter(name).value;
  const records = (kind: string) => sink.records.filter((r) => r.kind === kind);
  return { sim, net, a, b, sink, counter, records };
}

describe('UDP options', () => {
  it('Linux defaults: rmem_default 212992, the IPv4 payload limit 65507', () => {
    expect(resolveUdpOptions({})).toEqual({ receiveBufferBytes: 212_992, maxDatagramBytes: 65_507 });
    expect(linuxUdpDefaults.receiveBufferBytes).toBe(212_992);
  });

  it.each([
    [{ receiveBufferBytes: 0 }, 'network.udp.receiveBufferBytes: expected a positive whole number of bytes, got 0'],
    [{ maxDatagramBytes: 70_000 }, 'network.udp.maxDatagramBytes: expected a whole number of bytes from 1 to 65507 (the IPv4 limit), got 70000'],
    [{ rcvbuf: 1 }, 'network.udp.rcvbuf: not a UDP option (options: receiveBufferBytes, maxDatagramBytes)'],
  ])('refuses %j with one line naming the field', (bad, message) => {
    expect(() => resolveUdpOptions(bad as never, 'network.udp')).toThrow(new SimError('ERR_UDP_OPTION', message));
  });
});

describe('UDP', () => {
  it('async actors: request and reply, each arriving one latency later', async () => {
    const { sim, a, b } = world();
    const log: string[] = [];
    b.spawn('echo', async (ctx) => {
      const sock = netOf(ctx).createSocket();
      sock.bind(7);
      for (let i = 0; i < 3; i++) {
        const m = await sock.recv();
        log.push(`${ctx.now} echo got '${text(m.data)}' from ${m.address}:${m.port}`);
        sock.send(`re: ${text(m.data)}`, m.port, m.address);
      }
      sock.close();
    });
    a.spawn('client', async (ctx) => {
      const sock = netOf(ctx).createSocket();
      for (let i = 0; i < 3; i++) {
        sock.send(`ping ${i}`, 7, 'b');
        const reply = await sock.recv();
        log.push(`${ctx.now} client got '${text(reply.data)}' from ${reply.address}:${reply.port}`);
        await ctx.sleep('10ms');
      }
      sock.close();
    });
    const result = await sim.run();
    expect(result.stop).toBe('idle');
    expect(result.waiting).toEqual([]);
    expect(log).toEqual([
      "1000 echo got 'ping 0' from 10.0.0.1:32768",
      "2000 client got 're: ping 0' from 10.0.0.2:7",
      "13000 echo got 'ping 1' from 10.0.0.1:32768",
      "14000 client got 're: ping 1' from 10.0.0.2:7",
      "25000 echo got 'ping 2' from 10.0.0.1:32768",
      "26000 client got 're: ping 2' from 10.0.0.2:7",
    ]);
  });

  it('callback actors: listening, message with rinfo, close; both end when their sockets close', async () => {
    const { sim, a, b } = world();
    const log: string[] = [];
    b.spawn('echo', (ctx) => {
      const sock = netOf(ctx).createSocket();
      let n = 0;
      sock.on('listening', () => log.push(`${ctx.now} listening on ${sock.address().port}`));
      sock.on('message', (msg, rinfo) => {
        log.push(`${ctx.now} echo got '${text(msg)}' ${JSON.stringify(rinfo)}`);
        sock.send(msg, rinfo.port, rinfo.address);
        if (++n === 2) sock.close();
      });
      sock.on('close', () => log.push(`${ctx.now} echo closed`));
      sock.bind(7);
    });
    a.spawn('client', (ctx) => {
      const sock = netOf(ctx).createSocket();
      let n = 0;
      sock.on('message', (msg) => {
        log.push(`${ctx.now} client got '${text(msg)}'`);
        if (++n === 2) sock.close(() => log.push(`${ctx.now} client closed`));
      });
      ctx.timer('5ms', () => sock.send('one', 7, '10.0.0.2', (err, bytes) => log.push(`${ctx.now} sent ${bytes} bytes, err ${err}`)));
      ctx.timer('6ms', () => sock.send(new Uint8Array([116, 119, 111]), 7, 'b'));
    });
    const result = await sim.run();
    expect(log).toEqual([
      '0 listening on 7',
      '5000 sent 3 bytes, err null',
      `6000 echo got 'one' {"address":"10.0.0.1","family":"IPv4","port":32768,"size":3}`,
      `7000 echo got 'two' {"address":"10.0.0.1","family":"IPv4","port":32768,"size":3}`,
      "7000 client got 'one'",
      '7000 echo closed',
      "8000 client got 'two'",
      '8000 client closed',
    ]);
    expect(result.stop).toBe('idle');
    expect(result.waiting).toEqual([]);
  });

  it('a socket keeps a callback actor alive until it is closed', async () => {
    const { sim, b } = world();
    b.spawn('listener', (ctx) => {
      netOf(ctx).createSocket().bind(7);
    });
    const result = await sim.run();
    expect(result.stop).toBe('deadlock');
    expect(result.waiting).toEqual([{ actor: 'b/listener', daemon: false, on: ['events from 1 open handle (sockets, servers)'] }]);
  });

  it('gives no ordering guarantee when the link reorders', async () => {
    const { sim, a, b } = world({ link: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, reorder: 0.5 } });
    const got: number[] = [];
    b.spawn('sink', async (ctx) => {
      const sock = netOf(ctx).createSocket();
      sock.bind(9);
      for (let i = 0; i < 200; i++) got.push(Number(text((await sock.recv()).data)));
      sock.close();
    });
    a.spawn('source', async (ctx) => {
      const sock = netOf(ctx).createSocket();
      for (let i = 0; i < 200; i++) {
        sock.send(String(i), 9, 'b');
        await ctx.sleep('200us');
      }
      sock.close();
    });
    await sim.run();
    expect([...got].sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const overtaken = got.filter((x, i) => i > 0 && x < got[i - 1]!).length;
    expect(overtaken).toBeGreaterThan(10);
  });

  it('a full receive buffer drops and counts udp.drop.buffer-full; reading frees room', async () => {
    const { sim, a, b, counter, records } = world();
    const got: string[] = [];
    b.spawn('slow', async (ctx) => {
      const sock = netOf(ctx).createSocket({ receiveBufferBytes: 1000 });
      sock.bind(9);
      await ctx.sleep('50ms');
      got.push(`buffered ${sock.bufferedBytes}`);
      for (let i = 0; i < 4; i++) {
        const m = await sock.recv();
        got.push(`${ctx.now} ${text(m.data).slice(0, 2)}`);
      }
      sock.close();
    });
    a.spawn('fast', async (ctx) => {
      const sock = netOf(ctx).createSocket();
      for (let i = 0; i < 5; i++) sock.send(`d${i}`.padEnd(300, '.'), 9, 'b');
      await ctx.sleep('60ms');
      sock.send('d5'.padEnd(300, '.'), 9, 'b');
      sock.close();
    });
    await sim.run();
    expect(got).toEqual(['buffered 900', '50000 d0', '50000 d1', '50000 d2', '61000 d5']);
    expect(counter('udp.drop.buffer-full')).toBe(2);
    expect(records('udp.drop').map((r) => [r.t, r.actor, r.fields])).toEqual([
      [1000, 'slow', { id: 4, len: 300, port: 9, reason: 'buffer-full' }],
      [1000, 'slow', { id: 5, len: 300, port: 9, reason: 'buffer-full' }],
    ]);
  });

  it('datagrams to a port with nothing bound are dropped and counted udp.drop.no-socket', async () => {
    const { sim, a, b, counter, records } = world();
    b.spawn('idle', () => {});
    a.spawn('sender', (ctx) => {
      const sock = netOf(ctx).createSocket();
      sock.send('anyone?', 99, 'b');
      sock.send('anyone?', 99, 'b');
      sock.close();
    });
    await sim.run();
    expect(counter('udp.drop.no-socket')).toBe(2);
    expect(records('udp.drop').map((r) => [r.t, r.host, r.fields])).toEqual([
      [1000, 'b', { id: 1, len: 7, port: 99, reason: 'no-socket' }],
      [1000, 'b', { id: 2, len: 7, port: 99, reason: 'no-socket' }],
    ]);
  });

  it('EADDRINUSE for a port taken on the same host; free again after close; other hosts unaffected', async () => {
    const { sim, a, b } = world();
    const outcomes: string[] = [];
    b.spawn('first', (ctx) => {
      const s = netOf(ctx).createSocket().bind(53);
      ctx.timer('10ms', () => s.close());
    });
    b.spawn('second', async (ctx) => {
      const s = netOf(ctx).createSocket();
      try {
        s.bind(53);
      } catch (err) {
        outcomes.push(`${err instanceof NetError} ${(err as NetError).code} ${(err as Error).message}`);
      }
      await ctx.sleep('10ms');
      s.bind(53);
      outcomes.push(`bound ${s.address().port} at ${ctx.now}`);
      s.close();
    });
    a.spawn('elsewhere', (ctx) => {
      const s = netOf(ctx).createSocket().bind(53);
      outcomes.push(`a bound ${s.address().port}`);
      s.close();
    });
    await sim.run();
    expect(outcomes).toEqual(['true EADDRINUSE bind EADDRINUSE 0.0.0.0:53', 'a bound 53', 'bound 53 at 10000']);
  });

  it('ephemeral ports come from 32768 up, skipping ports in use', async () => {
    const { sim, a } = world();
    const ports: number[] = [];
    a.spawn('x', (ctx) => {
      const api = netOf(ctx);
      const fixed = api.createSocket().bind(32769);
      const s1 = api.createSocket().bind();
      const s2 = api.createSocket().bind(0);
      ports.push(s1.address().port, s2.address().port);
      for (const s of [fixed, s1, s2]) s.close();
    });
    await sim.run();
    expect(ports).toEqual([32768, 32770]);
  });

  it('send errors: ENOTFOUND and EMSGSIZE go to the callback, else the error event, else a pending recv', async () => {
    const { sim, a, b, counter } = world();
    const log: string[] = [];
    b.spawn('sink', (ctx) => {
      const s = netOf(ctx).createSocket().bind(9);
      s.on('message', (m) => {
        log.push(`${ctx.now} got ${m.byteLength} bytes`);
        s.close();
      });
    });
    a.spawn('x', async (ctx) => {
      const s = netOf(ctx).createSocket();
      s.send('x', 9, 'nope', (err) => log.push(`${ctx.now} callback ${(err as NetError).code} ${err!.message}`));
      s.on('error', (err) => log.push(`${ctx.now} error event ${(err as NetError).code} ${err.message}`));
      s.send(new Uint8Array(65_508), 9, 'b');
      s.send(new Uint8Array(65_507), 9, 'b');
      await ctx.sleep('5ms');
      s.close();
      const t = netOf(ctx).createSocket();
      t.send('x', 9, 'nope');
      await t.recv().catch((err: NetError) => log.push(`${ctx.now} recv rejected ${err.code}`));
      t.close();
    });
    await sim.run();
    expect(log).toEqual([
      '0 callback ENOTFOUND getaddrinfo ENOTFOUND nope',
      '0 error event EMSGSIZE send EMSGSIZE 10.0.0.2:9',
      '1000 got 65507 bytes',
      '5000 recv rejected ENOTFOUND',
    ]);
    expect(counter('udp.drop.no-socket')).toBe(0);
  });

  it('an unhandled send error fails the owner, as an unhandled error event ends a Node process', async () => {
    const { sim, a } = world();
    a.spawn('careless', (ctx) => {
      netOf(ctx).createSocket().send('x', 9, 'nope');
    });
    const result = await sim.run();
    expect(result.failures).toEqual([{ actor: 'a/careless', atUs: 0, error: 'getaddrinfo ENOTFOUND nope' }]);
  });

  it('close() rejects a pending recv with ERR_SOCKET_CLOSED and frees the port', async () => {
    const { sim, a } = world();
    const log: string[] = [];
    let sock: UdpSocket | undefined;
    a.spawn('reader', async (ctx) => {
      sock = netOf(ctx).createSocket().bind(9);
      try {
        await sock.recv();
      } catch (err) {
        log.push(`${ctx.now} ${(err as NetError).code}`);
      }
    });
    a.spawn('closer', async (ctx) => {
      await ctx.sleep('3ms');
      sock!.close();
    });
    const result = await sim.run();
    expect(log).toEqual(['3000 ERR_SOCKET_CLOSED']);
    expect(result.stop).toBe('idle');
  });

  it('a paused owner hears nothing until it resumes; what came meanwhile waits in the buffer', async () => {
    const { sim, a, b } = world();
    const log: string[] = [];
    b.spawn('sink', (ctx) => {
      const s = netOf(ctx).createSocket().bind(9);
      s.on('message', (m) => {
        log.push(`${ctx.now} ${text(m)}`);
        if (text(m) === 'three') s.close();
      });
    });
    a.spawn('source', async (ctx) => {
      const s = netOf(ctx).createSocket();
      for (const word of ['one', 'two', 'three']) {
        s.send(word, 9, 'b');
        await ctx.sleep('2ms');
      }
      s.close();
    });
    sim.at('2ms', () => b.host.pause());
    sim.at('10ms', () => b.host.resume());
    await sim.run();
    expect(log).toEqual(['1000 one', '10000 two', '10000 three']);
  });

  it('a paused async reader resumes only when its host does', async () => {
    const { sim, a, b } = world();
    const log: string[] = [];
    b.spawn('reader', async (ctx) => {
      const s = netOf(ctx).createSocket().bind(9);
      for (let i = 0; i < 2; i++) {
        const m = await s.recv();
        log.push(`${ctx.now} ${text(m.data)}`);
      }
      s.close();
    });
    a.spawn('writer', async (ctx) => {
      const s = netOf(ctx).createSocket();
      s.send('early', 9, 'b');
      await ctx.sleep('5ms');
      s.send('late', 9, 'b');
      s.close();
    });
    sim.at('3ms', () => b.host.pause());
    sim.at('20ms', () => b.host.resume());
    const result = await sim.run();
    expect(log).toEqual(['1000 early', '20000 late']);
    expect(result.stop).toBe('idle');
  });

  it('a crash makes sockets vanish silently: later datagrams find no socket; after restart the port binds again', async () => {
    const { sim, a, b, counter } = world();
    const log: string[] = [];
    b.spawn('server', async (ctx) => {
      const s = netOf(ctx).createSocket().bind(9);
      s.on('close', () => log.push('close event (must not happen)'));
      for (;;) {
        try {
          const m = await s.recv();
          log.push(`${ctx.now} server got ${text(m.data)}`);
        } catch (err) {
          log.push(`${ctx.now} recv failed (a crashed process must not run): ${(err as Error).message}`);
          return;
        }
      }
    }, { daemon: true });
    a.spawn('client', async (ctx) => {
      const s = netOf(ctx).createSocket();
      for (const t of ['one', 'two', 'three']) {
        s.send(t, 9, 'b');
        await ctx.sleep('10ms');
      }
      s.close();
    });
    sim.at('5ms', () => b.host.crash());
    sim.at('15ms', () => b.host.restart());
    await sim.run();
    expect(log).toEqual(['1000 server got one', '21000 server got three']);
    expect(counter('net.drop.host-down')).toBe(1);
    expect(counter('udp.drop.no-socket')).toBe(0);
  });
});
