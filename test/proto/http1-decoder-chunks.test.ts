/**
 * The HTTP/1.1 decoder gives the same messages, and fails with the same error at the same byte, however the
 * stream is cut into chunks (a head may end in any chunk, its blank line split across two). Fed one byte
 * at a time is the reference: that is the scan the decoder replaced with a search over each chunk.
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { encodeRequestHead, MessageDecoder, parseRequestHead } from '../../sim/proto/http1-codec.js';

function decode(chunks: Uint8Array[], maxHeadBytes: number): string[] {
  const decoder = new MessageDecoder(parseRequestHead, maxHeadBytes);
  const out: string[] = [];
  try {
    for (const chunk of chunks) {
      decoder.push(chunk);
      for (let m = decoder.next(); m; m = decoder.next()) out.push(JSON.stringify(m));
    }
  } catch (err) {
    out.push(`error ${(err as { code?: string }).code}`);
  }
  return out;
}

const bytesOf = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const piece = fc.constantFrom('\r\n', '\n', '\r', 'GET /a HTTP/1.1\r\n', 'POST /b HTTP/1.0\r\n', 'Host: x\r\n', 'X-A:  b \t\r\n', 'content-length: 3\r\n', 'abc', 'bad line\r\n', 'x-latin: caf\u00e9 \u00ff\r\n', `x-long: ${'y'.repeat(40)}\r\n`);

test.prop([fc.array(piece, { maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 8, max: 200 })], { numRuns: 2000 })(
  'any chunking decodes as one byte at a time',
  (pieces, cuts, maxHeadBytes) => {
    const bytes = bytesOf(pieces.join(''));
    const chunks: Uint8Array[] = [];
    for (let at = 0, k = 0; at < bytes.length; k++) {
      chunks.push(bytes.slice(at, at + cuts[k % cuts.length]!));
      at += cuts[k % cuts.length]!;
    }
    const oneByOne = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(decode(chunks, maxHeadBytes)).toEqual(decode(oneByOne, maxHeadBytes));
  },
);

test.prop([fc.integer({ min: 1, max: 60 })])('a head of L bytes (blank line included) fits a limit of L − 1 and overflows L − 2, in any chunk size', (chunkBytes) => {
  const head = bytesOf(`GET / HTTP/1.1\r\nHost: h\r\nx-pad: ${'p'.repeat(30)}\r\n\r\n`);
  const cut = (b: Uint8Array) => Array.from({ length: Math.ceil(b.length / chunkBytes) }, (_, i) => b.slice(i * chunkBytes, (i + 1) * chunkBytes));
  expect(decode(cut(head), head.length - 1)).toHaveLength(1);
  expect(decode(cut(head), head.length - 1)[0]).not.toMatch(/^error/);
  expect(decode(cut(head), head.length - 2)).toEqual(['error HPE_HEADER_OVERFLOW']);
});

test('a Latin-1 header value goes on the wire one byte a character, and reads back the same', () => {
  const head = encodeRequestHead('GET', '/', [['host', 'h'], ['x-name', 'caf\u00e9 \u00ff']]);
  const text = 'GET / HTTP/1.1\r\nhost: h\r\nx-name: caf\u00e9 \u00ff\r\n\r\n';
  expect(Array.from(head)).toEqual(Array.from(text, (c) => c.charCodeAt(0)));
  const [message] = decode([head], 1000);
  expect(JSON.parse(message!).head.headers['x-name']).toBe('caf\u00e9 \u00ff');
});
