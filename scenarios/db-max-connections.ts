/**
 * db-max-connections: more service replicas × pool size than the database's max_connections.
 *
 * The incident: a service scaled out from 3 to 6 replicas for a traffic peak; each keeps a node-postgres
 * pool of up to 10 connections, opened on demand. PostgreSQL allows 40 connections, 3 of them reserved for
 * superusers. Under load the pools want up to 60: the 38th connection is refused with FATAL 53300
 * ("sorry, too many clients already", or "remaining connection slots are reserved …" once only reserved
 * slots are left), and the requests that asked for those connections fail with it.
 *
 * What to look for: requests failing with 53300 only when replicas × poolSize passes 37; the database's
 * connection count pinned at its limit; `--set replicas=3` (30 connections at most) never fails.
 */
import { defineScenario, expectOk, HttpAgent, intParam, numberParam, runClient, runService, startDatabase, z } from 'faultline';

export const dbMaxConnections = defineScenario({
  name: 'db-max-connections',
  description: 'Replicas × pool size above max_connections: new database connections fail with FATAL 53300.',
  defaultDuration: '20s',
  // Pools of 7 (6 × 7 = 42 against 40 − 3 reserved), at 150 requests/s to keep a case cheap: only a fault that
  // fills every pool (a slow database) reaches max_connections, so chaos holds the database to its limit
  // (the db-max-connections audit), while with 6 × 10 the refusals would be the whole run. Recovery is judged
  // 12 s after the heal: the pools keep what a fault made them open until node-postgres's idleTimeoutMillis
  // (10 s) closes it, and meanwhile a pool short of a connection is refused (53300).
  // Nothing is crashed and the database is not killed: node-postgres sets no query timeout, so a query sent to
  // a silently crashed database, or whose reset was lost, waits forever; and a crashed replica's connections stay open on the database, taking max_connections
  // slots (as PostgreSQL's would until TCP keepalive notices, hours later). A connection cut for most of the 3 s window retransmits on a backed-off timer
  // (1.6–3.2 s later), and its queries' callers miss their 5 s deadline meanwhile (chaos found 85.7% with 4 s of
  // faults, 2 s settle).
  chaos: { params: { ratePerS: 150, poolSize: 7 }, faultWindow: '3s', recover: '16s', settle: '12s', drain: '6s', hosts: ['db', 'service-1', 'service-2', 'service-3', 'service-4', 'service-5', 'service-6'], hostsFor: { crash: [], kill: ['service-1', 'service-2', 'service-3', 'service-4', 'service-5', 'service-6'], slow: ['db'], 'query-errors': ['db'], 'query-resets': ['db'], 'handler-errors': ['service-1', 'service-2', 'service-3', 'service-4', 'service-5', 'service-6'] } },
  params: z.object({
    replicas: intParam(6, { description: 'Service replicas', min: 1, max: 100 }),
    poolSize: intParam(10, { description: 'Each replica pool\'s max connections (node-postgres pg.Pool)', min: 1, max: 1000 }),
    maxConnections: intParam(40, { description: 'PostgreSQL max_connections (3 reserved for superusers)', min: 4, max: 10_000 }),
    ratePerS: numberParam(300, { description: 'Client requests per second (Poisson), spread round robin', min: 0 }),
    queryMs: numberParam(150, { description: 'Query time, ms', min: 0 }),
  }),
  build(world, p) {
    const net = world.createNetwork({ link: { latency: '250us' } });
    startDatabase(net.host('db'), { maxConnections: p.maxConnections, queryTime: `${Math.round(p.queryMs * 1000)}us`, cpuCores: 64 });
    const replicas: string[] = [];
    for (let i = 1; i <= p.replicas; i++) {
      const name = `service-${i}`;
      replicas.push(name);
      net.host(name).spawn(
        'api',
        (ctx) => void runService(ctx, { cpuTime: '200us', database: { host: 'db', port: 5432, pool: { preset: 'pg', maximumPoolSize: p.poolSize }, queriesPerRequest: 1, rows: 1, rowBytes: 100 } }),
        { daemon: true },
      );
    }
    net.host('client').spawn(
      'load',
      (ctx) => {
        const agents = replicas.map((host) => new HttpAgent(ctx, { host, port: 8080 }));
        let next = 0;
        runClient(ctx, { arrival: 'poisson', ratePerS: p.ratePerS, deadlineMs: 5000 }, async (req) => {
          const agent = agents[next++ % agents.length]!;
          expectOk(await agent.request({ path: '/orders', context: req }));
        });
      },
      { daemon: true },
    );
  },
});
