/**
 * The digest worker: the CLI's trace digest (64-bit FNV-1a over every line plus '\n') of a trace file, taken
 * from its bytes while the page models the same file. On its own core the digest costs the load nothing.
 */
import { digestFileBytes } from '../model/digest-bytes.js';
import { oneLine } from '../app/errors.js';

export type DigestReply = { type: 'digest'; digest: string; bytes: number } | { type: 'error'; message: string };

/** The part of a dedicated worker's global scope used here (the DOM lib types `self` as a window). */
interface WorkerScope {
  postMessage(message: DigestReply): void;
  onmessage: ((event: MessageEvent<Blob>) => void) | null;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (event) => {
  digestFileBytes(event.data.stream()).then(
    ({ digest, bytes }) => scope.postMessage({ type: 'digest', digest, bytes }),
    (err: unknown) => scope.postMessage({ type: 'error', message: oneLine(err) }),
  );
};
