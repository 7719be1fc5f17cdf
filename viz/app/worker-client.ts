/**
 * Starts the scenario worker for one run and hands its batches of JSONL to the page. One worker per run:
 * stopping a run is terminating its worker, which nothing inside the simulator can delay.
 */
import type { RunRequest, WorkerMessage, DoneMessage } from '../worker/protocol.js';

export interface WorkerRunHandlers {
  onLines(text: string, records: number, tUs: number): void;
  onDone(done: DoneMessage): void;
  onError(message: string): void;
}

export interface WorkerRun {
  stop(): void;
}

export function runInWorker(request: RunRequest, handlers: WorkerRunHandlers): WorkerRun {
  // Vite bundles the worker from this URL form (new URL(…, import.meta.url) inside new Worker).
  const worker = new Worker(new URL('../worker/run-worker.ts', import.meta.url), { type: 'module', name: 'faultline-run' });
  worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
    const message = event.data;
    if (message.type === 'lines') handlers.onLines(message.text, message.records, message.tUs);
    else if (message.type === 'done') {
      worker.terminate();
      handlers.onDone(message);
    } else {
      worker.terminate();
      handlers.onError(message.message);
    }
  };
  worker.onerror = (event) => {
    worker.terminate();
    handlers.onError(event.message || 'the scenario worker failed to start');
  };
  worker.postMessage(request);
  return { stop: () => worker.terminate() };
}
