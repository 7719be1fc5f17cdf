/**
 * What `faultline check` shows: a progress bar on a terminal, plain lines elsewhere (CI logs keep every
 * line, so a bar redrawn with \r would be noise there), then a summary computed from the reports in run
 * order, so it reads the same whatever the number of workers.
 */
import type { CheckClass, Finding, Seed } from 'faultline';

/** Where progress goes: a terminal takes a redrawn line, anything else whole lines. */
export interface Terminal {
  isTTY: boolean;
  write(text: string): void;
}

/** One finished run, as the summary needs it. */
export interface RunOutcome {
  index: number;
  /** The case's simulation seed. */
  seed: Seed;
  /** Null when the case's worker died (a memory runaway) before it could say. */
  digest: string | null;
  selfChecked: boolean;
  /** Wall time of one run of the case (a self-checked case's two runs, halved), ms. */
  wallMs: number;
  finding: Finding | null;
  /** Where the failing case was written. */
  casePath?: string;
  /** The failing case shrunk (episodes removed while it still failed), where it was. */
  shrunk?: ShrunkCase;
}

export interface ShrunkCase {
  episodes: number;
  from: number;
  /** Each episode left, in words ('kill db 12000–14000 ms'). */
  described: string[];
  finding: Finding;
  casePath: string;
}

const BAR_WIDTH = 30;
/** Plain-line progress every this share of the runs. */
const PLAIN_STEP_SHARE = 0.1;
/** Failures listed one by one in the summary; the rest are counted. */
const LISTED_FAILURES_MAX = 20;

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

export class Progress {
  private done = 0;
  private failed = 0;
  private readonly plainStep: number;

  constructor(
    private readonly runs: number,
    private readonly terminal: Terminal,
    private readonly out: (line: string) => void,
    private readonly nowMs: () => number,
    private readonly startMs: number,
    /** Say how many failed (a check's runs fail; a sweep's runs are measurements). */
    private readonly countFailures = true,
  ) {
    this.plainStep = Math.max(1, Math.ceil(runs * PLAIN_STEP_SHARE));
  }

  /** A run finished; a failure gets its own line at once (so a long check shows it before the end). */
  add(o: RunOutcome): void {
    if (o.finding) {
      this.failed++;
      this.clearBar();
      this.out(`run ${o.index} · seed ${o.seed} · ${o.finding.class} · ${o.finding.invariant}: ${o.finding.message}`);
    }
    this.tick();
  }

  /** One more run done: the bar redrawn on a terminal, elsewhere a line every tenth of the runs. */
  tick(): void {
    this.done++;
    const rest = `${this.countFailures ? ` · ${this.failed} failed` : ''} · ${seconds(this.nowMs() - this.startMs)}`;
    if (this.terminal.isTTY) {
      const filled = Math.round((BAR_WIDTH * this.done) / this.runs);
      this.terminal.write(`\r[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${this.done}/${this.runs}${rest}`);
    } else if (this.done % this.plainStep === 0 || this.done === this.runs) {
      this.out(`${this.done}/${this.runs} runs${rest}`);
    }
  }

  /** Takes the bar off the line before other output. */
  clearBar(): void {
    if (this.terminal.isTTY && this.done > 0) this.terminal.write('\r\x1b[K');
  }
}

export interface CheckSummaryInput {
  scenario: string;
  seed: Seed;
  outcomes: readonly RunOutcome[];
  wallMs: number;
  workers: number;
}

function countByClass(outcomes: readonly RunOutcome[]): Record<CheckClass, number> {
  const byClass: Record<CheckClass, number> = { safety: 0, liveness: 0, nondeterminism: 0, runaway: 0 };
  for (const o of outcomes) if (o.finding) byClass[o.finding.class]++;
  return byClass;
}

function slowestOf(outcomes: readonly RunOutcome[]): RunOutcome | undefined {
  return outcomes.reduce<RunOutcome | undefined>((a, o) => (a === undefined || o.wallMs > a.wallMs ? o : a), undefined);
}

/** The summary lines: counts by class, the slowest seed, wall time, then each failure with its replay command. */
export function formatCheckSummary(s: CheckSummaryInput): string[] {
  const byClass = countByClass(s.outcomes);
  const failures = s.outcomes.filter((o) => o.finding !== null);
  const slowest = slowestOf(s.outcomes);
  const lines = [
    // runaway only when there is one: most checks have none, and the line stays the one CI logs already grep.
    `${s.outcomes.length} runs: ${s.outcomes.length - failures.length} passed, ${failures.length} failed (safety ${byClass.safety}, liveness ${byClass.liveness}, nondeterminism ${byClass.nondeterminism}${byClass.runaway > 0 ? `, runaway ${byClass.runaway}` : ''})`,
  ];
  if (slowest) lines.push(`slowest: run ${slowest.index}, seed ${slowest.seed}, ${seconds(slowest.wallMs)}`);
  lines.push(`wall time ${seconds(s.wallMs)} on ${s.workers} worker${s.workers === 1 ? '' : 's'}`);
  for (const o of failures.slice(0, LISTED_FAILURES_MAX)) {
    lines.push(`run ${o.index} · seed ${o.seed} · ${o.finding!.class} · ${o.finding!.invariant}: ${o.finding!.message}`);
    if (o.casePath) lines.push(`  replay: npx faultline replay ${o.casePath}`);
    if (o.shrunk) {
      const sh = o.shrunk;
      lines.push(`  shrunk from ${sh.from} episodes to ${sh.episodes}${sh.described.length > 0 ? `: ${sh.described.join('; ')}` : ''} (${sh.finding.invariant})`);
      lines.push(`  replay: npx faultline replay ${sh.casePath}`);
    }
  }
  if (failures.length > LISTED_FAILURES_MAX) lines.push(`… ${failures.length - LISTED_FAILURES_MAX} more failures`);
  return lines;
}

/** `check --json`: the summary's numbers and every run, in run order (wall times aside, the same for any worker count). */
export function checkSummaryJson(s: CheckSummaryInput): Record<string, unknown> {
  const slowest = slowestOf(s.outcomes);
  const failed = s.outcomes.filter((o) => o.finding !== null).length;
  return {
    scenario: s.scenario,
    seed: s.seed,
    runs: s.outcomes.length,
    passed: s.outcomes.length - failed,
    failed: countByClass(s.outcomes),
    slowest: slowest ? { index: slowest.index, seed: slowest.seed, wallMs: Math.round(slowest.wallMs) } : null,
    wallMs: Math.round(s.wallMs),
    workers: s.workers,
    results: s.outcomes.map((o) => ({ index: o.index, seed: o.seed, digest: o.digest, selfChecked: o.selfChecked, finding: o.finding, wallMs: Math.round(o.wallMs), ...(o.casePath ? { case: o.casePath } : {}), ...(o.shrunk ? { shrunk: o.shrunk } : {}) })),
  };
}
