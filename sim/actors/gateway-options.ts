/**
 * The gateway's options, as presets with nginx's and Envoy's defaults (shared/reference/pools-and-proxies.md),
 * validated: a bad field gets one line naming it. Durations in milliseconds, 0 meaning "none".
 */
import { SimError } from '../core/errors.js';
import type { PoolOptions } from '../pool/options.js';
import { resolvePoolOptions } from '../pool/options.js';
import { resolveBreakerOptions, type CircuitBreakerOptions } from './circuit-breaker.js';
import { LOAD_BALANCING, type LoadBalancing } from './load-balancer.js';
import type { BackoffOptions } from './retry.js';

/** What makes a try worth retrying on the next replica (nginx proxy_next_upstream, Envoy retry_on). */
export type RetryOn = 'error' | 'timeout' | 'http_500' | 'http_502' | 'http_503' | 'http_504';
const RETRY_ON: readonly RetryOn[] = ['error', 'timeout', 'http_500', 'http_502', 'http_503', 'http_504'];

export interface UpstreamOptions {
  /** The replicas of one service, each with its own keep-alive pool. */
  replicas: { host: string; port: number }[];
  loadBalancing: LoadBalancing;
  /** The keep-alive pool toward each replica; preset 'nginx-upstream' unless given. */
  pool: Partial<PoolOptions> & { preset?: string };
}

export interface GatewayOptions {
  /** Whose defaults and whose status codes: nginx (every timeout 504, other upstream errors 502) or Envoy (connect failures and resets 503, timeouts 504). */
  style: 'nginx' | 'envoy';
  port: number;
  /** The client-facing protocol: HTTP/1.1, or HTTP/2 (every client connection carries many streams). */
  protocol: 'http1' | 'http2';
  /** HTTP/2 only: SETTINGS_MAX_CONCURRENT_STREAMS toward clients (nginx http2_max_concurrent_streams 128; Envoy 2^31 − 1). */
  maxConcurrentStreams: number;
  /** listen backlog (nginx 511, Envoy 1024 via the kernel's somaxconn cap: both use 511 here as Linux would clamp to somaxconn 4096 anyway). */
  listenBacklog: number;
  /** HTTP/1.1 client connections at once; over it a new one is closed at once (nginx worker_connections; Envoy's downstream limit); 0 none. */
  maxClientConnections: number;
  /** Idle keep-alive toward clients: nginx keepalive_timeout 75 s; Envoy's idle_timeout 1 h. */
  clientKeepAliveTimeoutMs: number;
  upstream: UpstreamOptions;
  /** nginx proxy_connect_timeout 60 s; Envoy connect_timeout 5 s. */
  connectTimeoutMs: number;
  /** Longest silence between two reads from the upstream: nginx proxy_read_timeout 60 s; Envoy has none by default (0). */
  readTimeoutMs: number;
  /** The whole request, across every retry: Envoy's route timeout 15 s (504 when it fires); nginx has none (0). */
  requestTimeoutMs: number;
  /** Tries after the first (nginx proxy_next_upstream_tries is unbounded: up to every replica; Envoy num_retries 1). */
  maxRetries: number;
  retryOn: RetryOn[];
  /** Wait before a retry: Envoy full jitter from 25 ms capped at 250 ms; nginx retries at once. */
  retryBackoff: BackoffOptions;
  /** Envoy's retry budget: retries in flight ≤ max(minRetryConcurrency, budgetPercent% of requests in flight); null none. */
  retryBudget: { budgetPercent: number; minRetryConcurrency: number } | null;
  /** Envoy's per-cluster circuit-breaker caps, failing fast with 503 (UO) when over; null none (nginx). */
  caps: { maxConnections: number; maxPendingRequests: number; maxRequests: number; maxRetries: number } | null;
  /** A Resilience4j-style breaker over the upstream's tries: open fails fast with 503; null none. */
  circuitBreaker: Partial<CircuitBreakerOptions> | null;
  /**
   * Read the client's remaining time from `x-timeout-ms` (as gRPC's grpc-timeout), end the request with 504
   * when it runs out, and pass what remains to the upstream in `x-timeout-ms`.
   */
  propagateDeadline: boolean;
}

const commonDefaults = {
  port: 80,
  protocol: 'http1' as const,
  listenBacklog: 511,
  maxClientConnections: 0,
  upstream: { replicas: [{ host: 'service', port: 8080 }], loadBalancing: 'round-robin' as LoadBalancing, pool: { preset: 'nginx-upstream' } },
  propagateDeadline: false,
};

export const gatewayPresets: Readonly<Record<'nginx' | 'envoy', Readonly<GatewayOptions>>> = Object.freeze({
  nginx: {
    ...commonDefaults,
    style: 'nginx',
    maxConcurrentStreams: 128,
    clientKeepAliveTimeoutMs: 75_000,
    connectTimeoutMs: 60_000,
    readTimeoutMs: 60_000,
    requestTimeoutMs: 0,
    // proxy_next_upstream_tries 0: as many tries as there are replicas.
    maxRetries: Number.MAX_SAFE_INTEGER,
    retryOn: ['error', 'timeout'],
    retryBackoff: { kind: 'none', baseMs: 0, capMs: 0 },
    retryBudget: null,
    caps: null,
    circuitBreaker: null,
  },
  envoy: {
    ...commonDefaults,
    style: 'envoy',
    maxConcurrentStreams: 2_147_483_647,
    clientKeepAliveTimeoutMs: 3_600_000,
    connectTimeoutMs: 5_000,
    readTimeoutMs: 0,
    requestTimeoutMs: 15_000,
    maxRetries: 1,
    retryOn: ['error', 'http_503'],
    retryBackoff: { kind: 'full', baseMs: 25, capMs: 250 },
    retryBudget: null,
    caps: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 },
    circuitBreaker: null,
  },
});

