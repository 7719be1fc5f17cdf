/**
 * Digests a trace file in the digest worker while the page models it; where a worker cannot start, on the
 * page after all (the same function, just not in parallel).
 */
import { digestFileBytes } from '../model/digest-bytes.js';
import type { DigestReply } from '../worker/digest-worker.js';

export function digestInWorker(file: Blob): Promise<{ digest: string; bytes: number }> {
  let worker: Worker;
  try {
    worker = new Worker(new URL('../worker/digest-worker.ts', import.meta.url), { type: 'module', name: 'faultline-digest' });
  } catch {
    return digestFileBytes(file.stream());
  }
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<DigestReply>) => {
      worker.terminate();
      const reply = event.data;
      if (reply.type === 'digest') resolve({ digest: reply.digest, bytes: reply.bytes });
      else reject(new Error(reply.message));
    };
    worker.onerror = () => {
      worker.terminate();
      resolve(digestFileBytes(file.stream()));
    };
    worker.postMessage(file);
  });
}
