/**
 * The database actor's options under PostgreSQL's names where it has them, with its defaults
 * (shared/reference/pools-and-proxies.md, "Database"), checked so a bad field gets one line naming it.
 */
import { distribution, type Distribution, type DistributionSpec } from '../core/distribution.js';
import { SimError } from '../core/errors.js';
import type { PgAuthMethod } from '../proto/pg-auth.js';
import { MAX_ROW_BYTES } from '../proto/pg-hints.js';

export interface DatabaseOptions {
  /** Names the metrics (`db.<name>.connections`) and trace records. */
  name: string;
  /** TCP port (PostgreSQL's 5432). */
  port: number;
  /** max_connections: backend slots, superusers' included (PostgreSQL's default 100). */
  maxConnections: number;
  /** superuser_reserved_connections: the last slots only superusers may take (default 3). */
  superuserReservedConnections: number;
  /** Users that are superusers (default ['postgres']). */
  superusers: string[];
  /** How clients authenticate: trust (no exchange), md5 (one round trip), scram-sha-256 (two; PostgreSQL 14+'s default). */
  auth: PgAuthMethod;
  /** The password every user must give; null (default) accepts any. A wrong one is FATAL 28P01. */
  password: string | null;
  /** Time to start a backend (fork, set up) after the postmaster accepts a connection; default uniform 1–3 ms. */
  backendStartup: DistributionSpec;
  /** Execution time of a query that does not give its own cost (hint costUs); default lognormal, median 2 ms. */
  queryTime: DistributionSpec;
  /** Queries that execute at once; the rest wait in FIFO order (more connections than cores means queueing). */
  cpuCores: number;
  /** Rows a query returns when it does not say (hint rows). */
  defaultRows: number;
  /** Bytes of each row's value when a query does not say (hint rowBytes). */
  defaultRowBytes: number;
  /** listen(2) backlog; default 2 × maxConnections, as PostgreSQL asks (StreamServerPort); the kernel caps it at somaxconn. */
  listenBacklog: number;
  /** server_version reported to clients. */
  serverVersion: string;
}

export const databaseDefaults: Readonly<Omit<DatabaseOptions, 'listenBacklog'>> = Object.freeze<Omit<DatabaseOptions, 'listenBacklog'>>({
  name: 'postgres',
  port: 5432,
  maxConnections: 100,
  superuserReservedConnections: 3,
  superusers: ['postgres'],
  auth: 'md5',
  password: null,
  backendStartup: { kind: 'uniform', min: '1ms', max: '3ms' },
  queryTime: { kind: 'lognormal', median: '2ms', sigma: 0.5 },
  cpuCores: 4,
  defaultRows: 1,
  defaultRowBytes: 100,
  serverVersion: '16.4',
});

/** Options resolved, with the distributions compiled. */
export interface ResolvedDatabaseOptions extends DatabaseOptions {
  backendStartupDist: Distribution;
  queryTimeDist: Distribution;
}

const bounds: Record<'port' | 'maxConnections' | 'superuserReservedConnections' | 'cpuCores' | 'defaultRows' | 'defaultRowBytes' | 'listenBacklog', [number, number]> = {
  port: [1, 65_535],
  // PostgreSQL's MAX_BACKENDS is 2^18 - 1.
  maxConnections: [1, 262_143],
  superuserReservedConnections: [0, 262_143],
  cpuCores: [1, 1024],
  defaultRows: [0, 1_000_000],
  defaultRowBytes: [0, MAX_ROW_BYTES],
  listenBacklog: [1, 1_000_000],
};

export function resolveDatabaseOptions(overrides: Partial<DatabaseOptions> = {}, what = 'database'): ResolvedDatabaseOptions {
  const known = [...Object.keys(databaseDefaults), 'listenBacklog'];
  for (const key of Object.keys(overrides)) {
    if (!known.includes(key)) throw new SimError('ERR_DB_OPTION', `${what}.${key}: not a database option (options: ${known.join(', ')})`);
  }
  const base = { ...databaseDefaults, ...overrides };
  const o: DatabaseOptions = { ...base, superusers: [...base.superusers], listenBacklog: overrides.listenBacklog ?? 2 * base.maxConnections };
  for (const [key, [min, max]] of Object.entries(bounds) as [keyof typeof bounds, [number, number]][]) {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new SimError('ERR_DB_OPTION', `${what}.${key}: expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  // PostgreSQL refuses to start unless superuser_reserved_connections < max_connections.
  if (o.superuserReservedConnections >= o.maxConnections) {
    throw new SimError('ERR_DB_OPTION', `${what}.superuserReservedConnections: ${o.superuserReservedConnections} must be less than maxConnections ${o.maxConnections}`);
  }
  if (typeof o.name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(o.name)) throw new SimError('ERR_DB_OPTION', `${what}.name: expected letters, digits, _ or -, got ${JSON.stringify(o.name)}`);
  if (!Array.isArray(o.superusers) || o.superusers.some((u) => typeof u !== 'string' || u.length === 0)) throw new SimError('ERR_DB_OPTION', `${what}.superusers: expected a list of user names`);
  if (!['trust', 'md5', 'scram-sha-256'].includes(o.auth)) throw new SimError('ERR_DB_OPTION', `${what}.auth: expected trust, md5 or scram-sha-256, got ${JSON.stringify(o.auth)}`);
  if (o.password !== null && typeof o.password !== 'string') throw new SimError('ERR_DB_OPTION', `${what}.password: expected a string or null`);
  if (typeof o.serverVersion !== 'string' || o.serverVersion.length === 0) throw new SimError('ERR_DB_OPTION', `${what}.serverVersion: expected a non-empty string`);
  return { ...o, backendStartupDist: compile(o.backendStartup, `${what}.backendStartup`), queryTimeDist: compile(o.queryTime, `${what}.queryTime`) };
}

function compile(spec: DistributionSpec, what: string): Distribution {
  try {
    return distribution(spec, what);
  } catch (err) {
    if (err instanceof Error) throw new SimError('ERR_DB_OPTION', err.message);
    throw err;
  }
}
