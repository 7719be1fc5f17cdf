/**
 * keepalive-race: a server closes idle keep-alive connections sooner than its clients let them idle.
 *
 * The incident: behind a load balancer, a Node service's keepAliveTimeout (here 3 s) is shorter than the
 * client pool's idle timeout (undici's 4 s). A request sent on a connection at the moment the server closes
 * it meets the server's FIN: the client sees ECONNRESET ("socket hang up"), intermittently, with no error
 * on the server. (Real undici reads the server's `Keep-Alive: timeout=` hint and would dodge this case;
 * clients that do not, such as many load balancers and older agents, do not.)
 *
 * What to look for: a few ECONNRESETs among thousands of requests while serverKeepAliveMs < clientIdleMs;
 * none with `--set serverKeepAliveMs=5000`.
 */
import { createHttpServer, defineScenario, durationParam, HttpAgent, intParam, runClient, z } from 'faultline';

export const keepaliveRace = defineScenario({
  name: 'keepalive-race',
  description: "Server keep-alive timeout shorter than the client pool's idle timeout: intermittent ECONNRESET.",
  defaultDuration: '10m',
  // The race sends resets (the server closes an idle connection just as a request arrives), and a lost reset
  // leaves a request with no deadline waiting forever, as a real one would (chaos found it at run 150: a 47%
  // loss burst over a server pause). So chaos gives each request 5 s, as a deployment would, and keeps loss
  // in the profile: loss is what reaches TCP's close paths (a lost FIN, a lost RST). The drain is long because
  // retransmissions after a pause may be backed off by seconds; at this load they cost nothing. 50 users, not
  // 10: the race itself fails a request or two in a hundred without any fault, in bursts, and with 10 users the
  // recovery window held 20 requests, so 3 healthy resets failed 'recovers' (2 runs in 400).
  chaos: { params: { attemptTimeoutMs: 5000, users: 50 }, faultWindow: '5s', recover: '10s', settle: '3s', drain: '30s', hosts: ['server'], episodes: ['loss', 'latency', 'clog', 'pause'] },
  params: z.object({
    serverKeepAliveMs: intParam(3000, { description: "Server's keepAliveTimeout, ms (Node's default is 5000)", min: 0 }),
    clientIdleMs: intParam(4000, { description: "Client pool's idle timeout, ms (undici's default is 4000)", min: 0 }),
    users: intParam(10, { description: 'Clients, each waiting for its answer and then thinking', min: 1, max: 10_000 }),
    thinkMin: durationParam('2990ms', { description: 'Shortest think time between requests' }),
    thinkMax: durationParam('3010ms', { description: 'Longest think time between requests' }),
    attemptTimeoutMs: intParam(0, { description: "Time allowed for each request, ms (0: none, as undici's request has none)", min: 0 }),
  }),
  build(world, p) {
    const net = world.createNetwork({ link: { latency: '1ms' } });
    net.host('server').spawn(
      'api',
      (ctx) => {
        createHttpServer(ctx, { keepAliveTimeoutMs: p.serverKeepAliveMs }, async (_req, res) => {
          await ctx.sleep('2ms');
          res.end({ status: 200, bodyBytes: 256 });
        }).listen(80);
      },
      { daemon: true },
    );
    net.host('client').spawn(
      'users',
      (ctx) => {
        const agent = new HttpAgent(ctx, { host: 'server', port: 80, pool: { preset: 'undici', idleTimeoutMs: p.clientIdleMs } });
        runClient(ctx, { arrival: 'closed', users: p.users, thinkTime: { kind: 'uniform', min: p.thinkMin, max: p.thinkMax } }, async (req) => {
          await agent.request({ path: '/', context: req, ...(p.attemptTimeoutMs > 0 ? { timeoutMs: p.attemptTimeoutMs } : {}) });
        });
      },
      { daemon: true },
    );
  },
});
