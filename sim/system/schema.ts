/**
 * A system file: the user's backend described as data (YAML or JSON) — clients, gateways, services,
 * databases, the network, a fault schedule and a chaos profile — in one zod schema. Option names are the
 * actors' own (which follow the products': nginx's readTimeoutMs, HikariCP's maximumPoolSize, PostgreSQL's
 * maxConnections). Hosts are named by the file; references between them are checked in references.ts.
 */
import { z } from 'zod';
import { DurationError, parseDuration } from '../core/time.js';

const positiveInt = z.number().int().min(1);
const nonNegativeInt = z.number().int().min(0);
const port = z.number().int().min(1).max(65_535);
/** A duration, or a sum of them ('${at}us + ${lasting}us', where knobs meet), as µs. */
export function durationSum(v: string | number, what: string): number {
  return typeof v === 'string' && v.includes('+') ? v.split('+').reduce((sum, part) => sum + parseDuration(part.trim(), what), 0) : parseDuration(v, what);
}

/** '250ms', '2s', µs as a number, or a sum; read as the simulator reads it, so a unit-less '5' is named here. */
const duration = z.union([z.string().min(1), nonNegativeInt]).superRefine((v, ctx) => {
  try {
    durationSum(v, 'duration');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof DurationError ? err.reason : String(err) });
  }
});
/** A duration, or a distribution object ({ kind: 'lognormal', median: '2ms', sigma: 0.5 }, …). */
const distribution = z.union([z.string().min(1), z.number().min(0), z.looseObject({ kind: z.string() })]);
const probability = z.number().min(0).max(1);
const name = z.string().regex(/^[a-z][a-z0-9-]*$/, "a name of lower-case letters, digits and '-', starting with a letter");

/** A connection pool: a preset (hikari, pg, pgbouncer-session, …) and HikariCP's option names over it. */
const pool = z.strictObject({
  preset: z.string().optional(),
  maximumPoolSize: positiveInt.optional(),
  minimumIdle: nonNegativeInt.optional(),
  connectionTimeoutMs: nonNegativeInt.optional(),
  idleTimeoutMs: nonNegativeInt.optional(),
  maxLifetimeMs: nonNegativeInt.optional(),
  keepaliveTimeMs: nonNegativeInt.optional(),
  leakDetectionThresholdMs: nonNegativeInt.optional(),
  idleOrder: z.enum(['lifo', 'fifo']).optional(),
});

const backoff = z.strictObject({ kind: z.enum(['none', 'full', 'equal', 'decorrelated', 'exponential']), baseMs: nonNegativeInt, capMs: nonNegativeInt });

export const clientSchema = z.strictObject({
  /** The gateway, service or server it calls (by name; replicas are called round robin). */
  target: name,
  /** The load generator's actor name (in the trace). */
  actor: name.default('load'),
  /** The HTTP client's connection pool (a preset such as undici, and its options). */
  pool: pool.optional(),
  path: z.string().startsWith('/').default('/'),
  arrival: z.enum(['poisson', 'fixed', 'closed']).optional(),
  ratePerS: z.number().min(0).optional(),
  rateSchedule: z.array(z.strictObject({ at: duration, ratePerS: z.number().min(0) })).optional(),
  users: positiveInt.optional(),
  thinkTime: distribution.optional(),
  deadlineMs: nonNegativeInt.optional(),
  /** Sends what remains of the deadline on the wire (x-timeout-ms), so hops that honour it can bound their work. */
  propagateDeadline: z.boolean().default(false),
  /** Each try's own timeout (the HTTP client's), ms; 0: none. */
  attemptTimeoutMs: nonNegativeInt.default(0),
  maxRetries: nonNegativeInt.optional(),
  backoff: backoff.optional(),
  /** Finagle's budget: retries ≤ ratio × requests + minPerSecond; true is Finagle's default (0.2, 10/s); false or null none. */
  retryBudget: z.union([z.boolean(), z.strictObject({ ratio: z.number().min(0), minPerSecond: z.number().min(0) })]).nullable().optional(),
  stopAtMs: nonNegativeInt.optional(),
});

export const gatewaySchema = z.strictObject({
  preset: z.enum(['nginx', 'envoy']).default('nginx'),
  /** The proxy's actor name (in the trace); default the preset's name. */
  actor: name.optional(),
  /** The service it proxies to (every replica). */
  upstream: name,
  replicas: positiveInt.default(1),
  port: port.optional(),
  protocol: z.enum(['http1', 'http2']).optional(),
  maxConcurrentStreams: nonNegativeInt.optional(),
  listenBacklog: nonNegativeInt.optional(),
  maxClientConnections: nonNegativeInt.optional(),
  clientKeepAliveTimeoutMs: nonNegativeInt.optional(),
  connectTimeoutMs: nonNegativeInt.optional(),
  readTimeoutMs: nonNegativeInt.optional(),
  requestTimeoutMs: nonNegativeInt.optional(),
  maxRetries: nonNegativeInt.optional(),
  retryOn: z.array(z.string()).optional(),
  retryBackoff: backoff.optional(),
  retryBudget: z.strictObject({ budgetPercent: z.number().min(0), minRetryConcurrency: nonNegativeInt }).nullable().optional(),
  caps: z.strictObject({ maxConnections: nonNegativeInt, maxPendingRequests: nonNegativeInt, maxRequests: nonNegativeInt, maxRetries: nonNegativeInt }).nullable().optional(),
  circuitBreaker: z.looseObject({}).nullable().optional(),
  propagateDeadline: z.boolean().optional(),
  loadBalancing: z.enum(['round-robin', 'least-conn', 'p2c']).optional(),
  /** The keep-alive pool toward each replica (preset nginx-upstream unless given). */
  pool: pool.optional(),
});

