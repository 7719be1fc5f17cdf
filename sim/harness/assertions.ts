/**
 * The common assertions on a run, as pure checks with messages that show the numbers, the seed and the
 * command that replays the run. The vitest matchers (harness/vitest.ts) are a thin layer over these.
 */
import { conservation, deadlines, poolBounds, type Invariant } from './invariants.js';
import type { SimRun } from './simulate.js';

export interface Verdict {
  pass: boolean;
  message: string;
}

/** The line every failure ends with. */
export function runLine(run: SimRun): string {
  return `seed ${String(run.seed)} · digest ${run.digest} · replay: ${run.replay()}`;
}

function fromInvariant(run: SimRun, inv: Invariant, passMessage: string): Verdict {
  const v = inv.check(run, {});
  return v ? { pass: false, message: `${v.message}\n${runLine(run)}` } : { pass: true, message: `${passMessage}\n${runLine(run)}` };
}

function counts(run: SimRun): string {
  const s = run.requests;
  const errors = Object.entries(s.byError).slice(0, 4).map(([k, n]) => `${k} ×${n}`).join(', ');
  return `${s.total} requests: ${s.ok} ok, ${s.failed} failed${errors ? ` (${errors})` : ''}, ${s.inFlight} in flight`;
}

/** total = ok + failed + in flight, record by record. */
export function noLostRequests(run: SimRun): Verdict {
  return fromInvariant(run, conservation, `expected requests to be lost, but all are accounted for (${counts(run)})`);
}

/** No request outlived its deadline. */
export function withinDeadlines(run: SimRun): Verdict {
  const withDeadline = run.records.filter((r) => r.deadlineUs !== null).length;
  return fromInvariant(run, deadlines, `expected a request past its deadline, but all ${withDeadline} with a deadline ended by it`);
}

/** No pool went above its maximumPoolSize. */
export function poolsWithinMax(run: SimRun): Verdict {
  const peaks = Object.entries(run.pools).map(([name, p]) => `${name} ${p.peakActive}/${p.max}`).join(', ');
  return fromInvariant(run, poolBounds, `expected a pool above its maximum, but none was (${peaks})`);
}

/** The p99 latency of successful requests is below `ms`. */
export function p99Below(run: SimRun, ms: number): Verdict {
  const l = run.requests.latencyMs;
  const pass = run.requests.ok > 0 && l.p99 < ms;
  const detail = `p99 ${l.p99.toFixed(1)} ms (p50 ${l.p50.toFixed(1)}, p90 ${l.p90.toFixed(1)}, max ${l.max.toFixed(1)}; ${counts(run)})`;
  return { pass, message: `${pass ? `expected p99 latency of ${ms} ms or more, got` : `expected p99 latency below ${ms} ms, got`} ${detail}\n${runLine(run)}` };
}

/** The share of finished requests that failed is below `share` (0.01 = 1%). */
export function errorRateBelow(run: SimRun, share: number): Verdict {
  const s = run.requests;
  const finished = s.ok + s.failed;
  const rate = finished === 0 ? 0 : s.failed / finished;
  const pass = rate < share;
  return { pass, message: `${pass ? 'expected an error rate of' : 'expected an error rate below'} ${(100 * share).toFixed(2)}%${pass ? ' or more' : ''}, got ${(100 * rate).toFixed(2)}% (${counts(run)})\n${runLine(run)}` };
}
