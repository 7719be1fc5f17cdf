/** The check's cases on worker threads (worker-pool.ts), each answered by check-worker.ts. */
import { memoryBudgetViolation } from 'faultline';
import type { CaseJob, CaseReport } from './check-messages.js';
import { runJobsOnWorkers } from './worker-pool.js';

/**
 * Runs every case on `workerCount` threads, each with a heap of `maxHeapMb`; `onReport` hears each as it
 * finishes (in finishing order) and may answer 'stop' to start no more (the ones under way finish). A case
 * whose thread dies out of memory is reported as a memory runaway with its index (and so its seed); a fresh
 * thread takes the dead one's place.
 */
export function runOnWorkers(jobs: readonly CaseJob[], workerCount: number, onReport: (report: CaseReport) => 'stop' | void, maxHeapMb?: number): Promise<CaseReport[]> {
  return runJobsOnWorkers<CaseJob, CaseReport>('check-worker', jobs, workerCount, onReport, {
    ...(maxHeapMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } } : {}),
    onThreadDeath: (job, error) => threadDeathReport(job, error, maxHeapMb),
  });
}

/** What a case whose thread died says: out of memory is a runaway of the case; anything else, a case that could not run. */
export function threadDeathReport(job: CaseJob, error: Error, maxHeapMb: number | undefined): CaseReport {
  const code = (error as { code?: unknown }).code;
  const base = { index: job.index, digest: null, divergence: null, wallMs: 0 };
  if (code === 'ERR_WORKER_OUT_OF_MEMORY' && maxHeapMb !== undefined) return { ...base, violations: [memoryBudgetViolation(maxHeapMb)] };
  return { ...base, violations: [], error: { message: `its worker thread died: ${error.message}`, code: undefined } };
}
