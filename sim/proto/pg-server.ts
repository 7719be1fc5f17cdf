/**
 * The server side of one PostgreSQL-like connection (a backend's protocol loop): reads the startup packet,
 * runs the authentication exchange, answers simple queries and Terminate, and sends results through a
 * PostgreSQL-sized output buffer with the socket's backpressure. What the connection may do (claim a slot,
 * run a query, and for how long) is the handler's decision: the database actor.
 *
 * Like a real backend, a session reads nothing while it is busy: the socket is paused, so a client that
 * pipelines fills the TCP window, and a client that leaves during a query is noticed only when the query is
 * done (or when the client's RST arrives).
 */
import type { RandomStream } from '../core/random.js';
import type { NetError } from '../net/errors.js';
import type { Socket } from '../net/tcp/socket.js';
import { md5Response, md5Salt, SCRAM_MECHANISM, scramProof, scramServerFinal, scramServerFirst, type PgAuthMethod } from './pg-auth.js';
import {
  AuthCode,
  BodyReader,
  DATA_ROW_OVERHEAD_BYTES,
  decodeCString,
  decodeStartup,
  decodeText,
  encodeAuthMD5,
  encodeAuthOk,
  encodeAuthSasl,
  encodeAuthSaslData,
  encodeBackendKeyData,
  encodeCommandComplete,
  encodeEmptyQueryResponse,
  encodeErrorResponse,
  encodeParameterStatus,
  encodeReadyForQuery,
  encodeRowDescription,
  MessageType,
  PG_SEND_BUFFER_BYTES,
  PgDecoder,
  PgProtocolError,
  PROTOCOL_VERSION_3,
  SSL_REQUEST_CODE,
  type PgErrorFields,
  type PgFrame,
} from './pg-codec.js';
import { SqlState, PgMessages } from './pg-errors.js';
import { parseHints, type PgQueryHints } from './pg-hints.js';

/** A simple query as the server received it. */
export interface PgServerQuery {
  sql: string;
  hints: PgQueryHints;
}

/** What a query produced: rows of one text column, or an ERROR. */
export type PgQueryOutcome = { rows: number; rowBytes: number } | { error: PgErrorFields };

/** Why a session ended. */
export type PgSessionEnd =
  | { kind: 'terminate' }
  | { kind: 'fatal'; error: PgErrorFields }
  | { kind: 'disconnect'; error: NetError | null };

/** The database's side of a session: every decision about resources. */
export interface PgSessionHandler {
  /** The startup packet is read (PostgreSQL's InitProcess): null goes on to authentication, a FATAL refuses. */
  startup(session: PgServerSession): PgErrorFields | null;
  /** Authentication passed (InitPostgres' reserved-slot check): null admits the session, a FATAL refuses it. */
  authenticated(session: PgServerSession): PgErrorFields | null;
  /** Runs a query; calls `done` once when it has executed. Its rows are sent after that. */
  query(session: PgServerSession, query: PgServerQuery, done: (outcome: PgQueryOutcome) => void): void;
  /** The session is over and its backend exits; called exactly once. */
  ended(session: PgServerSession, why: PgSessionEnd): void;
}

export interface PgServerSessionOptions {
  auth: PgAuthMethod;
  /** The password every user must give; null accepts any (as pg_hba's md5 with a matching password would). */
  password: string | null;
  /** Salts and nonces. */
  random: RandomStream;
  /** BackendKeyData. */
  pid: number;
  secretKey: number;
  /** ParameterStatus messages sent after authentication, besides application_name, is_superuser and session_authorization. */
  parameters: readonly (readonly [string, string])[];
  superuser: (user: string) => boolean;
}

type State = 'forking' | 'startup' | 'auth-md5' | 'auth-sasl-initial' | 'auth-sasl-final' | 'idle' | 'busy' | 'sending' | 'closed';

/** Column name PostgreSQL gives an unnamed expression. */
const COLUMN = '?column?';
// put() copies what it is given, so the messages every query sends are encoded once.
const READY_IDLE = encodeReadyForQuery('I');
const ROW_DESCRIPTION = encodeRowDescription([COLUMN]);
/** CommandComplete for `SELECT n`, by n: a run returns a few row counts over and over. Bounded. */
const selectTags = new Map<number, Uint8Array>();
function selectComplete(rows: number): Uint8Array {
  let bytes = selectTags.get(rows);
  if (bytes === undefined) {
    bytes = encodeCommandComplete(`SELECT ${rows}`);
    if (selectTags.size < 1024) selectTags.set(rows, bytes);
  }
  return bytes;
}
const FILL_BYTE = 0x78; // 'x'

