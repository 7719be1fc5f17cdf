/**
 * A fixed pool of worker threads, each started once and fed job after job: a worker takes the next job when it
 * answers the last, so a slow job holds up one worker only. A thread that dies on a job (out of memory under
 * its resourceLimits) can be answered for and replaced, so one job cannot take the rest down with it. `worker` names a module in this folder
 * ('check-worker'). From the compiled package a worker is plain JavaScript; from faultline's own sources (its
 * tests, `npm run` scripts) it loads them the way the parent did: tsx's loader, registered in the thread, and
 * the 'faultline-source' export condition.
 */
import { Worker, type ResourceLimits, type WorkerOptions } from 'node:worker_threads';

const fromSource = import.meta.url.endsWith('.ts');

function startWorker(worker: string, resourceLimits: ResourceLimits | undefined): Worker {
  const workerUrl = new URL(`./${worker}${fromSource ? '.ts' : '.js'}`, import.meta.url);
  if (!fromSource) return new Worker(workerUrl, { resourceLimits });
  const tsxApiUrl = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApiUrl)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  const options: WorkerOptions = { eval: true, execArgv: [...withoutConditions(process.execArgv), '--conditions=faultline-source'], resourceLimits };
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

export interface WorkerPoolOptions<Job, Report> {
  /** V8 limits of each thread (maxOldGenerationSizeMb…): past them Node ends the thread with ERR_WORKER_OUT_OF_MEMORY. */
  resourceLimits?: ResourceLimits;
  /**
   * A thread died while on `job` (out of memory, a crash): the report to give for it. The thread is replaced
   * and the other jobs go on. Without it, the pool rejects with the thread's error.
   */
  onThreadDeath?: (job: Job, error: Error) => Report;
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
  options: WorkerPoolOptions<Job, Report> = {},
): Promise<Report[]> {
  const reports: Report[] = [];
  let next = 0;
  const threads = new Set<Worker>();
  const hear = (report: Report) => {
    reports.push(report);
    if (onReport(report) === 'stop') next = jobs.length;
  };
  /** One lane of work: a thread fed job after job; if it dies on one, a new thread carries the lane on. */
  const lane = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const thread = startWorker(worker, options.resourceLimits);
      threads.add(thread);
      let current: Job | undefined;
      let over = false;
      const feed = () => {
        current = next < jobs.length ? jobs[next++]! : undefined;
        if (current === undefined) {
          over = true;
          resolve();
        } else thread.postMessage(current);
      };
      const die = (error: Error) => {
        if (over) return;
        over = true;
        threads.delete(thread);
        void thread.terminate();
        if (current === undefined || !options.onThreadDeath) return reject(error);
        hear(options.onThreadDeath(current, error));
        if (next >= jobs.length) resolve();
        else lane().then(resolve, reject);
      };
      thread.on('message', (report: Report) => {
        current = undefined;
        hear(report);
        feed();
      });
      thread.on('error', die);
      thread.on('exit', (code) => die(new Error(`a ${worker} thread exited (status ${code}) with jobs left to run`)));
      feed();
    });
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(workerCount, jobs.length)) }, lane));
  } finally {
    await Promise.all([...threads].map((w) => w.terminate()));
  }
  return reports.sort((a, b) => a.index - b.index);
}
