import { describe, expect, it } from 'vitest';
import { Simulation } from '../../sim/core/simulation.js';
import { Network } from '../../sim/net/network.js';
import { createHttpServer, HttpAgent } from '../../sim/proto/http1.js';
import { resolveTlsOptions, type TlsOptions } from '../../sim/proto/tls.js';

/** Two requests on one keep-alive connection over a 1 ms link; returns each one's duration in µs. */
async function timings(tls: Partial<TlsOptions> | undefined) {
  const sim = new Simulation({ seed: 1 });
  const net = new Network(sim, { link: { latency: '1ms' } });
  const opts = tls ? { serverCpu: '1ms', clientCpu: '500us', ...tls } : undefined;
  net.host('server').spawn('api', (ctx) => void createHttpServer(ctx, opts ? { tls: opts } : {}, (_req, res) => res.end({ status: 200 })).listen(443), { daemon: true });
  const took: number[] = [];
  net.host('client').spawn('c', async (ctx) => {
    const agent = new HttpAgent(ctx, { host: 'server', port: 443, tls: opts });
    for (let i = 0; i < 2; i++) {
      const start = ctx.now;
      const res = await agent.request({ path: '/' });
      expect(res.status).toBe(200);
      took.push(ctx.now - start);
    }
    agent.close();
  });
  const result = await sim.run({ until: '10s' });
  expect(result.failures).toEqual([]);
  return { took, sent: sim.metrics.counter('tcp.segments.sent').value };
}

describe('TLS (handshake round trips and CPU per connection)', () => {
  it('plain HTTP: the first request takes the TCP handshake and one round trip (4 ms), the next one round trip', async () => {
    expect((await timings(undefined)).took).toEqual([4_000, 2_000]);
  });

  it('TLS 1.3 adds one round trip and both sides\' CPU to a new connection (7.5 ms), nothing to a reused one', async () => {
    expect((await timings({ version: '1.3' })).took).toEqual([4_000 + 2_000 + 1_500, 2_000]);
  });

  it('TLS 1.2 adds two round trips (10.5 ms)', async () => {
    expect((await timings({ version: '1.2' })).took).toEqual([4_000 + 4_000 + 2_500, 2_000]);
  });

  it('the certificate flight is several segments', async () => {
    const plain = await timings(undefined);
    const tls = await timings({ version: '1.3', certificateFlightBytes: 4000 });
    expect(tls.sent - plain.sent).toBeGreaterThanOrEqual(4); // ClientHello, 3 segments of certificates, Finished
  });

  it('bad options get one line naming the field', () => {
    expect(() => resolveTlsOptions({ version: '1.1' as never })).toThrow("tls.version: expected '1.2' or '1.3', got \"1.1\"");
    expect(() => resolveTlsOptions({ cipher: 'x' } as never)).toThrow(/tls.cipher: not a TLS option/);
  });
});
