/**
 * The run-time traps (sim/core/real-world-guard.ts): inside a run, real randomness, the real clock and real
 * timers throw NondeterminismError, however they are reached; outside a run, and after one (even one that
 * threw), everything is as it was.
 */
import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../../sim/core/context.js';
import { insideRun, NondeterminismError } from '../../sim/core/real-world-guard.js';
import { Simulation } from '../../sim/core/simulation.js';
import { hello } from '../../scenarios/hello.js';
import { runScenario } from '../../sim/run-scenario.js';

// Aliases taken at module load, before any run: the plant the old regex scan and a swap-per-run trap both missed.
const jitter = Math.random;
const { random } = Math;
const clock = Date.now;

/** A one-actor simulation whose actor does `reach` once, after 1 ms of virtual time. */
async function runReaching(reach: (ctx: ActorContext) => unknown): Promise<unknown> {
  const sim = new Simulation({ seed: 1 });
  sim.host('h').spawn('a', async (ctx) => {
    await ctx.sleep('1ms');
    reach(ctx);
  });
  return sim.run();
}

const planted: [string, string, (ctx: ActorContext) => unknown][] = [
  ['Math.random()', 'Math.random()', () => Math.random()],
  ['an alias taken at module load', 'Math.random()', () => jitter()],
  ['a destructured alias', 'Math.random()', () => random()],
  ["Math['random']", 'Math.random()', () => (Math as unknown as Record<string, () => number>)['random']!()],
  ['globalThis.Math.random', 'Math.random()', () => globalThis.Math.random()],
  ['Date.now()', 'Date.now()', () => Date.now()],
  ['an alias of Date.now', 'Date.now()', () => clock()],
  ['new Date()', 'new Date()', () => new Date()],
  ['Date() called plainly', 'Date()', () => (Date as unknown as () => string)()],
  ['performance.now()', 'performance.now()', () => performance.now()],
  ['setTimeout', 'setTimeout()', () => setTimeout(() => {}, 10)],
  ['setInterval', 'setInterval()', () => setInterval(() => {}, 10)],
  ['setImmediate', 'setImmediate()', () => setImmediate(() => {})],
];

describe('inside a run, the real world throws NondeterminismError', () => {
  it.each(planted)('%s', async (_, reached, reach) => {
    await expect(runReaching(reach)).rejects.toMatchObject({ name: 'NondeterminismError', code: 'ERR_NONDETERMINISM', reached });
  });

  it('a run whose code catches the throw still fails with it (a retry loop cannot hide it)', async () => {
    const run = runReaching(() => {
      try {
        return Math.random();
      } catch {
        return 0.5;
      }
    });
    await expect(run).rejects.toBeInstanceOf(NondeterminismError);
  });

  it('in a timer callback of the simulation, not only in actors', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.after('5ms', () => void Date.now());
    await expect(sim.run()).rejects.toMatchObject({ reached: 'Date.now()' });
  });

  it('in a scenario run through runScenario (the CLI, workers and simulate() path)', async () => {
    const run = runScenario(hello, {
      seed: 3,
      params: { pings: 3 },
      beforeRun: ({ sim }) => sim.host('rogue').spawn('jitter', async (ctx) => void (await ctx.sleep(1 + Math.floor(jitter() * 1000)))),
    });
    await expect(run).rejects.toMatchObject({ name: 'NondeterminismError', reached: 'Math.random()' });
  });
});

describe('what stays allowed', () => {
  it('a date from a given time, Date.UTC, instanceof Date, queueMicrotask and promises inside a run', async () => {
    const seen: unknown[] = [];
    const result = await runReaching(() => {
      const d = new Date(Date.UTC(2020, 0, 2));
      seen.push(d.toISOString(), d instanceof Date, Date.parse('2020-01-02T00:00:00Z'));
      queueMicrotask(() => seen.push('microtask'));
      void Promise.resolve().then(() => seen.push('then'));
    });
    expect(result).toMatchObject({ stop: 'idle' });
    expect(seen).toEqual(['2020-01-02T00:00:00.000Z', true, Date.UTC(2020, 0, 2), 'microtask', 'then']);
  });

  it('outside a run, and after a run that threw, everything works as before', async () => {
    await expect(runReaching(() => Math.random())).rejects.toBeInstanceOf(NondeterminismError);
    expect(insideRun()).toBe(false);
    expect(typeof Math.random()).toBe('number');
    expect(typeof jitter()).toBe('number');
    expect(Date.now()).toBeGreaterThan(0);
    expect(new Date().getTime()).toBeGreaterThan(0);
    expect(performance.now()).toBeGreaterThan(0);
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
    await new Promise<void>((resolve) => setImmediate(resolve));
  });

  it('a healthy scenario runs untouched by the traps (its digest is the one it always had)', async () => {
    const a = await runScenario(hello, { seed: 3, params: { pings: 5 } });
    expect(a.result.stop).not.toBe('deadlock');
    const b = await runScenario(hello, { seed: 3, params: { pings: 5 } });
    expect(b.digest).toBe(a.digest);
  });
});
