/**
 * `faultline sweep`'s runner: a scenario over the cartesian product of the varied parameters, each point on
 * several seeds, every (point, seed) one job on the worker threads (sweep-worker.ts). Every point's
 * parameters are checked here first, so a bad key or value is one line before any thread starts. The answers
 * are put back in (point, seed) order, so the result is the same on any number of workers.
 */
import { gridPoints, ParamError, parseDuration, resolveParams, sweepResult, type RunFigures, type SweepAxis, type SweepResult } from 'faultline';
import type { SweepJob, SweepReport } from './sweep-messages.js';
import { loadScenario } from './scenario-module.js';
import { runJobsOnWorkers } from './worker-pool.js';

export interface SweepOptions {
  /** A built-in's name or a module's path, as loadScenario takes it. */
  scenario: string;
  vary: SweepAxis[];
  /** Parameters for every point (text, as `--set` gives them); a varied key may not be among them. */
  set?: Record<string, string>;
  /** The seeds every point runs on. */
  seeds: number[];
  duration?: string;
  /** A fault schedule (a list of faults with `at`) for every run. */
  faults?: unknown;
  workers: number;
  /** Hears that every point's parameters were read and the runs are about to start. */
  onStart?: (plan: { points: number; runs: number }) => void;
  /** Hears each run as it finishes (finishing order): how many are done of how many. */
  onRun?: (done: number, total: number) => void;
}

/** A run of the sweep could not run: `code` set when its input is the user's to fix (exit 2), unset for a bug (exit 1). */
export class SweepRunError extends Error {
  override name = 'SweepRunError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const set = options.set ?? {};
  const { scenario, modulePath } = await loadScenario(options.scenario);
  // Workers load a module by its absolute path, whatever their working directory.
  const source = modulePath ?? options.scenario;
  for (const axis of options.vary) {
    if (axis.key in set) throw new ParamError(`--vary ${axis.key}: also given with --set (vary it or set it)`);
  }
  if (options.seeds.length === 0) throw new ParamError('a sweep needs at least one seed');
  if (options.duration !== undefined) parseDuration(options.duration, '--duration');
  const points = gridPoints(options.vary);
  for (const p of points) resolveParams(scenario.name, scenario.params, { ...set, ...p.assignments });

  const seeds = options.seeds;
  const jobs: SweepJob[] = points.flatMap((p) =>
    seeds.map((seed, s) => ({ index: p.index * seeds.length + s, scenario: source, seed, params: { ...set, ...p.assignments }, duration: options.duration, faults: options.faults })),
  );
  options.onStart?.({ points: points.length, runs: jobs.length });
  let done = 0;
  let broken: SweepReport | undefined;
  const reports = await runJobsOnWorkers<SweepJob, SweepReport>('sweep-worker', jobs, options.workers, (report) => {
    if (report.error) {
      broken ??= report;
      return 'stop';
    }
    options.onRun?.(++done, jobs.length);
  });
  if (broken) {
    const point = points[Math.floor(broken.index / seeds.length)]!;
    const where = Object.entries(point.assignments).map(([k, v]) => `${k}=${v}`).join(' ');
    throw new SweepRunError(`point ${where}, seed ${seeds[broken.index % seeds.length]} could not run: ${broken.error!.message}`, broken.error!.code);
  }
  const runs: RunFigures[][] = points.map((p) => reports.slice(p.index * seeds.length, (p.index + 1) * seeds.length).map((r) => r.figures!));
  return sweepResult(
    { scenario: options.scenario, scenarioName: scenario.name, vary: options.vary, set, seeds, duration: options.duration ?? null, faults: options.faults ?? null },
    points,
    runs,
  );
}
