/** Streams trace lines to a JSONL file (Node only): one canonical record per line, buffered, written in order. */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { TraceRecord, TraceSink } from 'faultline';

const FLUSH_BYTES = 1 << 20;

export class JsonlFileSink implements TraceSink {
  private readonly fd: number;
  private chunks: string[] = [];
  private pendingChars = 0;

  /** Opens (truncates) `path`; throws Node's error (ENOENT, EACCES …) if it cannot. */
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(_record: TraceRecord, line: string): void {
    this.chunks.push(line, '\n');
    this.pendingChars += line.length + 1;
    if (this.pendingChars >= FLUSH_BYTES) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.chunks.length === 0) return;
    writeSync(this.fd, this.chunks.join(''));
    this.chunks = [];
    this.pendingChars = 0;
  }
}
