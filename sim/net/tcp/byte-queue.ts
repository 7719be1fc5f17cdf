/**
 * A FIFO of byte chunks taken from the front in any sizes: the send queue (bytes written, not yet sent) and
 * the receive queue (bytes arrived in order, not yet read). Chunks are views, never copied unless a take
 * spans two of them.
 */
const empty = new Uint8Array(0);

export class ByteQueue {
  private readonly chunks: Uint8Array[] = [];
  private head = 0;
  /** Bytes queued. */
  bytes = 0;

  push(data: Uint8Array): void {
    if (data.byteLength === 0) return;
    this.chunks.push(data);
    this.bytes += data.byteLength;
  }

  /** Takes the first `n` bytes (n ≤ bytes): a view when one chunk holds them, else a copy. */
  take(n: number): Uint8Array {
    const first = this.chunks[this.head]!;
    let out: Uint8Array;
    if (first.byteLength === n) {
      out = first;
      this.chunks[this.head++] = empty;
    } else if (first.byteLength > n) {
      out = first.subarray(0, n);
      this.chunks[this.head] = first.subarray(n);
    } else {
      out = new Uint8Array(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.chunks[this.head]!;
        const need = n - filled;
        if (chunk.byteLength <= need) {
          out.set(chunk, filled);
          filled += chunk.byteLength;
          this.chunks[this.head++] = empty;
        } else {
          out.set(chunk.subarray(0, need), filled);
          this.chunks[this.head] = chunk.subarray(need);
          filled = n;
        }
      }
    }
    this.bytes -= n;
    this.compact();
    return out;
  }

  /** Takes the first chunk as it is (what one read() returns when nothing asks for a size). */
  takeChunk(): Uint8Array | null {
    if (this.bytes === 0) return null;
    return this.take(this.chunks[this.head]!.byteLength);
  }

  private compact(): void {
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
  }
}
