/**
 * HTTP/1.1 framing (RFC 9112): message heads as real text on the wire, bodies as a byte count carried as
 * that many zero bytes, so a message's size decides how many TCP segments it takes. The decoder is fed
 * socket chunks as they come (a chunk may hold part of a head, a head and part of a body, or several
 * messages) and hands back one complete message at a time, leaving later bytes buffered.
 *
 * Error codes are llhttp's (Node's parser), so a malformed message fails the way users have seen it fail.
 */

/** Lower-cased header names to values; repeated headers are joined with ', ' (RFC 9110 §5.3). */
export type HttpHeaders = Record<string, string>;

export interface RequestHead {
  method: string;
  path: string;
  /** '1.0' or '1.1'. */
  version: string;
  headers: HttpHeaders;
}

export interface ResponseHead {
  status: number;
  reason: string;
  version: string;
  headers: HttpHeaders;
}

/** How the body after a head is delimited. 'eof': until the connection closes (a response without Content-Length). */
export type BodyFraming = { kind: 'length'; bytes: number } | { kind: 'eof' };

export interface DecodedMessage<H> {
  head: H;
  bodyBytes: number;
}

/** Node's http parser error codes (llhttp), with its messages. */
export type HttpParseErrorCode =
  | 'HPE_INVALID_METHOD'
  | 'HPE_INVALID_URL'
  | 'HPE_INVALID_VERSION'
  | 'HPE_INVALID_CONSTANT'
  | 'HPE_INVALID_STATUS'
  | 'HPE_INVALID_HEADER_TOKEN'
  | 'HPE_INVALID_CONTENT_LENGTH'
  | 'HPE_UNEXPECTED_CONTENT_LENGTH'
  | 'HPE_INVALID_TRANSFER_ENCODING'
  | 'HPE_HEADER_OVERFLOW';

/** A message that is not HTTP/1.1 as this parser reads it. */
export class HttpParseError extends Error {
  override name = 'Error';
  constructor(
    readonly code: HttpParseErrorCode,
    reason: string,
  ) {
    super(`Parse Error: ${reason}`);
  }
}

/** Node's default --max-http-header-size: a head larger than this is refused (431 from a server). */
export const MAX_HEAD_BYTES_DEFAULT = 16_384;

/** Methods llhttp accepts (the common ones; WebDAV and the rest are not modelled). */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
/** RFC 9110 §5.6.2 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible ASCII, Latin-1, space and tab: what a field value may hold (RFC 9110 §5.5, obs-text). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export const STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
  100: 'Continue',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
});

export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

// ---- Encoding ----

/** Thrown for a header name or value that cannot go on the wire (Node's ERR_INVALID_HTTP_TOKEN / ERR_INVALID_CHAR). */
export class HttpEncodeError extends TypeError {
  constructor(
    readonly code: 'ERR_INVALID_HTTP_TOKEN' | 'ERR_INVALID_CHAR',
    message: string,
  ) {
    super(message);
  }
}

const asciiEncoder = new TextEncoder();
const asciiDecoder = new TextDecoder();
const ASCII = /^[\x00-\x7f]*$/;

