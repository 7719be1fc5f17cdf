/**
 * The run's progress hook (RunOptions.progress, ScenarioRunOptions.progress): called every N events with the
 * traps lifted, so the host may read its clock there, and a run with it is the same run as without it.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioProgress } from '../../sim/run-scenario.js';
import { poolExhaustion } from '../../scenarios/pool-exhaustion.js';
import { Simulation } from '../../sim/core/simulation.js';

describe('the progress hook', () => {
  it('sees virtual time, events and requests go forward every N events, may read the real clock, and changes nothing', async () => {
    const every = 500;
    const seen: ScenarioProgress[] = [];
    const opts = { seed: 3, duration: '5s' };
    const plain = await runScenario(poolExhaustion, opts);
    const watched = await runScenario(poolExhaustion, {
      ...opts,
      progress: {
        everyEvents: every,
        report: (p) => {
          // Host code: the traps are lifted here (inside the run this would throw NondeterminismError).
          expect(performance.now()).toBeGreaterThan(0);
          seen.push({ ...p, requests: { ...p.requests } });
        },
      },
    });
    expect(watched.digest).toBe(plain.digest);
    expect(watched.unseed).toBe(plain.unseed);
    expect(seen).toHaveLength(Math.floor(plain.result.events / every));
    expect(seen.map((p) => p.events)).toEqual(seen.map((_, i) => (i + 1) * every));
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.nowUs).toBeGreaterThanOrEqual(seen[i - 1]!.nowUs);
    expect(seen.every((p) => p.limitUs === 5_000_000 && p.nowUs <= p.limitUs)).toBe(true);
    const last = seen.at(-1)!;
    expect(last.requests.total).toBeGreaterThan(0);
    expect(last.requests.ok + last.requests.failed).toBeLessThanOrEqual(last.requests.total);
    expect(last.requests.total).toBeLessThanOrEqual(plain.requests.total);
  });

  it('refuses an everyEvents that is not a positive integer', async () => {
    const sim = new Simulation({ seed: 1 });
    await expect(sim.run({ progress: { everyEvents: 0, report: () => {} } })).rejects.toMatchObject({ code: 'ERR_ARG' });
  });
});
