/**
 * The determinism self-check: a case run twice must give one digest, and when an actor's behaviour leaks
 * from one run into the next (state kept in a module) the check names the first trace record where the two
 * runs part, with both lines. (Math.random, the other classic, now throws inside a run: real-world-guard.ts.)
 */
import { describe, expect, it } from 'vitest';
import { hello } from '../../scenarios/hello.js';
import type { Simulation } from '../../sim/core/simulation.js';
import { makeCase } from '../../sim/harness/chaos-run.js';
import { formatDivergence, isLongSelfCheck, isSelfChecked, lengthened, LONG_SELF_CHECK_TAIL_US, selfCheck } from '../../sim/harness/self-check.js';
import { drawChaosCase } from '../../sim/harness/chaos-property.js';
import { poolExhaustion } from '../../scenarios/pool-exhaustion.js';
import type { Scenario } from '../../sim/scenario.js';

const scenario = hello as unknown as Scenario;

/** Runs so far: state that outlives a run, the bug the self-check exists for (no trap can see it). */
let rogueRuns = 0;

/** An actor that sleeps longer on every run of the process. */
function rogueActor({ sim }: { sim: Simulation }): void {
  const sleepUs = 1 + 1000 * ++rogueRuns;
  sim.host('rogue').spawn('sleeper', async (ctx) => {
    await ctx.sleep(sleepUs);
    ctx.trace('rogue.woke', { at: ctx.now });
  });
}

describe('selfCheck', () => {
  it('passes a healthy scenario: two runs, one digest', async () => {
    const { first, divergence } = await selfCheck(scenario, makeCase(scenario, 4, []));
    expect(divergence).toBeNull();
    expect(first.violations).toEqual([]);
    expect(first.run.digest).toMatch(/^[0-9a-f]{16}$/);
  });

  it('names the first divergent trace record, with its index, kind and both JSONL lines, when an actor keeps state across runs', async () => {
    const { first, divergence } = await selfCheck(scenario, makeCase(scenario, 4, []), { beforeRun: rogueActor });
    expect(divergence).not.toBeNull();
    const d = divergence!;
    expect(d.digests[0]).toBe(first.run.digest);
    expect(d.digests[1]).not.toBe(d.digests[0]);
    // Everything before the rogue's wake-up is the same in both runs; the record at the index is, in one run
    // or the other, the rogue waking at its own time.
    expect(d.index).toBeGreaterThan(0);
    expect(d.kinds).toContain('rogue.woke');
    expect(d.lines[0]).not.toBe(d.lines[1]);
    expect(d.lines[0]).toBe(first.run.trace.line(d.index));
    for (const k of [0, 1] as const) {
      const record = JSON.parse(d.lines[k]!) as { t: number; kind: string };
      expect(record.kind).toBe(d.kinds[k]);
      expect(record.t).toBe(d.tUs[k]);
    }
    for (let i = 0; i < d.index; i++) expect(first.run.trace.all()[i]!.kind).not.toBe('rogue.woke');
    const report = formatDivergence(d);
    expect(report[0]).toContain(`first divergent trace record #${d.index}`);
    expect(report[1]).toBe(`  run 1: ${d.lines[0]}`);
    expect(report[2]).toBe(`  run 2: ${d.lines[1]}`);
  });
});

describe('isSelfChecked', () => {
  it('picks ceil(runs × share) runs spread evenly, run 0 always among them', () => {
    const picked = (runs: number, share: number) => Array.from({ length: runs }, (_, i) => i).filter((i) => isSelfChecked(i, share));
    expect(picked(30, 0.1)).toEqual([0, 10, 20]);
    expect(picked(200, 0.1)).toHaveLength(20);
    expect(picked(5, 0.01)).toEqual([0]);
    expect(picked(4, 1)).toEqual([0, 1, 2, 3]);
    expect(picked(4, 0)).toEqual([]);
    expect(picked(7, 0.5)).toHaveLength(4);
  });

  it('every second self-checked run is a long one; run 0 never is', () => {
    const long = Array.from({ length: 100 }, (_, i) => i).filter((i) => isLongSelfCheck(i, 0.1));
    expect(long).toEqual([10, 30, 50, 70, 90]);
    expect(long.every((i) => isSelfChecked(i, 0.1))).toBe(true);
  });

  it('a long self-check reaches the slow timers a plain case never does: HikariCP retires connections at maxLifetime', async () => {
    const s = poolExhaustion as unknown as Scenario;
    const c = drawChaosCase(s, 7);
    const retired = async (x: typeof c) => {
      const { first, divergence } = await selfCheck(s, x);
      expect(divergence).toBeNull();
      return first.run.world.pools.all().reduce((n, p) => n + p.stats.closed.maxLifetime, 0);
    };
    expect(lengthened(c).durationUs).toBe(c.durationUs + LONG_SELF_CHECK_TAIL_US);
    expect(await retired(c)).toBe(0);
    expect(await retired(lengthened(c))).toBeGreaterThan(0);
  });
});

