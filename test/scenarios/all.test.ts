import { describe, expect, it } from 'vitest';
import { scenarios } from '../../scenarios/index.js';
import { runScenario } from '../../sim/run-scenario.js';

describe('every scenario', () => {
  // How long each takes is npm run bench's (bench/scenario-cpu.ts, against 10 s of CPU): tests assert no time.
  it.each(scenarios.map((s) => [s.name, s] as const))('%s: runs with seed 1, no actor fails, nothing is lost, and Little\'s law holds within 1%', async (_name, scenario) => {
    const { world, result } = await runScenario(scenario, { seed: 1 });
    expect(result.failures).toEqual([]);
    const s = world.requests.summary();
    expect(s.total).toBe(s.ok + s.failed + s.inFlight);
    if (s.total > 0) {
      const { arrivalRatePerS, meanInSystem, meanTimeInSystemS } = s.littlesLaw;
      expect(Math.abs(meanInSystem / (arrivalRatePerS * meanTimeInSystemS) - 1)).toBeLessThan(0.01);
    }
  });
});
