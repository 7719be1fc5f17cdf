/**
 * The loader's shortcuts must not change what it reads: a trace file's digest taken from its bytes equals
 * the digest of its decoded lines, and a record filed by pattern (scan.ts) models exactly as the same record
 * parsed and kept.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { encodeRecord, type TraceRecord } from '../../sim/core/trace.js';
import { digestFileBytes } from '../../viz/model/digest-bytes.js';
import { FLAT } from '../../viz/model/scan.js';
import { ModelBuilder, parseTraceText } from '../../viz/model/index.js';

const HEADER = '{"t":0,"kind":"header","fields":{"faultline":"0.1.0","faults":[],"params":{},"scenario":"x","seed":1}}';

function bytesStream(bytes: Uint8Array, chunkBytes: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunkBytes));
      at += chunkBytes;
    },
  });
}

describe('digestFileBytes', () => {
  const text = `${HEADER}\n{"t":5,"kind":"note","host":"h","fields":{"text":"héllo 😀"}}\n`;
  const expected = parseTraceText(text).digest;

  it.each([1, 3, 7, 4096])('equals the loader’s digest of the lines, in chunks of %d bytes', async (chunkBytes) => {
    expect(await digestFileBytes(bytesStream(new TextEncoder().encode(text), chunkBytes))).toEqual({ digest: expected, bytes: new TextEncoder().encode(text).length });
  });

  it('adds the newline a last line lacks, and skips a byte-order mark, as the decoder does', async () => {
    const enc = new TextEncoder();
    expect((await digestFileBytes(bytesStream(enc.encode(text.slice(0, -1)), 64))).digest).toBe(expected);
    expect(parseTraceText(text.slice(0, -1)).digest).toBe(expected);
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode(text)]);
    expect((await digestFileBytes(bytesStream(withBom, 64))).digest).toBe(expected);
  });
});

const name = fc.string({ unit: 'binary', maxLength: 12 });
const value = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), name, fc.boolean(), fc.constant(null));
const flatRecord = fc.record(
  {
    t: fc.integer({ min: 0, max: 1e9 }),
    kind: fc.oneof(fc.constantFrom('http.request', 'db.query.start', 'gateway.try', 'note'), name),
    host: fc.constantFrom('client', 'db', 'ünï', '<script>'),
    actor: fc.constantFrom('api', 'pg', 'a"b'),
    conn: fc.oneof(name, fc.integer()),
    req: fc.oneof(name, fc.integer()),
    fields: fc.dictionary(name, value, { maxKeys: 5 }),
  },
  { requiredKeys: ['t', 'kind'] },
);

describe('records filed by pattern', () => {
  test.prop([fc.array(flatRecord, { maxLength: 8 })], { numRuns: 300 })('model as the same records parsed and kept', (drafts) => {
    let t = 0;
    const records: TraceRecord[] = [{ t: 0, kind: 'header', fields: { faultline: '0.1.0', faults: [], params: {}, scenario: 'x', seed: 1 } }];
    for (const d of drafts) {
      t += d.t % 1000;
      records.push({ ...d, t } as TraceRecord);
    }
    const lines = records.map(encodeRecord);
    const fromText = parseTraceText(`${lines.join('\n')}\n`);
    const kept = new ModelBuilder();
    for (const r of records) kept.add(JSON.parse(encodeRecord(r)) as TraceRecord);
    const fromObjects = kept.finish();
    expect(fromText.hosts).toEqual(fromObjects.hosts);
    expect(fromText.actors).toEqual(fromObjects.actors);
    expect([...fromText.kinds]).toEqual([...fromObjects.kinds]);
    expect([...fromText.records.hostIds]).toEqual([...fromObjects.records.hostIds]);
    for (let i = 0; i < records.length; i++) {
      expect(fromText.records.get(i)).toEqual(fromObjects.records.get(i));
      expect(fromText.records.line(i)).toBe(lines[i]);
    }
  });

  it('takes only valid JSON: anything else goes to JSON.parse and its line-numbered error', () => {
    for (const bad of ['{"t":1,"kind":"x","fields":{"a":1,}}', '{"t":01,"kind":"x"}', '{"t":1,"kind":"x","fields":{"a":tru}}', '{"t":1,"kind":"x"} x']) {
      expect(FLAT.test(bad), bad).toBe(false);
      expect(() => parseTraceText(`${HEADER}\n${bad}\n`)).toThrow(/^line 2: not JSON/);
    }
    expect(FLAT.exec('{"t":7,"kind":"http.request","host":"gw","actor":"nginx","conn":"a>b","req":"r1","fields":{"status":200,"ok":true,"x":null}}')?.slice(1)).toEqual(['7', 'http.request', 'gw', 'nginx']);
  });
});