export class PgServerSession {
  /** From the startup packet. */
  user = '';
  database = '';
  params: Record<string, string> = {};
  private state: State = 'forking';
  private readonly decoder = new PgDecoder(true);
  private out = new Uint8Array(PG_SEND_BUFFER_BYTES);
  private outLen = 0;
  /** The socket's send buffer is full: wait for 'drain' before producing more rows. */
  private blocked = false;
  private processing = false;
  private salt: Uint8Array | null = null;
  private scram: { nonce: string; salt: string } | null = null;
  private result: { rowsLeft: number; rowBytes: number; valueLeft: number; rows: number } | null = null;
  /** The client left while a query ran; the session ends when the query is done. */
  private clientGone: NetError | null | undefined = undefined;

  constructor(
    readonly socket: Socket,
    private readonly options: PgServerSessionOptions,
    private readonly handler: PgSessionHandler,
  ) {
    socket.pause();
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('drain', () => {
      if (!this.blocked) return;
      this.blocked = false;
      this.pump();
    });
    socket.on('error', (err) => this.onGone(err));
    socket.on('end', () => this.onGone(null));
    socket.on('close', () => this.onGone(null));
  }

  /** True once the session has ended. */
  get closed(): boolean {
    return this.state === 'closed';
  }

  /** The backend process is up (the fork is done): it starts reading the startup packet. */
  begin(): void {
    if (this.state !== 'forking') return;
    this.state = 'startup';
    this.process();
  }

  /**
   * Ends the session from the server's side with a FATAL (fast shutdown, pg_terminate_backend): the client
   * gets the ErrorResponse, then FIN. A query running now is abandoned. Mid-result, a message may be half
   * sent, so the connection just closes.
   */
  terminate(error: PgErrorFields): void {
    if (this.state === 'closed') return;
    if (this.state === 'sending') {
      this.outLen = 0;
      return this.end({ kind: 'fatal', error });
    }
    this.fatal(error);
  }

  // ---- Reading ----

  private onData(chunk: Uint8Array): void {
    if (this.state === 'closed') return;
    this.decoder.push(chunk);
    this.process();
  }

