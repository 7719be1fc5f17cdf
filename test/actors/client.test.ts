import { describe, expect, it } from 'vitest';
import { resolveClientOptions, runClient, type Attempt, type ClientOptions } from '../../sim/actors/client.js';
import type { ActorContext } from '../../sim/core/context.js';
import { Simulation } from '../../sim/core/simulation.js';
import { World } from '../../sim/world.js';

class Failure extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

async function load(options: Partial<ClientOptions>, attempt: (sim: Simulation, ctx: ActorContext) => Attempt, until = '10s') {
  const world = new World({ seed: 1, keepRequests: 'all' });
  const sim = world.sim;
  sim.host('c').spawn('client', (ctx) => runClient(ctx, options, attempt(sim, ctx)), { daemon: true });
  await sim.run({ until });
  const ledger = world.requests;
  return { sim, ledger, summary: ledger.summary() };
}

/** An attempt that takes `us` of virtual time and succeeds. */
const succeedAfter = (us: number) => (_sim: Simulation, ctx: ActorContext) => () => ctx.sleep(us);

describe('client load', () => {
  it('fixed-rate arrivals come exactly 1/rate apart', async () => {
    const { ledger } = await load({ arrival: 'fixed', ratePerS: 50 }, succeedAfter(1000), '1s');
    expect(ledger.all().map((r) => r.startUs)).toEqual(Array.from({ length: 50 }, (_, i) => (i + 1) * 20_000));
  });

  it('Poisson arrivals average the rate (within 2% over 2,000 s) and a rate schedule changes it', async () => {
    const { summary } = await load({ arrival: 'poisson', ratePerS: 20 }, succeedAfter(1000), '2000s');
    expect(Math.abs(summary.total / (20 * 2000) - 1)).toBeLessThan(0.02);
    const spiky = await load({ arrival: 'fixed', ratePerS: 10, rateSchedule: [{ at: '1s', ratePerS: 100 }, { at: '2s', ratePerS: 10 }] }, succeedAfter(1000), '3s');
    expect(spiky.summary.total).toBe(10 + 100 + 10);
  });

  it('retries with exponential backoff wait base·2^n between attempts', async () => {
    const tries: number[] = [];
    const { ledger } = await load({ arrival: 'fixed', ratePerS: 1, maxRetries: 3, backoff: { kind: 'exponential', baseMs: 25, capMs: 1000 }, stopAtMs: 1500 }, (sim) => async (_req, n) => {
      tries.push(sim.now);
      if (n < 3) throw new Failure('ECONNRESET');
    });
    expect(tries).toEqual([1_000_000, 1_025_000, 1_075_000]);
    const [rec] = ledger.all();
    expect([rec!.outcome, rec!.attempts, rec!.endUs]).toEqual(['ok', 3, 1_075_000]);
    expect(rec!.spans.map((s) => s.phase)).toEqual(['attempt', 'backoff', 'attempt', 'backoff', 'attempt']);
  });

  it('a request that runs past its deadline ends as DEADLINE_EXCEEDED at exactly the deadline', async () => {
    const { ledger, summary } = await load({ arrival: 'fixed', ratePerS: 1, deadlineMs: 300, stopAtMs: 1500 }, succeedAfter(5_000_000));
    const [rec] = ledger.all();
    expect([rec!.outcome, rec!.endUs]).toEqual(['DEADLINE_EXCEEDED', 1_300_000]);
    expect(summary.byError).toEqual({ DEADLINE_EXCEEDED: 1 });
  });

  it('a retry budget of 20% caps retries when everything fails; without one, every request retries', async () => {
    const failing = () => async () => {
      throw new Failure('503');
    };
    const unbounded = await load({ arrival: 'fixed', ratePerS: 100, maxRetries: 3, backoff: { kind: 'none', baseMs: 0, capMs: 0 } }, failing, '20s');
    const attemptsUnbounded = unbounded.ledger.all().reduce((n, r) => n + r.attempts, 0);
    expect(attemptsUnbounded).toBe(4 * unbounded.summary.total);
    const budgeted = await load({ arrival: 'fixed', ratePerS: 100, maxRetries: 3, backoff: { kind: 'none', baseMs: 0, capMs: 0 }, retryBudget: { ratio: 0.2, minPerSecond: 0 } }, failing, '20s');
    const retries = budgeted.ledger.all().reduce((n, r) => n + r.attempts - 1, 0);
    expect(retries / budgeted.summary.total).toBeLessThanOrEqual(0.21);
    expect(retries / budgeted.summary.total).toBeGreaterThan(0.15);
    expect(budgeted.summary.byError).toEqual({ 503: budgeted.summary.total });
  });

  it("closed-loop users: throughput = users / (response time + think time), and Little's law holds", async () => {
    const { summary } = await load({ arrival: 'closed', users: 5, thinkTime: '100ms' }, succeedAfter(100_000), '100s');
    // Each user completes one request per 200 ms: 25/s, 2,500 in 100 s (the last ones may be in flight).
    expect(summary.total).toBeGreaterThanOrEqual(2499);
    expect(summary.total).toBeLessThanOrEqual(2505);
    const { arrivalRatePerS, meanInSystem, meanTimeInSystemS } = summary.littlesLaw;
    expect(Math.abs(meanInSystem / (arrivalRatePerS * meanTimeInSystemS) - 1)).toBeLessThan(0.01);
    expect(summary.total).toBe(summary.ok + summary.failed + summary.inFlight);
  });

  it('bad options get one line naming the field', () => {
    expect(() => resolveClientOptions({ arrival: 'bursty' as never })).toThrow('client.arrival: expected poisson, fixed or closed, got "bursty"');
    expect(() => resolveClientOptions({ ratePerS: -1 })).toThrow('client.ratePerS: expected a non-negative number, got -1');
    expect(() => resolveClientOptions({ rateSchedule: [{ at: '-1s', ratePerS: 1 }] })).toThrow("client.rateSchedule[0].at: '-1s' is negative");
    expect(() => resolveClientOptions({ speed: 1 } as never)).toThrow(/client.speed: not a client option/);
  });
});
