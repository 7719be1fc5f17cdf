/**
 * Bytes to text across chunk boundaries, as Node's string_decoder does for `socket.setEncoding()`: a UTF-8
 * character or a base64 group split between two TCP segments comes out whole in the later chunk, and what is
 * left at the end of the stream comes out at end() (U+FFFD for a cut UTF-8 sequence). No Buffer: sim/ also
 * runs in the browser.
 */

/** The encodings setEncoding() takes (Node's names; 'utf-8' and 'binary' are aliases). */
export type SocketEncoding = 'utf8' | 'utf-8' | 'latin1' | 'binary' | 'ascii' | 'hex' | 'base64';

const encodings: readonly string[] = ['utf8', 'utf-8', 'latin1', 'binary', 'ascii', 'hex', 'base64'];

export function isSocketEncoding(value: unknown): value is SocketEncoding {
  return typeof value === 'string' && encodings.includes(value);
}

const hexDigits = '0123456789abcdef';
const base64Digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export class StreamDecoder {
  private readonly utf8: TextDecoder | null;
  /** base64: the 1 or 2 bytes of a group not complete yet. */
  private carry: Uint8Array | null = null;

  constructor(readonly encoding: SocketEncoding) {
    this.utf8 = encoding === 'utf8' || encoding === 'utf-8' ? new TextDecoder('utf-8') : null;
  }

  /** The text of `bytes`, holding back an incomplete character or group for the next chunk. */
  write(bytes: Uint8Array): string {
    if (this.utf8 !== null) return this.utf8.decode(bytes, { stream: true });
    switch (this.encoding) {
      case 'hex':
        return hex(bytes);
      case 'base64':
        return this.base64(bytes);
      case 'ascii':
        return singleBytes(bytes, 0x7f);
      default:
        return singleBytes(bytes, 0xff);
    }
  }

  /** What was held back, at the end of the stream. */
  end(): string {
    if (this.utf8 !== null) return this.utf8.decode();
    const carry = this.carry;
    this.carry = null;
    return carry === null ? '' : base64Group(carry);
  }

  private base64(bytes: Uint8Array): string {
    let input = bytes;
    if (this.carry !== null) {
      input = new Uint8Array(this.carry.byteLength + bytes.byteLength);
      input.set(this.carry);
      input.set(bytes, this.carry.byteLength);
      this.carry = null;
    }
    const whole = input.byteLength - (input.byteLength % 3);
    if (whole < input.byteLength) this.carry = input.slice(whole);
    let out = '';
    for (let i = 0; i < whole; i += 3) out += base64Group(input.subarray(i, i + 3));
    return out;
  }
}

function singleBytes(bytes: Uint8Array, mask: number): string {
  let out = '';
  // In slices, so a large chunk does not overflow fromCharCode's argument list.
  for (let i = 0; i < bytes.byteLength; i += 8192) {
    const slice = bytes.subarray(i, i + 8192);
    out += String.fromCharCode(...(mask === 0xff ? slice : slice.map((b) => b & mask)));
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += hexDigits[b >> 4]! + hexDigits[b & 15]!;
  return out;
}

/** One base64 group of 1 to 3 bytes, padded. */
function base64Group(g: Uint8Array): string {
  const n = (g[0]! << 16) | ((g[1] ?? 0) << 8) | (g[2] ?? 0);
  const chars = base64Digits[(n >> 18) & 63]! + base64Digits[(n >> 12) & 63]!;
  if (g.byteLength === 1) return chars + '==';
  if (g.byteLength === 2) return chars + base64Digits[(n >> 6) & 63]! + '=';
  return chars + base64Digits[(n >> 6) & 63]! + base64Digits[n & 63]!;
}
