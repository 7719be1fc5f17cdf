/**
 * The run one seed of a sweep's point was: the sweep's scenario, the point's parameters (its varied values
 * over the sweep's `--set` ones, as sweep hands each run `{ ...set, ...assignments }`), the sweep's duration
 * and fault schedule, and that seed — the inputs of `faultline run <scenario> --seed s --set … --duration …
 * --faults …`, so the page's run has that command's digest. (The sweep's own digests are of light traces, as
 * chaos runs keep them, so they differ from a full run's.)
 */
import type { Seed, SweepResult } from 'faultline';
import { findScenario, isBuiltin, userScenario } from './scenario-list.js';
import type { RunSpec } from './url-state.js';

export type SweepOpen = { ok: true; spec: RunSpec } | { ok: false; message: string };

export function sweepRunSpec(sweep: SweepResult, pointIndex: number, seed: Seed): SweepOpen {
  const point = sweep.points[pointIndex];
  if (!point) return { ok: false, message: `the sweep has no point ${pointIndex}` };
  if (!sweep.seeds.includes(seed)) return { ok: false, message: `the sweep has no seed ${String(seed)}` };
  const scenario = sweepScenario(sweep);
  if (!scenario.ok) return scenario;
  const spec: RunSpec = {
    scenario: scenario.name,
    seed: String(seed),
    params: { ...sweep.set, ...point.assignments },
    faults: sweep.faults === null || sweep.faults === undefined ? '' : JSON.stringify(sweep.faults),
    ...(sweep.duration === null ? {} : { duration: sweep.duration }),
  };
  return { ok: true, spec };
}

/**
 * The page's scenario for the sweep's, by name. A sweep named by a path (a module or system file) can only be
 * opened by a page started with that file: the page has the built-ins and at most the one file it was given.
 */
function sweepScenario(sweep: SweepResult): { ok: true; name: string } | { ok: false; message: string } {
  const name = sweep.scenarioName;
  const fromFile = sweep.scenario !== name;
  if (fromFile) {
    if (userScenario(name)) return { ok: true, name };
    return { ok: false, message: `this sweep ran ${sweep.scenario}: to open its runs here, start the visualizer with it: faultline viz ${sweep.scenario}` };
  }
  const found = findScenario(name);
  if (!found) return { ok: false, message: `this sweep ran scenario '${name}', which this page does not have` };
  if (!isBuiltin(found)) return { ok: false, message: `this sweep ran the built-in ${name}, but this page's ${name} is the module it was started with: open the sweep with faultline viz ${name}` };
  return { ok: true, name };
}
