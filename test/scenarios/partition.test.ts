import { describe, expect, it } from 'vitest';
import { partition } from '../../scenarios/partition.js';
import { runScenario } from '../../sim/run-scenario.js';

async function run(params: { direction: 'to-service' | 'to-gateway'; retries?: number }, seed = 1) {
  const { sim, world } = await runScenario(partition, { keepRequests: 'all', seed, params });
  const ledger = world.requests;
  const s = ledger.summary();
  expect(s.total).toBe(s.ok + s.failed + s.inFlight);
  const counter = (name: string) => sim.metrics.counter(`gateway.gw.${name}`).value;
  const failed = ledger.all().filter((r) => r.outcome !== 'ok');
  const tookMs = (r: { startUs: number; endUs: number | null }) => (r.endUs! - r.startUs) / 1000;
  return { s, ledger, counter, failed, tookMs };
}

describe('partition', () => {
  it("gateway→svc-1 cut: new connections fail at the 1 s connect timeout with 504; svc-1 never saw the pooled ones' requests and closes them at its keep-alive timeout (502)", async () => {
    const { s, counter, failed, tookMs, ledger } = await run({ direction: 'to-service' });
    // Half the traffic goes to svc-1 during the 20 s partition (50/s × 20 s / 2 ≈ 500).
    expect(s.byError['504']).toBeGreaterThan(400);
    expect(counter('try.UND_ERR_CONNECT_TIMEOUT')).toBe(s.byError['504']);
    for (const r of failed) {
      expect(r.startUs).toBeGreaterThanOrEqual(10_000_000);
      expect(r.startUs).toBeLessThan(30_000_000);
    }
    const connectTimeouts = failed.filter((r) => r.outcome === '504');
    for (const r of connectTimeouts) expect(tookMs(r)).toBeGreaterThanOrEqual(1000), expect(tookMs(r)).toBeLessThan(1003);
    // The pool's idle connections at 10 s: their requests were lost on the way, svc-1 saw an idle connection
    // and closed it 5 s after its last request (Node's keepAliveTimeout), before nginx's 5 s read timeout.
    const hangUps = failed.filter((r) => r.outcome === '502');
    expect(hangUps.length).toBeGreaterThan(0);
    expect(hangUps.length).toBe(counter('try.ECONNRESET'));
    for (const r of hangUps) expect(tookMs(r)).toBeGreaterThan(1003), expect(tookMs(r)).toBeLessThan(5000);
    // Healed at 30 s: everything after succeeds.
    expect(ledger.all().filter((r) => r.startUs >= 30_000_000).every((r) => r.outcome === 'ok')).toBe(true);
  });

  it('svc-1→gateway cut: svc-1 does the work but its answers are lost: pooled requests fail at exactly the 5 s read timeout, new ones at the connect timeout', async () => {
    const { s, counter, failed, tookMs } = await run({ direction: 'to-gateway' });
    const readTimeouts = counter('try.UND_ERR_HEADERS_TIMEOUT');
    expect(readTimeouts).toBeGreaterThan(0);
    expect(counter('try.UND_ERR_CONNECT_TIMEOUT')).toBeGreaterThan(400);
    expect(s.byError).toEqual({ 504: readTimeouts + counter('try.UND_ERR_CONNECT_TIMEOUT') });
    const slow = failed.filter((r) => tookMs(r) > 1003);
    expect(slow.length).toBe(readTimeouts);
    // The read timer starts when the request is sent: 5 s plus the client's and the gateway's half round trips.
    for (const r of slow) expect(tookMs(r)).toBeGreaterThanOrEqual(5000), expect(tookMs(r)).toBeLessThan(5003);
  });

  it('with proxy_next_upstream (retries=1) no client sees an error, but the retried requests take 1 s (or 5 s) longer', async () => {
    for (const direction of ['to-service', 'to-gateway'] as const) {
      const { s, counter, ledger, tookMs } = await run({ direction, retries: 1 });
      expect(s.failed).toBe(0);
      const retried = counter('try.UND_ERR_CONNECT_TIMEOUT');
      expect(retried).toBeGreaterThan(400);
      expect(ledger.all().filter((r) => tookMs(r) >= 1000 && tookMs(r) < 1010).length).toBe(retried);
      expect(s.latencyMs.p50).toBeLessThan(10);
      expect(s.latencyMs.p99).toBeGreaterThanOrEqual(1000);
    }
  });
});
