import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Digest64, digestHex } from '../../sim/core/digest.js';
import { canonicalJson } from '../../sim/core/canonical.js';
import { CallbackSink, encodeRecord, MemorySink, RingSink, Trace, type TraceRecord } from '../../sim/core/trace.js';

/** FNV-1a 64 over the UTF-8 bytes of `text`, the obvious way. */
function referenceFnv1a64(text: string): string {
  const mask = (1n << 64n) - 1n;
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & mask;
  }
  return h.toString(16).padStart(16, '0');
}

describe('Digest64', () => {
  it.each([
    ['', 'cbf29ce484222325'],
    ['a', 'af63dc4c8601ec8c'],
    ['foobar', '85944171f73967e8'],
  ])('FNV-1a 64 of %j is %s', (text, hex) => {
    expect(digestHex(text)).toBe(hex);
    expect(referenceFnv1a64(text)).toBe(hex); // the reference agrees with the published vectors
  });

  it('digests non-ASCII text as its UTF-8 bytes', () => {
    for (const text of ['é', '€', '日本語', '😀', 'a\u0000b', '\u07ff\u0800\uffff', '\u{10ffff}']) {
      expect(digestHex(text), text).toBe(referenceFnv1a64(text));
    }
    expect(new Digest64().update('é').bytes).toBe(2);
    expect(new Digest64().update('😀').bytes).toBe(4);
  });

  it('digests lone surrogates as U+FFFD, as Buffer and TextEncoder do', () => {
    for (const text of ['\ud800', '\udc00', 'a\ud83d', '\ud83dx', '\ude00\ud83d', '\ud83d\ud83d\ude00']) {
      expect(digestHex(text), JSON.stringify(text)).toBe(referenceFnv1a64(text));
    }
  });

  it('updating piece by piece equals digesting the whole', () => {
    const d = new Digest64().update('foo').update('').update('bar');
    expect(d.hex()).toBe('85944171f73967e8');
    expect(d.bytes).toBe(6);
  });

  test.prop([fc.string({ unit: 'binary' })], { numRuns: 500 })('equals a BigInt FNV-1a over the UTF-8 bytes', (text) => {
    expect(digestHex(text)).toBe(referenceFnv1a64(text));
  });

  test.prop([fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }).map((units) => String.fromCharCode(...units))], {
    numRuns: 500,
  })('equals the reference for any UTF-16 string, lone surrogates included', (text) => {
    expect(digestHex(text)).toBe(referenceFnv1a64(text));
  });

  test.prop([fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })])('split updates equal one update', (a, b) => {
    expect(new Digest64().update(a).update(b).hex()).toBe(digestHex(a + b));
  });

  test.prop([fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })], { numRuns: 300 })('over bytes equals over the text they encode', (a, b) => {
    const enc = new TextEncoder();
    const d = new Digest64().updateBytes(enc.encode(a)).updateBytes(enc.encode(b));
    expect(d.hex()).toBe(referenceFnv1a64(a + b));
    expect(d.bytes).toBe(new Digest64().update(a + b).bytes);
  });

  it('handles long inputs (carries through both halves)', () => {
    const text = 'x'.repeat(100_000) + 'ÿ'.repeat(1000);
    expect(digestHex(text)).toBe(referenceFnv1a64(text));
    expect(new Digest64().updateBytes(Buffer.from(text, 'utf8')).hex()).toBe(referenceFnv1a64(text));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('gives the same text whatever order keys were written in', () => {
    expect(canonicalJson({ x: 1, y: 2, z: { q: 1, p: 2 } })).toBe(canonicalJson({ z: { p: 2, q: 1 }, y: 2, x: 1 }));
  });

  it('sorts integer-like keys as text', () => {
    expect(canonicalJson({ 2: 'b', 10: 'a', x: 0 })).toBe('{"10":"a","2":"b","x":0}');
  });

  it('drops undefined members and functions', () => {
    expect(canonicalJson({ a: undefined, b: 1, c: () => 1 })).toBe('{"b":1}');
    expect(canonicalJson({ a: undefined })).toBe('{}');
  });

  it('encodes undefined array items as null, as JSON.stringify does', () => {
    expect(canonicalJson([1, undefined, 2])).toBe('[1,null,2]');
  });

  it('encodes non-finite numbers as null', () => {
    expect(canonicalJson({ a: NaN, b: Infinity, c: -Infinity })).toBe('{"a":null,"b":null,"c":null}');
    expect(canonicalJson(NaN)).toBe('null');
  });

  it('encodes scalars as JSON does, with no white space', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(-1.5)).toBe('-1.5');
    expect(canonicalJson('a"b\n')).toBe('"a\\"b\\n"');
    expect(canonicalJson(12n)).toBe('"12"');
    expect(canonicalJson([1, [2, {}], 'x'])).toBe('[1,[2,{}],"x"]');
  });

  test.prop([fc.jsonValue()])('parses back to the value JSON.parse(JSON.stringify(v)) gives', (v) => {
    expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
  });
});

