import { describe, expect, it } from 'vitest';
import { scenarios } from '../../scenarios/index.js';
import { runScenario } from '../../sim/run-scenario.js';

describe('every scenario', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s: runs with seed 1 in under 10 s, no actor fails, nothing is lost, and Little\'s law holds within 1%', async (_name, scenario) => {
    // CPU time, not wall time: the suite runs files in parallel on a 2-core machine.
    const before = process.cpuUsage();
    const { sim, world, result } = await runScenario(scenario, { seed: 1 });
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1e6).toBeLessThan(10);
    expect(result.failures).toEqual([]);
    const s = world.requests.summary();
    expect(s.total).toBe(s.ok + s.failed + s.inFlight);
    if (s.total > 0) {
      const { arrivalRatePerS, meanInSystem, meanTimeInSystemS } = s.littlesLaw;
      expect(Math.abs(meanInSystem / (arrivalRatePerS * meanTimeInSystemS) - 1)).toBeLessThan(0.01);
    }
  });
});
