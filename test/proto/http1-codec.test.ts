import { describe, expect, it } from 'vitest';
import {
  encodeRequestHead,
  encodeResponseHead,
  HttpEncodeError,
  HttpParseError,
  MessageDecoder,
  parseRequestHead,
  parseResponseHead,
  type RequestHead,
  type ResponseHead,
} from '../../sim/proto/http1.js';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const requests = () => new MessageDecoder<RequestHead>(parseRequestHead);

/** Every message the decoder gives for `chunks`, pushed one at a time. */
function decodeAll<H>(decoder: MessageDecoder<H>, chunks: Uint8Array[]) {
  const out: { head: H; bodyBytes: number }[] = [];
  for (const c of chunks) {
    decoder.push(c);
    for (let m = decoder.next(); m; m = decoder.next()) out.push(m);
  }
  return out;
}

function parseError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpParseError);
    return (err as HttpParseError).code;
  }
  return 'no error';
}

describe('HTTP/1.1 codec', () => {
  const two = 'POST /a HTTP/1.1\r\nHost: s\r\nContent-Length: 5\r\nX-Request-Id: r1\r\n\r\nhelloGET /b?q=1 HTTP/1.0\r\nHost: s\r\n\r\n';

  it('decodes two messages in one chunk, and the same bytes one at a time', () => {
    const expected = [
      { head: { method: 'POST', path: '/a', version: '1.1', headers: { host: 's', 'content-length': '5', 'x-request-id': 'r1' } }, bodyBytes: 5 },
      { head: { method: 'GET', path: '/b?q=1', version: '1.0', headers: { host: 's' } }, bodyBytes: 0 },
    ];
    expect(decodeAll(requests(), [bytes(two)])).toEqual(expected);
    expect(decodeAll(requests(), [...bytes(two)].map((b) => Uint8Array.of(b)))).toEqual(expected);
  });

  it('gives one message at a time and leaves the next one buffered', () => {
    const d = requests();
    d.push(bytes(two));
    expect(d.next()?.head.path).toBe('/a');
    expect(d.bufferedBytes).toBe(two.length - two.indexOf('GET'));
    expect(d.next()?.head.path).toBe('/b?q=1');
    expect(d.bufferedBytes).toBe(0);
    expect(d.next()).toBeNull();
  });

  it('knows when a message has begun and when its head is complete', () => {
    const d = requests();
    d.push(bytes('GET / HT'));
    expect(d.next()).toBeNull();
    expect([d.inMessage, d.inBody]).toEqual([true, false]);
    d.push(bytes('TP/1.1\r\nHost: s\r\nContent-Length: 3000\r\n\r\n'));
    d.push(new Uint8Array(2999));
    expect(d.next()).toBeNull();
    expect([d.inMessage, d.inBody]).toEqual([true, true]);
    d.push(new Uint8Array(1));
    expect(d.next()?.bodyBytes).toBe(3000);
    expect(d.inMessage).toBe(false);
  });

  it('frames responses by RFC 9112 §6.3: none after HEAD or for 204/304, Content-Length, else until close', () => {
    const res = (method: string) => new MessageDecoder<ResponseHead>((t) => parseResponseHead(t, method));
    expect(decodeAll(res('HEAD'), [bytes('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n')]).map((m) => m.bodyBytes)).toEqual([0]);
    expect(decodeAll(res('GET'), [bytes('HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n')]).map((m) => m.head.status)).toEqual([204, 304]);
    const eof = res('GET');
    expect(decodeAll(eof, [bytes('HTTP/1.0 200 OK\r\n\r\nabc'), bytes('de')])).toEqual([]);
    expect(eof.end()).toEqual({ head: { status: 200, reason: 'OK', version: '1.0', headers: {} }, bodyBytes: 5 });
    const cut = res('GET');
    decodeAll(cut, [bytes('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')]);
    expect(cut.end()).toBeNull(); // a length-delimited body cut short is lost, not complete
  });

  it('joins repeated headers, refuses a second Content-Length', () => {
    expect(parseRequestHead('GET / HTTP/1.1\r\nHost: s\r\nAccept: a\r\naccept: b').head.headers['accept']).toBe('a, b');
    expect(parseError(() => parseRequestHead('GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1'))).toBe('HPE_UNEXPECTED_CONTENT_LENGTH');
  });

  it.each([
    ['FETCH / HTTP/1.1', 'HPE_INVALID_METHOD'],
    ['GET  / HTTP/1.1', 'HPE_INVALID_CONSTANT'],
    ['GET nope HTTP/1.1', 'HPE_INVALID_URL'],
    ['GET / HTTP/1.2', 'HPE_INVALID_VERSION'],
    ['GET / HTTP/1.1\r\nNo-Colon', 'HPE_INVALID_HEADER_TOKEN'],
    ['GET / HTTP/1.1\r\n folded: x', 'HPE_INVALID_HEADER_TOKEN'],
    ['GET / HTTP/1.1\r\nContent-Length: -1', 'HPE_INVALID_CONTENT_LENGTH'],
    ['GET / HTTP/1.1\r\nTransfer-Encoding: chunked', 'HPE_INVALID_TRANSFER_ENCODING'],
  ])('refuses %j with %s', (head, code) => {
    expect(parseError(() => parseRequestHead(head))).toBe(code);
  });

  it('refuses a head over maxHeadBytes, and stays dead after an error', () => {
    const d = new MessageDecoder<RequestHead>(parseRequestHead, 100);
    d.push(bytes(`GET / HTTP/1.1\r\nX: ${'a'.repeat(100)}\r\n\r\n`));
    expect(parseError(() => d.next())).toBe('HPE_HEADER_OVERFLOW');
    d.push(bytes('GET / HTTP/1.1\r\nHost: s\r\n\r\n'));
    expect(d.next()).toBeNull();
  });

  it('refuses status lines that are not HTTP/1.x nnn', () => {
    expect(parseError(() => parseResponseHead('HTTP/1.1 20 OK', 'GET'))).toBe('HPE_INVALID_STATUS');
    expect(parseError(() => parseResponseHead('SSH-2.0-OpenSSH', 'GET'))).toBe('HPE_INVALID_CONSTANT');
  });

  it('encodes heads as text and refuses header names and values that would break the framing', () => {
    expect(new TextDecoder().decode(encodeRequestHead('GET', '/x', [['host', 's']]))).toBe('GET /x HTTP/1.1\r\nhost: s\r\n\r\n');
    expect(new TextDecoder().decode(encodeResponseHead(503, [['Content-Length', '0']]))).toBe('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
    const code = (fn: () => unknown) => {
      try {
        fn();
        return 'no error';
      } catch (err) {
        expect(err).toBeInstanceOf(HttpEncodeError);
        return (err as HttpEncodeError).code;
      }
    };
    expect(code(() => encodeRequestHead('GET', '/', [['x-id', 'a\r\nInjected: 1']]))).toBe('ERR_INVALID_CHAR');
    expect(code(() => encodeRequestHead('GET', '/', [['bad name', 'v']]))).toBe('ERR_INVALID_HTTP_TOKEN');
  });
});