export type GatewayOverrides = Partial<Omit<GatewayOptions, 'upstream'>> & { preset?: 'nginx' | 'envoy'; upstream?: Partial<UpstreamOptions> };

/** A preset (default nginx) with `overrides` on top, checked. */
export function resolveGatewayOptions(overrides: GatewayOverrides = {}, what = 'gateway'): GatewayOptions {
  const { preset = 'nginx', upstream, ...rest } = overrides;
  const base = gatewayPresets[preset];
  const bad = (field: string, msg: string) => new SimError('ERR_GATEWAY_OPTION', `${what}.${field}: ${msg}`);
  if (!base) throw bad('preset', `expected nginx or envoy, got ${JSON.stringify(preset)}`);
  for (const key of Object.keys(rest)) if (!(key in base)) throw bad(key, `not a gateway option (options: preset, ${Object.keys(base).join(', ')})`);
  for (const key of Object.keys(upstream ?? {})) if (!(key in base.upstream)) throw bad(`upstream.${key}`, `not an upstream option (options: ${Object.keys(base.upstream).join(', ')})`);
  const o: GatewayOptions = { ...base, ...rest, upstream: { ...base.upstream, ...upstream } };
  if (o.style !== 'nginx' && o.style !== 'envoy') throw bad('style', `expected nginx or envoy, got ${JSON.stringify(o.style)}`);
  if (o.protocol !== 'http1' && o.protocol !== 'http2') throw bad('protocol', `expected http1 or http2, got ${JSON.stringify(o.protocol)}`);
  const nonNegativeInts = ['maxConcurrentStreams', 'listenBacklog', 'maxClientConnections', 'clientKeepAliveTimeoutMs', 'connectTimeoutMs', 'readTimeoutMs', 'requestTimeoutMs', 'maxRetries'] as const;
  for (const key of nonNegativeInts) if (!Number.isSafeInteger(o[key]) || o[key] < 0) throw bad(key, `expected a non-negative integer, got ${JSON.stringify(o[key])}`);
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw bad('port', `expected an integer from 1 to 65535, got ${JSON.stringify(o.port)}`);
  const u = o.upstream;
  if (!Array.isArray(u.replicas) || u.replicas.length === 0) throw bad('upstream.replicas', 'expected at least one { host, port }');
  u.replicas.forEach((r, i) => {
    if (typeof r?.host !== 'string' || r.host.length === 0) throw bad(`upstream.replicas[${i}].host`, `expected a host name, got ${JSON.stringify(r?.host)}`);
    if (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535) throw bad(`upstream.replicas[${i}].port`, `expected an integer from 1 to 65535, got ${JSON.stringify(r.port)}`);
  });
  if (!LOAD_BALANCING.includes(u.loadBalancing)) throw bad('upstream.loadBalancing', `expected ${LOAD_BALANCING.join(', ')}, got ${JSON.stringify(u.loadBalancing)}`);
  resolvePoolOptions({ preset: 'nginx-upstream', ...u.pool }, `${what}.upstream.pool`);
  if (!Array.isArray(o.retryOn)) throw bad('retryOn', `expected a list of ${RETRY_ON.join(', ')}`);
  for (const r of o.retryOn) if (!RETRY_ON.includes(r)) throw bad('retryOn', `expected each of ${RETRY_ON.join(', ')}, got ${JSON.stringify(r)}`);
  if (!['none', 'exponential', 'full', 'equal', 'decorrelated'].includes(o.retryBackoff?.kind)) throw bad('retryBackoff.kind', `expected none, exponential, full, equal or decorrelated, got ${JSON.stringify(o.retryBackoff?.kind)}`);
  if (o.retryBudget) {
    if (!(o.retryBudget.budgetPercent >= 0 && o.retryBudget.budgetPercent <= 100)) throw bad('retryBudget.budgetPercent', `expected 0 to 100, got ${JSON.stringify(o.retryBudget.budgetPercent)}`);
    if (!Number.isSafeInteger(o.retryBudget.minRetryConcurrency) || o.retryBudget.minRetryConcurrency < 0) throw bad('retryBudget.minRetryConcurrency', `expected a non-negative integer, got ${JSON.stringify(o.retryBudget.minRetryConcurrency)}`);
  }
  if (o.caps) {
    for (const key of ['maxConnections', 'maxPendingRequests', 'maxRequests', 'maxRetries'] as const) {
      if (!Number.isSafeInteger(o.caps[key]) || o.caps[key] < 0) throw bad(`caps.${key}`, `expected a non-negative integer, got ${JSON.stringify(o.caps[key])}`);
    }
  }
  if (o.circuitBreaker) resolveBreakerOptions(o.circuitBreaker, `${what}.circuitBreaker`);
  return o;
}
