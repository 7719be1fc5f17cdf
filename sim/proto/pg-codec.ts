/**
 * PostgreSQL's wire framing (protocol 3.0): every message is a 1-byte type, a 4-byte big-endian length that
 * counts itself and the payload but not the type, then the payload; the client's first message (the
 * StartupMessage, or an SSLRequest) has no type byte. Encoders for the messages faultline speaks and an
 * incremental decoder that takes socket chunks of any size.
 *
 * Source: PostgreSQL documentation, "Frontend/Backend Protocol" (protocol-message-formats).
 */

/** Protocol 3.0 in a StartupMessage: major 3 in the high 16 bits, minor 0. */
export const PROTOCOL_VERSION_3 = 196_608;
/** The "protocol version" an SSLRequest carries (1234 << 16 | 5679). */
export const SSL_REQUEST_CODE = 80_877_103;
/** PostgreSQL refuses a startup packet longer than this (MAX_STARTUP_PACKET_LENGTH). */
export const MAX_STARTUP_PACKET_BYTES = 10_000;
/** The largest message either side accepts: PostgreSQL's MaxAllocSize - 1 (1 GiB - 1). */
export const MAX_MESSAGE_BYTES = 0x3fff_ffff;
/** PostgreSQL's backend send buffer (PqSendBuffer, PQ_SEND_BUFFER_SIZE): output is flushed in pieces this big. */
export const PG_SEND_BUFFER_BYTES = 8192;

/** Message type bytes, by PostgreSQL's names. */
export const MessageType = {
  // Frontend (client → server).
  Password: 0x70, // 'p': PasswordMessage, SASLInitialResponse, SASLResponse
  Query: 0x51, // 'Q'
  Terminate: 0x58, // 'X'
  // Backend (server → client).
  Authentication: 0x52, // 'R'
  ParameterStatus: 0x53, // 'S'
  BackendKeyData: 0x4b, // 'K'
  ReadyForQuery: 0x5a, // 'Z'
  RowDescription: 0x54, // 'T'
  DataRow: 0x44, // 'D'
  CommandComplete: 0x43, // 'C'
  EmptyQueryResponse: 0x49, // 'I'
  ErrorResponse: 0x45, // 'E'
  NoticeResponse: 0x4e, // 'N'
} as const;

/** The type byte the decoder reports for a message that has none (StartupMessage, SSLRequest). */
export const UNTYPED = 0;

