/**
 * partition: a one-way network partition between a gateway and one of two service replicas.
 *
 * The incident: a switch or a security-group change drops the gateway's packets to one replica (or that
 * replica's packets back), and nothing resets anything. The gateway (nginx style, round robin, keep-alive
 * upstream pool, proxy_connect_timeout 1 s, proxy_read_timeout 5 s) keeps sending half of its traffic there.
 * The few requests that find an idle keep-alive connection go out on it and hang; every request after them
 * needs a new connection whose SYN (or SYN-ACK) is lost, and fails at the connect timeout. One partition,
 * two failure times, and only one of them is the one people tune.
 *
 * What to look for: during the partition (10 s to 30 s) about half the requests fail, most with 504 exactly
 * 1 s after they started ("while connecting to upstream"). The pooled ones depend on the direction:
 * `to-service` — svc-1 never got the request, sees an idle connection and closes it at its 5 s keep-alive
 * timeout, so the gateway gets a FIN and answers 502 ("upstream prematurely closed connection") before its
 * read timeout; `to-gateway` — svc-1 does the work for nobody, its answer is lost, and the gateway answers
 * 504 at exactly the 5 s read timeout. With `--set retries=1` (proxy_next_upstream) the client sees no
 * errors, but those requests take 1 s (or 5 s) longer. Everything recovers when the partition heals.
 */
import { applyFault, choiceParam, defineScenario, durationParam, expectOk, HttpAgent, intParam, numberParam, runClient, runGateway, runService, z } from 'faultline';

export const partition = defineScenario({
  name: 'partition',
  description: 'A one-way partition between the gateway and one replica: read timeouts on pooled connections, connect timeouts on new ones.',
  defaultDuration: '40s',
  // The built-in partition is moved past the end of the run. Faults target the services (crash included: the
  // gateway's timeouts bound the wait); the client sets no deadline, so the gateway itself is left standing.
  // Recovery is judged from 5 s after the heal: a request sent just before it may wait out the gateway's
  // 5 s read timeout (chaos found 89.9% with 2 s, after a 2–3 s latency spike on the services' replies).
  chaos: { params: { at: '1h' }, faultWindow: '5s', recover: '8s', settle: '5s', drain: '8s', hosts: ['svc-1', 'svc-2'], hostsFor: { 'handler-errors': ['svc-1', 'svc-2'], 'response-aborts': ['svc-1', 'svc-2'] }, paramChoices: { retries: [0, 1] } },
  params: z.object({
    direction: choiceParam(['to-service', 'to-gateway'], 'to-service', { description: "Whose packets are lost: the gateway's to svc-1, or svc-1's to the gateway" }),
    at: durationParam('10s', { description: 'When the partition starts' }),
    lasting: durationParam('20s', { description: 'How long it lasts' }),
    ratePerS: numberParam(50, { description: 'Client requests per second (Poisson)', min: 0 }),
    connectTimeoutMs: intParam(1000, { description: "Gateway's proxy_connect_timeout, ms", min: 1 }),
    readTimeoutMs: intParam(5000, { description: "Gateway's proxy_read_timeout, ms", min: 1 }),
    retries: intParam(0, { description: 'Tries on the next replica after a failed one (proxy_next_upstream)', min: 0, max: 1 }),
  }),
  build(world, p) {
    const sim = world.sim;
    const net = world.createNetwork({ link: { latency: '500us' } });
    for (const name of ['svc-1', 'svc-2']) {
      net.host(name).spawn('api', (ctx) => void runService(ctx, { port: 8080, workers: 100, cpuTime: '2ms', database: null }), { daemon: true });
    }
    net.host('gw').spawn(
      'gateway',
      (ctx) => {
        runGateway(ctx, {
          preset: 'nginx',
          connectTimeoutMs: p.connectTimeoutMs,
          readTimeoutMs: p.readTimeoutMs,
          maxRetries: p.retries,
          upstream: {
            replicas: [
              { host: 'svc-1', port: 8080 },
              { host: 'svc-2', port: 8080 },
            ],
          },
        });
      },
      { daemon: true },
    );
    const [from, to] = p.direction === 'to-service' ? ['gw', 'svc-1'] : ['svc-1', 'gw'];
    sim.at(p.at, () => applyFault(world, { kind: 'partition', a: from, b: to, oneWay: true }));
    sim.at(p.at + p.lasting, () => applyFault(world, { kind: 'heal' }));
    net.host('client').spawn(
      'load',
      (ctx) => {
        const agent = new HttpAgent(ctx, { host: 'gw', port: 80 });
        runClient(ctx, { arrival: 'poisson', ratePerS: p.ratePerS }, async (req) => {
          expectOk(await agent.request({ path: '/orders', context: req }));
        });
      },
      { daemon: true },
    );
  },
});
