import { describe, expect, it } from 'vitest';
import { Database, startDatabase } from '../../sim/actors/database.js';
import { resolveDatabaseOptions } from '../../sim/actors/database-options.js';
import type { ActorContext } from '../../sim/core/context.js';
import { Simulation } from '../../sim/core/simulation.js';
import { MemorySink } from '../../sim/core/trace.js';
import { Network } from '../../sim/net/network.js';
import { Pool } from '../../sim/pool/pool.js';
import { pgConnect, pgConnectionFactory, type PgConnection } from '../../sim/proto/pg-client.js';
import type { PgError } from '../../sim/proto/pg-errors.js';
import { dbWorld, records } from '../proto/pg-helpers.js';

/** Connects as `user`; the outcome as 'ok' or 'SEVERITY CODE message', with the time. */
async function attempt(ctx: ActorContext, user: string, keep: PgConnection[]): Promise<string> {
  try {
    keep.push(await pgConnect(ctx, { host: 'db', user }));
    return `${user} ok @${ctx.now}`;
  } catch (err) {
    const e = err as PgError;
    return `${user} ${e.severity} ${e.code} ${e.message} @${ctx.now}`;
  }
}

describe('database: max_connections and superuser_reserved_connections (PostgreSQL 16)', () => {
  it('maxConnections 5, 3 reserved: the 3rd ordinary connection is refused after authentication; superusers take the rest; then no slot is left', async () => {
    const { sim, app, db, sink } = dbWorld({ db: { maxConnections: 5, superuserReservedConnections: 3 } });
    const out: string[] = [];
    app.spawn('c', async (ctx) => {
      const keep: PgConnection[] = [];
      for (const user of ['app', 'app', 'app', 'postgres', 'postgres', 'postgres', 'postgres', 'app']) {
        const t0 = ctx.now;
        out.push((await attempt(ctx, user, keep)).replace(/@\d+$/, `+${ctx.now - t0}`));
      }
      out.push(`connections ${db.connections}`);
      for (const c of keep) c.end();
    });
    await sim.run();
    expect(out).toEqual([
      'app ok +8000',
      'app ok +8000',
      // Refused after the md5 exchange (3 round trips + start-up), as InitPostgres checks once it knows the user.
      'app FATAL 53300 remaining connection slots are reserved for roles with the SUPERUSER attribute +8000',
      'postgres ok +8000',
      'postgres ok +8000',
      'postgres ok +8000',
      // No free slot at all: refused right after the startup packet (InitProcess), before authentication.
      'postgres FATAL 53300 sorry, too many clients already +6000',
      'app FATAL 53300 sorry, too many clients already +6000',
      'connections 5',
    ]);
    expect(db.stats.refused).toEqual({ '53300': 3 });
    expect(db.stats.accepted).toBe(5);
    expect(sim.metrics.counter('db.postgres.refused').value).toBe(3);
    expect(records(sink, 'db.conn.refuse').map((r) => r.fields?.message)).toEqual([
      'remaining connection slots are reserved for roles with the SUPERUSER attribute',
      'sorry, too many clients already',
      'sorry, too many clients already',
    ]);
  });

  it('a pool of 10 against maxConnections 8 (3 reserved): 5 sessions open, 5 fail with 53300 and count as pool errors', async () => {
    const { sim, app, db, sink } = dbWorld({ db: { maxConnections: 8 } });
    let pool!: Pool<PgConnection>;
    app.spawn('svc', async (ctx) => {
      pool = new Pool<PgConnection>(ctx, { maximumPoolSize: 10 }, pgConnectionFactory(ctx, { host: 'db' }));
      await ctx.sleep('1s');
      pool.shutdown();
    });
    await sim.run();
    expect(pool.stats.errors).toBe(5);
    expect(pool.stats.created).toBe(5);
    expect(sim.metrics.counter('pool.HikariPool-1.errors').value).toBe(5);
    expect(sim.metrics.gauge('db.postgres.connections').max).toBe(8);
    // All ten log in at once: 8 take a slot, 2 find none; of the 8, those that finish authenticating while
    // fewer than 3 slots are free are refused, freeing theirs, until 3 are free.
    const refused = records(sink, 'pool.open-failed').map((r) => r.fields?.error);
    expect(refused).toEqual([
      'sorry, too many clients already',
      'sorry, too many clients already',
      'remaining connection slots are reserved for roles with the SUPERUSER attribute',
      'remaining connection slots are reserved for roles with the SUPERUSER attribute',
      'remaining connection slots are reserved for roles with the SUPERUSER attribute',
    ]);
    expect(db.connections).toBe(0);
  });

  it('a backend takes its slot when it reads the startup packet, before authentication, and is counted as accepted after it', async () => {
    const { sim, app, db } = dbWorld();
    const seen: string[] = [];
    app.spawn('c', async (ctx) => (await pgConnect(ctx, { host: 'db' })).end());
    // Established at 3 ms, backend up and startup read at 5 ms, password in at 7 ms (7.001: just after).
    for (const at of [4_000, 6_000, 7_001]) sim.at(at, () => seen.push(`${at}: slots ${db.connections} accepted ${db.stats.accepted}`));
    await sim.run();
    expect(seen).toEqual(['4000: slots 0 accepted 0', '6000: slots 1 accepted 0', '7001: slots 1 accepted 1']);
  });
});

