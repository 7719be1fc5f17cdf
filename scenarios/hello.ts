/**
 * hello: the smallest faultline run. A client pings a server over TCP, one request at a time, across a link
 * whose latency is drawn from a distribution and which loses a share of packets; the server takes a random
 * time to answer; the client records each round trip.
 *
 * What to look for: most round trips are two one-way latencies plus the service time; the few that meet a
 * lost segment take 200 ms or more longer — the retransmission timeout's floor (Linux TCP_RTO_MIN). That
 * is how packet loss turns into tail latency.
 */
import { defineScenario, distribution, distributionParam, durationParam, fdbLatency, intParam, LineReader, netOf, numberParam, z } from 'faultline';

export const hello = defineScenario({
  name: 'hello',
  description: 'A client pings a server over TCP on a lossy link and records round-trip times.',
  defaultDuration: '30s',
  // Network faults only: a crash or kill would end the one TCP connection the demo client keeps, and it throws
  // (by design: it is an example of the socket API, not a resilient client). It counts no requests, so chaos
  // checks its safety laws only; 3 s of faults cover its 2 s of pings.
  chaos: { faultWindow: '3s', recover: '2s', settle: '1s', drain: '2s', episodes: ['partition', 'loss', 'latency', 'clog'] },
  params: z.object({
    pings: intParam(20, { description: 'How many pings the client sends, one at a time', min: 0, max: 1_000_000 }),
    interval: durationParam('100ms', { description: 'How long the client waits before each ping' }),
    latency: distributionParam(fdbLatency, { description: 'One-way latency of the link, each direction' }),
    loss: numberParam(0.02, { description: 'Probability that the link loses a packet, each direction', min: 0, max: 1 }),
    serviceTime: distributionParam({ kind: 'uniform', min: '1ms', max: '5ms' }, { description: 'How long the server works on a ping' }),
  }),
  build(world, p) {
    const sim = world.sim;
    const net = world.createNetwork({ link: { latency: p.latency, loss: p.loss } });
    const serviceTime = distribution(p.serviceTime, 'serviceTime');
    const rtt = sim.metrics.histogram('hello.rttUs');

    net.host('server').spawn(
      'server',
      (ctx) => {
        netOf(ctx)
          .createServer(async (sock) => {
            const lines = new LineReader(sock);
            for (let line = await lines.next(); line !== null; line = await lines.next()) {
              await ctx.sleep(ctx.sample(serviceTime, 'service'));
              sock.write(`pong ${line.slice('ping '.length)}\n`);
            }
            sock.end();
          })
          .listen(7);
      },
      { daemon: true },
    );

    net.host('client').spawn('client', async (ctx) => {
      const sock = await netOf(ctx).connectAsync({ host: 'server', port: 7 });
      const lines = new LineReader(sock);
      for (let n = 1; n <= p.pings; n++) {
        await ctx.sleep(p.interval);
        const sentUs = ctx.now;
        ctx.trace('hello.ping', { n }, { conn: sock.connectionId });
        sock.write(`ping ${n}\n`);
        const reply = await lines.next();
        const rttUs = ctx.now - sentUs;
        rtt.record(rttUs);
        ctx.trace('hello.pong', { n: Number(reply?.slice('pong '.length)), rttUs }, { conn: sock.connectionId });
      }
      sock.end();
      await lines.next();
    });
  },
});
