/**
 * Reading a JSONL trace: text in chunks of any size → lines → a RunModel, with the digest of the lines
 * computed on the way (the CLI's digest: 64-bit FNV-1a over each line plus '\n', sim/core/digest.ts).
 *
 * API:
 *   TraceParseError                  { line, message }: message is one line, 'line N: …' (record-check.ts)
 *   LineSplitter(onLine)             push(chunk)…, end(); onLine(text, lineNumber, unterminated) per line
 *   JsonlParser(onRecord)            push(chunk)…, end(); onRecord(record, lineText) per checked record, in
 *                                    order; throws TraceParseError at the first bad line (for tools; the
 *                                    loader below does not build every object)
 *   TraceLoader                      push(chunk)…, finish() → RunModel; .records so far (the worker's lines
 *                                    arrive in batches: push each batch's text)
 *   parseTraceText(text)             → RunModel
 *   parseTraceStream(stream, onProgress?, options?)   → Promise<RunModel>, decoding UTF-8 incrementally
 *                                    (TextDecoder, stream: true) so no file is ever one giant string;
 *                                    onProgress(bytes, records) after each chunk
 */
import { Digest64 } from 'faultline';
import type { TraceRecord } from 'faultline';
import { ModelBuilder } from './model-builder.js';
import { checkRecord, notJson, TraceParseError } from './record-check.js';
import type { RunModel } from './run-model.js';

export { TraceParseError };

/** Splits text pushed in arbitrary chunks into lines, numbering them from 1. */
export class LineSplitter {
  /** Lines handed on so far. */
  line = 0;
  private rest = '';

  constructor(private readonly onLine: (text: string, line: number, unterminated: boolean) => void) {}

  push(chunk: string): void {
    let start = 0;
    let nl = chunk.indexOf('\n');
    if (nl < 0) {
      this.rest += chunk;
      return;
    }
    if (this.rest.length > 0) {
      this.onLine(this.rest + chunk.slice(0, nl), ++this.line, false);
      this.rest = '';
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    while (nl >= 0) {
      this.onLine(chunk.slice(start, nl), ++this.line, false);
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    this.rest = chunk.slice(start);
  }

  /** The input is over: a last line without its newline is still handed on, marked unterminated. */
  end(): void {
    if (this.rest.length > 0) {
      const last = this.rest;
      this.rest = '';
      this.onLine(last, ++this.line, true);
    }
    if (this.line === 0) throw new TraceParseError(1, 'not a faultline trace (the file is empty)');
  }
}

export class JsonlParser {
  private lastT = 0;
  private readonly lines = new LineSplitter((text, line, unterminated) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw notJson(err, text, line, unterminated);
    }
    const record = checkRecord(value, line, this.lastT);
    this.lastT = record.t;
    this.onRecord(record, text);
  });

  constructor(private readonly onRecord: (record: TraceRecord, line: string) => void) {}

  get line(): number {
    return this.lines.line;
  }

  push(chunk: string): void {
    this.lines.push(chunk);
  }

  end(): void {
    this.lines.end();
  }
}

/**
 * Models a trace pushed in chunks, and digests it unless told not to (a page digests the file's bytes in a
 * worker meanwhile: digest-worker.ts).
 */
export class TraceLoader {
  private readonly builder = new ModelBuilder();
  private readonly digest: Digest64 | null;
  private readonly lines: LineSplitter;

  constructor(options: { digest?: boolean } = {}) {
    const digest = (this.digest = options.digest === false ? null : new Digest64());
    const builder = this.builder;
    this.lines = new LineSplitter(
      digest === null
        ? (text, _line, unterminated) => builder.addLine(text, unterminated)
        : (text, _line, unterminated) => {
            builder.addLine(text, unterminated);
            digest.update(text).update('\n');
          },
    );
  }

  /** Records modelled so far. */
  get records(): number {
    return this.builder.count;
  }

  push(chunk: string): void {
    this.lines.push(chunk);
  }

  finish(): RunModel {
    this.lines.end();
    return this.builder.finish(this.digest?.hex() ?? null, this.digest?.bytes ?? null);
  }
}

export function parseTraceText(text: string): RunModel {
  const loader = new TraceLoader();
  loader.push(text);
  return loader.finish();
}

export interface ParseStreamOptions {
  /**
   * Give the event loop a turn after this much parsing, ms (default 30), so a page parsing on its main thread
   * still paints its progress; 0: never (in a worker).
   */
  yieldMs?: number;
  /** false: leave the model's digest null (the caller digests the bytes elsewhere); default true. */
  digest?: boolean;
}

export async function parseTraceStream(
  stream: ReadableStream<Uint8Array>,
  onProgress?: (bytes: number, records: number) => void,
  options: ParseStreamOptions = {},
): Promise<RunModel> {
  const yieldMs = options.yieldMs ?? 30;
  const loader = new TraceLoader({ digest: options.digest });
  // stream: true keeps a character split across chunks whole: the decoder holds its bytes until the rest comes.
  const decoder = new TextDecoder('utf-8');
  const reader = stream.getReader();
  let bytes = 0;
  let since = now();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      loader.push(decoder.decode(value, { stream: true }));
      onProgress?.(bytes, loader.records);
      if (yieldMs > 0 && now() - since >= yieldMs) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        since = now();
      }
    }
    loader.push(decoder.decode());
  } catch (err) {
    // A bad line stops the read: the rest of a large file need not be fetched.
    await reader.cancel().catch(() => undefined);
    throw err;
  } finally {
    reader.releaseLock();
  }
  return loader.finish();
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
