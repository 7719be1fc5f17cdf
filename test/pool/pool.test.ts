import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../../sim/core/context.js';
import { Simulation } from '../../sim/core/simulation.js';
import { MemorySink } from '../../sim/core/trace.js';
import { resolvePoolOptions } from '../../sim/pool/options.js';
import { Pool, PoolTimeoutError, type Lease } from '../../sim/pool/pool.js';
import { World } from '../../sim/world.js';

/** A pool of numbered connections that open after `openUs`, made by an actor that then runs `body`. */
async function withPool(options: ConstructorParameters<typeof Pool>[1], body: (pool: Pool<number>, ctx: ActorContext) => Promise<void>, openUs = 0) {
  const sink = new MemorySink();
  const sim = new Simulation({ seed: 1, sinks: [sink] });
  const closed: [number, string, number][] = [];
  let n = 0;
  let pool!: Pool<number>;
  sim.host('app').spawn('svc', async (ctx) => {
    pool = new Pool<number>(ctx, options, {
      open: (done) => {
        const id = ++n;
        if (openUs === 0) done(null, id);
        else ctx.timer(openUs, () => done(null, id));
      },
      close: (c, reason) => closed.push([c, reason, ctx.now]),
    });
    await body(pool, ctx);
  });
  const result = await sim.run({ until: '10h' });
  return { sim, sink, closed, result, pool };
}

