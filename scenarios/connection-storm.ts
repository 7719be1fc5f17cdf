/**
 * connection-storm: a new TCP connection for every request, closed by the client.
 *
 * The incident: a client without keep-alive (a misconfigured HTTP agent, a script, a sidecar) opens a fresh
 * connection per request to one server address and closes it after the response. Every request pays a
 * handshake, and every closed connection holds its client port in TIME_WAIT for 60 s. One client address
 * has 28,232 ephemeral ports (32768–60999), so at 600 requests/s it runs out after 28,232 / 600 ≈ 47 s and
 * connect() fails with EADDRNOTAVAIL; at 400/s, 24,000 ports in TIME_WAIT never exhaust them.
 *
 * What to look for: EADDRNOTAVAIL from about 47 s at the default rate, none with `--set ratePerS=400`;
 * with `--set keepAlive=true` a handful of connections carry everything.
 */
import { boolParam, createHttpServer, defineScenario, HttpAgent, numberParam, runClient, z } from 'faultline';

export const connectionStorm = defineScenario({
  name: 'connection-storm',
  description: 'A new connection per request, closed by the client: handshakes, TIME_WAIT, and ephemeral port exhaustion (EADDRNOTAVAIL).',
  defaultDuration: '52s',
  // 200 requests/s instead of 600 keeps a case cheap; the runs are far shorter than the ~47 s it takes to run
  // out of ephemeral ports, so chaos checks the connection handling, not the exhaustion the scenario shows.
  chaos: { params: { ratePerS: 200 }, faultWindow: '4s', recover: '4s', settle: '2s', drain: '6s', hosts: ['server'] },
  params: z.object({
    ratePerS: numberParam(600, { description: 'Requests per second (fixed rate)', min: 0 }),
    keepAlive: boolParam(false, { description: 'Reuse connections (true) or open one per request (false)' }),
  }),
  build(world, p) {
    // Tens of thousands of connections: packets stay out of the trace (connections and requests stay in).
    const net = world.createNetwork({ link: { latency: '500us' }, tracePackets: false });
    net.host('server').spawn('api', (ctx) => void createHttpServer(ctx, {}, (_req, res) => res.end({ status: 200, bodyBytes: 128 })).listen(80), { daemon: true });
    net.host('client').spawn(
      'load',
      (ctx) => {
        const agent = new HttpAgent(ctx, { host: 'server', port: 80, keepAlive: p.keepAlive });
        runClient(ctx, { arrival: 'fixed', ratePerS: p.ratePerS, deadlineMs: 5000 }, async (req) => {
          await agent.request({ path: '/', context: req });
        });
      },
      { daemon: true },
    );
  },
});
