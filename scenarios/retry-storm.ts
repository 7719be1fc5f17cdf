/**
 * retry-storm: a metastable failure. A short database slowdown triggers it; client retries sustain it.
 *
 * The incident (Bronson et al., HotOS 2021): clients send 200 requests/s; each attempt times out after 1 s
 * and is retried at once, up to 3 times. The service's pool of 10 database connections serves 500 queries/s
 * when queries take 20 ms. At 10 s the database slows 4× for 5 s: capacity falls to 125/s, the pool's line
 * grows, attempts time out and are retried — but the service still runs every abandoned attempt when its
 * turn comes. Retries quadruple the load to 800/s, more than even the healthy capacity, so when the
 * database recovers the line never drains: goodput stays near zero. A retry budget (Finagle's 20%) caps the
 * load at 240/s and the system recovers in seconds.
 *
 * What to look for: goodput (successes per second) falling at 10 s and not coming back after 15 s without a
 * budget; with `--set retryBudget=true`, back to 200/s about 2 s after the slowdown ends.
 */
import { boolParam, defineScenario, durationParam, expectOk, HttpAgent, intParam, numberParam, runClient, runService, startDatabase, z } from 'faultline';

export const retryStorm = defineScenario({
  name: 'retry-storm',
  description: 'A short database slowdown plus immediate client retries: goodput stays down after the slowdown ends (metastable) unless retries are budgeted.',
  defaultDuration: '30s',
  // With the retry budget on: without it the scenario is metastable by design and never recovers. The built-in
  // slowdown is off; chaos draws its own. Attempts time out after 1 s and retry at most 3 times, so 6 s drains.
  // Recovery is judged from 12 s after the heal: chaos found (seed 367623187) that seconds of 2–4 s database
  // latency leave ~1,900 abandoned waiters in HikariCP's 30 s line, which take ~11 s to work off at 490
  // queries/s. The retry budget does not help with that backlog; a propagated deadline (honorDeadline) would.
  // Nothing is crashed and the database is not killed: a query sent to a crashed database, or whose reset was
  // lost, waits forever (no query timeout, as pg's default).
  chaos: { params: { retryBudget: true, slowFor: '0s' }, faultWindow: '4s', recover: '16s', settle: '12s', drain: '6s', hosts: ['db', 'service'], hostsFor: { crash: [], kill: ['service'], slow: ['db'], 'query-errors': ['db'], 'query-resets': ['db'], 'handler-errors': ['service'] } },
  params: z.object({
    ratePerS: numberParam(200, { description: 'Client requests per second (Poisson)', min: 0 }),
    attemptTimeoutMs: intParam(1000, { description: 'Client timeout per attempt, ms', min: 1 }),
    maxRetries: intParam(3, { description: 'Retries after a failed attempt', min: 0, max: 100 }),
    retryBudget: boolParam(false, { description: "Cap retries at 20% of requests (Finagle's budget)" }),
    queryMs: numberParam(20, { description: 'Query time when healthy, ms', min: 0 }),
    slowFactor: numberParam(4, { description: 'How many times slower queries get', min: 1 }),
    slowAt: durationParam('10s', { description: 'When the slowdown starts' }),
    slowFor: durationParam('5s', { description: 'How long it lasts' }),
  }),
  build(world, p) {
    const sim = world.sim;
    const net = world.createNetwork({ link: { latency: '250us' }, tracePackets: false });
    const db = startDatabase(net.host('db'), { queryTime: `${Math.round(p.queryMs * 1000)}us`, cpuCores: 64 });
    sim.at(p.slowAt, () => db.setSlow(p.slowFactor));
    sim.at(p.slowAt + p.slowFor, () => db.setSlow(1));
    net.host('service').spawn(
      'api',
      (ctx) => void runService(ctx, { cpuTime: '100us', workers: 100_000, database: { host: 'db', port: 5432, pool: { preset: 'hikari', maximumPoolSize: 10 }, queriesPerRequest: 1, rows: 1, rowBytes: 100 } }),
      { daemon: true },
    );
    net.host('client').spawn(
      'load',
      (ctx) => {
        const agent = new HttpAgent(ctx, { host: 'service', port: 8080 });
        runClient(
          ctx,
          {
            arrival: 'poisson',
            ratePerS: p.ratePerS,
            maxRetries: p.maxRetries,
            backoff: { kind: 'none', baseMs: 0, capMs: 0 },
            retryBudget: p.retryBudget ? { ratio: 0.2, minPerSecond: 10 } : null,
          },
          async (req) => {
            expectOk(await agent.request({ path: '/orders', context: req, timeoutMs: p.attemptTimeoutMs }));
          },
        );
      },
      { daemon: true },
    );
  },
});
