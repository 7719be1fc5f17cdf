/**
 * A chaos case as a file (what `faultline check` writes and `faultline replay` and the corpus tests read):
 * the ChaosCase, how it failed when it was found, and what a replay must show now. Read with zod, so a hand-
 * edited file that is wrong gets one line naming the field (`case.json: phases.healAtUs: missing`).
 */
import { z } from 'zod';
import { SimError } from '../core/errors.js';
import { pathText, valueAt } from '../core/json-path.js';
import { FAULTLINE_VERSION } from '../version.js';
import type { ChaosCase } from './chaos-run.js';
import type { FailureClass } from './invariants.js';

/** What a check can find wrong with a case: an invariant's class, or two runs that disagree. */
export type CheckClass = FailureClass | 'nondeterminism';

/** The invariant name a nondeterminism finding is filed under. */
export const DETERMINISM = 'determinism';

const micros = z.number().int().nonnegative();

export const caseFileSchema = z.strictObject({
  /** The faultline version that wrote it (informational: a replay on another version may differ). */
  faultline: z.string().prefault(FAULTLINE_VERSION),
  scenario: z.string().min(1),
  /** The scenario's module, relative to the case file, when it is not a built-in. */
  module: z.string().min(1).optional(),
  seed: z.union([z.number().int().refine(Number.isSafeInteger, 'expected a safe integer'), z.string().min(1)]),
  params: z.record(z.string(), z.unknown()).prefault({}),
  durationUs: micros.positive(),
  /** Checked fault by fault when the run starts (the network knows the hosts), as `faultline run --faults` does. */
  faults: z.array(z.record(z.string(), z.unknown())).prefault([]),
  phases: z.strictObject({ healAtUs: micros, drainAtUs: micros }),
  traceDetail: z.enum(['full', 'light']).prefault('light'),
  /** Events the run may fire (a replay stops at the same one); default CASE_MAX_EVENTS_DEFAULT. */
  maxEvents: z.number().int().positive().optional(),
  /** Heap limit of the worker that ran it, MB (a memory runaway replays on a worker with it). */
  maxHeapMb: z.number().int().positive().optional(),
  failure: z
    .strictObject({
      class: z.enum(['safety', 'liveness', 'runaway', 'nondeterminism']),
      invariant: z.string().min(1),
      message: z.string(),
      atUs: micros.optional(),
    })
    .optional(),
  fastCheck: z.strictObject({ seed: z.number().int(), path: z.string().optional() }).optional(),
  /**
   * What replaying it must show. 'pass' (the default): the bug it found is fixed, and the case guards the fix.
   * 'fail': it must still fail as `failure` says (a canary, or a known bug kept visible).
   */
  expect: z.enum(['pass', 'fail']).prefault('pass'),
  /** Why the case is kept, for the reader of the corpus. */
  note: z.string().optional(),
});

export type CaseFile = z.output<typeof caseFileSchema>;

// Every field of ChaosCase must be readable from a file: this fails to compile when ChaosCase gains one.
type Unread = Exclude<keyof ChaosCase, keyof CaseFile>;
const everyFieldRead: [Unread] extends [never] ? true : Unread = true;
void everyFieldRead;

/** Parses a case file's JSON; throws SimError ERR_CASE with one line naming the field. */
export function parseCaseFile(json: unknown, source: string): CaseFile {
  const result = caseFileSchema.safeParse(json);
  if (result.success) return result.data;
  throw new SimError('ERR_CASE', `${source}: ${issueText(result.error.issues[0]!, json)}`);
}

/** The ChaosCase inside a case file (what runCase takes). */
export function chaosCaseOf(file: CaseFile): ChaosCase {
  const { expect: _expect, note: _note, failure, ...c } = file;
  // A nondeterminism finding has no invariant class; runCase does not read `failure` anyway.
  return failure && failure.class !== 'nondeterminism' ? { ...c, failure: { ...failure, class: failure.class } } : c;
}

function issueText(issue: z.core.$ZodIssue, json: unknown): string {
  const where = pathText(issue.path);
  if (issue.code === 'unrecognized_keys') {
    if (where) return `${where}.${issue.keys[0]}: not a field of ${where}`;
    return `${issue.keys[0]}: not a field of a case (fields: ${Object.keys(caseFileSchema.shape).join(', ')})`;
  }
  if (issue.path.length === 0) return `expected a case object, got ${json === null ? 'null' : Array.isArray(json) ? 'a list' : typeof json}`;
  if (valueAt(json, issue.path) === undefined) return `${where}: missing`;
  return `${where}: ${issue.message}`;
}
