/**
 * crash-vs-kill: a service host dies. How long do its callers hang?
 *
 * The incident: a service behind keep-alive connections goes away mid-traffic. If its process is killed
 * (OOM killer, kill -9), the kernel is still there and closes its sockets as close(2) does: a FIN where
 * everything received was read, so a request in flight ends without its response (Node's 'socket hang up',
 * ECONNRESET) within one round trip; an RST where unread data was left (ECONNRESET); the listener is closed,
 * so new connections are refused at once (ECONNREFUSED). If the machine vanishes
 * (a kernel panic, a pulled cable, a VM frozen by its hypervisor), nothing answers: requests already sent
 * wait on TCP retransmissions, new connections on SYN retries, and every caller hangs until its own
 * deadline — which is why a deadline is not optional.
 *
 * What to look for: with `--set mode=kill`, failures within milliseconds of the fault; with `mode=crash`,
 * every request in the window fails as DEADLINE_EXCEEDED exactly `deadlineMs` after it started.
 */
import { choiceParam, createHttpServer, defineScenario, durationParam, HttpAgent, intParam, numberParam, runClient, z } from 'faultline';

export const crashVsKill = defineScenario({
  name: 'crash-vs-kill',
  description: 'A service host is killed (the kernel closes its connections) or crashes silently (callers hang until their deadline).',
  defaultDuration: '30s',
  // The built-in crash is moved past the end of the run: chaos draws its own crashes and kills (with restarts).
  // After a silent crash and restart every keep-alive connection the client pooled is half-open: each fails
  // its next request with ECONNRESET (the new incarnation answers with RST) until the pool's 4 s idle timeout
  // (undici's) closes the rest. A latency episode before the crash can leave ~200 of them (fast-check found
  // 28 of 135 requests failing 2 s after the heal), so the recovery window opens 5 s after the heal.
  chaos: { params: { at: '1h' }, faultWindow: '5s', recover: '9s', settle: '5s', drain: '6s', hosts: ['service'], paramChoices: { mode: ['crash', 'kill'] } },
  params: z.object({
    mode: choiceParam(['crash', 'kill'], 'crash', { description: 'kill: processes die, the OS closes their connections (FIN, or RST over unread data); crash: the machine vanishes' }),
    at: durationParam('10s', { description: 'When the service host goes down' }),
    ratePerS: numberParam(50, { description: 'Client requests per second (Poisson)', min: 0 }),
    deadlineMs: intParam(5000, { description: 'Client deadline per request, ms', min: 1 }),
  }),
  build(world, p) {
    const sim = world.sim;
    const net = world.createNetwork({ link: { latency: '1ms' } });
    const service = net.host('service');
    service.spawn(
      'api',
      (ctx) => {
        createHttpServer(ctx, {}, async (_req, res) => {
          await ctx.sleep('20ms');
          res.end({ status: 200, bodyBytes: 512 });
        }).listen(8080);
      },
      { daemon: true },
    );
    sim.at(p.at, () => (p.mode === 'kill' ? service.host.kill() : service.host.crash()));
    net.host('client').spawn(
      'load',
      (ctx) => {
        const agent = new HttpAgent(ctx, { host: 'service', port: 8080 });
        runClient(ctx, { arrival: 'poisson', ratePerS: p.ratePerS, deadlineMs: p.deadlineMs }, async (req) => {
          await agent.request({ path: '/', context: req });
        });
      },
      { daemon: true },
    );
  },
});
