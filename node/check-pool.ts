/**
 * A fixed pool of worker threads running check cases: each worker takes the next case when it answers the
 * last, so a slow case holds up one worker only. From the compiled package a worker is plain JavaScript;
 * from faultline's own sources (its tests, `npm run` scripts) it loads them the way the parent did: tsx's
 * loader, registered in the thread, and the 'faultline-source' export condition.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { CaseJob, CaseReport } from './check-messages.js';

const fromSource = import.meta.url.endsWith('.ts');
const workerUrl = new URL(fromSource ? './check-worker.ts' : './check-worker.js', import.meta.url);

function startWorker(): Worker {
  if (!fromSource) return new Worker(workerUrl);
  const tsxApiUrl = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApiUrl)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  const options: WorkerOptions = { eval: true, execArgv: [...process.execArgv.filter((a) => !a.startsWith('--conditions')), '--conditions=faultline-source'] };
  return new Worker(bootstrap, options);
}

/**
 * Runs every job on `workerCount` threads; `onReport` hears each as it finishes (in finishing order) and
 * may answer 'stop' to start no more (the ones under way finish).
 */
export async function runOnWorkers(jobs: readonly CaseJob[], workerCount: number, onReport: (report: CaseReport) => 'stop' | void): Promise<CaseReport[]> {
  const reports: CaseReport[] = [];
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(workerCount, jobs.length)) }, startWorker);
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
