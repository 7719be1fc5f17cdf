/**
 * A trace file's digest from its bytes, equal to the digest TraceLoader takes of its decoded lines: the
 * decoder drops a UTF-8 byte-order mark, and a last line without its newline is digested with one.
 *
 * API:
 *   digestFileBytes(stream)   → Promise<{ digest (16 hex digits), bytes (as decoded: without a BOM) }>
 */
import { Digest64 } from 'faultline';

const BOM = [0xef, 0xbb, 0xbf];
const NEWLINE = new Uint8Array([0x0a]);

export async function digestFileBytes(stream: ReadableStream<Uint8Array>): Promise<{ digest: string; bytes: number }> {
  const digest = new Digest64();
  const reader = stream.getReader();
  let first = true;
  let last = -1;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value.byteLength === 0) continue;
    let chunk = value;
    // A BOM split across the first chunks is not worth handling: chunks are tens of kilobytes.
    if (first && chunk.byteLength >= 3 && BOM.every((b, i) => chunk[i] === b)) chunk = chunk.subarray(3);
    first = false;
    digest.updateBytes(chunk);
    if (chunk.byteLength > 0) last = chunk[chunk.byteLength - 1]!;
  }
  if (last >= 0 && last !== 0x0a) digest.updateBytes(NEWLINE);
  return { digest: digest.hex(), bytes: digest.bytes };
}
