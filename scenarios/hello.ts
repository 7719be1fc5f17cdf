/**
 * hello: the smallest faultline run. A client pings a server a few times over an in-core link whose latency
 * is drawn from a distribution; the server takes a random time to answer; the client records each round trip.
 * Nothing fails here: it shows the clock, the seeded draws and the trace, and that the same seed gives the
 * same run byte for byte.
 */
import { fdbLatency } from '../sim/core/distribution.js';
import { distribution } from '../sim/core/distribution.js';
import type { Message } from '../sim/core/mailbox.js';
import { distributionParam, durationParam, intParam } from '../sim/params.js';
import { defineScenario } from '../sim/scenario.js';
import { z } from 'zod';

export const hello = defineScenario({
  name: 'hello',
  description: 'A client pings a server over an in-core link with random latency and records round-trip times.',
  defaultDuration: '30s',
  params: z.object({
    pings: intParam(3, { description: 'How many pings the client sends', min: 0, max: 1_000_000 }),
    interval: durationParam('100ms', { description: 'How long the client sleeps before each ping' }),
    latency: distributionParam(fdbLatency, { description: 'One-way latency of the link, each direction' }),
    serviceTime: distributionParam({ kind: 'uniform', min: '1ms', max: '5ms' }, { description: 'How long the server works on a ping' }),
  }),
  build(sim, p) {
    const latency = distribution(p.latency, 'latency');
    const serviceTime = distribution(p.serviceTime, 'serviceTime');
    const rtt = sim.metrics.histogram('hello.rttUs');

    sim.host('server').spawn(
      'server',
      async (ctx) => {
        for (;;) {
          const ping: Message = await ctx.recv();
          await ctx.sleep(ctx.sample(serviceTime, 'service'));
          ctx.send(ping.from, { pong: (ping.payload as { ping: number }).ping }, { latency });
        }
      },
      { daemon: true },
    );

    sim.host('client').spawn('client', async (ctx) => {
      for (let n = 1; n <= p.pings; n++) {
        await ctx.sleep(p.interval);
        const sentUs = ctx.now;
        ctx.trace('hello.ping', { n });
        ctx.send('server/server', { ping: n }, { latency });
        const reply = await ctx.recv();
        const rttUs = ctx.now - sentUs;
        rtt.record(rttUs);
        ctx.trace('hello.pong', { n: (reply.payload as { pong: number }).pong, rttUs });
      }
    });
  },
});
