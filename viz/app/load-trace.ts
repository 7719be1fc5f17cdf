/**
 * A trace file into a RunModel: the page models its lines on the main thread (yielding so it still paints)
 * while the digest worker hashes its bytes on the other core; progress a few times a second.
 */
import { parseTraceStream } from '../model/parse.js';
import type { RunModel } from '../model/run-model.js';
import { digestInWorker } from './digest-client.js';

/** Parse this long between giving the page a turn: it still paints and answers clicks, and each turn costs a timer's clamp. */
const LOAD_YIELD_MS = 100;
/** Formatting progress per 64 kB chunk would cost more than it shows. */
const PROGRESS_MS = 100;

export async function loadTrace(file: Blob, onProgress: (bytes: number, records: number) => void): Promise<RunModel> {
  const digest = digestInWorker(file);
  digest.catch(() => undefined); // awaited below; a parse error may come first and leave it unawaited
  let shownAt = 0;
  const parsed = parseTraceStream(
    file.stream(),
    (bytes, records) => {
      const now = performance.now();
      if (now - shownAt < PROGRESS_MS) return;
      shownAt = now;
      onProgress(bytes, records);
    },
    { yieldMs: LOAD_YIELD_MS, digest: false },
  );
  const [model, digested] = await Promise.all([parsed, digest]);
  model.digest = digested.digest;
  model.bytes = digested.bytes;
  return model;
}
