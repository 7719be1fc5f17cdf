/**
 * HTTP/2 framing (RFC 9113 §4, §6) as real bytes on the wire: every frame has the 9-byte header (24-bit
 * length, type, flags, 31-bit stream id) and its payload, so frame counts and sizes decide the TCP segments
 * a connection sends. The decoder is fed socket chunks as they come (a frame may span reads, a read may hold
 * many frames) and hands back whole frames; DATA payloads are counted, never copied (bodies are zeros).
 *
 * Header blocks are not HPACK: a name and a value each as a 2-byte length and Latin-1 bytes. That is the
 * size of HPACK's "literal without indexing" with no Huffman coding, so header frames are somewhat larger
 * than a real encoder's after its first request (HPACK's dynamic table is not modelled).
 */

/** 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' (RFC 9113 §3.4): the client's first 24 bytes. */
export const CONNECTION_PREFACE = new Uint8Array([...'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'].map((c) => c.charCodeAt(0)));

export const FRAME_HEADER_BYTES = 9;

/** Frame types (RFC 9113 §6); PRIORITY, PUSH_PROMISE and CONTINUATION are not modelled. */
export const FrameType = { DATA: 0x0, HEADERS: 0x1, RST_STREAM: 0x3, SETTINGS: 0x4, PING: 0x6, GOAWAY: 0x7, WINDOW_UPDATE: 0x8 } as const;
export type FrameTypeName = keyof typeof FrameType;
const TYPE_NAMES = new Map<number, FrameTypeName>(Object.entries(FrameType).map(([name, v]) => [v, name as FrameTypeName]));

export const Flags = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const;

/** Error codes (RFC 9113 §7) by name. */
export const H2ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;
export type H2ErrorName = keyof typeof H2ErrorCode;

/** An error code's name ('REFUSED_STREAM'), or its number in hex for one RFC 9113 does not define. */
export function errorCodeName(code: number): string {
  for (const [name, v] of Object.entries(H2ErrorCode)) if (v === code) return name;
  return `0x${code.toString(16)}`;
}

/** SETTINGS identifiers (RFC 9113 §6.5.2). */
export const SettingId = { HEADER_TABLE_SIZE: 0x1, ENABLE_PUSH: 0x2, MAX_CONCURRENT_STREAMS: 0x3, INITIAL_WINDOW_SIZE: 0x4, MAX_FRAME_SIZE: 0x5, MAX_HEADER_LIST_SIZE: 0x6 } as const;

/** The initial value of every flow-control window (RFC 9113 §6.9.2). */
export const DEFAULT_WINDOW_BYTES = 65_535;
/** SETTINGS_MAX_FRAME_SIZE's initial value and floor (RFC 9113 §6.5.2). */
export const DEFAULT_MAX_FRAME_BYTES = 16_384;
/** SETTINGS_MAX_FRAME_SIZE's ceiling, 2^24 − 1. */
export const MAX_FRAME_BYTES_LIMIT = 16_777_215;
/** A flow-control window may not exceed 2^31 − 1 (RFC 9113 §6.9.1). */
export const MAX_WINDOW_BYTES = 2_147_483_647;
/** SETTINGS_MAX_CONCURRENT_STREAMS is a 32-bit value; this one means "no limit" (its initial value). */
export const UNLIMITED_STREAMS = 4_294_967_295;

/** Connection-specific header fields, which HTTP/2 does not carry (RFC 9113 §8.2.2). */
export const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

export interface Frame {
  type: FrameTypeName | 'UNKNOWN';
  flags: number;
  streamId: number;
  /** Payload length, bytes. */
  length: number;
  /** The payload; empty for DATA (its bytes are counted, not kept). */
  payload: Uint8Array;
}

// ---- Encoding ----

function frame(type: number, flags: number, streamId: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.byteLength);
  writeHeader(out, payload.byteLength, type, flags, streamId);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

function writeHeader(out: Uint8Array, length: number, type: number, flags: number, streamId: number): void {
  out[0] = (length >>> 16) & 0xff;
  out[1] = (length >>> 8) & 0xff;
  out[2] = length & 0xff;
  out[3] = type;
  out[4] = flags;
  new DataView(out.buffer, out.byteOffset).setUint32(5, streamId & 0x7fffffff);
}

function u32s(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v >>> 0));
  return out;
}

/** A DATA frame of `length` zero bytes. */
export function dataFrame(streamId: number, length: number, endStream: boolean): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + length); // zero-filled: the body
  writeHeader(out, length, FrameType.DATA, endStream ? Flags.END_STREAM : 0, streamId);
  return out;
}

/** A HEADERS frame with the whole header block (END_HEADERS: CONTINUATION is not modelled). */
export function headersFrame(streamId: number, block: Uint8Array, endStream: boolean): Uint8Array {
  return frame(FrameType.HEADERS, Flags.END_HEADERS | (endStream ? Flags.END_STREAM : 0), streamId, block);
}

export function settingsFrame(settings: [id: number, value: number][]): Uint8Array {
  const payload = new Uint8Array(settings.length * 6);
  const view = new DataView(payload.buffer);
  settings.forEach(([id, value], i) => {
    view.setUint16(i * 6, id);
    view.setUint32(i * 6 + 2, value >>> 0);
  });
  return frame(FrameType.SETTINGS, 0, 0, payload);
}

export function settingsAckFrame(): Uint8Array {
  return frame(FrameType.SETTINGS, Flags.ACK, 0, new Uint8Array(0));
}

