import { describe, expect, it } from 'vitest';
import { backlogOverflow } from '../../scenarios/backlog-overflow.js';
import { runScenario } from '../../sim/run-scenario.js';

async function latenciesMs(params: Record<string, unknown>) {
  const { sim, world } = await runScenario(backlogOverflow, { seed: 1, params });
  const ledger = world.requests;
  expect(ledger.summary().failed).toBe(0);
  return { sim, latencies: ledger.all().map((r) => (r.endUs! - r.startUs) / 1000) };
}

describe('backlog-overflow', () => {
  it('backlog + 1 requests finish when the 1.5 s stall ends; every other waits for the SYN retry at 3 s', async () => {
    const { sim, latencies } = await latenciesMs({ backlog: 16 });
    const atStallEnd = latencies.filter((ms) => ms > 1400 && ms < 1510);
    const atThreeSeconds = latencies.filter((ms) => ms > 2990 && ms < 3100);
    expect(atStallEnd).toHaveLength(17);
    expect(atThreeSeconds).toHaveLength(latencies.length - 17);
    expect(sim.metrics.counter('tcp.drop.listen-overflow').value).toBeGreaterThan(100);
  });

  it('a half-second stall gives the 1 s step instead (and clients whose final ACK was ignored get in when their data is resent)', async () => {
    const { latencies } = await latenciesMs({ backlog: 16, stall: '500ms' });
    expect(latencies.filter((ms) => ms > 400 && ms < 510)).toHaveLength(17);
    expect(latencies.filter((ms) => ms > 990 && ms < 1100).length).toBeGreaterThan(100);
    expect(latencies.every((ms) => ms < 1100)).toBe(true);
  });
});