describe('encodeRecord', () => {
  it('writes members in the order t, kind, host, actor, conn, req, fields', () => {
    const r: TraceRecord = {
      fields: { z: 1, a: 'x' },
      req: 'r1',
      conn: 7,
      actor: 'client',
      host: 'h1',
      kind: 'msg.send',
      t: 250,
    };
    expect(encodeRecord(r)).toBe('{"t":250,"kind":"msg.send","host":"h1","actor":"client","conn":7,"req":"r1","fields":{"a":"x","z":1}}');
  });

  it('leaves out absent members', () => {
    expect(encodeRecord({ t: 0, kind: 'header' })).toBe('{"t":0,"kind":"header"}');
    expect(encodeRecord({ t: 5, kind: 'k', req: 3, fields: { u: undefined } })).toBe('{"t":5,"kind":"k","req":3,"fields":{}}');
  });
});

describe('Trace', () => {
  const records: TraceRecord[] = [
    { t: 0, kind: 'header', fields: { faultline: '0.1.0', seed: 7 } },
    { t: 10, kind: 'actor.start', host: 'h1', actor: 'a' },
    { t: 250, kind: 'msg.send', host: 'h1', actor: 'a', conn: 1, req: 'r1', fields: { bytes: 12, note: 'héllo 😀' } },
  ];

  it('its digest equals Digest64 over the JSONL of a MemorySink', () => {
    const sink = new MemorySink();
    const trace = new Trace([sink]);
    for (const r of records) trace.write(r);
    expect(trace.count).toBe(3);
    expect(sink.records).toEqual(records);
    expect(sink.lines).toEqual(records.map(encodeRecord));
    expect(sink.jsonl()).toBe(records.map((r) => `${encodeRecord(r)}\n`).join(''));
    expect(trace.digestHex()).toBe(digestHex(sink.jsonl()));
    expect(trace.digestHex()).toBe(referenceFnv1a64(sink.jsonl()));
  });

  it('an empty trace has the empty digest and empty JSONL', () => {
    const sink = new MemorySink();
    const trace = new Trace([sink]);
    expect(sink.jsonl()).toBe('');
    expect(trace.digestHex()).toBe('cbf29ce484222325');
  });

  it('gives every sink the same record and line, and closes sinks once', () => {
    const seen: string[] = [];
    let closed = 0;
    const trace = new Trace([new CallbackSink((_, line) => seen.push(line)), { write() {}, close: () => closed++ }]);
    trace.write(records[1]!);
    trace.close();
    trace.close();
    expect(seen).toEqual([encodeRecord(records[1]!)]);
    expect(closed).toBe(1);
  });
});

describe('RingSink', () => {
  const rec = (t: number): TraceRecord => ({ t, kind: 'k' });

  it('keeps the last N records in order and counts the dropped ones', () => {
    const ring = new RingSink(3);
    for (let t = 1; t <= 8; t++) ring.write(rec(t));
    expect(ring.records().map((r) => r.t)).toEqual([6, 7, 8]);
    expect(ring.dropped).toBe(5);
  });

  it('keeps everything, in order, until it is full', () => {
    const ring = new RingSink(3);
    ring.write(rec(1));
    ring.write(rec(2));
    expect(ring.records().map((r) => r.t)).toEqual([1, 2]);
    ring.write(rec(3));
    expect(ring.records().map((r) => r.t)).toEqual([1, 2, 3]);
    expect(ring.dropped).toBe(0);
  });

  test.prop([fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 100 })])(
    'holds the last min(N, written) records for any capacity',
    (capacity, written) => {
      const ring = new RingSink(capacity);
      for (let t = 0; t < written; t++) ring.write(rec(t));
      const expected = Array.from({ length: written }, (_, t) => t).slice(-capacity);
      expect(ring.records().map((r) => r.t)).toEqual(expected);
      expect(ring.dropped).toBe(Math.max(0, written - capacity));
    },
  );

  it.each([0, -1, 1.5, NaN])('refuses capacity %d', (capacity) => {
    expect(() => new RingSink(capacity)).toThrow(RangeError);
  });
});
