import { describe, expect, it } from 'vitest';
import { JsonlParser, parseTraceStream, parseTraceText, TraceParseError } from '../../viz/model/index.js';
import { poolExhaustion } from './model-helpers.js';

/** The error parsing `text` throws (it must throw one). */
function errorOf(text: string): TraceParseError {
  try {
    parseTraceText(text);
  } catch (err) {
    expect(err).toBeInstanceOf(TraceParseError);
    return err as TraceParseError;
  }
  throw new Error('parsed without an error');
}

describe('malformed traces', async () => {
  const { text } = await poolExhaustion();
  const lines = text.split('\n').slice(0, 40);

  it('names a truncated last line', () => {
    const cut = `${lines.slice(0, 30).join('\n')}\n${lines[30]!.slice(0, 25)}`;
    const e = errorOf(cut);
    expect(e.line).toBe(31);
    expect(e.message).toMatch(/^line 31: not JSON \(.*\), the file ends mid-line: truncated\?$/);
  });

  it('names bad JSON in the middle, on a packet line and on any other', () => {
    for (const at of [16, 5]) {
      const bad = [...lines];
      bad[at] = bad[at]!.replace(/}$/, ',}');
      const e = errorOf(`${bad.join('\n')}\n`);
      expect(e.line).toBe(at + 1);
      expect(e.message).toMatch(new RegExp(`^line ${at + 1}: not JSON \\(`));
      expect(e.message).not.toContain('\n');
    }
  });

  it('refuses a file without a header, or an empty one', () => {
    expect(errorOf(`${lines.slice(1).join('\n')}\n`).message).toBe('line 1: not a faultline trace (no header)');
    expect(errorOf('hello\n').message).toMatch(/^line 1: not JSON/);
    expect(errorOf('[1,2]\n').message).toBe('line 1: not a faultline trace (no header)');
    expect(errorOf('').message).toBe('line 1: not a faultline trace (the file is empty)');
  });

  it('refuses a record without a numeric t, out of order, or with a host that is not text', () => {
    const at = (i: number, line: string) => {
      const bad = [...lines];
      bad[i] = line;
      return errorOf(`${bad.join('\n')}\n`).message;
    };
    expect(at(8, '{"t":"soon","kind":"pkt.recv","host":"db","fields":{"id":1,"len":0}}')).toBe('line 9: record without a numeric t');
    expect(at(8, '{"kind":"x"}')).toBe('line 9: record without a numeric t');
    expect(at(20, '{"t":99999999999,"kind":"x"}')).toBe("line 22: t 1000 is before the previous record's 99999999999 (records must be in time order)".replace('1000', JSON.parse(lines[21]!).t));
    expect(at(8, '{"t":1,"kind":"x","host":{"name":"db"}}')).toBe('line 9: host is not a string');
    expect(at(8, '{"t":1,"kind":"x","fields":[1]}')).toBe('line 9: fields is not an object');
    expect(at(8, '')).toBe('line 9: empty line');
  });

  it('stops a stream at the bad line', async () => {
    const bad = [...lines];
    bad[12] = '{"t":';
    const bytes = new TextEncoder().encode(`${bad.join('\n')}\n`);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 100) c.enqueue(bytes.slice(i, i + 100));
        c.close();
      },
    });
    await expect(parseTraceStream(stream, undefined, { yieldMs: 0 })).rejects.toThrow(/^line 13: not JSON/);
  });

  it('JsonlParser hands on checked records with their lines', () => {
    const seen: [string, string][] = [];
    const p = new JsonlParser((r, line) => seen.push([r.kind, line]));
    const body = `${lines.slice(0, 5).join('\n')}\n`;
    for (let i = 0; i < body.length; i += 7) p.push(body.slice(i, i + 7));
    p.end();
    expect(seen.map((s) => s[1])).toEqual(lines.slice(0, 5));
    expect(seen[0]![0]).toBe('header');
    expect(p.line).toBe(5);
  });
});
