/**
 * pool-exhaustion: the database slows down, the service's connection pool runs dry, and the gateway in front
 * starts answering 504.
 *
 * The incident: clients call a gateway (nginx style, proxy_read_timeout 1 s) in front of a service that holds
 * 10 PostgreSQL connections (HikariCP, connectionTimeout 2 s) and serves 150 requests/s, one short query
 * each. At 10 s the database turns slow (a vacuum, a noisy neighbour: queries take `slowFactor` times
 * longer) for 15 s. Each query now holds its connection longer, the pool's 10 connections can no longer
 * carry the load, and waiters pile up. Once the line is longer than a second, the gateway gives up on them
 * with 504 — but the service does not know: the waiters stay in the pool's line, and those that get a
 * connection run their query for a caller who has gone, while the rest fail with HikariCP's "Connection is
 * not available, request timed out after 2000ms" that nobody reads.
 *
 * What to look for: the pool's pending count climbing (toward 300) while active sits at 10; the pool now
 * carries 100 queries/s of the 150/s, so the line grows by 50/s; about 2 s in, 504s from the gateway and,
 * a second later, the pool's acquire timeouts; recovery within a second of the database recovering.
 */
import { defineScenario, durationParam, expectOk, HttpAgent, intParam, numberParam, runClient, runGateway, runService, startDatabase, z } from 'faultline';

export const poolExhaustion = defineScenario({
  name: 'pool-exhaustion',
  description: "Slow queries drain the service's database pool: waiters pile up, the gateway answers 504, the pool times them out.",
  defaultDuration: '40s',
  // The built-in slowdown is off (slowFor 0 s): chaos draws its own ('slow' on db) among the other faults.
  // The client is the observer, so faults target the rest. The database is neither crashed nor killed: a
  // query already sent to a silently crashed database waits forever (no query timeout, no keepalive, as with
  // HikariCP's defaults), and so did one whose reset from a killed database was lost, when a kill reset every
  // connection (chaos run 124 of 200: a kill with a 6% loss burst; a kill now closes them as the kernel does,
  // FIN unless data was left unread, but a reset can still be lost). Service and gateway are crashed and killed. A restarted one
  // reconnecting from its old ports used to hang (fixed in TCP: RST for the challenge ACK), then cost a SYN
  // backoff (check --seed 2, run 28: 8 of 10 pool connects met the db's half-open connections on ports
  // 32768…, 5.7 s after the heal); a rebooted host now draws where its ephemeral ports start, as Linux does.
  // settle is 3 s: 2 s failed 2 of 200 on 2–4 s latency spikes to the db (slow tails, shrunk to that one
  // episode); 3 s passed 600 of 600 (seeds 1–3), and 400 of 400 (seed 1) once a kill closed sockets as the kernel does.
  // Phases are short so a case stays cheap (~0.45 s: 200 runs on 2 workers in under a minute).
  chaos: { params: { slowFor: '0s' }, faultWindow: '4s', recover: '4s', settle: '3s', drain: '6s', hosts: ['db', 'service', 'gateway'], hostsFor: { crash: ['service', 'gateway'], kill: ['service', 'gateway'], slow: ['db'], 'query-errors': ['db'], 'query-resets': ['db'], 'handler-errors': ['service'], 'response-aborts': ['service'] }, paramChoices: { ratePerS: [150, 100] } },
  params: z.object({
    ratePerS: numberParam(150, { description: 'Client requests per second (Poisson)', min: 0 }),
    poolSize: intParam(10, { description: "Service's maximumPoolSize", min: 1, max: 10_000 }),
    connectionTimeoutMs: intParam(2000, { description: "Service's pool connectionTimeout, ms", min: 0 }),
    gatewayReadTimeoutMs: intParam(1000, { description: "Gateway's proxy_read_timeout, ms", min: 1 }),
    queryMs: numberParam(5, { description: 'Query time when healthy, ms (constant)', min: 0 }),
    slowFactor: numberParam(20, { description: 'How many times slower queries get during the slowdown', min: 1 }),
    slowAt: durationParam('10s', { description: 'When the database slows down' }),
    slowFor: durationParam('15s', { description: 'How long it stays slow' }),
    deadlineMs: intParam(5000, { description: 'Client deadline per request, ms', min: 0 }),
  }),
  build(world, p) {
    const sim = world.sim;
    const net = world.createNetwork({ link: { latency: '250us' } });
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
    net.host('gateway').spawn(
      'nginx',
      (ctx) => void runGateway(ctx, { preset: 'nginx', readTimeoutMs: p.gatewayReadTimeoutMs, upstream: { replicas: [{ host: 'service', port: 8080 }] } }),
      { daemon: true },
    );
    net.host('client').spawn(
      'load',
      (ctx) => {
        const agent = new HttpAgent(ctx, { host: 'gateway', port: 80 });
        runClient(ctx, { arrival: 'poisson', ratePerS: p.ratePerS, deadlineMs: p.deadlineMs }, async (req) => {
          expectOk(await agent.request({ path: '/orders', context: req }));
        });
      },
      { daemon: true },
    );
  },
});
