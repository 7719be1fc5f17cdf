import { describe, expect, it } from 'vitest';
import { crashVsKill } from '../../scenarios/crash-vs-kill.js';
import { runScenario } from '../../sim/run-scenario.js';

async function failures(mode: 'crash' | 'kill') {
  const { sim, world } = await runScenario(crashVsKill, { seed: 1, params: { mode } });
  const ledger = world.requests;
  const s = ledger.summary();
  expect(s.total).toBe(s.ok + s.failed + s.inFlight);
  return { s, failed: ledger.all().filter((r) => r.outcome !== null && r.outcome !== 'ok') };
}

describe('crash-vs-kill', () => {
  it("after a kill, callers fail within a round trip, as the kernel closes the dead process's sockets: ECONNRESET ('socket hang up': the FIN came before the response) for requests in flight, ECONNREFUSED (the listener is gone) for new ones", async () => {
    const { s, failed } = await failures('kill');
    expect(Object.keys(s.byError).sort()).toEqual(['ECONNREFUSED', 'ECONNRESET']);
    for (const r of failed) {
      expect(r.startUs).toBeGreaterThanOrEqual(9_980_000); // nothing failed before the kill (requests take ~22 ms)
      expect(r.endUs! - Math.max(r.startUs, 10_000_000)).toBeLessThanOrEqual(3_000);
    }
  });

  it('after a silent crash, every caller hangs until its deadline: DEADLINE_EXCEEDED exactly 5 s after it started', async () => {
    const { s, failed } = await failures('crash');
    expect(Object.keys(s.byError)).toEqual(['DEADLINE_EXCEEDED']);
    expect(failed.length).toBeGreaterThan(500);
    for (const r of failed) expect(r.endUs! - r.startUs).toBe(5_000_000);
    expect(s.inFlight).toBeGreaterThan(0); // the last 5 s of requests are still hanging when the run ends
  });
});
