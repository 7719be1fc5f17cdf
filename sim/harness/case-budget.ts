/**
 * A chaos case's budget: how many events its run may fire, and how much heap the worker thread that runs it
 * may take. A case over budget (unbounded retries without backoff, a leak that grows per event) is a failing
 * case of its own class, `runaway`, with its seed, rather than a check that never ends or a worker that dies
 * out of memory naming nothing. The event budget is part of the run (virtual, so deterministic: a replay stops
 * at the same event); the heap budget is the worker's (Node's resourceLimits), so only its class replays.
 */
import type { Micros } from '../core/time.js';
import type { Violation } from './invariants.js';

/**
 * Events a case may fire. The built-in scenarios' chaos cases fire up to about 35 000 (retry-storm; 12 000 to
 * 18 000 for pool-exhaustion, connection-storm, db-max-connections), so this leaves over 14 times that for
 * heavier user scenarios; a runaway at the slowest rate
 * measured (a retry loop on refused connections, about 9 000 events per second on one core) is stopped in
 * about a minute instead of never. `faultline check --max-events` sets another.
 */
export const CASE_MAX_EVENTS_DEFAULT = 500_000;

/** Heap (V8's old generation) a check worker may take, MB. A healthy case's worker stays near 100 MB. */
export const CASE_MAX_HEAP_MB_DEFAULT = 1024;

/** The invariant names a runaway is filed under. */
export const EVENT_BUDGET = 'event-budget';
export const MEMORY_BUDGET = 'memory-budget';

/** The run fired its whole budget of events before its end: it ran away. */
export function eventBudgetViolation(maxEvents: number, atUs: Micros): Violation {
  return { invariant: EVENT_BUDGET, class: 'runaway', message: `runaway: over ${maxEvents} events (stopped at ${atUs / 1e6} s of virtual time)`, atUs };
}

/** The worker running the case died out of memory. */
export function memoryBudgetViolation(maxHeapMb: number): Violation {
  return { invariant: MEMORY_BUDGET, class: 'runaway', message: `runaway: worker out of memory (heap limit ${maxHeapMb} MB)` };
}
