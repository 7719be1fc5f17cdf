/**
 * Connection-pool options under HikariCP's names, with presets for the pools users run (values from each
 * project's docs; shared/reference/pools-and-proxies.md). Durations are milliseconds, as HikariCP's are.
 */
import { SimError } from '../core/errors.js';

export interface PoolOptions {
  /** Name in messages and metrics ('HikariPool-1'). */
  poolName: string;
  /** Most connections, idle and in use. */
  maximumPoolSize: number;
  /** Idle connections the pool keeps ready; HikariCP's default is maximumPoolSize (a fixed-size pool). */
  minimumIdle: number;
  /** How long acquire() waits for a connection before failing; 0 waits forever (node-postgres' default). */
  connectionTimeoutMs: number;
  /** An idle connection above minimumIdle is closed after this long idle; 0 never. */
  idleTimeoutMs: number;
  /** A connection is retired after this long (shortened by a random 0–2.5%), never while in use; 0 never. */
  maxLifetimeMs: number;
  /** Idle connections are checked this often (a trace record, nothing more yet); 0 off. */
  keepaliveTimeMs: number;
  /** A lease held longer than this is reported as a possible leak (trace only, as HikariCP only warns); 0 off. */
  leakDetectionThresholdMs: number;
  /** Which idle connection acquire() takes: the most recently returned (lifo) or the oldest (fifo). */
  idleOrder: 'lifo' | 'fifo';
  /** Whose words an acquire timeout uses. */
  errorStyle: 'hikari' | 'pg' | 'pgbouncer' | 'undici';
}

/** HikariCP's defaults. */
export const hikariDefaults: Readonly<PoolOptions> = Object.freeze({
  poolName: 'HikariPool-1',
  maximumPoolSize: 10,
  minimumIdle: 10,
  connectionTimeoutMs: 30_000,
  idleTimeoutMs: 600_000,
  maxLifetimeMs: 1_800_000,
  keepaliveTimeMs: 0,
  leakDetectionThresholdMs: 0,
  idleOrder: 'lifo',
  errorStyle: 'hikari',
});

/** Presets by name: each a complete option set. */
export const poolPresets: Readonly<Record<string, Readonly<PoolOptions>>> = Object.freeze({
  hikari: hikariDefaults,
  /** node-postgres pg.Pool: max 10, opened on demand, idle 10 s, waits forever by default. */
  pg: { ...hikariDefaults, poolName: 'pg.Pool', minimumIdle: 0, connectionTimeoutMs: 0, idleTimeoutMs: 10_000, maxLifetimeMs: 0, errorStyle: 'pg' },
  /** PgBouncer session mode, toward the server: default_pool_size 20, query_wait_timeout 120 s, server_idle_timeout 600 s, server_lifetime 3600 s. */
  'pgbouncer-session': { ...hikariDefaults, poolName: 'pgbouncer', maximumPoolSize: 20, minimumIdle: 0, connectionTimeoutMs: 120_000, idleTimeoutMs: 600_000, maxLifetimeMs: 3_600_000, errorStyle: 'pgbouncer' },
  /** PgBouncer transaction mode: the same server pool, leased per transaction instead of per client session. */
  'pgbouncer-transaction': { ...hikariDefaults, poolName: 'pgbouncer', maximumPoolSize: 20, minimumIdle: 0, connectionTimeoutMs: 120_000, idleTimeoutMs: 600_000, maxLifetimeMs: 3_600_000, errorStyle: 'pgbouncer' },
  /** undici Pool: unlimited connections, keep-alive 4 s idle. */
  undici: { ...hikariDefaults, poolName: 'undici.Pool', maximumPoolSize: 1_000_000, minimumIdle: 0, connectionTimeoutMs: 0, idleTimeoutMs: 4_000, maxLifetimeMs: 0, errorStyle: 'undici' },
  /** nginx upstream keepalive cache: keepalive 32 idle connections kept, 60 s keepalive_timeout, new ones opened as needed. */
  'nginx-upstream': { ...hikariDefaults, poolName: 'upstream', maximumPoolSize: 1_000_000, minimumIdle: 0, connectionTimeoutMs: 0, idleTimeoutMs: 60_000, maxLifetimeMs: 0, errorStyle: 'undici' },
});

const nonNegative: (keyof PoolOptions)[] = ['minimumIdle', 'connectionTimeoutMs', 'idleTimeoutMs', 'maxLifetimeMs', 'keepaliveTimeMs', 'leakDetectionThresholdMs'];

/** A preset (default 'hikari') with `overrides` on top, checked; a bad field gets one line naming it. */
export function resolvePoolOptions(overrides: Partial<PoolOptions> & { preset?: string } = {}, what = 'pool'): PoolOptions {
  const { preset = 'hikari', ...rest } = overrides;
  const base = poolPresets[preset];
  if (!base) throw new SimError('ERR_POOL_OPTION', `${what}.preset: unknown preset '${preset}' (presets: ${Object.keys(poolPresets).join(', ')})`);
  for (const key of Object.keys(rest)) {
    if (!(key in hikariDefaults)) throw new SimError('ERR_POOL_OPTION', `${what}.${key}: not a pool option (options: ${Object.keys(hikariDefaults).join(', ')})`);
  }
  // HikariCP: minimumIdle defaults to maximumPoolSize, so a preset's fixed size follows a new maximum.
  const minimumIdle = rest.minimumIdle ?? (base.minimumIdle === base.maximumPoolSize && rest.maximumPoolSize !== undefined ? rest.maximumPoolSize : base.minimumIdle);
  const o: PoolOptions = { ...base, ...rest, minimumIdle };
  if (!Number.isSafeInteger(o.maximumPoolSize) || o.maximumPoolSize < 1) throw new SimError('ERR_POOL_OPTION', `${what}.maximumPoolSize: expected a positive integer, got ${JSON.stringify(o.maximumPoolSize)}`);
  for (const key of nonNegative) {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new SimError('ERR_POOL_OPTION', `${what}.${key}: expected a non-negative integer, got ${JSON.stringify(v)}`);
  }
  if (o.minimumIdle > o.maximumPoolSize) throw new SimError('ERR_POOL_OPTION', `${what}.minimumIdle: ${o.minimumIdle} is above maximumPoolSize ${o.maximumPoolSize}`);
  if (o.idleOrder !== 'lifo' && o.idleOrder !== 'fifo') throw new SimError('ERR_POOL_OPTION', `${what}.idleOrder: expected 'lifo' or 'fifo', got ${JSON.stringify(o.idleOrder)}`);
  if (!['hikari', 'pg', 'pgbouncer', 'undici'].includes(o.errorStyle)) throw new SimError('ERR_POOL_OPTION', `${what}.errorStyle: expected hikari, pg, pgbouncer or undici, got ${JSON.stringify(o.errorStyle)}`);
  if (typeof o.poolName !== 'string' || o.poolName.length === 0) throw new SimError('ERR_POOL_OPTION', `${what}.poolName: expected a non-empty string`);
  return o;
}
