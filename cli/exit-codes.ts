/**
 * The CLI's exit statuses, one per kind of outcome, so CI can tell a broken law from a system that did not
 * recover and from a simulator that is not deterministic. 1 is left to a crash (Node's own status for an
 * uncaught exception) and to `run`'s deadlock or failed actor.
 */
import type { CheckClass } from 'faultline';

export const EXIT_OK = 0;
/** `run`: a deadlock or an actor that threw; `check`: a case that could not run at all. */
export const EXIT_RUN_FAILED = 1;
/** Bad input: one line on stderr naming it. */
export const EXIT_USAGE = 2;
export const EXIT_SAFETY = 3;
export const EXIT_LIVENESS = 4;
export const EXIT_NONDETERMINISM = 5;
/** A case went over its budget of events or memory (unbounded retries, a leak): case-budget.ts. */
export const EXIT_RUNAWAY = 6;

/**
 * Most serious first: with nondeterminism no other verdict can be trusted; a broken law outranks a runaway
 * (which no invariant judged), and a runaway, which may well be a livelock, outranks slow recovery.
 */
const precedence: readonly [CheckClass, number][] = [
  ['nondeterminism', EXIT_NONDETERMINISM],
  ['safety', EXIT_SAFETY],
  ['runaway', EXIT_RUNAWAY],
  ['liveness', EXIT_LIVENESS],
];

/** The exit status for the classes a check or replay found. */
export function exitFor(found: Iterable<CheckClass>): number {
  const set = new Set(found);
  for (const [cls, code] of precedence) if (set.has(cls)) return code;
  return EXIT_OK;
}
