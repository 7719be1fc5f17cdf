/** The check's cases on worker threads (worker-pool.ts), each answered by check-worker.ts. */
import type { CaseJob, CaseReport } from './check-messages.js';
import { runJobsOnWorkers } from './worker-pool.js';

/**
 * Runs every case on `workerCount` threads; `onReport` hears each as it finishes (in finishing order) and
 * may answer 'stop' to start no more (the ones under way finish).
 */
export function runOnWorkers(jobs: readonly CaseJob[], workerCount: number, onReport: (report: CaseReport) => 'stop' | void): Promise<CaseReport[]> {
  return runJobsOnWorkers<CaseJob, CaseReport>('check-worker', jobs, workerCount, onReport);
}
