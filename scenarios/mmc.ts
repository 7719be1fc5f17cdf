/**
 * mmc: a connection pool as an M/M/c queue, to check the simulator against theory (Erlang C;
 * shared/reference/validation.md). Requests arrive as a Poisson process at `lambda` per second, each holds
 * one of `c` pooled connections for an exponential time with mean 1/`mu`, and waiters queue FIFO without a
 * timeout.
 *
 * What to look for: the share of acquires that had to wait and their mean wait match Erlang C's P(wait)
 * and Wq. For c = 10, λ = 8/s, μ = 1/s: 0.4092 and 204.6 ms. The mean wait converges slowly near
 * saturation: 100 h of virtual time keeps it within about ±1.5% across seeds, 30 h only ±7%.
 */
import { defineScenario, distribution, durationParam, intParam, numberParam, Pool, z } from 'faultline';

export const mmc = defineScenario({
  name: 'mmc',
  description: 'A pool of c connections as an M/M/c queue (Poisson arrivals, exponential hold): checks Erlang C.',
  defaultDuration: '10h',
  params: z.object({
    c: intParam(10, { description: 'Pool size: connections (servers)', min: 1, max: 100_000 }),
    lambda: numberParam(8, { description: 'Arrivals per second (Poisson)', min: 0.000001 }),
    mu: numberParam(1, { description: 'Service rate per connection per second (hold time is exponential with mean 1/mu)', min: 0.000001 }),
    warmUp: durationParam('1h', { description: 'Virtual time discarded before measuring' }),
  }),
  build(world, p) {
    const sim = world.sim;
    if (p.lambda >= p.c * p.mu) {
      // Not an error: an unstable queue grows without bound, which is worth seeing; the summary says so.
      sim.trace.write({ t: 0, kind: 'mmc.unstable', fields: { rho: p.lambda / (p.c * p.mu) } });
    }
    const interArrival = distribution({ kind: 'exponential', mean: Math.max(1, Math.round(1_000_000 / p.lambda)) }, 'interArrival');
    const hold = distribution({ kind: 'exponential', mean: Math.max(1, Math.round(1_000_000 / p.mu)) }, 'hold');
    sim.host('app').spawn(
      'load',
      (ctx) => {
        // Hundreds of hours: no per-100 ms gauge records in the trace either (the pool's figures are in the summary).
        sim.metrics.windows = null;
        const pool = new Pool<object>(ctx, { poolName: 'mmc', maximumPoolSize: p.c, minimumIdle: p.c, connectionTimeoutMs: 0, maxLifetimeMs: 0, idleTimeoutMs: 0 }, {
          open: (done) => done(null, {}),
          close: () => {},
        });
        const arrivals = ctx.random('arrivals');
        const holds = ctx.random('hold');
        const ledger = world.requests;
        // Millions of requests: keep the counts, not each one, and leave them out of the trace.
        ledger.keep = 'none';
        ledger.traceRequests = false;
        ctx.timer(p.warmUp, () => pool.resetStats());
        const arrive = () => {
          const req = ledger.start(ctx.host);
          pool.acquireThen((_err, lease) => {
            ctx.timer(hold.sample(holds), () => {
              lease!.release();
              ledger.finish(req, 'ok');
            });
          });
          ctx.timer(interArrival.sample(arrivals), arrive);
        };
        ctx.timer(interArrival.sample(arrivals), arrive);
      },
      { daemon: true },
    );
  },
});