/** A plain HTTP server: answers every request after `time` (an upstream you do not model in detail). */
export const serverSchema = z.strictObject({
  port: port.default(80),
  keepAliveTimeoutMs: nonNegativeInt.optional(),
  time: duration.default('1ms'),
  bodyBytes: nonNegativeInt.default(0),
  status: z.number().int().min(100).max(599).default(200),
});

const call = z.strictObject({ service: name, path: z.string().startsWith('/').default('/'), timeoutMs: nonNegativeInt.default(0) });

export const serviceSchema = z.strictObject({
  replicas: positiveInt.default(1),
  port: port.default(8080),
  workers: positiveInt.optional(),
  cpuTime: distribution.optional(),
  keepAliveTimeoutMs: nonNegativeInt.optional(),
  honorDeadline: z.boolean().optional(),
  /** The database it queries (by name), or none. */
  database: name.optional(),
  pool: pool.optional(),
  queries: z.strictObject({ perRequest: nonNegativeInt.default(1), rows: nonNegativeInt.default(1), rowBytes: nonNegativeInt.default(100) }).optional(),
  /** Other services it calls for each request, in order. */
  calls: z.array(call).default([]),
});

export const databaseSchema = z.strictObject({
  port: port.optional(),
  maxConnections: positiveInt.optional(),
  superuserReservedConnections: nonNegativeInt.optional(),
  cpuCores: positiveInt.optional(),
  queryTime: distribution.optional(),
  backendStartup: distribution.optional(),
  listenBacklog: nonNegativeInt.optional(),
  /** The incident: from `at`, queries run `factor` times slower for `for` (a disk, a noisy neighbour). */
  slowdowns: z.array(z.strictObject({ at: duration, factor: z.number().positive(), for: duration })).default([]),
});

export const linkSchema = z.strictObject({
  latency: distribution.optional(),
  loss: probability.optional(),
  duplicate: probability.optional(),
  reorder: probability.optional(),
  bandwidthBps: z.number().positive().nullable().optional(),
  queuePackets: nonNegativeInt.optional(),
  dropPolicy: z.enum(['tail', 'head']).optional(),
});

export const networkSchema = z.strictObject({
  link: linkSchema.default({}),
  /** Links between two hosts that differ from the default, both ways. */
  links: z.array(linkSchema.extend({ a: name, b: name })).default([]),
  tracePackets: z.boolean().optional(),
});

/** A knob: a named parameter with a default, written `${name}` where the file uses it. */
export const knobSchema = z.strictObject({
  type: z.enum(['int', 'number', 'bool', 'duration', 'distribution', 'choice']),
  default: z.unknown(),
  description: z.string().default(''),
  min: z.number().optional(),
  max: z.number().optional(),
  choices: z.array(z.string()).min(1).optional(),
  /** A choice's meaning: `${name.field}` reads the chosen one's field (the parameter's value stays the choice). */
  means: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

export const systemSchema = z.strictObject({
  /** The scenario's name (`faultline run`'s header, case files); default the file's name. */
  name: name.optional(),
  description: z.string().default('A system described in a file.'),
  duration: duration.default('60s'),
  params: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'a parameter name of letters and digits'), knobSchema).default({}),
  network: networkSchema.default({ link: {}, links: [] }),
  databases: z.record(name, databaseSchema).default({}),
  servers: z.record(name, serverSchema).default({}),
  services: z.record(name, serviceSchema).default({}),
  gateways: z.record(name, gatewaySchema).default({}),
  clients: z.record(name, clientSchema).default({}),
  /** A fault schedule, as `faultline run --faults` reads it (checked when the run starts). */
  faults: z.array(z.looseObject({ at: duration, kind: z.string() })).default([]),
  /** The chaos profile (see ChaosProfile); absent: the default one. */
  chaos: z.looseObject({}).optional(),
});

export type SystemFile = z.output<typeof systemSchema>;
export type ClientSpec = z.output<typeof clientSchema>;
export type GatewaySpec = z.output<typeof gatewaySchema>;
export type ServiceSpec = z.output<typeof serviceSchema>;
export type ServerSpec = z.output<typeof serverSchema>;
export type DatabaseSpec = z.output<typeof databaseSchema>;
export type KnobSpec = z.output<typeof knobSchema>;
