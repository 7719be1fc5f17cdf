/**
 * http2-hol: one HTTP/2 connection against six HTTP/1.1 connections on a lossy path.
 *
 * The incident: a service moves its clients from HTTP/1.1 (a pool of six connections, as a browser keeps per
 * origin) to HTTP/2 (every request a stream on one connection) and its tail latency gets worse on mobile and
 * cross-region paths, while the median and the clean-network benchmarks look as good as before or better.
 * HTTP/2's streams are independent, but they share one TCP byte stream: when a segment is lost, every stream
 * whose bytes came after it waits for the retransmission (a round trip for fast retransmit, RTO ≥ 200 ms for
 * a lost tail), even though its own bytes arrived, and one congestion window halves for all of them. Six
 * HTTP/1.1 connections lose one segment at a time for one request at a time. QUIC (HTTP/3) exists to end this.
 *
 * Two clients on two hosts send the same Poisson load of requests for same-sized responses to one server
 * (serving both protocols with one handler): 'h2-client' over one HTTP/2 connection, 'h1-client' through an
 * agent limited to six connections. Request records carry their client host, so results split by protocol.
 *
 * What to look for (defaults: 20 requests/s of 5 KB each per client, 50 ms RTT, 2% loss each way; seeds 1–3,
 * 2 min): h2-client's p90 is 250–270 ms against h1-client's 105 ms, its p99 580–620 ms against 420–480 ms,
 * its median a little above h1's 55 ms. With `--set loss=0` h2's p99 is 55 ms (one round trip and the
 * service time) and h1's 55–105 ms (a connection opened now and then). faultline's TCP has no SACK, so a busy
 * connection recovers from loss somewhat more slowly than Linux's would; the direction is the same.
 */
import { choiceParam, createHttp2Server, createHttpServer, defineScenario, durationParam, expectOk, Http2Client, HttpAgent, intParam, numberParam, runClient, type ActorContext, type HttpHandler, type HttpRequestOptions, type HttpResponse, z } from 'faultline';

const H1_PORT = 80;
const H2_PORT = 8080;

export const http2Hol = defineScenario({
  name: 'http2-hol',
  description: 'One HTTP/2 connection vs six HTTP/1.1 connections under 2% loss: head-of-line blocking makes HTTP/2\'s p99 worse.',
  defaultDuration: '2m',
  // Neither crashed nor killed: the browsers set no deadline, so a request to a silently crashed server, or one
  // whose reset a partition ate (chaos found it: a kill at 414 ms, a partition at 439 ms), never ends.
  // Long windows: after a heavy loss burst the one HTTP/2 connection waits out TCP's backed-off RTO (4 s, then
  // 8 s: no SACK or tail-loss probe here) with every stream behind it — the scenario's point, seen by chaos.
  chaos: { faultWindow: '5s', recover: '20s', settle: '16s', drain: '20s', hosts: ['server'], hostsFor: { 'response-aborts': ['server'] }, episodes: ['partition', 'loss', 'latency', 'clog', 'pause', 'response-aborts'] },
  params: z.object({
    protocol: choiceParam(['both', 'h2', 'h1'], 'both', { description: "Which clients run: 'both' (one host each) shows the comparison in one run" }),
    loss: numberParam(0.02, { description: 'Packet loss on every link, each direction (0–1)', min: 0, max: 1 }),
    rttMs: intParam(50, { description: 'Round-trip time between the clients and the server, ms', min: 0, max: 10_000 }),
    ratePerS: numberParam(20, { description: 'Requests per second from each client (Poisson)', min: 0 }),
    responseBytes: intParam(5_000, { description: 'Response body size, bytes', min: 0 }),
    serviceTime: durationParam('5ms', { description: 'Server time per request before it answers' }),
    h1Connections: intParam(6, { description: "The HTTP/1.1 agent's connection limit (a browser's is 6 per origin)", min: 1 }),
  }),
  build(world, p) {
    const oneWayUs = Math.round((p.rttMs * 1000) / 2);
    const net = world.createNetwork({ link: { latency: oneWayUs, loss: p.loss } });
    net.host('server').spawn(
      'web',
      (ctx) => {
        const handler: HttpHandler = async (_req, res) => {
          await ctx.sleep(p.serviceTime);
          res.end({ bodyBytes: p.responseBytes });
        };
        createHttpServer(ctx, {}, handler).listen(H1_PORT);
        createHttp2Server(ctx, {}, handler).listen(H2_PORT);
      },
      { daemon: true },
    );
    const load = (ctx: ActorContext, client: { request(o: HttpRequestOptions): Promise<HttpResponse> }) =>
      runClient(ctx, { arrival: 'poisson', ratePerS: p.ratePerS }, async (req) => {
        expectOk(await client.request({ path: '/asset', context: req }));
      });
    if (p.protocol !== 'h1') {
      // Chrome's windows (6 MiB per stream, the connection's raised to match): flow control never binds here.
      const settings = { initialWindowSize: 6 * 1024 * 1024 };
      net.host('h2-client').spawn('browser', (ctx) => load(ctx, new Http2Client(ctx, { host: 'server', port: H2_PORT, settings })), { daemon: true });
    }
    if (p.protocol !== 'h2') {
      net.host('h1-client').spawn(
        'browser',
        (ctx) => load(ctx, new HttpAgent(ctx, { host: 'server', port: H1_PORT, pool: { preset: 'undici', maximumPoolSize: p.h1Connections } })),
        { daemon: true },
      );
    }
  },
});