/** Latin-1 bytes of a head (every character is one byte, as on the wire). */
function latin1(text: string): Uint8Array {
  // Heads are nearly always ASCII, where UTF-8 is Latin-1 and the native encoder is much faster than a loop.
  if (ASCII.test(text)) return asciiEncoder.encode(text);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * Bytes [from, to) as text, one character per byte (Latin-1), in slices small enough for fromCharCode's
 * arguments; `ascii` (no byte above 0x7f) lets the native decoder do it (TextDecoder's 'latin1' is
 * windows-1252, which differs from Latin-1 in 0x80-0x9f, so it is not used).
 */
function latin1Text(bytes: Uint8Array, from: number, to: number, ascii = false): string {
  if (ascii) return asciiDecoder.decode(bytes.subarray(from, to));
  let out = '';
  for (let at = from; at < to; at += 8192) out += String.fromCharCode.apply(null, bytes.subarray(at, Math.min(to, at + 8192)) as unknown as number[]);
  return out;
}

/**
 * Header names already checked, each to its lower-case form: a run writes and reads the same few dozen names
 * millions of times. Bounded, as quotedName's cache.
 */
const knownNames = new Map<string, string>();
const KNOWN_NAMES_MAX = 10_000;

/** The lower-case form of a header name that is a token (RFC 9110 §5.6.2), else undefined. */
function checkedName(name: string): string | undefined {
  let lower = knownNames.get(name);
  if (lower !== undefined) return lower;
  if (!TOKEN.test(name)) return undefined;
  lower = name.toLowerCase();
  if (knownNames.size < KNOWN_NAMES_MAX) knownNames.set(name, lower);
  return lower;
}

function headerLines(headers: [string, string][]): string {
  let out = '';
  for (const [name, value] of headers) {
    if (checkedName(name) === undefined) throw new HttpEncodeError('ERR_INVALID_HTTP_TOKEN', `Header name must be a valid HTTP token ["${name}"]`);
    if (!FIELD_VALUE.test(value)) throw new HttpEncodeError('ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`);
    out += `${name}: ${value}\r\n`;
  }
  return out;
}

/** `GET /path HTTP/1.1\r\nName: value\r\n…\r\n\r\n` as bytes. */
export function encodeRequestHead(method: string, path: string, headers: [string, string][]): Uint8Array {
  return latin1(`${method} ${path} HTTP/1.1\r\n${headerLines(headers)}\r\n`);
}

/** `HTTP/1.1 200 OK\r\nName: value\r\n…\r\n\r\n` as bytes. */
export function encodeResponseHead(status: number, headers: [string, string][]): Uint8Array {
  return latin1(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Unknown'}\r\n${headerLines(headers)}\r\n`);
}

// ---- Decoding ----

/** Optional white space around a field value (RFC 9110 §5.6.3): spaces and tabs. */
function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

function parseHeaderLines(lines: string[], from: number): HttpHeaders {
  const headers: HttpHeaders = {};
  for (let l = from; l < lines.length; l++) {
    const line = lines[l]!;
    const colon = line.indexOf(':');
    // No white space between name and colon (RFC 9112 §5.1); obs-fold lines start with it and are refused too.
    const key = colon > 0 ? checkedName(line.slice(0, colon)) : undefined;
    if (key === undefined) throw new HttpParseError('HPE_INVALID_HEADER_TOKEN', 'Invalid header token');
    let a = colon + 1;
    let b = line.length;
    while (a < b && isOws(line.charCodeAt(a))) a++;
    while (b > a && isOws(line.charCodeAt(b - 1))) b--;
    const value = line.slice(a, b);
    if (!FIELD_VALUE.test(value)) throw new HttpParseError('HPE_INVALID_HEADER_TOKEN', 'Invalid header value char');
    const prior = headers[key];
    if (prior === undefined) headers[key] = value;
    else if (key === 'content-length') throw new HttpParseError('HPE_UNEXPECTED_CONTENT_LENGTH', 'Duplicate Content-Length');
    else headers[key] = `${prior}, ${value}`;
  }
  return headers;
}

function contentLength(headers: HttpHeaders): number | undefined {
  if (headers['transfer-encoding'] !== undefined) {
    // Chunked bodies are not modelled: faultline's peers always send Content-Length.
    throw new HttpParseError('HPE_INVALID_TRANSFER_ENCODING', 'Transfer-Encoding is not supported');
  }
  const raw = headers['content-length'];
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw new HttpParseError('HPE_INVALID_CONTENT_LENGTH', 'Invalid character in Content-Length');
  return Number(raw);
}

/** A request head's text (without the blank line), its body framing: Content-Length, else none. */
export function parseRequestHead(text: string): { head: RequestHead; body: BodyFraming } {
  const lines = text.split('\r\n');
  const parts = lines[0]!.split(' ');
  if (parts.length !== 3) throw new HttpParseError(METHODS.has(parts[0]!) ? 'HPE_INVALID_CONSTANT' : 'HPE_INVALID_METHOD', 'Invalid request line');
  const [method, path, proto] = parts as [string, string, string];
  if (!METHODS.has(method)) throw new HttpParseError('HPE_INVALID_METHOD', 'Invalid method encountered');
  if (!(path.startsWith('/') || path === '*' || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) || !/^[\x21-\x7e]+$/.test(path)) {
    throw new HttpParseError('HPE_INVALID_URL', 'Invalid URL');
  }
  const version = /^HTTP\/1\.([01])$/.exec(proto);
  if (!version) throw new HttpParseError('HPE_INVALID_VERSION', 'Invalid HTTP version');
  const headers = parseHeaderLines(lines, 1);
  return { head: { method, path, version: `1.${version[1]}`, headers }, body: { kind: 'length', bytes: contentLength(headers) ?? 0 } };
}

/**
 * A response head's text, its body framing (RFC 9112 §6.3): none after HEAD or for 1xx, 204 and 304;
 * else Content-Length; else until the connection closes.
 */
export function parseResponseHead(text: string, requestMethod: string): { head: ResponseHead; body: BodyFraming } {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})(?: ([^\r\n]*))?$/.exec(lines[0]!);
  if (!m) throw new HttpParseError(lines[0]!.startsWith('HTTP/') ? 'HPE_INVALID_STATUS' : 'HPE_INVALID_CONSTANT', 'Invalid status line');
  const status = Number(m[2]);
  if (status < 100) throw new HttpParseError('HPE_INVALID_STATUS', 'Invalid status code');
  const headers = parseHeaderLines(lines, 1);
  const head: ResponseHead = { status, reason: m[3] ?? '', version: `1.${m[1]}`, headers };
  if (requestMethod === 'HEAD' || status < 200 || status === 204 || status === 304) return { head, body: { kind: 'length', bytes: 0 } };
  const length = contentLength(headers);
  return { head, body: length === undefined ? { kind: 'eof' } : { kind: 'length', bytes: length } };
}

/**
 * Incremental decoder: push() socket chunks, next() takes one complete message (or null while one is still
 * arriving). Bytes after a message stay buffered until the next call, so a server can leave a pipelined
 * request unread until it has answered the one before. Bodies are counted, never copied.
 */
export class MessageDecoder<H> {
  private readonly chunks: Uint8Array[] = [];
  private chunkHead = 0;
  private state: 'head' | 'body' | 'eof-body' | 'failed' = 'head';
  /** The head so far, one character per byte (Latin-1). */
  private headText = '';
  private head: H | null = null;
  private bodyRemaining = 0;
  private bodyBytes = 0;

  constructor(
    private readonly parseHead: (text: string) => { head: H; body: BodyFraming },
    private readonly maxHeadBytes = MAX_HEAD_BYTES_DEFAULT,
  ) {}

  /** A message has begun (some of its bytes have been taken) and is not complete. */
  get inMessage(): boolean {
    return this.state !== 'head' || this.headText.length > 0;
  }
  /** The head of the current message is complete; its body is still arriving. */
  get inBody(): boolean {
    return this.state === 'body' || this.state === 'eof-body';
  }
  /** Bytes pushed and not yet taken. */
  get bufferedBytes(): number {
    let n = 0;
    for (let i = this.chunkHead; i < this.chunks.length; i++) n += this.chunks[i]!.byteLength;
    return n;
  }

  push(chunk: Uint8Array): void {
    if (chunk.byteLength > 0 && this.state !== 'failed') this.chunks.push(chunk);
  }

  /** The next complete message, or null until more bytes come. Throws HttpParseError; after that the decoder is dead. */
  next(): DecodedMessage<H> | null {
    try {
      return this.step();
    } catch (err) {
      this.state = 'failed';
      this.chunks.length = 0;
      this.chunkHead = 0;
      throw err;
    }
  }

  /** The stream ended: a body delimited by the close is complete now; anything else partial is lost (null). */
  end(): DecodedMessage<H> | null {
    if (this.state !== 'eof-body') return null;
    return this.complete();
  }

  private step(): DecodedMessage<H> | null {
    for (;;) {
      if (this.state === 'failed') return null;
      const chunk = this.chunks[this.chunkHead];
      if (this.state === 'body' && this.bodyRemaining === 0) return this.complete();
      if (chunk === undefined) return null;
      if (this.state === 'head') {
        const used = this.scanHead(chunk);
        this.consume(chunk, used);
        continue;
      }
      // Body bytes are only counted.
      const take = this.state === 'eof-body' ? chunk.byteLength : Math.min(this.bodyRemaining, chunk.byteLength);
      this.bodyBytes += take;
      if (this.state === 'body') this.bodyRemaining -= take;
      this.consume(chunk, take);
    }
  }

  /** Appends head bytes from `chunk` until the blank line; returns how many bytes it took. */
  private scanHead(chunk: Uint8Array): number {
    const len = chunk.byteLength;
    let i = 0;
    // RFC 9112 §2.2: empty lines before a message are ignored.
    if (this.headText.length === 0) {
      while (i < len && (chunk[i] === 13 || chunk[i] === 10)) i++;
      if (i === len) return len;
    }
    const start = i;
    const prior = this.headText;
    const pn = prior.length;
    // The blank line may begin in an earlier chunk: carry the last three characters of the head so far.
    let c3 = pn >= 3 ? prior.charCodeAt(pn - 3) : -1;
    let c2 = pn >= 2 ? prior.charCodeAt(pn - 2) : -1;
    let c1 = pn >= 1 ? prior.charCodeAt(pn - 1) : -1;
    let bits = 0;
    for (; i < len; i++) {
      const c = chunk[i]!;
      bits |= c;
      if (c === 10 && c1 === 13 && c2 === 10 && c3 === 13) break;
      c3 = c2;
      c2 = c1;
      c1 = c;
    }
    const ascii = bits < 0x80;
    if (i === len) {
      if (pn + len - start > this.maxHeadBytes) throw new HttpParseError('HPE_HEADER_OVERFLOW', 'Header overflow');
      this.headText = prior + latin1Text(chunk, start, len, ascii);
      return len;
    }
    const n = pn + i + 1 - start;
    // As a byte-at-a-time scan: the head overflows when it is already too long one byte before its end.
    if (n - 1 > this.maxHeadBytes) throw new HttpParseError('HPE_HEADER_OVERFLOW', 'Header overflow');
    const text = prior + latin1Text(chunk, start, i + 1, ascii);
    const parsed = this.parseHead(text.slice(0, n - 4));
    this.headText = '';
    this.head = parsed.head;
    this.bodyBytes = 0;
    if (parsed.body.kind === 'eof') this.state = 'eof-body';
    else {
      this.state = 'body';
      this.bodyRemaining = parsed.body.bytes;
    }
    return i + 1;
  }

  private consume(chunk: Uint8Array, used: number): void {
    if (used >= chunk.byteLength) {
      this.chunks[this.chunkHead++] = undefined as never;
      if (this.chunkHead === this.chunks.length) {
        this.chunks.length = 0;
        this.chunkHead = 0;
      }
    } else this.chunks[this.chunkHead] = chunk.subarray(used);
  }

  private complete(): DecodedMessage<H> {
    const message = { head: this.head!, bodyBytes: this.bodyBytes };
    this.head = null;
    this.state = 'head';
    this.bodyRemaining = 0;
    this.bodyBytes = 0;
    return message;
  }
}

// ---- Writing a message ----

/** Body bytes are zeros; one shared buffer is written in slices (nobody writes into it). */
const ZEROS = new Uint8Array(64 * 1024);

/**
 * Bytes handed to the socket before writeMessage waits for 'drain'. Node's res.end(body) hands the whole body
 * over at once and the kernel cuts it into full segments; waiting for 'drain' after every slice would send a
 * short segment at each slice's end instead (Nagle is not modelled). Bodies past this wait, so a huge one
 * stays within the socket's user-space bound.
 */
const EAGER_BYTES = 8 * 1024 * 1024;

/** What writeMessage needs of a socket. */
export interface MessageSink {
  readonly destroyed: boolean;
  write(data: Uint8Array): boolean;
  once(event: 'drain', fn: () => void): unknown;
}

/**
 * Writes a head and `bodyBytes` zero bytes: the head shares its first write with the body (as Node's
 * res.end(body) does), then up to 8 MiB at once, then one more 8 MiB after each 'drain'. `done` runs once
 * the last byte is handed to the socket (Node's 'finish'); not if the socket is destroyed first.
 */
export function writeMessage(socket: MessageSink, head: Uint8Array, bodyBytes: number, done: () => void): void {
  const firstBody = Math.min(bodyBytes, ZEROS.byteLength);
  const first = new Uint8Array(head.byteLength + firstBody);
  first.set(head);
  let left = bodyBytes - firstBody;
  let ok = socket.write(first);
  if (left === 0) {
    // The whole message in one write (nearly every message): no pump.
    if (!socket.destroyed) done();
    return;
  }
  let sinceDrain = first.byteLength;
  const pump = (): void => {
    for (;;) {
      if (socket.destroyed) return;
      if (left === 0) {
        done();
        return;
      }
      if (!ok && sinceDrain >= EAGER_BYTES) {
        socket.once('drain', () => {
          sinceDrain = 0;
          pump();
        });
        return;
      }
      const n = Math.min(left, ZEROS.byteLength);
      left -= n;
      sinceDrain += n;
      ok = socket.write(ZEROS.subarray(0, n));
    }
  };
  pump();
}

/** Whether a message keeps its connection open after it (RFC 9112 §9.3): 1.1 unless 'close', 1.0 only with 'keep-alive'. */
export function wantsKeepAlive(version: string, headers: HttpHeaders): boolean {
  const connection = headers['connection'];
  if (connection === undefined) return version === '1.1';
  const tokens = connection.toLowerCase().split(',').map((t) => t.trim());
  if (tokens.includes('close')) return false;
  return version === '1.1' || tokens.includes('keep-alive');
}
