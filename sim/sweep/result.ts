/**
 * A whole sweep as one plain object: its inputs, the metrics found, and per point its assignments, every
 * run's figures (seed order) and the estimates across them. It holds no wall time and no worker count, so
 * the same sweep gives the same object, and the same `--json`, on any number of workers.
 */
import type { Seed } from '../core/random.js';
import { FAULTLINE_VERSION } from '../version.js';
import { metricInfo, metricKeys, pointEstimates, type MetricInfo, type RunFigures } from './figures.js';
import type { SweepAxis, SweepPoint } from './grid.js';
import type { Estimate } from './stats.js';

export interface SweepInputs {
  /** The scenario as named on the command line (a built-in's name or a module's or system file's path). */
  scenario: string;
  /**
   * The scenario's own name (a module's or system file's may differ from its path): what a run's trace header
   * and the visualizer's scenario list call it, so the visualizer can open a point's run.
   */
  scenarioName: string;
  vary: SweepAxis[];
  /** Parameters set for every point (`--set`). */
  set: Record<string, string>;
  seeds: Seed[];
  /** `--duration` as given; null: the scenario's default. */
  duration: string | null;
  /** The fault schedule applied to every run (null: none). */
  faults: unknown;
}

export interface SweepPointResult {
  index: number;
  assignments: Record<string, string>;
  runs: RunFigures[];
  estimates: Record<string, Estimate | null>;
}

export interface SweepResult extends SweepInputs {
  faultline: string;
  metrics: MetricInfo[];
  points: SweepPointResult[];
}

/** Seed i (0-based) of every point: base + i. */
export function sweepSeeds(count: number, base = 1): number[] {
  return Array.from({ length: count }, (_, i) => base + i);
}

/** The sweep's object from its inputs and each point's runs in seed order (`runs[point][seedIndex]`). */
export function sweepResult(inputs: SweepInputs, points: readonly SweepPoint[], runs: readonly (readonly RunFigures[])[]): SweepResult {
  const keys = metricKeys(runs.flat());
  return {
    faultline: FAULTLINE_VERSION,
    ...inputs,
    metrics: keys.map(metricInfo),
    points: points.map((p) => ({ index: p.index, assignments: p.assignments, runs: [...runs[p.index]!], estimates: pointEstimates(runs[p.index]!, keys) })),
  };
}