/** Authentication request codes ('R' messages). */
export const AuthCode = {
  Ok: 0,
  MD5Password: 5,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const;

/** Header bytes of a typed message: the type and the length. */
export const HEADER_BYTES = 5;
/** Bytes a DataRow with one non-null column adds to its value: header 5, column count 2, value length 4. */
export const DATA_ROW_OVERHEAD_BYTES = 11;

/** A malformed or oversized message: the connection cannot go on (PostgreSQL answers 08P01 and closes). */
export class PgProtocolError extends Error {
  override name = 'PgProtocolError';
  readonly code = '08P01';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Builds one message: the type (none for startup), a length filled in at the end, then fields. */
export class MessageBuilder {
  private buf: Uint8Array;
  private view: DataView;
  private at: number;
  private readonly bodyStart: number;

  constructor(type: number | null, sizeHint = 64) {
    this.buf = new Uint8Array(Math.max(16, sizeHint + HEADER_BYTES));
    this.view = new DataView(this.buf.buffer);
    if (type === null) {
      this.bodyStart = 0;
    } else {
      this.buf[0] = type;
      this.bodyStart = 1;
    }
    this.at = this.bodyStart + 4;
  }

  int8(v: number): this {
    this.room(1);
    this.buf[this.at++] = v;
    return this;
  }

  int16(v: number): this {
    this.room(2);
    this.view.setInt16(this.at, v);
    this.at += 2;
    return this;
  }

  int32(v: number): this {
    this.room(4);
    this.view.setInt32(this.at, v);
    this.at += 4;
    return this;
  }

  /** A NUL-terminated UTF-8 string (PostgreSQL's String). */
  cstring(s: string): this {
    const bytes = encoder.encode(s);
    this.bytes(bytes);
    return this.int8(0);
  }

  bytes(b: Uint8Array): this {
    this.room(b.byteLength);
    this.buf.set(b, this.at);
    this.at += b.byteLength;
    return this;
  }

  /** The finished message (its length field written). */
  finish(): Uint8Array {
    this.view.setInt32(this.bodyStart, this.at - this.bodyStart);
    return this.buf.subarray(0, this.at);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}

// ---- Frontend messages ----

/** StartupMessage: protocol 3.0 and parameters (user, database, …), no type byte. */
export function encodeStartup(params: Readonly<Record<string, string>>): Uint8Array {
  const b = new MessageBuilder(null).int32(PROTOCOL_VERSION_3);
  for (const [k, v] of Object.entries(params)) b.cstring(k).cstring(v);
  return b.int8(0).finish();
}

/** PasswordMessage ('p'): the password or its hash, as a string. */
export function encodePassword(password: string): Uint8Array {
  return new MessageBuilder(MessageType.Password).cstring(password).finish();
}

/** SASLInitialResponse ('p'): the mechanism and the client-first message. */
export function encodeSaslInitial(mechanism: string, data: string): Uint8Array {
  const bytes = encoder.encode(data);
  return new MessageBuilder(MessageType.Password, bytes.byteLength + 32).cstring(mechanism).int32(bytes.byteLength).bytes(bytes).finish();
}

/** SASLResponse ('p'): the client-final message, bare. */
export function encodeSaslResponse(data: string): Uint8Array {
  return new MessageBuilder(MessageType.Password).bytes(encoder.encode(data)).finish();
}

export function encodeQuery(sql: string): Uint8Array {
  const bytes = encoder.encode(sql);
  return new MessageBuilder(MessageType.Query, bytes.byteLength + 1).bytes(bytes).int8(0).finish();
}

export function encodeTerminate(): Uint8Array {
  return new MessageBuilder(MessageType.Terminate, 0).finish();
}

// ---- Backend messages ----

export function encodeAuthOk(): Uint8Array {
  return new MessageBuilder(MessageType.Authentication).int32(AuthCode.Ok).finish();
}

/** AuthenticationMD5Password with its 4-byte salt. */
export function encodeAuthMD5(salt: Uint8Array): Uint8Array {
  return new MessageBuilder(MessageType.Authentication).int32(AuthCode.MD5Password).bytes(salt).finish();
}

/** AuthenticationSASL: the mechanisms offered, each a string, then an empty one. */
export function encodeAuthSasl(mechanisms: readonly string[]): Uint8Array {
  const b = new MessageBuilder(MessageType.Authentication).int32(AuthCode.SASL);
  for (const m of mechanisms) b.cstring(m);
  return b.int8(0).finish();
}

/** AuthenticationSASLContinue / AuthenticationSASLFinal with their mechanism data. */
export function encodeAuthSaslData(code: typeof AuthCode.SASLContinue | typeof AuthCode.SASLFinal, data: string): Uint8Array {
  return new MessageBuilder(MessageType.Authentication).int32(code).bytes(encoder.encode(data)).finish();
}

export function encodeParameterStatus(name: string, value: string): Uint8Array {
  return new MessageBuilder(MessageType.ParameterStatus).cstring(name).cstring(value).finish();
}

export function encodeBackendKeyData(pid: number, secretKey: number): Uint8Array {
  return new MessageBuilder(MessageType.BackendKeyData).int32(pid).int32(secretKey).finish();
}

/** ReadyForQuery with the transaction status: 'I' idle, 'T' in a transaction, 'E' in a failed one. */
export function encodeReadyForQuery(status: 'I' | 'T' | 'E' = 'I'): Uint8Array {
  return new MessageBuilder(MessageType.ReadyForQuery).int8(status.charCodeAt(0)).finish();
}

/** RowDescription for text columns (type text, oid 25), in the text format. */
export function encodeRowDescription(columns: readonly string[]): Uint8Array {
  const b = new MessageBuilder(MessageType.RowDescription).int16(columns.length);
  for (const name of columns) b.cstring(name).int32(0).int16(0).int32(25).int16(-1).int32(-1).int16(0);
  return b.finish();
}

/** The header of a one-column DataRow whose value is `valueBytes` long (the value follows). */
export function encodeDataRowHeader(valueBytes: number): Uint8Array {
  const out = new Uint8Array(DATA_ROW_OVERHEAD_BYTES);
  const v = new DataView(out.buffer);
  out[0] = MessageType.DataRow;
  v.setInt32(1, DATA_ROW_OVERHEAD_BYTES - 1 + valueBytes);
  v.setInt16(5, 1);
  v.setInt32(7, valueBytes);
  return out;
}

export function encodeCommandComplete(tag: string): Uint8Array {
  return new MessageBuilder(MessageType.CommandComplete).cstring(tag).finish();
}

export function encodeEmptyQueryResponse(): Uint8Array {
  return new MessageBuilder(MessageType.EmptyQueryResponse, 0).finish();
}

/** The fields of an ErrorResponse (and NoticeResponse), by PostgreSQL's field names. */
export interface PgErrorFields {
  /** 'FATAL' ends the session; 'ERROR' ends the statement. */
  severity: 'FATAL' | 'ERROR' | 'PANIC';
  /** SQLSTATE, five characters ('53300'). */
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

/** ErrorResponse: S (severity), V (the same, never localized), C (SQLSTATE), M (message), D, H; then a 0. */
export function encodeErrorResponse(e: PgErrorFields): Uint8Array {
  const b = new MessageBuilder(MessageType.ErrorResponse, 64 + e.message.length);
  b.int8(0x53).cstring(e.severity).int8(0x56).cstring(e.severity).int8(0x43).cstring(e.code).int8(0x4d).cstring(e.message);
  if (e.detail !== undefined) b.int8(0x44).cstring(e.detail);
  if (e.hint !== undefined) b.int8(0x48).cstring(e.hint);
  return b.int8(0).finish();
}

// ---- Decoding ----

/** One decoded message: its type byte (UNTYPED for startup) and its payload. */
export interface PgFrame {
  type: number;
  /** The payload, a view valid until the decoder's next push(). */
  body: Uint8Array;
  /** Bytes on the wire: header and payload. */
  wireBytes: number;
}

/**
 * Splits a byte stream into messages as chunks arrive. A server's decoder starts in startup mode (the first
 * message has no type byte) and leaves it when told, since an SSLRequest is followed by another untyped
 * message. Buffers at most one incomplete message plus the chunk that completed it; a length beyond the
 * bound is a protocol error.
 */
export class PgDecoder {
  private buf = new Uint8Array(1024);
  private start = 0;
  private end = 0;

  constructor(
    /** True while the next message is untyped (server side, before the StartupMessage). */
    public expectUntyped = false,
    private readonly maxMessageBytes = MAX_MESSAGE_BYTES,
  ) {}

  /** Bytes received and not yet returned as messages. */
  get bufferedBytes(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): void {
    const n = chunk.byteLength;
    if (this.end + n > this.buf.length) {
      const live = this.end - this.start;
      if (live + n <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const next = new Uint8Array(Math.max(this.buf.length * 2, live + n));
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += n;
  }

  /** The next complete message, or null until more bytes come. Throws PgProtocolError on a bad length. */
  next(): PgFrame | null {
    const avail = this.end - this.start;
    const typed = !this.expectUntyped;
    const headerBytes = typed ? HEADER_BYTES : 4;
    if (avail < headerBytes) return null;
    const at = this.start + (typed ? 1 : 0);
    const b = this.buf;
    const length = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
    const limit = typed ? this.maxMessageBytes : MAX_STARTUP_PACKET_BYTES;
    if (length < 4 || length > limit) throw new PgProtocolError(typed ? `invalid message length ${length}` : `invalid length of startup packet ${length}`);
    const total = length + (typed ? 1 : 0);
    if (avail < total) return null;
    const frame: PgFrame = { type: typed ? b[this.start]! : UNTYPED, body: b.subarray(at + 4, this.start + total), wireBytes: total };
    this.start += total;
    if (this.start === this.end) this.start = this.end = 0;
    return frame;
  }
}

/** Reads fields out of a message payload in order. */
export class BodyReader {
  private at = 0;
  private readonly view: DataView;

  constructor(private readonly body: Uint8Array) {
    this.view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  }

  get remaining(): number {
    return this.body.byteLength - this.at;
  }

  int8(): number {
    this.need(1);
    return this.body[this.at++]!;
  }

  int16(): number {
    this.need(2);
    const v = this.view.getInt16(this.at);
    this.at += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.view.getInt32(this.at);
    this.at += 4;
    return v;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.body.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  /** The rest of the payload. */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  cstring(): string {
    const nul = this.body.indexOf(0, this.at);
    if (nul < 0) throw new PgProtocolError('invalid string in message');
    const s = decoder.decode(this.body.subarray(this.at, nul));
    this.at = nul + 1;
    return s;
  }

  private need(n: number): void {
    if (this.at + n > this.body.byteLength) throw new PgProtocolError('insufficient data left in message');
  }
}

/** A StartupMessage's payload: its protocol code and parameters (or an SSLRequest: code only). */
export function decodeStartup(body: Uint8Array): { code: number; params: Record<string, string> } {
  const r = new BodyReader(body);
  const code = r.int32();
  const params: Record<string, string> = {};
  if (code !== PROTOCOL_VERSION_3) return { code, params };
  for (;;) {
    const key = r.cstring();
    if (key === '') break;
    params[key] = r.cstring();
  }
  return { code, params };
}

/** An ErrorResponse's payload as fields (unknown field types are skipped, as libpq does). */
export function decodeErrorResponse(body: Uint8Array): PgErrorFields {
  const r = new BodyReader(body);
  const f: Record<string, string> = {};
  for (let t = r.int8(); t !== 0; t = r.int8()) f[String.fromCharCode(t)] = r.cstring();
  const severity = (f.V ?? f.S ?? 'ERROR') as PgErrorFields['severity'];
  const out: PgErrorFields = { severity, code: f.C ?? 'XX000', message: f.M ?? '' };
  if (f.D !== undefined) out.detail = f.D;
  if (f.H !== undefined) out.hint = f.H;
  return out;
}

/** A payload that is one NUL-terminated string (Query, PasswordMessage, CommandComplete). */
export function decodeCString(body: Uint8Array): string {
  return new BodyReader(body).cstring();
}

/** A payload's bytes as UTF-8 text (SASL data). */
export function decodeText(body: Uint8Array): string {
  return decoder.decode(body);
}
