/**
 * The determinism self-check (FoundationDB reruns a share of seeds; madsim names the first divergence): a
 * case run twice must give the same digest; when it does not, the report names the first trace record where
 * the two runs part, with both JSONL lines, so the nondeterministic step can be found without a debugger.
 */
import type { Scenario } from '../scenario.js';
import { runCase, type CaseResult, type ChaosCase, type RunCaseOptions } from './chaos-run.js';
import type { TraceQuery } from './trace-query.js';

/** Where two runs of one case first differ. A line is null where that run's trace had already ended. */
export interface Divergence {
  digests: [string, string];
  /** Index of the first differing record (0 is the header). */
  index: number;
  /** Virtual time of that record in each run, µs (null: that run has no such record). */
  tUs: [number | null, number | null];
  kinds: [string | null, string | null];
  lines: [string | null, string | null];
}

export interface SelfCheckResult {
  /** The first run's result (its violations are the case's verdict). */
  first: CaseResult;
  /** Null: both runs gave the same digest. */
  divergence: Divergence | null;
}

/** Runs `c` twice, each keeping its trace, and compares them. Takes runCase's options (a test's beforeRun). */
export async function selfCheck(scenario: Scenario, c: ChaosCase, options: Omit<RunCaseOptions, 'keepTrace'> = {}): Promise<SelfCheckResult> {
  const first = await runCase(scenario, c, { ...options, keepTrace: true });
  const second = await runCase(scenario, c, { ...options, keepTrace: true });
  if (first.run.digest === second.run.digest) return { first, divergence: null };
  return { first, divergence: firstDivergence(first.run.trace, second.run.trace, [first.run.digest, second.run.digest]) };
}

/** The first record where the traces differ (compared as JSONL lines, byte for byte what the digest covers). */
export function firstDivergence(a: TraceQuery, b: TraceQuery, digests: [string, string]): Divergence {
  const n = Math.max(a.size, b.size);
  let i = 0;
  while (i < n && a.line(i) === b.line(i)) i++;
  // Equal lines all the way yet different digests cannot happen while the digest covers every line; if it
  // ever does, the index past the end says so rather than pointing at a record that matches.
  const ra = a.all()[i];
  const rb = b.all()[i];
  return {
    digests,
    index: i,
    tUs: [ra?.t ?? null, rb?.t ?? null],
    kinds: [ra?.kind ?? null, rb?.kind ?? null],
    lines: [a.line(i) ?? null, b.line(i) ?? null],
  };
}

/**
 * How much longer a long self-check runs after its drain: past HikariCP's default maxLifetime (30 min), so the
 * slow timers a 14 s case never reaches fire in it — maxLifetime retirements and their jitter, idleTimeout
 * (10 min), keepaliveTime, HTTP keep-alive timeouts (60–75 s). Idle virtual time is cheap: only those timers
 * fire in it.
 */
export const LONG_SELF_CHECK_TAIL_US = 31 * 60 * 1_000_000;

/** `c` with LONG_SELF_CHECK_TAIL_US more of quiet after its drain (faults, heal and drain where they were). */
export function lengthened(c: ChaosCase): ChaosCase {
  return { ...c, durationUs: c.durationUs + LONG_SELF_CHECK_TAIL_US };
}

/**
 * Whether run `runIndex`'s self-check is a long one: every second self-checked run (the second, the fourth…),
 * so run 0 stays a plain case and a check of 100 runs at the default share runs 5 long.
 */
export function isLongSelfCheck(runIndex: number, share: number): boolean {
  if (!isSelfChecked(runIndex, share)) return false;
  const ordinal = Math.ceil(runIndex * share - 1e-9); // self-checked runs before this one
  return ordinal % 2 === 1;
}

/**
 * Whether run `runIndex` of a check is self-checked: exactly ceil(runs × share) runs, spread evenly, run 0
 * always among them, so every check with a share above 0 self-checks at least one run.
 */
export function isSelfChecked(runIndex: number, share: number): boolean {
  if (!(share > 0)) return false;
  return Math.ceil((runIndex + 1) * share - 1e-9) > Math.ceil(runIndex * share - 1e-9);
}

/** A divergence as lines for a terminal or a failure message. */
export function formatDivergence(d: Divergence): string[] {
  const at = (k: 0 | 1) => (d.kinds[k] === null ? 'trace ended' : `${d.kinds[k]} at ${d.tUs[k]} µs`);
  return [
    `nondeterminism: digests ${d.digests[0]} and ${d.digests[1]}; first divergent trace record #${d.index} (run 1: ${at(0)}; run 2: ${at(1)})`,
    `  run 1: ${d.lines[0] ?? '(no record)'}`,
    `  run 2: ${d.lines[1] ?? '(no record)'}`,
  ];
}
