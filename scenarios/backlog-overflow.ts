/**
 * backlog-overflow: a burst of new connections meets a server that is not accepting.
 *
 * The incident: a Node service's event loop stalls for 1.5 s (a long GC pause, a synchronous JSON.parse of
 * a huge body) just as 200 clients connect at once. The kernel completes handshakes into the accept queue
 * until it holds backlog + 1 connections, then drops further SYNs (and ignores final ACKs); those clients
 * retry after 1 s — the server is still stalled, dropped again — and after 3 s, when they get in. The server
 * catches up in milliseconds once it runs again.
 *
 * What to look for: request latency in two steps — backlog + 1 requests at the end of the stall (~1.5 s), all
 * the others at ~3 s, Linux's second SYN retry; tcp.drop.listen-overflow counts the dropped SYNs. A shorter
 * stall (`--set stall=500ms`) gives a 1 s step instead.
 */
import { createHttpServer, defineScenario, durationParam, HttpAgent, intParam, runClient, z } from 'faultline';

export const backlogOverflow = defineScenario({
  name: 'backlog-overflow',
  description: 'A connection burst during an event-loop stall overflows the accept queue: SYN retries give 1 s and 3 s latency steps.',
  defaultDuration: '15s',
  // Faults land around the burst (at 1 s, with the built-in stall). Neither crashed nor killed: requests have no
  // deadline, so one waiting on a silently crashed server, or whose reset a partition ate, never ends (chaos
  // found the second: a kill at 1044 ms, its RSTs lost to a partition at 1045 ms). No requests start after the
  // heal, so liveness is judged by quiescence alone.
  chaos: { faultWindow: '4s', recover: '2s', settle: '1s', drain: '10s', hosts: ['server'], episodes: ['partition', 'loss', 'latency', 'clog', 'pause'] },
  params: z.object({
    backlog: intParam(16, { description: "The server's listen backlog (Node asks for 511; the kernel caps at somaxconn)", min: 0, max: 65535 }),
    burst: intParam(200, { description: 'Connections in the burst (one request each)', min: 1, max: 100_000 }),
    burstAt: durationParam('1s', { description: 'When the burst and the stall begin' }),
    stall: durationParam('1500ms', { description: "How long the server's event loop is stalled" }),
  }),
  build(world, p) {
    const sim = world.sim;
    const net = world.createNetwork({ link: { latency: '1ms' } });
    const server = net.host('server');
    server.spawn(
      'api',
      (ctx) => {
        createHttpServer(ctx, {}, (_req, res) => res.end({ status: 200, bodyBytes: 256 })).listen(80, p.backlog);
      },
      { daemon: true },
    );
    sim.at(p.burstAt, () => server.host.pause());
    sim.at(p.burstAt + p.stall, () => server.host.resume());
    net.host('client').spawn(
      'burst',
      (ctx) => {
        const agent = new HttpAgent(ctx, { host: 'server', port: 80 });
        // The whole burst within 10 ms of burstAt: a fixed rate for that window, then silence.
        const ratePerS = (p.burst * 1000) / 10;
        runClient(ctx, { arrival: 'fixed', ratePerS: 0, rateSchedule: [{ at: p.burstAt - Math.round(1e6 / ratePerS), ratePerS }, { at: p.burstAt + 10_000 - Math.round(1e6 / ratePerS), ratePerS: 0 }] }, async (req) => {
          await agent.request({ path: '/', context: req });
        });
      },
      { daemon: true },
    );
  },
});