describe('database: cores, queueing and slow mode', () => {
  /** Opens `n` connections, then runs one query on each at the same moment; returns each query's latency. */
  async function concurrent(db: { cpuCores?: number }, n: number, query: { text: string; costUs?: number }, slowAt?: [string, number]) {
    const w = dbWorld({ db });
    const latencies: number[] = [];
    let startUs = 0;
    w.app.spawn('c', async (ctx) => {
      const conns = await Promise.all(Array.from({ length: n }, () => pgConnect(ctx, { host: 'db' })));
      await ctx.sleep('100ms');
      startUs = ctx.now;
      await Promise.all(
        conns.map(async (c) => {
          await c.query(query);
          latencies.push(ctx.now - startUs);
          c.end();
        }),
      );
    });
    if (slowAt) w.sim.at(slowAt[0], () => w.db.setSlow(slowAt[1]));
    await w.sim.run();
    return { ...w, latencies, startUs };
  }

  it('cpuCores 2, four 10 ms queries at once: two finish at 10 ms, two wait and finish at 20 ms (+ the 2 ms round trip)', async () => {
    const { latencies, sim, sink } = await concurrent({ cpuCores: 2 }, 4, { text: 'SELECT' });
    expect(latencies).toEqual([12_000, 12_000, 22_000, 22_000]);
    expect(sim.metrics.gauge('db.postgres.running').max).toBe(2);
    expect(sim.metrics.gauge('db.postgres.queued').max).toBe(2);
    expect(records(sink, 'db.query.start').map((r) => r.fields?.queuedUs)).toEqual([0, 0, 10_000, 10_000]);
  });

  it('with as many cores as queries, nobody queues', async () => {
    const { latencies } = await concurrent({ cpuCores: 4 }, 4, { text: 'SELECT' });
    expect(latencies).toEqual([12_000, 12_000, 12_000, 12_000]);
  });

  it('slow mode multiplies query time from the moment it is set, running queries\' remaining work included', async () => {
    // Connected at 8 ms, the queries are sent at 108 ms and reach the database at 109 ms; slow ×10 at 114 ms:
    // 5 ms done, 5 ms left → 50 ms.
    const { latencies, sink, startUs } = await concurrent({ cpuCores: 1 }, 2, { text: 'SELECT' }, ['114ms', 10]);
    expect(startUs).toBe(108_000);
    // First: 1 + 5 + 50 + 1 = 57 ms; the second starts then and takes 100 ms: 1 + 5 + 50 + 100 + 1 = 157 ms.
    expect(latencies).toEqual([57_000, 157_000]);
    expect(records(sink, 'db.slow').map((r) => [r.t, r.fields?.factor])).toEqual([[114_000, 10]]);
    expect(records(sink, 'db.query.start').map((r) => [r.t, r.fields?.slow])).toEqual([
      [109_000, 1],
      [164_000, 10],
    ]);
  });

  it('setSlow(1) ends slow mode for the rest of the work; a factor set before start applies from the first query', async () => {
    const w = dbWorld({ db: { cpuCores: 1 } });
    w.db.setSlow(3);
    const out: number[] = [];
    w.app.spawn('c', async (ctx) => {
      const conn = await pgConnect(ctx, { host: 'db' });
      for (let i = 0; i < 2; i++) {
        const t0 = ctx.now;
        await conn.query({ text: 'SELECT', costUs: 10_000 });
        out.push(ctx.now - t0);
      }
      conn.end();
    });
    // The first query runs from 9 ms: 3 ms of it done ×3 by 18 ms, then 7 ms at normal speed → ends at 25 ms.
    w.sim.at('18ms', () => w.db.setSlow(1));
    await w.sim.run();
    expect(out).toEqual([18_000, 12_000]);
    expect(() => w.db.setSlow(0)).toThrow('postgres.setSlow: expected a positive factor, got 0');
  });

  it('a client that leaves mid-query does not free the core or the slot until the query is done', async () => {
    const { sim, app, db, sink } = dbWorld({ db: { cpuCores: 1 } });
    const seen: [string, number, number][] = [];
    app.spawn('c', async (ctx) => {
      const conn = await pgConnect(ctx, { host: 'db' });
      conn.query({ text: 'SELECT', costUs: 50_000, id: 'q1' }).catch(() => {});
      await ctx.sleep('10ms');
      conn.end();
      await ctx.sleep('10ms');
      seen.push(['after end', db.connections, db.running]);
      await ctx.sleep('50ms');
      seen.push(['after query', db.connections, db.running]);
    });
    await sim.run();
    expect(seen).toEqual([
      ['after end', 1, 1],
      ['after query', 0, 0],
    ]);
    const q = records(sink, 'db.query.end')[0]!;
    expect([q.t, q.req]).toEqual([59_000, 'q1']);
    const end = records(sink, 'db.conn.end')[0]!;
    expect(end.t).toBe(59_000);
  });
});