describe('pool (HikariCP semantics, shared/reference/pools-and-proxies.md)', () => {
  it('maximumPoolSize 10, connectionTimeout 250 ms: a waiter fails at exactly its acquire time + 250 ms with HikariCP\'s message', async () => {
    let failure: { atUs: number; message: string; code: string } | undefined;
    const { sim } = await withPool({ maximumPoolSize: 10, connectionTimeoutMs: 250 }, async (pool, ctx) => {
      const leases: Lease<number>[] = [];
      for (let i = 0; i < 10; i++) leases.push(await pool.acquire());
      await ctx.sleep('1s');
      const askedAt = ctx.now;
      try {
        await pool.acquire();
      } catch (err) {
        failure = { atUs: ctx.now - askedAt, message: (err as Error).message, code: (err as PoolTimeoutError).code };
      }
      for (const l of leases) l.release();
    });
    expect(failure).toEqual({
      atUs: 250_000,
      code: 'POOL_ACQUIRE_TIMEOUT',
      message: 'HikariPool-1 - Connection is not available, request timed out after 250ms (total=10, active=10, idle=0, waiting=0)',
    });
    expect(sim.metrics.counter('pool.HikariPool-1.acquireTimeouts').value).toBe(1);
  });

  it('waiters are served first come, first served, as connections come back', async () => {
    const order: string[] = [];
    await withPool({ maximumPoolSize: 1, connectionTimeoutMs: 0 }, async (pool, ctx) => {
      const first = await pool.acquire();
      const waits = ['a', 'b', 'c'].map(async (name, i) => {
        await ctx.sleep(i + 1);
        const l = await pool.acquire();
        order.push(`${name}@${ctx.now}`);
        await ctx.sleep('10ms');
        l.release();
      });
      await ctx.sleep('100ms');
      first.release();
      await Promise.all(waits);
    });
    expect(order).toEqual(['a@100000', 'b@110000', 'c@120000']);
  });

  it('reuses the most recently returned idle connection (LIFO), or the oldest with idleOrder fifo', async () => {
    const pick = async (idleOrder: 'lifo' | 'fifo') => {
      let got = -1;
      await withPool({ maximumPoolSize: 3, idleOrder }, async (pool) => {
        const [a, b, c] = [await pool.acquire(), await pool.acquire(), await pool.acquire()];
        a.release();
        c.release();
        b.release();
        const l = await pool.acquire();
        got = l.connection;
        l.release();
      });
      return got;
    };
    expect(await pick('lifo')).toBe(2);
    expect(await pick('fifo')).toBe(1);
  });

  it('maxLifetime (shortened by up to 2.5%) never retires a connection in use: it goes when returned, and a replacement opens', async () => {
    const { closed, pool } = await withPool({ maximumPoolSize: 1, maxLifetimeMs: 60_000 }, async (pool, ctx) => {
      const l = await pool.acquire();
      await ctx.sleep('2m'); // held across its lifetime
      expect(pool.totalConnections).toBe(1);
      l.release();
      await ctx.sleep('1ms');
    });
    expect(closed[0]).toEqual([1, 'maxLifetime', 120_000_000]);
    expect(pool.stats.created).toBeGreaterThanOrEqual(2);
  });

  it('an idle connection reaches maxLifetime between 97.5% and 100% of it and is replaced to keep minimumIdle', async () => {
    const { closed } = await withPool({ maximumPoolSize: 4, maxLifetimeMs: 1_800_000 }, async (_pool, ctx) => {
      await ctx.sleep('31m');
    });
    const firstFour = closed.slice(0, 4);
    expect(firstFour.map(([, reason]) => reason)).toEqual(['maxLifetime', 'maxLifetime', 'maxLifetime', 'maxLifetime']);
    for (const [, , at] of firstFour) {
      expect(at).toBeGreaterThanOrEqual(0.975 * 1_800_000_000);
      expect(at).toBeLessThanOrEqual(1_800_000_000);
    }
    expect(new Set(firstFour.map(([, , at]) => at)).size).toBe(4); // the jitter spreads them out
  });

  it('idle connections above minimumIdle close after idleTimeout; minimumIdle stay', async () => {
    const { closed, pool } = await withPool({ maximumPoolSize: 5, minimumIdle: 2, idleTimeoutMs: 10_000, maxLifetimeMs: 0 }, async (pool, ctx) => {
      const leases = await Promise.all([1, 2, 3, 4, 5].map(() => pool.acquire()));
      for (const l of leases) l.release();
      await ctx.sleep('1m');
    });
    expect(closed.map(([, reason, at]) => [reason, at])).toEqual([
      ['idleTimeout', 10_000_000],
      ['idleTimeout', 10_000_000],
      ['idleTimeout', 10_000_000],
    ]);
    expect(pool.totalConnections).toBe(2);
  });

  it('publishes total, active, idle and pending gauges over time', async () => {
    const { sim } = await withPool({ maximumPoolSize: 2, minimumIdle: 0, connectionTimeoutMs: 0, maxLifetimeMs: 0, idleTimeoutMs: 0 }, async (pool, ctx) => {
      const a = await pool.acquire(); // opens on demand (minimumIdle 0)
      const b = await pool.acquire();
      const waiting = pool.acquire();
      await ctx.sleep('1s');
      a.release(); // goes straight to the waiter
      (await waiting).release();
      b.release();
    });
    const g = sim.metrics.snapshot().gauges.filter((x) => x.name.startsWith('pool.'));
    expect(g.map((x) => [x.name, x.value, x.max])).toEqual([
      ['pool.HikariPool-1.total', 2, 2],
      ['pool.HikariPool-1.active', 0, 2],
      ['pool.HikariPool-1.idle', 2, 2],
      ['pool.HikariPool-1.pending', 0, 1],
    ]);
    expect(sim.metrics.gauge('pool.HikariPool-1.pending').mean(0, 1_000_000)).toBe(1);
  });

  it('presets carry each project\'s defaults, and a bad option gets one line naming it', () => {
    expect(resolvePoolOptions()).toMatchObject({ maximumPoolSize: 10, minimumIdle: 10, connectionTimeoutMs: 30_000, idleTimeoutMs: 600_000, maxLifetimeMs: 1_800_000 });
    expect(resolvePoolOptions({ maximumPoolSize: 4 }).minimumIdle).toBe(4); // minimumIdle follows the maximum
    expect(resolvePoolOptions({ preset: 'pg' })).toMatchObject({ maximumPoolSize: 10, minimumIdle: 0, connectionTimeoutMs: 0, idleTimeoutMs: 10_000 });
    expect(resolvePoolOptions({ preset: 'pgbouncer-transaction' })).toMatchObject({ maximumPoolSize: 20, connectionTimeoutMs: 120_000 });
    expect(() => resolvePoolOptions({ preset: 'c3p0' })).toThrow("pool.preset: unknown preset 'c3p0' (presets: hikari, pg, pgbouncer-session, pgbouncer-transaction, undici, nginx-upstream)");
    expect(() => resolvePoolOptions({ maximumPoolSize: 0 })).toThrow('pool.maximumPoolSize: expected a positive integer, got 0');
    expect(() => resolvePoolOptions({ minimumIdle: 20 })).toThrow('pool.minimumIdle: 20 is above maximumPoolSize 10');
  });

  it('the pg preset times out with node-postgres\' words', async () => {
    let message = '';
    await withPool({ preset: 'pg', maximumPoolSize: 1, connectionTimeoutMs: 100 }, async (pool) => {
      const l = await pool.acquire();
      await pool.acquire().catch((e: Error) => (message = e.message));
      l.release();
    });
    expect(message).toBe('timeout exceeded when trying to connect');
  });

  it('a connection that fails to open fails the waiting acquire with its error (pg), but HikariCP waiters wait on to connectionTimeout', async () => {
    const run = async (preset: string) => {
      const sim = new Simulation({ seed: 1 });
      let outcome = '';
      sim.host('app').spawn('svc', async (ctx) => {
        const pool = new Pool<number>(ctx, { preset, maximumPoolSize: 1, minimumIdle: 0, connectionTimeoutMs: 300 }, {
          open: (done) => ctx.timer('10ms', () => done(Object.assign(new Error('sorry, too many clients already'), { code: '53300' }))),
          close: () => {},
        });
        await pool.acquire().then(
          () => (outcome = 'got one'),
          (e: Error & { code?: string }) => (outcome = `${e.code}@${ctx.now}`),
        );
      });
      await sim.run();
      return outcome;
    };
    expect(await run('pg')).toBe('53300@10000');
    expect(await run('hikari')).toBe('POOL_ACQUIRE_TIMEOUT@300000');
  });
});

describe('a pool whose process has ended', () => {
  it('opens no connection, even for a waiter an evict from its last callbacks would serve (check pool-exhaustion, seed 1, run 150)', async () => {
    const world = new World({ seed: 1 });
    let opened = 0;
    world.sim.host('app').spawn('svc', async (ctx) => {
      const pool = new Pool<number>(ctx, { maximumPoolSize: 1, minimumIdle: 0, connectionTimeoutMs: 1000 }, { open: (done) => done(null, ++opened), close: () => {} });
      const lease = await pool.acquire();
      void pool.acquire().catch(() => {}); // a waiter in line
      world.sim.at(ctx.now + 10, () => {
        world.sim.host('app').kill();
        lease.evict(); // as a socket closing under the dying process fails its query
      });
    });
    await world.sim.run();
    expect(opened).toBe(1);
  });
});
