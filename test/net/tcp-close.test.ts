import { describe, expect, it } from 'vitest';
import type { NetError } from '../../sim/net/errors.js';
import type { Socket } from '../../sim/net/tcp/socket.js';
import { api, sent, text, world } from './tcp-helpers.js';

describe('closing (RST semantics from the Linux table in shared/reference/linux-tcp.md)', () => {
  it('reading after a clean FIN gives end-of-stream, after the data', async () => {
    const { sim, client, server } = world();
    const got: (string | null)[] = [];
    server.spawn('s', (ctx) => void api(ctx).createServer((sock) => sock.end('bye')).listen(80), { daemon: true });
    client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      got.push(text(await sock.read()), text(await sock.read()), text(await sock.read()));
    });
    const result = await sim.run();
    expect(got).toEqual(['bye', null, null]);
    expect(result.failures).toEqual([]);
  });

  it('closing with unread data resets the peer: ECONNRESET on its next read', async () => {
    const { sim, sink, client, server } = world();
    let outcome = '';
    server.spawn(
      's',
      (ctx) =>
        void api(ctx)
          .createServer((sock) => {
            // Never reads what the client sent; closes after 100 ms.
            ctx.timer('100ms', () => sock.destroy());
          })
          .listen(80),
      { daemon: true },
    );
    client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      sock.write('unread');
      await ctx.sleep('1s');
      await sock.read().then(
        (c) => (outcome = `data ${text(c)}`),
        (e: NetError) => (outcome = `${e.code} ${e.message}`),
      );
    });
    await sim.run();
    expect(sent(sink.records, 'server', 'RST|ACK')).toHaveLength(1);
    expect(sent(sink.records, 'server', 'FIN|ACK')).toHaveLength(0);
    expect(outcome).toBe('ECONNRESET read ECONNRESET 10.0.0.2:80');
    expect(sim.metrics.counter('tcp.rst.unread-data').value).toBe(1);
  });

  it('writing after the peer reset: the first call reports ECONNRESET, every later one EPIPE', async () => {
    const { sim, client, server } = world();
    const codes: string[] = [];
    server.spawn('s', (ctx) => void api(ctx).createServer((sock) => ctx.timer('50ms', () => sock.resetAndDestroy())).listen(80), { daemon: true });
    client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      await ctx.sleep('1s');
      sock.on('error', (e: NetError) => codes.push(e.code));
      sock.write('a');
      sock.write('b');
    });
    await sim.run();
    expect(codes).toEqual(['ECONNRESET', 'EPIPE']);
  });

  it('a half-closed connection still carries data the other way (allowHalfOpen)', async () => {
    const { sim, client, server } = world();
    let reply = '';
    server.spawn(
      's',
      (ctx) =>
        void api(ctx)
          .createServer({ allowHalfOpen: true }, (sock: Socket) => {
            const parts: string[] = [];
            sock.on('data', (c) => parts.push(text(c)!));
            sock.on('end', () => sock.end(`got ${parts.join('')}`));
          })
          .listen(80),
      { daemon: true },
    );
    client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80, allowHalfOpen: true });
      sock.write('ping');
      sock.end();
      for await (const chunk of sock) reply += text(chunk);
    });
    await sim.run();
    expect(reply).toBe('got ping');
  });

  it('the active closer holds the 4-tuple in TIME_WAIT for 60 s', async () => {
    const { sim, sink, client, server } = world();
    server.spawn('s', (ctx) => void api(ctx).createServer((s) => s.on('data', () => {}).on('end', () => {})).listen(80), { daemon: true });
    client.spawn('c', async (ctx) => {
      const sock = await api(ctx).connectAsync({ host: 'server', port: 80 });
      sock.end();
      await sock.read();
    });
    await sim.run();
    const states = sink.records.filter((r) => r.kind === 'tcp.state' && r.host === 'client').map((r) => [r.t, r.fields!.to]);
    expect(states).toEqual([
      [0, 'SYN_SENT'],
      [20_000, 'ESTABLISHED'],
      [20_000, 'FIN_WAIT_1'],
      [40_000, 'FIN_WAIT_2'],
      [40_000, 'TIME_WAIT'],
      [60_040_000, 'CLOSED'],
    ]);
  });
});