describe('database: metrics, trace, options', () => {
  it('publishes connection and query counts, and traces accept, query start/end with the query id, and end', async () => {
    const { sim, app, sink } = dbWorld();
    app.spawn('c', async (ctx) => {
      const conn = await pgConnect(ctx, { host: 'db' });
      await conn.query({ text: 'SELECT', rows: 2, rowBytes: 8, id: 'r7' });
      await conn.query({ text: 'SELECT', error: '57014' }).catch(() => {});
      conn.end();
    });
    await sim.run();
    const m = sim.metrics;
    expect([m.counter('db.postgres.accepted').value, m.counter('db.postgres.queries').value, m.counter('db.postgres.queryErrors').value]).toEqual([1, 2, 1]);
    expect(m.gauge('db.postgres.connections').max).toBe(1);
    const kinds = sink.records.filter((r) => r.kind.startsWith('db.')).map((r) => [r.t, r.kind, r.req ?? null]);
    expect(kinds).toEqual([
      [0, 'db.start', null],
      [7_000, 'db.conn.accept', null],
      [9_000, 'db.query.start', 'r7'],
      [19_000, 'db.query.end', 'r7'],
      [21_000, 'db.query.start', null],
      [31_000, 'db.query.end', null],
      [33_000, 'db.conn.end', null],
    ]);
    expect(records(sink, 'db.query.end')[1]!.fields).toEqual({ db: 'postgres', pid: 100, execUs: 10_000, error: '57014' });
    expect(records(sink, 'db.conn.accept')[0]!.conn).toBe('app:32768>db:5432');
  });

  it('the same seed gives the same run with the default random start-up and query times; another seed differs', async () => {
    const run = async (seed: number) => {
      const sim = new Simulation({ seed, sinks: [new MemorySink()] });
      const net = new Network(sim, { link: { latency: '1ms' } });
      startDatabase(net.host('db'));
      const times: number[] = [];
      net.host('app').spawn('c', async (ctx) => {
        const conn = await pgConnect(ctx, { host: 'db' });
        for (let i = 0; i < 5; i++) await conn.query('SELECT 1');
        times.push(ctx.now);
        conn.end();
      });
      const r = await sim.run();
      return [r.digest, times[0]];
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect((await run(8))[0]).not.toBe(a[0]);
  });

  it('after a kill and restart the database starts with no connections and accepts again', async () => {
    const { sim, app, db } = dbWorld();
    const out: string[] = [];
    app.spawn('c', async (ctx) => {
      await pgConnect(ctx, { host: 'db' });
      out.push(`before ${db.connections}`);
      await ctx.sleep('1s');
      out.push(`killed ${db.connections} ${sim.metrics.gauge('db.postgres.connections').value}`);
      const conn = await pgConnect(ctx, { host: 'db' });
      out.push(`again ${db.connections} pid ${conn.processId}`);
      conn.end();
    });
    sim.at('100ms', () => sim.host('db').kill());
    sim.at('200ms', () => sim.host('db').restart());
    await sim.run();
    expect(out).toEqual(['before 1', 'killed 0 0', 'again 1 pid 100']);
  });

  it('options have PostgreSQL\'s defaults and a bad one gets one line naming it', () => {
    const o = resolveDatabaseOptions();
    expect([o.port, o.maxConnections, o.superuserReservedConnections, o.cpuCores, o.auth, o.listenBacklog]).toEqual([5432, 100, 3, 4, 'md5', 200]);
    expect(() => new Database({ maxConnections: 0 })).toThrow('database.maxConnections: expected an integer from 1 to 262143, got 0');
    expect(() => new Database({ maxConnections: 3 })).toThrow('database.superuserReservedConnections: 3 must be less than maxConnections 3');
    expect(() => new Database({ cores: 2 } as never)).toThrow(/^database\.cores: not a database option \(options: name, port, /);
    expect(() => new Database({ queryTime: { kind: 'uniform', min: '5ms', max: '1ms' } })).toThrow('database.queryTime.max: 1000 µs is below min 5000 µs');
    expect(() => new Database({ auth: 'ldap' as never })).toThrow('database.auth: expected trust, md5 or scram-sha-256, got "ldap"');
  });
});
