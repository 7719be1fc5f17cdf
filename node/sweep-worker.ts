/**
 * A `faultline sweep` worker thread: takes (point, seed) jobs as messages, runs each with a light trace and
 * answers with its figures only — a few numbers, not the run.
 */
import { parentPort } from 'node:worker_threads';
import { describeError, DurationError, ParamError, runFigures, runScenario, SimError } from 'faultline';
import type { SweepJob, SweepReport } from './sweep-messages.js';
import { loadScenario } from './scenario-module.js';

export async function runSweepJob(job: SweepJob): Promise<SweepReport> {
  try {
    const { scenario } = await loadScenario(job.scenario);
    const run = await runScenario(scenario, { seed: job.seed, params: job.params, duration: job.duration, faults: job.faults, traceDetail: 'light' });
    return { index: job.index, figures: runFigures(run) };
  } catch (err) {
    // The simulator's one-line errors are the user's input (exit 2); anything else keeps its name (TypeError: …).
    const user = err instanceof SimError ? err.code : err instanceof ParamError || err instanceof DurationError ? err.name : undefined;
    return { index: job.index, figures: null, error: { message: user ? (err as Error).message : describeError(err), code: user } };
  }
}

parentPort?.on('message', (job: SweepJob) => {
  void runSweepJob(job).then((report) => parentPort!.postMessage(report));
});
