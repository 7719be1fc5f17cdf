/**
 * The mutation suite's report: one row per bug and scenario, as an aligned text table, a markdown table (the
 * README's and mutants/RESULTS.md's) or JSON. Pure functions of the results, so a test can feed them a fake.
 */
import type { CheckOutcome } from './check-run.js';

export interface MutantResult extends CheckOutcome {
  bug: string;
  scenario: string;
}

export interface RunInfo {
  /** ISO date the suite ran. */
  date: string;
  /** The commit it ran on (with "+ uncommitted changes" when the tree was dirty). */
  commit: string;
  runs: number;
  workers: number;
  wallMs: number;
}

/** The command that replays a caught bug's case with the bug planted again (the case passes without it). */
export function replayCommand(r: MutantResult): string | null {
  return r.casePath === null ? null : `npm run mutants -- --only ${r.bug} --replay ${r.casePath}`;
}

/** A scenario given as a path is shown by its file name. */
const scenarioLabel = (s: string) => s.split('/').at(-1)!;

function cells(r: MutantResult): string[] {
  const caught = r.verdict === 'caught' ? 'yes' : r.verdict === 'missed' ? 'no' : r.verdict;
  const shrunk = r.shrunk ? `${r.shrunk.episodes} (from ${r.shrunk.from})` : '-';
  return [r.bug, scenarioLabel(r.scenario), caught, r.runsToFailure === null ? '-' : String(r.runsToFailure), r.invariant ?? '-', shrunk];
}

const HEADER = ['bug', 'scenario', 'caught', 'runs', 'invariant', 'shrunk to'];

/** Bugs caught by at least one of their scenarios, of all bugs in the results. */
export function caughtCount(results: readonly MutantResult[]): { caught: number; bugs: number } {
  const bugs = new Map<string, boolean>();
  for (const r of results) bugs.set(r.bug, (bugs.get(r.bug) ?? false) || r.verdict === 'caught');
  return { caught: [...bugs.values()].filter(Boolean).length, bugs: bugs.size };
}

const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

function summary(results: readonly MutantResult[], info: RunInfo): string {
  const { caught, bugs } = caughtCount(results);
  return `${caught} of ${bugs} bugs caught by faultline check (${info.runs} runs a scenario at most, ${info.workers} workers) · ${minutes(info.wallMs)}`;
}

/** Aligned columns, then each caught row's replay command and each failure to run with its reason. */
export function formatText(results: readonly MutantResult[], info: RunInfo): string[] {
  const rows = [HEADER, ...results.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of results) {
    const replay = replayCommand(r);
    if (replay) lines.push(`${r.bug} · ${scenarioLabel(r.scenario)}: ${r.detail}`, `  replay: ${replay}`);
    else if (r.verdict === 'broken' || r.verdict === 'timeout') lines.push(`${r.bug} · ${scenarioLabel(r.scenario)}: ${r.verdict}: ${r.detail}`);
  }
  lines.push(summary(results, info));
  return lines;
}

const escapeCell = (s: string) => s.replaceAll('|', '\\|');

/** The markdown table, headed by when and where it ran. */
export function formatMarkdown(results: readonly MutantResult[], info: RunInfo): string[] {
  const lines = [`Ran ${info.date} on commit ${info.commit}: \`npm run mutants -- --runs ${info.runs} --workers ${info.workers}\`.`, '', `| ${[...HEADER, 'replay'].join(' | ')} |`, `|${[...HEADER, 'replay'].map(() => ' --- ').join('|')}|`];
  for (const r of results) {
    const replay = replayCommand(r);
    const last = replay ? `\`${replay}\`` : r.verdict === 'broken' || r.verdict === 'timeout' ? escapeCell(r.detail) : '';
    lines.push(`| ${cells(r).map(escapeCell).join(' | ')} | ${last} |`);
  }
  lines.push('', summary(results, info));
  return lines;
}

export function formatJson(results: readonly MutantResult[], info: RunInfo): string {
  return JSON.stringify({ ...info, wallMs: Math.round(info.wallMs), ...caughtCount(results), results: results.map((r) => ({ ...r, wallMs: Math.round(r.wallMs), replay: replayCommand(r) })) });
}
