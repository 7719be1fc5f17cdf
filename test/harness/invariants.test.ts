/** Each invariant holds on a healthy run and catches the violation it names (so none can pass vacuously). */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ActorContext } from '../../sim/core/context.js';
import { hello } from '../../scenarios/hello.js';
import { checkInvariants, conservation, deadlines, noCrashes, poolBounds, quiescence, recovers, safetyInvariants, streamIntegrity, timeForward } from '../../sim/harness/invariants.js';
import { Connection } from '../../sim/net/tcp/connection.js';
import { simulate, type SimRun } from '../../sim/harness/simulate.js';
import { Pool } from '../../sim/pool/pool.js';
import { RequestLedger } from '../../sim/requests/ledger.js';
import { defineScenario } from '../../sim/scenario.js';

/** A scenario with one actor that does what the test says, and a pool of 2 slots. */
function world(body: (ctx: ActorContext, pool: Pool<number>, ledger: RequestLedger) => void | Promise<void>) {
  return defineScenario({
    name: 'inv',
    description: 'invariant test world',
    defaultDuration: '10s',
    params: z.object({}),
    build(w) {
      w.sim.host('h').spawn('a', (ctx) => {
        const pool = new Pool<number>(ctx, { poolName: 'p', maximumPoolSize: 2, minimumIdle: 0, connectionTimeoutMs: 0 }, { open: (done) => done(null, 1), close: () => {} });
        return body(ctx, pool, w.requests);
      });
    },
  });
}

const run = (body: Parameters<typeof world>[0]) => simulate(world(body), { seed: 1 });

describe('invariants', () => {
  it('a healthy run keeps every safety invariant', async () => {
    const r = await run(async (ctx, pool, ledger) => {
      const rec = ledger.start('h');
      rec.deadlineUs = ctx.now + 1_000_000;
      const lease = await pool.acquire();
      await ctx.sleep('10ms');
      lease.release();
      ledger.finish(rec, 'ok');
    });
    expect(checkInvariants(r, [...safetyInvariants, quiescence], { drainAtUs: 0 })).toEqual([]);
  });

  it('deadlines: a request that ends 2 µs after its deadline is caught; one that ends at it is not', async () => {
    const at = (lateUs: number) =>
      run(async (ctx, _pool, ledger) => {
        const rec = ledger.start('h');
        rec.deadlineUs = ctx.now + 1000;
        await ctx.sleep(1000 + lateUs);
        ledger.finish(rec, 'ok');
      });
    expect(deadlines.check(await at(0), {})).toBeNull();
    expect(deadlines.check(await at(1), {})).toBeNull(); // one timer step
    expect(deadlines.check(await at(2), {})).toMatchObject({ invariant: 'deadlines', class: 'safety', message: 'request r1 (from h at 0 µs) ended ok at 1002 µs, 2 µs past its deadline 1000 µs' });
  });

  it('pool bounds: a pool whose gauge passed its maximum is caught', async () => {
    const r = await run((ctx) => void ctx.simulation.metrics.gauge('pool.p.active').set(3));
    expect(poolBounds.check(r, {})).toMatchObject({ message: 'pool p: active reached 3 of maximumPoolSize 2' });
  });

  it('conservation: a record with no outcome that the ledger does not count is caught', async () => {
    const r = await run((_ctx, _pool, ledger) => void ledger.start('h'));
    expect(conservation.check(r, {})).toBeNull(); // in flight, and counted so
    const broken: SimRun = { ...r, requests: { ...r.requests, inFlight: 0 } };
    expect(conservation.check(broken, {})?.message).toBe('1 requests ≠ 0 ok + 0 failed + 0 in flight');
  });

  it('time forward: a record written with a time in the past is caught', async () => {
    expect(timeForward.check(await run(() => {}), {})).toBeNull();
    const back = await run(async (ctx) => {
      await ctx.sleep(10);
      ctx.trace('mark');
      ctx.simulation.trace.write({ t: 3, kind: 'back' });
    });
    expect(timeForward.check(back, {})?.message).toMatch(/^trace record \d+ \(back\) at 3 µs comes after one at 10 µs$/);
  });

  it('stream integrity: checked when the run checks streams; a byte changed on the way to the application is caught', async () => {
    const healthy = await simulate(hello, { seed: 1, checkStreams: true });
    expect(streamIntegrity.check(healthy, {})).toBeNull();
    const read = Connection.prototype.read;
    let flipped = false;
    Connection.prototype.read = function (this: Connection, maxBytes?: number) {
      const chunk = read.call(this, maxBytes);
      if (chunk && chunk.byteLength > 0 && !flipped && this.stack.host.name === 'server') {
        flipped = true;
        const copy = chunk.slice();
        copy[0] = copy[0]! ^ 0xff;
        return copy;
      }
      return chunk;
    };
    try {
      const broken = await simulate(hello, { seed: 1, checkStreams: true });
      expect(streamIntegrity.check(broken, {})?.message).toMatch(/^connection client:\d+>server:\d+ \(client>server\): byte 0 is \d+, sent \d+$/);
      const unchecked = await simulate(hello, { seed: 1 });
      expect(streamIntegrity.check(unchecked, {})).toBeNull(); // not checked: nothing to say
    } finally {
      Connection.prototype.read = read;
    }
  });

  it('no crashes: an actor that throws is caught with its error', async () => {
    const r = await run(() => {
      throw new Error('boom');
    });
    expect(noCrashes.check(r, {})?.message).toMatch(/^actor h\/a failed at 0 µs: .*boom/);
  });

  it('quiescence: a lease never returned after the drain is a leak; waiters and requests in flight too', async () => {
    const leaked = await run(async (_ctx, pool) => void (await pool.acquire()));
    expect(quiescence.check(leaked, {})).toBeNull(); // no drain phase: not judged
    expect(quiescence.check(leaked, { drainAtUs: 0 })?.message).toBe('pool p: 1 connections still lent out with no request in flight (a leaked lease)');
    const waiting = await run(async (_ctx, pool) => {
      await pool.acquire();
      await pool.acquire();
      await pool.acquire();
    });
    expect(quiescence.check(waiting, { drainAtUs: 0 })?.message).toBe('pool p: 1 waiters after the drain');
    const hanging = await run((_ctx, _pool, ledger) => void ledger.start('h'));
    expect(quiescence.check(hanging, { drainAtUs: 0 })?.message).toBe('1 requests still in flight 0 µs after the drain (oldest r1, started at 0 µs)');
  });

  it('recovers: judged on requests started after heal + settle', async () => {
    const r = await run(async (ctx, _pool, ledger) => {
      for (let i = 0; i < 10; i++) {
        const rec = ledger.start('h');
        ledger.finish(rec, i < 3 ? 'ok' : '503');
        await ctx.sleep('1s');
      }
    });
    const inv = recovers({ settleMs: 2000, minOkShare: 0.9 });
    expect(inv.check(r, { healedAtUs: 0 })?.message).toBe('only 1 of 8 requests started 2000 ms or more after the heal succeeded (12.5%, needed 90%; 503 ×7)');
    expect(inv.check(r, { healedAtUs: 6_000_000 })?.message).toMatch(/^only 0 of 2 requests/);
    expect(inv.check(r, { healedAtUs: 9_000_000 })).toBeNull(); // nothing started in the window: nothing to judge
    expect(recovers({ settleMs: 0, minOkShare: 0.3 }).check(r, { healedAtUs: 0 })).toBeNull();
  });
});
