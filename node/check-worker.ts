/**
 * A `faultline check` worker thread: takes cases as messages, runs each (twice when it is to be self-
 * checked) and answers with its verdict and wall time. One worker serves many cases, so the cost of
 * starting a thread and loading the simulator is paid once per worker, not per case.
 */
import { parentPort } from 'node:worker_threads';
import { describeError, realWorldViolation, runCase, selfCheck, SimError } from 'faultline';
import type { CaseJob, CaseReport } from './check-messages.js';
import { loadScenario } from './scenario-module.js';

export async function runJob(job: CaseJob): Promise<CaseReport> {
  const startMs = performance.now();
  try {
    const { scenario } = await loadScenario(job.case.module ?? job.case.scenario);
    const { first, divergence } = job.selfCheck ? await selfCheck(scenario, job.case) : { first: await runCase(scenario, job.case), divergence: null };
    return { index: job.index, violations: first.violations, digest: first.run.digest, divergence, wallMs: performance.now() - startMs };
  } catch (err) {
    // The run reached the real world (Math.random, the clock, a timer): a failing case with its seed, not a broken check.
    if (err instanceof SimError && err.code === 'ERR_NONDETERMINISM') return { index: job.index, violations: [realWorldViolation(err.message)], digest: null, divergence: null, wallMs: performance.now() - startMs };
    // A SimError's message is already the one line for the user; anything else keeps its name (TypeError: …).
    const error = err instanceof SimError ? { message: err.message, code: err.code } : { message: describeError(err), code: undefined };
    return { index: job.index, violations: [], digest: null, divergence: null, wallMs: performance.now() - startMs, error };
  }
}

parentPort?.on('message', (job: CaseJob) => {
  void runJob(job).then((report) => parentPort!.postMessage(report));
});
