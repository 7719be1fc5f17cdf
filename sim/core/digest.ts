/**
 * A running 64-bit FNV-1a digest over the UTF-8 bytes of text, without allocating.
 *
 * The trace digests each record's JSONL line plus '\n', so the digest of a run equals the digest of its
 * JSONL trace file: a trace loaded in the browser can be checked against the run that wrote it.
 * 64-bit arithmetic is done in two 32-bit halves because JS numbers hold only 53 bits exactly and BigInt
 * is an order of magnitude slower here.
 */
export class Digest64 {
  // Offset basis 0xcbf29ce484222325 as two unsigned 32-bit halves.
  private lo = 0x84222325;
  private hi = 0xcbf29ce4;
  /** Bytes digested so far. */
  bytes = 0;

  /** Adds the UTF-8 encoding of `text` (lone surrogates as U+FFFD, as TextEncoder and Node's fs do). */
  update(text: string): this {
    const n = text.length;
    for (let i = 0; i < n; i++) {
      let c = text.charCodeAt(i);
      if (c < 0x80) {
        this.byte(c);
        continue;
      }
      if (c < 0x800) {
        this.byte(0xc0 | (c >> 6));
        this.byte(0x80 | (c & 0x3f));
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          i++;
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          this.byte(0xf0 | (c >> 18));
          this.byte(0x80 | ((c >> 12) & 0x3f));
          this.byte(0x80 | ((c >> 6) & 0x3f));
          this.byte(0x80 | (c & 0x3f));
          continue;
        }
        c = 0xfffd;
      }
      this.byte(0xe0 | (c >> 12));
      this.byte(0x80 | ((c >> 6) & 0x3f));
      this.byte(0x80 | (c & 0x3f));
    }
    return this;
  }

  /** The digest as 16 lowercase hex digits. */
  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }

  private byte(b: number): void {
    this.bytes++;
    // h ^= b; h *= 0x100000001b3 (mod 2^64) = h·0x1b3 + (h << 40). lo·0x1b3 < 2^41 is exact in a double;
    // h << 40 only reaches the high half, as lo << 8. ToUint32 (>>> 0) reduces mod 2^32.
    const lo = (this.lo ^ b) >>> 0;
    const m = lo * 0x1b3;
    const newLo = m >>> 0;
    this.hi = (Math.imul(this.hi, 0x1b3) + (m - newLo) / 4294967296 + (lo << 8)) >>> 0;
    this.lo = newLo;
  }
}

/** Digest of one string, as hex. */
export function digestHex(text: string): string {
  return new Digest64().update(text).hex();
}
