/**
 * Errors of the PostgreSQL-like protocol as values: PgError is what the server said (an ErrorResponse, with
 * its SQLSTATE), PgClientError is what the client library concluded on its own (node-postgres' messages).
 * Socket failures stay NetErrors (ECONNRESET, ETIMEDOUT, …).
 */
import type { PgErrorFields } from './pg-codec.js';

/** SQLSTATEs faultline's server sends (PostgreSQL's errcodes.txt). */
export const SqlState = {
  /** too_many_connections: max_connections reached, or only reserved slots left. */
  TooManyConnections: '53300',
  /** invalid_password */
  InvalidPassword: '28P01',
  /** invalid_authorization_specification (pg_hba has no entry, or the auth method is unsupported) */
  InvalidAuthorization: '28000',
  /** protocol_violation */
  ProtocolViolation: '08P01',
  /** feature_not_supported (an unsupported protocol version) */
  FeatureNotSupported: '0A000',
  /** syntax_error */
  SyntaxError: '42601',
  /** admin_shutdown (the server is shutting down, or pg_terminate_backend) */
  AdminShutdown: '57P01',
  /** query_canceled (statement_timeout, pg_cancel_backend) */
  QueryCanceled: '57014',
  /** serialization_failure */
  SerializationFailure: '40001',
  /** deadlock_detected */
  DeadlockDetected: '40P01',
  /** cannot_connect_now (the database system is starting up) */
  CannotConnectNow: '57P03',
} as const;

/** PostgreSQL's words for the refusals faultline models (PostgreSQL 16; older wording noted). */
export const PgMessages = {
  /** InitProcess() found no free PGPROC: every one of max_connections slots is taken. */
  tooManyClients: 'sorry, too many clients already',
  /**
   * InitPostgres(), after authentication: a non-superuser took one of the last superuser_reserved_connections
   * slots. PostgreSQL 12–15 said "remaining connection slots are reserved for non-replication superuser
   * connections".
   */
  reservedForSuperuser: 'remaining connection slots are reserved for roles with the SUPERUSER attribute',
  passwordFailed: (user: string) => `password authentication failed for user "${user}"`,
  adminShutdown: 'terminating connection due to administrator command',
} as const;

/** An ErrorResponse from the server. A FATAL one ends the connection; an ERROR only the statement. */
export class PgError extends Error {
  override name = 'PgError';
  /** SQLSTATE ('53300'). */
  readonly code: string;
  readonly severity: 'FATAL' | 'ERROR' | 'PANIC';
  readonly detail: string | undefined;
  readonly hint: string | undefined;

  constructor(fields: PgErrorFields) {
    super(fields.message);
    this.code = fields.code;
    this.severity = fields.severity;
    this.detail = fields.detail;
    this.hint = fields.hint;
  }
}

export type PgClientErrorCode =
  /** connectTimeoutMs passed before the session was ready. */
  | 'PG_CONNECT_TIMEOUT'
  /** The server closed the connection without an ErrorResponse. */
  | 'PG_CONNECTION_TERMINATED'
  /** query() on a connection that has ended. */
  | 'PG_CONNECTION_CLOSED'
  /** The server sent something the protocol does not allow here. */
  | 'PG_PROTOCOL';

/** What the client library decides by itself, in node-postgres' words where it has them. */
export class PgClientError extends Error {
  override name = 'PgClientError';
  constructor(
    readonly code: PgClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const clientMessages = {
  connectTimeout: 'Connection terminated due to connection timeout',
  terminated: 'Connection terminated unexpectedly',
  closed: 'Client was closed and is not queryable',
} as const;
