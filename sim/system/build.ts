/**
 * A checked system file made into a world: the network and its links, then databases, services, gateways
 * and clients in the file's order (so host addresses and actors follow the file), each with the options the
 * file gives and the actors' own defaults for the rest. The built-in scenarios are written the same way, so
 * a file that says what one says makes the same run.
 */
import { createHttpServer, expectOk, HttpAgent } from '../proto/http1.js';
import { runClient, type ClientOptions } from '../actors/client.js';
import { startDatabase } from '../actors/database.js';
import { runGateway } from '../actors/gateway.js';
import type { GatewayOverrides } from '../actors/gateway-options.js';
import { runService, type ServiceOptions } from '../actors/service.js';
import { definedFields } from '../core/json-path.js';
import { parseDuration } from '../core/time.js';
import type { World } from '../world.js';
import { replicaHosts } from './references.js';
import { durationSum, type ClientSpec, type GatewaySpec, type ServiceSpec, type SystemFile } from './schema.js';


const DEFAULT_GATEWAY_PORT = 80;
/** Finagle's RetryBudget defaults: 20% of requests, plus 10 retries a second. */
const FINAGLE_RETRY_BUDGET = { ratio: 0.2, minPerSecond: 10 };
const DEFAULT_DATABASE_PORT = 5432;

export function buildSystem(world: World, sys: SystemFile): void {
  const { sim } = world;
  const net = world.createNetwork(definedFields({ link: definedFields(sys.network.link) as never, tracePackets: sys.network.tracePackets }));
  for (const [name, d] of Object.entries(sys.databases)) {
    const { slowdowns, ...options } = d;
    const db = startDatabase(net.host(name), definedFields(options) as never);
    for (const s of slowdowns) {
      const atUs = durationSum(s.at, `databases.${name}.slowdowns.at`);
      sim.at(atUs, () => db.setSlow(s.factor));
      sim.at(atUs + durationSum(s.for, `databases.${name}.slowdowns.for`), () => db.setSlow(1));
    }
  }
  for (const [name, srv] of Object.entries(sys.servers)) {
    const timeUs = parseDuration(srv.time, `servers.${name}.time`);
    net.host(name).spawn(
      'api',
      (ctx) => {
        createHttpServer(ctx, definedFields({ keepAliveTimeoutMs: srv.keepAliveTimeoutMs }), async (_req, res) => {
          await ctx.sleep(timeUs);
          res.end({ status: srv.status, bodyBytes: srv.bodyBytes });
        }).listen(srv.port);
      },
      { daemon: true },
    );
  }
  for (const [name, s] of Object.entries(sys.services)) {
    const options = serviceOptions(sys, s);
    for (const host of replicaHosts(name, s.replicas)) net.host(host).spawn('api', (ctx) => void runService(ctx, options), { daemon: true });
  }
  for (const [name, g] of Object.entries(sys.gateways)) {
    const options = gatewayOptions(sys, g);
    for (const host of replicaHosts(name, g.replicas)) net.host(host).spawn(g.actor ?? g.preset, (ctx) => void runGateway(ctx, options), { daemon: true });
  }
  for (const [name, c] of Object.entries(sys.clients)) {
    const targets = targetsOf(sys, c);
    const options = clientOptions(c);
    const pool = c.pool && definedFields(c.pool);
    net.host(name).spawn(
      c.actor,
      (ctx) => {
        const agents = targets.map((t) => new HttpAgent(ctx, { ...t, propagateDeadline: c.propagateDeadline, ...(pool ? { pool } : {}) }));
        let next = 0;
        runClient(ctx, options, async (req) => {
          const agent = agents.length === 1 ? agents[0]! : agents[next++ % agents.length]!;
          expectOk(await agent.request({ path: c.path, context: req, ...(c.attemptTimeoutMs > 0 ? { timeoutMs: c.attemptTimeoutMs } : {}) }));
        });
      },
      { daemon: true },
    );
  }
  for (const l of sys.network.links) {
    const { a, b, ...options } = l;
    net.configureLink(a, b, definedFields(options) as never);
    net.configureLink(b, a, definedFields(options) as never);
  }
}

function serviceOptions(sys: SystemFile, s: ServiceSpec): Partial<ServiceOptions> {
  const db = s.database !== undefined ? sys.databases[s.database]! : undefined;
  const q = s.queries ?? { perRequest: 1, rows: 1, rowBytes: 100 };
  return definedFields({
    port: s.port,
    workers: s.workers,
    cpuTime: s.cpuTime as ServiceOptions['cpuTime'] | undefined,
    keepAliveTimeoutMs: s.keepAliveTimeoutMs,
    honorDeadline: s.honorDeadline,
    database: db ? { host: s.database!, port: db.port ?? DEFAULT_DATABASE_PORT, pool: { preset: 'hikari', ...definedFields(s.pool ?? {}) }, queriesPerRequest: q.perRequest, rows: q.rows, rowBytes: q.rowBytes } : null,
    calls: s.calls.length > 0 ? s.calls.map((c) => ({ host: replicaHosts(c.service, sys.services[c.service]!.replicas)[0]!, port: sys.services[c.service]!.port, path: c.path, timeoutMs: c.timeoutMs })) : undefined,
  }) as Partial<ServiceOptions>;
}

function gatewayOptions(sys: SystemFile, g: GatewaySpec): GatewayOverrides {
  const { upstream, replicas: _replicas, actor: _actor, pool, loadBalancing, ...rest } = g;
  const service = sys.services[upstream]!;
  return {
    ...(definedFields(rest) as GatewayOverrides),
    upstream: definedFields({ replicas: replicaHosts(upstream, service.replicas).map((host) => ({ host, port: service.port })), loadBalancing, pool: pool && definedFields(pool) }) as GatewayOverrides['upstream'],
  };
}

/** Where a client sends: every replica of its gateway or service, round robin. */
function targetsOf(sys: SystemFile, c: ClientSpec): { host: string; port: number }[] {
  const gateway = sys.gateways[c.target];
  if (gateway) return replicaHosts(c.target, gateway.replicas).map((host) => ({ host, port: gateway.port ?? DEFAULT_GATEWAY_PORT }));
  const server = sys.servers[c.target];
  if (server) return [{ host: c.target, port: server.port }];
  const service = sys.services[c.target]!;
  return replicaHosts(c.target, service.replicas).map((host) => ({ host, port: service.port }));
}

function clientOptions(c: ClientSpec): Partial<ClientOptions> {
  const { target: _t, path: _p, propagateDeadline: _d, attemptTimeoutMs: _a, actor: _actor, pool: _pool, retryBudget, ...rest } = c;
  const budget = retryBudget === true ? FINAGLE_RETRY_BUDGET : retryBudget === false ? null : retryBudget;
  return definedFields({ ...rest, retryBudget: budget }) as Partial<ClientOptions>;
}
