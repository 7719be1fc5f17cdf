/**
 * pool-exhaustion: the database slows down, and the service's connection pool runs dry.
 *
 * The incident: a service holds 10 PostgreSQL connections (HikariCP, connectionTimeout 500 ms) and serves
 * 150 requests/s, one short query each. At 10 s the database turns slow (a vacuum, a noisy neighbour:
 * queries take `slowFactor` times longer) for 15 s. Each query now holds its connection longer, the pool's
 * 10 connections can no longer carry the load, waiters pile up, and after 500 ms each fails with HikariCP's
 * "Connection is not available, request timed out". Clients give up at their 2 s deadline.
 *
 * What to look for: the pool's pending count climbing (peak near 100) while active sits at 10; the pool now
 * carries 100 queries/s of the 150/s, so the line grows by 50/s and from about 11 s waiters pass the 500 ms
 * timeout and fail with POOL_ACQUIRE_TIMEOUT; recovery within a second of the database recovering.
 */
import { z } from 'zod';
import { runClient } from '../sim/actors/client.js';
import { startDatabase } from '../sim/actors/database.js';
import { runService } from '../sim/actors/service.js';
import { durationParam, intParam, numberParam } from '../sim/params.js';
import { expectOk, HttpAgent } from '../sim/proto/http1.js';
import { Network } from '../sim/net/network.js';
import { defineScenario } from '../sim/scenario.js';

export const poolExhaustion = defineScenario({
  name: 'pool-exhaustion',
  description: "Slow queries drain the service's database pool: waiters pile up and time out with HikariCP's error.",
  defaultDuration: '40s',
  params: z.object({
    ratePerS: numberParam(150, { description: 'Client requests per second (Poisson)', min: 0 }),
    poolSize: intParam(10, { description: "Service's maximumPoolSize", min: 1, max: 10_000 }),
    connectionTimeoutMs: intParam(500, { description: "Service's pool connectionTimeout, ms", min: 0 }),
    queryMs: numberParam(5, { description: 'Query time when healthy, ms (constant)', min: 0 }),
    slowFactor: numberParam(20, { description: 'How many times slower queries get during the slowdown', min: 1 }),
    slowAt: durationParam('10s', { description: 'When the database slows down' }),
    slowFor: durationParam('15s', { description: 'How long it stays slow' }),
    deadlineMs: intParam(2000, { description: 'Client deadline per request, ms', min: 0 }),
  }),
  build(sim, p) {
    const net = new Network(sim, { link: { latency: '250us' } });
    const db = startDatabase(net.host('db'), { queryTime: `${Math.round(p.queryMs * 1000)}us`, cpuCores: 64, maxConnections: 100 });
    sim.at(p.slowAt, () => db.setSlow(p.slowFactor));
    sim.at(p.slowAt + p.slowFor, () => db.setSlow(1));
    net.host('service').spawn(
      'api',
      (ctx) => {
        runService(ctx, {
          port: 8080,
          workers: 1000,
          cpuTime: '500us',
          database: { host: 'db', port: 5432, pool: { preset: 'hikari', maximumPoolSize: p.poolSize, connectionTimeoutMs: p.connectionTimeoutMs }, queriesPerRequest: 1, rows: 1, rowBytes: 100 },
        });
      },
      { daemon: true },
    );
    net.host('client').spawn(
      'load',
      (ctx) => {
        const agent = new HttpAgent(ctx, { host: 'service', port: 8080 });
        runClient(ctx, { arrival: 'poisson', ratePerS: p.ratePerS, deadlineMs: p.deadlineMs }, async (req) => {
          expectOk(await agent.request({ path: '/orders', requestId: req.id }));
        });
      },
      { daemon: true },
    );
  },
});
