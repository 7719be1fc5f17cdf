/**
 * A running 64-bit FNV-1a digest over the UTF-8 bytes of text, without allocating.
 *
 * The trace digests each record's JSONL line plus '\n', so the digest of a run equals the digest of its
 * JSONL trace file: a trace loaded in the browser can be checked against the run that wrote it.
 * 64-bit arithmetic is done on two 32-bit halves with every intermediate below 2^53 (JS numbers hold only
 * 53 bits exactly, and BigInt is an order of magnitude slower here); the multiply is written out in each hot
 * loop, with the halves in locals, because a call per byte costs as much as the arithmetic.
 */
export class Digest64 {
  // Offset basis 0xcbf29ce484222325 as two 32-bit halves, held as signed int32 so V8 keeps them untagged
  // (an unsigned half above 2^31 would be a heap number and the loops several times slower).
  private lo = 0x84222325 | 0;
  private hi = 0xcbf29ce4 | 0;
  /** Bytes digested so far. */
  bytes = 0;

  /** Adds the UTF-8 encoding of `text` (lone surrogates as U+FFFD, as TextEncoder and Node's fs do). */
  update(text: string): this {
    const n = text.length;
    let lo = this.lo;
    let hi = this.hi;
    let ascii = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        // h ^= c; h *= 0x100000001b3 (mod 2^64), as in byte() below, inline.
        const x = lo ^ c;
        const a = (x & 0xffff) * 0x1b3;
        const b = (x >>> 16) * 0x1b3 + (a >>> 16);
        lo = (b << 16) | (a & 0xffff);
        hi = (Math.imul(hi, 0x1b3) + (x << 8) + (b >>> 16)) | 0;
        ascii++;
        continue;
      }
      this.lo = lo;
      this.hi = hi;
      i = this.wide(text, i, c);
      lo = this.lo;
      hi = this.hi;
    }
    this.lo = lo;
    this.hi = hi;
    this.bytes += ascii;
    return this;
  }

  /** Adds bytes as they are (a file read in chunks digests the same as its decoded lines). */
  updateBytes(bytes: Uint8Array): this {
    const n = bytes.length;
    let lo = this.lo;
    let hi = this.hi;
    for (let i = 0; i < n; i++) {
      const x = lo ^ bytes[i]!;
      const a = (x & 0xffff) * 0x1b3;
      const b = (x >>> 16) * 0x1b3 + (a >>> 16);
      lo = (b << 16) | (a & 0xffff);
      hi = (Math.imul(hi, 0x1b3) + (x << 8) + (b >>> 16)) | 0;
    }
    this.lo = lo;
    this.hi = hi;
    this.bytes += n;
    return this;
  }

  /** The digest as 16 lowercase hex digits. */
  hex(): string {
    return (this.hi >>> 0).toString(16).padStart(8, '0') + (this.lo >>> 0).toString(16).padStart(8, '0');
  }

  /** A character above U+007F at text[i]: its UTF-8 bytes; returns the index of its last code unit. */
  private wide(text: string, i: number, c: number): number {
    if (c < 0x800) {
      this.byte(0xc0 | (c >> 6));
      this.byte(0x80 | (c & 0x3f));
      return i;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        this.byte(0xf0 | (cp >> 18));
        this.byte(0x80 | ((cp >> 12) & 0x3f));
        this.byte(0x80 | ((cp >> 6) & 0x3f));
        this.byte(0x80 | (cp & 0x3f));
        return i + 1;
      }
      c = 0xfffd;
    }
    this.byte(0xe0 | (c >> 12));
    this.byte(0x80 | ((c >> 6) & 0x3f));
    this.byte(0x80 | (c & 0x3f));
    return i;
  }

  /**
   * h ^= b; h *= 0x100000001b3 (mod 2^64) on two 32-bit halves. The prime is 2^40 + 0x1b3: the low half times
   * 0x1b3 is taken in 16-bit pieces so no product passes 2^53; 2^40 shifts the low half 8 bits into the high.
   */
  private byte(byte: number): void {
    this.bytes++;
    const x = this.lo ^ byte;
    const a = (x & 0xffff) * 0x1b3;
    const b = (x >>> 16) * 0x1b3 + (a >>> 16);
    this.lo = (b << 16) | (a & 0xffff);
    this.hi = (Math.imul(this.hi, 0x1b3) + (x << 8) + (b >>> 16)) | 0;
  }
}

/** Digest of one string, as hex. */
export function digestHex(text: string): string {
  return new Digest64().update(text).hex();
}
