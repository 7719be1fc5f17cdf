/**
 * A running 64-bit FNV-1a digest over the UTF-8 bytes of text, without allocating.
 *
 * The trace digests each record's JSONL line plus '\n', so the digest of a run equals the digest of its
 * JSONL trace file: a trace loaded in the browser can be checked against the run that wrote it.
 * 64-bit arithmetic is done in four 16-bit limbs, so every intermediate stays a small integer (JS numbers
 * hold only 53 bits exactly, and BigInt is an order of magnitude slower here). The limbs live in locals
 * while a string is digested: the hot loop never touches the object.
 */
export class Digest64 {
  // Offset basis 0xcbf29ce484222325, most significant limb last.
  private h0 = 0x2325;
  private h1 = 0x8422;
  private h2 = 0x9ce4;
  private h3 = 0xcbf2;
  /** Bytes digested so far. */
  bytes = 0;

  /** Adds the UTF-8 encoding of `text` (lone surrogates as U+FFFD, as TextEncoder and Node's fs do). */
  update(text: string): this {
    const n = text.length;
    let h0 = this.h0;
    let h1 = this.h1;
    let h2 = this.h2;
    let h3 = this.h3;
    let ascii = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        // h ^= c; h *= 0x100000001b3 (mod 2^64). The prime's limbs are 0x01b3 (limb 0) and 0x0100 (limb 2).
        const x0 = h0 ^ c;
        const t0 = x0 * 0x1b3;
        const t1 = h1 * 0x1b3 + (t0 >>> 16);
        const t2 = h2 * 0x1b3 + x0 * 0x100 + (t1 >>> 16);
        const t3 = h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16);
        h0 = t0 & 0xffff;
        h1 = t1 & 0xffff;
        h2 = t2 & 0xffff;
        h3 = t3 & 0xffff;
        ascii++;
        continue;
      }
      this.h0 = h0;
      this.h1 = h1;
      this.h2 = h2;
      this.h3 = h3;
      i = this.wide(text, i, c);
      h0 = this.h0;
      h1 = this.h1;
      h2 = this.h2;
      h3 = this.h3;
    }
    this.h0 = h0;
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
    this.bytes += ascii;
    return this;
  }

  /** The digest as 16 lowercase hex digits. */
  hex(): string {
    return [this.h3, this.h2, this.h1, this.h0].map((l) => l.toString(16).padStart(4, '0')).join('');
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

  private byte(b: number): void {
    this.bytes++;
    const x0 = this.h0 ^ b;
    const t0 = x0 * 0x1b3;
    const t1 = this.h1 * 0x1b3 + (t0 >>> 16);
    const t2 = this.h2 * 0x1b3 + x0 * 0x100 + (t1 >>> 16);
    const t3 = this.h3 * 0x1b3 + this.h1 * 0x100 + (t2 >>> 16);
    this.h0 = t0 & 0xffff;
    this.h1 = t1 & 0xffff;
    this.h2 = t2 & 0xffff;
    this.h3 = t3 & 0xffff;
  }
}

/** Digest of one string, as hex. */
export function digestHex(text: string): string {
  return new Digest64().update(text).hex();
}
