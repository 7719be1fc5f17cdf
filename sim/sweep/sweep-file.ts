/**
 * A sweep's `--json` read back (the visualizer loads it to open a point's runs). Read with zod, so a file
 * that is not a sweep, or a hand-edited one that is wrong, gets one line naming the field
 * (`sweep.json: points[0].runs[1].seed: missing (…)`), never a stack trace or a table drawn from nothing.
 * Fields a newer faultline adds are let through: only what opening a run and drawing the table need is checked.
 */
import { z } from 'zod';
import { SimError } from '../core/errors.js';
import type { StopReason } from '../core/simulation.js';
import { issueLine } from '../system/issues.js';
import type { SweepResult } from './result.js';

const seed = z.union([z.number().int(), z.string().min(1)]);
const estimate = z.object({ mean: z.number(), ci95: z.number().nullable(), n: z.number().int().positive() });

const run = z.object({
  seed,
  digest: z.string(),
  endUs: z.number().nonnegative(),
  stop: z.enum(['idle', 'deadlock', 'until', 'maxEvents'] satisfies StopReason[]),
  failures: z.number().int().nonnegative(),
  metrics: z.record(z.string(), z.number().nullable()),
});

export const sweepFileSchema = z
  .object({
    faultline: z.string(),
    scenario: z.string().min(1),
    /** Absent in a sweep written before it was recorded: the scenario as named then. */
    scenarioName: z.string().min(1).optional(),
    vary: z.array(z.object({ key: z.string().min(1), values: z.array(z.string()).min(1) })),
    set: z.record(z.string(), z.string()),
    seeds: z.array(seed).min(1),
    duration: z.string().nullable(),
    faults: z.array(z.record(z.string(), z.unknown())).nullable(),
    metrics: z.array(z.object({ key: z.string(), label: z.string(), unit: z.string(), pool: z.string().optional() })),
    points: z.array(
      z.object({
        index: z.number().int().nonnegative(),
        assignments: z.record(z.string(), z.string()),
        runs: z.array(run).min(1),
        estimates: z.record(z.string(), estimate.nullable()),
      }),
    ),
  })
  .superRefine((doc, ctx) => {
    // Opening a point's run needs every varied key's value there: the grid is the vary keys' product.
    doc.points.forEach((p, i) => {
      for (const axis of doc.vary) {
        if (p.assignments[axis.key] === undefined) ctx.addIssue({ code: 'custom', path: ['points', i, 'assignments', axis.key], message: `missing (the varied key ${axis.key})` });
      }
    });
  });

/** A sweep document's JSON as the sweep it is; throws SimError ERR_SWEEP with one line naming the field. */
export function parseSweepFile(json: unknown, source: string): SweepResult {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new SimError('ERR_SWEEP', `${source}: expected a sweep (an object from faultline sweep --json), got ${Array.isArray(json) ? 'a list' : json === null ? 'null' : typeof json}`);
  }
  const result = sweepFileSchema.safeParse(json);
  if (!result.success) throw new SimError('ERR_SWEEP', `${source}: ${issueLine(result.error.issues[0]!, json, sweepFileSchema)}`);
  const doc = result.data;
  return { ...doc, scenarioName: doc.scenarioName ?? doc.scenario };
}