  /**
   * Handles buffered messages while the state reads any. Resuming the socket may deliver data at once, into
   * onData and back here: the guard makes that a no-op, and this loop finds the messages.
   */
  private process(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      if (this.reading()) this.socket.resume();
      while (this.reading()) {
        const frame = this.decoder.next();
        if (frame === null) break;
        this.handle(frame);
      }
    } catch (err) {
      if (!(err instanceof PgProtocolError)) throw err;
      this.fatal({ severity: 'FATAL', code: SqlState.ProtocolViolation, message: err.message });
    } finally {
      this.processing = false;
    }
    if (!this.reading() && this.state !== 'closed') this.socket.pause();
  }

  private reading(): boolean {
    const s = this.state;
    return s === 'startup' || s === 'auth-md5' || s === 'auth-sasl-initial' || s === 'auth-sasl-final' || s === 'idle';
  }

  private handle(frame: PgFrame): void {
    switch (this.state) {
      case 'startup':
        return this.onStartup(frame);
      case 'auth-md5':
      case 'auth-sasl-initial':
      case 'auth-sasl-final':
        if (frame.type !== MessageType.Password) {
          return this.fatal({ severity: 'FATAL', code: SqlState.ProtocolViolation, message: `expected password response, got message type ${frame.type}` });
        }
        return this.onPassword(frame.body);
      case 'idle':
        return this.onIdleMessage(frame);
      default:
        throw new Error(`pg session: a message in state ${this.state}`);
    }
  }

  private onStartup(frame: PgFrame): void {
    const { code, params } = decodeStartup(frame.body);
    if (code === SSL_REQUEST_CODE) {
      // No TLS here: 'N', and the client goes on in the clear with a StartupMessage.
      this.socket.write(new Uint8Array([0x4e]));
      return;
    }
    if (code !== PROTOCOL_VERSION_3) {
      return this.fatal({ severity: 'FATAL', code: SqlState.FeatureNotSupported, message: `unsupported frontend protocol ${code >>> 16}.${code & 0xffff}: server supports 3.0 to 3.0` });
    }
    this.decoder.expectUntyped = false;
    this.params = params;
    if (!params.user) return this.fatal({ severity: 'FATAL', code: SqlState.InvalidAuthorization, message: 'no PostgreSQL user name specified in startup packet' });
    this.user = params.user;
    this.database = params.database ?? params.user;
    const refusal = this.handler.startup(this);
    if (refusal) return this.fatal(refusal);
    if (this.state === 'closed') return;
    switch (this.options.auth) {
      case 'trust':
        return this.authenticated();
      case 'md5':
        this.salt = md5Salt(this.options.random);
        this.state = 'auth-md5';
        this.put(encodeAuthMD5(this.salt));
        return this.flush();
      case 'scram-sha-256':
        this.state = 'auth-sasl-initial';
        this.put(encodeAuthSasl([SCRAM_MECHANISM]));
        return this.flush();
    }
  }

  private onPassword(body: Uint8Array): void {
    const password = this.options.password;
    const failed = (): void => this.fatal({ severity: 'FATAL', code: SqlState.InvalidPassword, message: PgMessages.passwordFailed(this.user) });
    if (this.state === 'auth-md5') {
      const answer = decodeCString(body);
      if (password !== null && answer !== md5Response(this.user, password, this.salt!)) return failed();
      return this.authenticated();
    }
    if (this.state === 'auth-sasl-initial') {
      const r = new BodyReader(body);
      const mechanism = r.cstring();
      const length = r.int32();
      const data = decodeText(r.bytes(length));
      if (mechanism !== SCRAM_MECHANISM) return this.fatal({ severity: 'FATAL', code: SqlState.ProtocolViolation, message: 'client selected an invalid SASL authentication mechanism' });
      const m = /^n,,n=[^,]*,r=([^,]+)$/.exec(data);
      if (!m) return this.fatal({ severity: 'FATAL', code: SqlState.ProtocolViolation, message: 'malformed SCRAM message' });
      const first = scramServerFirst(m[1]!, this.options.random);
      this.scram = { nonce: first.nonce, salt: first.salt };
      this.state = 'auth-sasl-final';
      this.put(encodeAuthSaslData(AuthCode.SASLContinue, first.message));
      return this.flush();
    }
    // auth-sasl-final
    const data = decodeText(body);
    const m = /^c=biws,r=([^,]+),p=([^,]+)$/.exec(data);
    const scram = this.scram!;
    if (!m || m[1] !== scram.nonce) return this.fatal({ severity: 'FATAL', code: SqlState.ProtocolViolation, message: 'malformed SCRAM message' });
    if (password !== null && m[2] !== scramProof(password, scram.nonce, scram.salt)) return failed();
    this.put(encodeAuthSaslData(AuthCode.SASLFinal, scramServerFinal(password ?? '', scram.nonce, scram.salt)));
    this.authenticated();
  }

  /** AuthenticationOk, then the reserved-slot check, then the session's parameters and ReadyForQuery. */
  private authenticated(): void {
    this.put(encodeAuthOk());
    const refusal = this.handler.authenticated(this);
    if (refusal) return this.fatal(refusal);
    if (this.state === 'closed') return;
    this.put(encodeParameterStatus('application_name', this.params.application_name ?? ''));
    for (const [name, value] of this.options.parameters) this.put(encodeParameterStatus(name, value));
    this.put(encodeParameterStatus('is_superuser', this.options.superuser(this.user) ? 'on' : 'off'));
    this.put(encodeParameterStatus('session_authorization', this.user));
    this.put(encodeBackendKeyData(this.options.pid, this.options.secretKey));
    this.put(READY_IDLE);
    this.state = 'idle';
    this.flush();
  }

  private onIdleMessage(frame: PgFrame): void {
    switch (frame.type) {
      case MessageType.Query:
        return this.onQuery(decodeCString(frame.body));
      case MessageType.Terminate:
        this.state = 'closed';
        this.endSocket();
        this.handler.ended(this, { kind: 'terminate' });
        return;
      default:
        return this.fatal({ severity: 'FATAL', code: SqlState.ProtocolViolation, message: `invalid frontend message type ${frame.type}` });
    }
  }

  private onQuery(sql: string): void {
    if (sql.trim() === '') {
      this.put(encodeEmptyQueryResponse());
      this.put(READY_IDLE);
      return this.flush();
    }
    const parsed = parseHints(sql);
    if ('problem' in parsed) {
      this.put(encodeErrorResponse({ severity: 'ERROR', code: SqlState.SyntaxError, message: `faultline hint: ${parsed.problem}` }));
      this.put(READY_IDLE);
      return this.flush();
    }
    this.state = 'busy';
    let called = false;
    this.handler.query(this, { sql, hints: parsed.hints }, (outcome) => {
      if (called) throw new Error('pg session: query done() called twice');
      called = true;
      this.executed(outcome);
    });
  }

  private executed(outcome: PgQueryOutcome): void {
    if (this.state === 'closed') return;
    if (this.clientGone !== undefined) return this.end({ kind: 'disconnect', error: this.clientGone });
    if ('error' in outcome) {
      this.put(encodeErrorResponse(outcome.error));
      this.finishQuery();
      return;
    }
    this.state = 'sending';
    this.put(ROW_DESCRIPTION);
    this.result = { rowsLeft: outcome.rows, rowBytes: outcome.rowBytes, valueLeft: 0, rows: outcome.rows };
    this.pump();
  }

  /** Produces DataRows into the output buffer until done or the socket pushes back. */
  private pump(): void {
    const r = this.result;
    if (!r || this.state !== 'sending') return;
    while (!this.blocked && (r.rowsLeft > 0 || r.valueLeft > 0)) {
      if (r.valueLeft === 0) {
        this.putDataRowHeader(r.rowBytes);
        r.valueLeft = r.rowBytes;
        r.rowsLeft--;
        continue;
      }
      const n = Math.min(r.valueLeft, PG_SEND_BUFFER_BYTES - this.outLen);
      this.out.fill(FILL_BYTE, this.outLen, this.outLen + n);
      this.outLen += n;
      r.valueLeft -= n;
      if (this.outLen === PG_SEND_BUFFER_BYTES) this.flush();
    }
    if (this.blocked || r.rowsLeft > 0 || r.valueLeft > 0 || this.state !== 'sending') return;
    this.result = null;
    this.put(selectComplete(r.rows));
    this.finishQuery();
  }

  private finishQuery(): void {
    this.put(READY_IDLE);
    this.flush();
    if (this.state === 'closed') return;
    this.state = 'idle';
    this.process();
  }

  // ---- Writing ----

  /** Appends a message, flushing each time the buffer fills (PostgreSQL's internal_putbytes). */
  private put(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.byteLength) {
      const n = Math.min(bytes.byteLength - at, PG_SEND_BUFFER_BYTES - this.outLen);
      this.out.set(bytes.subarray(at, at + n), this.outLen);
      this.outLen += n;
      at += n;
      if (this.outLen === PG_SEND_BUFFER_BYTES) this.flush();
    }
  }

  private putDataRowHeader(valueBytes: number): void {
    if (PG_SEND_BUFFER_BYTES - this.outLen < DATA_ROW_OVERHEAD_BYTES) {
      const h = new Uint8Array(DATA_ROW_OVERHEAD_BYTES);
      writeDataRowHeader(h, 0, valueBytes);
      this.put(h);
      return;
    }
    writeDataRowHeader(this.out, this.outLen, valueBytes);
    this.outLen += DATA_ROW_OVERHEAD_BYTES;
    if (this.outLen === PG_SEND_BUFFER_BYTES) this.flush();
  }

  private flush(): void {
    if (this.outLen === 0) return;
    // The socket keeps what it is given, so it gets a copy of just the bytes written; the buffer is reused.
    const chunk = this.out.slice(0, this.outLen);
    this.outLen = 0;
    if (this.state === 'closed' || this.socket.destroyed || this.socket.writableEnded) return;
    if (!this.socket.write(chunk)) this.blocked = true;
  }

  private fatal(error: PgErrorFields): void {
    this.put(encodeErrorResponse(error));
    this.flush();
    this.state = 'closed';
    this.endSocket();
    this.handler.ended(this, { kind: 'fatal', error });
  }

  private endSocket(): void {
    this.result = null;
    if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.end();
  }

  /** The client went away (FIN, RST, or the socket closed). */
  private onGone(err: NetError | null): void {
    if (this.state === 'closed') return;
    if (this.state === 'busy') {
      // The backend finds out when its query is done, as PostgreSQL does when it next touches the socket.
      if (this.clientGone === undefined || (this.clientGone === null && err)) this.clientGone = err;
      return;
    }
    this.end({ kind: 'disconnect', error: err });
  }

  private end(why: PgSessionEnd): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.endSocket();
    this.handler.ended(this, why);
  }
}

function writeDataRowHeader(buf: Uint8Array, at: number, valueBytes: number): void {
  const v = new DataView(buf.buffer, buf.byteOffset + at, DATA_ROW_OVERHEAD_BYTES);
  v.setUint8(0, MessageType.DataRow);
  v.setInt32(1, DATA_ROW_OVERHEAD_BYTES - 1 + valueBytes);
  v.setInt16(5, 1);
  v.setInt32(7, valueBytes);
}
