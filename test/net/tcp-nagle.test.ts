/**
 * Nagle's algorithm as Linux runs it (Minshall's variant): a short segment waits while an earlier short one
 * is unacknowledged; TCP_NODELAY (setNoDelay, the noDelay option, or the host's `nagle: false`) turns it off.
 */
import { describe, expect, it } from 'vitest';
import type { TcpOptions } from '../../sim/net/tcp/options.js';
import type { Socket } from '../../sim/net/tcp/socket.js';
import { api, world } from './tcp-helpers.js';

/**
 * A server that reads and never answers (so its ACKs are delayed, 40 ms); the client connects with
 * `noDelay`, then `work` writes. Returns when each client data segment left (ms) and its length.
 */
async function dataSegments(work: (sock: Socket, ctx: import('../../sim/core/context.js').ActorContext) => Promise<void>, options: { noDelay?: boolean; tcp?: Partial<TcpOptions> } = {}) {
  const w = world({ tcp: options.tcp });
  w.server.spawn('s', (ctx) => void api(ctx).createServer((sock) => sock.on('data', () => {})).listen(80), { daemon: true });
  w.client.spawn('c', async (ctx) => {
    const sock = await api(ctx).connectAsync({ host: 'server', port: 80, noDelay: options.noDelay });
    await work(sock, ctx);
  });
  await w.sim.run({ until: '2s' });
  return w.sink.records.filter((r) => r.kind === 'pkt.send' && r.host === 'client' && Number(r.fields?.len) > 0).map((r) => `${Number(r.fields?.len)}@${r.t / 1000}`);
}

const twoSmallWrites = async (sock: Socket) => {
  sock.write('a');
  sock.write('b');
};

describe("Nagle's algorithm (Linux: Minshall's variant)", () => {
  it('a net socket: the second short write waits for the ACK of the first, which the peer delays 40 ms', async () => {
    // Connected at 20 ms; 'a' reaches the server at 30 ms, its delayed ACK leaves at 70 ms and arrives at 80 ms.
    expect(await dataSegments(twoSmallWrites)).toEqual(['1@20', '1@80']);
  });

  it('with noDelay, setNoDelay(true), or the host option nagle: false, both leave at once', async () => {
    expect(await dataSegments(twoSmallWrites, { noDelay: true })).toEqual(['1@20', '1@20']);
    expect(await dataSegments(twoSmallWrites, { tcp: { nagle: false } })).toEqual(['1@20', '1@20']);
    expect(
      await dataSegments(async (sock, ctx) => {
        await twoSmallWrites(sock);
        await ctx.sleep('5ms');
        sock.setNoDelay(true); // pushes what Nagle holds, as Linux does when TCP_NODELAY is set
      }),
    ).toEqual(['1@20', '1@25']);
  });

  it('full segments never wait, nor does the short tail after them when no short segment is in flight', async () => {
    expect(await dataSegments(async (sock) => void sock.write(new Uint8Array(3000)))).toEqual(['1460@20', '1460@20', '80@20']);
  });

  it('end() sends a held short write at once: the FIN follows it', async () => {
    expect(
      await dataSegments(async (sock) => {
        sock.write('a');
        sock.end('b');
      }),
    ).toEqual(['1@20', '1@20']);
  });
});
