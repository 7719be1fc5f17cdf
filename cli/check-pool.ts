/**
 * A fixed pool of worker threads running check cases: each worker takes the next case when it answers the
 * last, so a slow case holds up one worker only. Workers load TypeScript the way bin/faultline.js does
 * (tsx's loader, registered in the thread before the worker module is imported).
 */
import { Worker } from 'node:worker_threads';
import type { CaseJob, CaseReport } from './check-messages.js';

const workerUrl = new URL('./check-worker.ts', import.meta.url).href;
const tsxApiUrl = import.meta.resolve('tsx/esm/api');

/** A worker's bootstrap: the same two steps as bin/faultline.js. */
const bootstrap = `import(${JSON.stringify(tsxApiUrl)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl)}); });`;

/**
 * Runs every job on `workerCount` threads; `onReport` hears each as it finishes (in finishing order) and
 * may answer 'stop' to start no more (the ones under way finish).
 */
export async function runOnWorkers(jobs: readonly CaseJob[], workerCount: number, onReport: (report: CaseReport) => 'stop' | void): Promise<CaseReport[]> {
  const reports: CaseReport[] = [];
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(workerCount, jobs.length)) }, () => new Worker(bootstrap, { eval: true }));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const feed = () => {
              if (next >= jobs.length) return resolve();
              worker.postMessage(jobs[next++]!);
            };
            worker.on('message', (report: CaseReport) => {
              reports.push(report);
              if (onReport(report) === 'stop') next = jobs.length;
              feed();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => reject(new Error(`a check worker exited (status ${code}) with cases left to run`)));
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return reports.sort((a, b) => a.index - b.index);
}
