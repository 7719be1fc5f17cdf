/**
 * A fixed pool of worker threads, each started once and fed job after job: a worker takes the next job when it
 * answers the last, so a slow job holds up one worker only. `worker` names a module in this folder
 * ('check-worker'). From the compiled package a worker is plain JavaScript; from faultline's own sources (its
 * tests, `npm run` scripts) it loads them the way the parent did: tsx's loader, registered in the thread, and
 * the 'faultline-source' export condition.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

const fromSource = import.meta.url.endsWith('.ts');

function startWorker(worker: string): Worker {
  const workerUrl = new URL(`./${worker}${fromSource ? '.ts' : '.js'}`, import.meta.url);
  if (!fromSource) return new Worker(workerUrl);
  const tsxApiUrl = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApiUrl)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  const options: WorkerOptions = { eval: true, execArgv: [...withoutConditions(process.execArgv), '--conditions=faultline-source'] };
  return new Worker(bootstrap, options);
}

/**
 * The parent's flags but its export conditions, in either spelling: `--conditions=x`, or `--conditions x` and
 * `-C x` (vitest's), whose value left behind would end the flags and make the rest the script's arguments.
 */
export function withoutConditions(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (a === '--conditions' || a === '-C') i++;
    else if (!a.startsWith('--conditions=') && !a.startsWith('-C=')) out.push(a);
  }
  return out;
}

/**
 * Runs every job on `workerCount` threads of the `worker` module; `onReport` hears each answer as it comes (in
 * finishing order) and may answer 'stop' to start no more (the ones under way finish). The answers come back
 * sorted by their `index`.
 */
export async function runJobsOnWorkers<Job, Report extends { index: number }>(
  worker: string,
  jobs: readonly Job[],
  workerCount: number,
  onReport: (report: Report) => 'stop' | void,
): Promise<Report[]> {
  const reports: Report[] = [];
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(workerCount, jobs.length)) }, () => startWorker(worker));
  try {
    await Promise.all(
      workers.map(
        (thread) =>
          new Promise<void>((resolve, reject) => {
            const feed = () => {
              if (next >= jobs.length) return resolve();
              thread.postMessage(jobs[next++]!);
            };
            thread.on('message', (report: Report) => {
              reports.push(report);
              if (onReport(report) === 'stop') next = jobs.length;
              feed();
            });
            thread.on('error', reject);
            thread.on('exit', (code) => reject(new Error(`a ${worker} thread exited (status ${code}) with jobs left to run`)));
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return reports.sort((a, b) => a.index - b.index);
}