export function windowUpdateFrame(streamId: number, increment: number): Uint8Array {
  return frame(FrameType.WINDOW_UPDATE, 0, streamId, u32s(increment & 0x7fffffff));
}

export function rstStreamFrame(streamId: number, code: number): Uint8Array {
  return frame(FrameType.RST_STREAM, 0, streamId, u32s(code));
}

export function goawayFrame(lastStreamId: number, code: number): Uint8Array {
  return frame(FrameType.GOAWAY, 0, 0, u32s(lastStreamId & 0x7fffffff, code));
}

export function pingFrame(opaque: Uint8Array, ack: boolean): Uint8Array {
  return frame(FrameType.PING, ack ? Flags.ACK : 0, 0, opaque);
}

// ---- Payloads ----

export function parseSettings(payload: Uint8Array): [id: number, value: number][] {
  if (payload.byteLength % 6 !== 0) throw new Http2FrameError('FRAME_SIZE_ERROR', 'SETTINGS payload is not a multiple of 6 bytes');
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const out: [number, number][] = [];
  for (let at = 0; at < payload.byteLength; at += 6) out.push([view.getUint16(at), view.getUint32(at + 2)]);
  return out;
}

/** The first 32-bit word of a payload (WINDOW_UPDATE's increment, RST_STREAM's code), reserved bit cleared when asked. */
export function payloadU32(payload: Uint8Array, at = 0, reservedBit = false): number {
  if (payload.byteLength < at + 4) throw new Http2FrameError('FRAME_SIZE_ERROR', 'frame payload too short');
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(at);
  return reservedBit ? v & 0x7fffffff : v;
}

/** Header pairs as the stand-in for an HPACK block: [2-byte length, name, 2-byte length, value]… */
export function encodeHeaderBlock(headers: [string, string][]): Uint8Array {
  let n = 0;
  for (const [name, value] of headers) n += 4 + name.length + value.length;
  const out = new Uint8Array(n);
  let at = 0;
  const put = (s: string): void => {
    out[at++] = (s.length >>> 8) & 0xff;
    out[at++] = s.length & 0xff;
    for (let i = 0; i < s.length; i++) out[at++] = s.charCodeAt(i) & 0xff;
  };
  for (const [name, value] of headers) {
    put(name);
    put(value);
  }
  return out;
}

export function decodeHeaderBlock(block: Uint8Array): [string, string][] {
  const out: [string, string][] = [];
  let at = 0;
  const take = (): string => {
    if (at + 2 > block.byteLength) throw new Http2FrameError('COMPRESSION_ERROR', 'truncated header block');
    const len = (block[at]! << 8) | block[at + 1]!;
    at += 2;
    if (at + len > block.byteLength) throw new Http2FrameError('COMPRESSION_ERROR', 'truncated header block');
    const s = String.fromCharCode(...block.subarray(at, at + len));
    at += len;
    return s;
  };
  while (at < block.byteLength) out.push([take(), take()]);
  return out;
}

// ---- Decoding ----

/** A connection error found while reading frames: the endpoint answers with GOAWAY carrying `h2Code`. */
export class Http2FrameError extends Error {
  override name = 'Error';
  constructor(
    readonly h2Code: H2ErrorName,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Incremental frame decoder: push() socket chunks, next() takes one whole frame or null until more bytes
 * come. A frame longer than `maxFrameBytes` (this side's SETTINGS_MAX_FRAME_SIZE) is a FRAME_SIZE_ERROR.
 */
export class FrameDecoder {
  private readonly chunks: Uint8Array[] = [];
  private buffered = 0;
  /** The header of the frame being read, once all 9 bytes are in. */
  private header: { type: number; flags: number; streamId: number; length: number } | null = null;

  constructor(public maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
  }

  /** Takes exactly `n` bytes (n ≤ bufferedBytes; the server reads the preface this way); copies only when they span chunks. */
  take(n: number): Uint8Array {
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.byteLength >= n) {
      if (first.byteLength === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.byteLength, n - at);
      out.set(c.subarray(0, k), at);
      at += k;
      if (k === c.byteLength) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }

  /** Drops `n` buffered bytes without copying them (a DATA payload). */
  private skip(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const c = this.chunks[0]!;
      if (c.byteLength <= n) {
        n -= c.byteLength;
        this.chunks.shift();
      } else {
        this.chunks[0] = c.subarray(n);
        n = 0;
      }
    }
  }

  next(): Frame | null {
    if (!this.header) {
      if (this.buffered < FRAME_HEADER_BYTES) return null;
      const h = this.take(FRAME_HEADER_BYTES);
      const length = (h[0]! << 16) | (h[1]! << 8) | h[2]!;
      const streamId = new DataView(h.buffer, h.byteOffset, FRAME_HEADER_BYTES).getUint32(5) & 0x7fffffff;
      if (length > this.maxFrameBytes) throw new Http2FrameError('FRAME_SIZE_ERROR', `a frame of ${length} bytes exceeds SETTINGS_MAX_FRAME_SIZE ${this.maxFrameBytes}`);
      this.header = { type: h[3]!, flags: h[4]!, streamId, length };
    }
    const { type, flags, streamId, length } = this.header;
    if (this.buffered < length) return null;
    this.header = null;
    const name = TYPE_NAMES.get(type) ?? 'UNKNOWN';
    let payload: Uint8Array;
    if (name === 'DATA') {
      this.skip(length);
      payload = EMPTY;
    } else payload = length === 0 ? EMPTY : this.take(length).slice();
    return { type: name, flags, streamId, length, payload };
  }
}

const EMPTY = new Uint8Array(0);
