/**
 * One `faultline check` of one scenario, run from a planted copy in source mode, reduced to what the table
 * shows. `check` runs every case before it reports (it does not stop at a failure), so this runs it twice:
 * first as plain lines, watched, and stopped at the first failure it prints (a caught bug costs a few runs,
 * not 200); then again over runs 0…f (case i depends only on the check's seed and i) with --json and one
 * shrink, for the first failing run, its invariant, the shrunk schedule and the case files.
 */
import { spawn } from 'node:child_process';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface CheckRequest {
  /** The planted copy (the CLI runs from there). */
  copyDir: string;
  /** A built-in's name, or an absolute path to a module or system file. */
  scenario: string;
  runs: number;
  workers: number;
  /** Where the failing cases are kept (outside the copy, which is removed). */
  corpusDir: string;
  /** Stop a check that runs longer (a runaway), ms of wall time. */
  timeoutMs: number;
  /** The repository's root: case paths are shown relative to it. */
  repoRoot: string;
}

export type Verdict = 'caught' | 'missed' | 'broken' | 'timeout';

export interface CheckOutcome {
  verdict: Verdict;
  /** Runs until the first failure (its index + 1), when caught. */
  runsToFailure: number | null;
  /** 'class · invariant', when caught. */
  invariant: string | null;
  /** Episodes left after shrinking, and before. */
  shrunk: { episodes: number; from: number } | null;
  /** The case file that reproduces it (the shrunk one when there is one), relative to the repository. */
  casePath: string | null;
  /** The failure's message; for broken or timeout, why. */
  detail: string;
  wallMs: number;
}

/** `run 12 · seed 4242 · liveness · recovers: …`, as check prints each failure the moment it happens. */
const FAILURE_LINE = /^run (\d+) · seed (\S+) · (safety|liveness|nondeterminism) · ([^:]+): (.*)$/;

interface Spawned {
  code: number | null;
  lines: string[];
  stderr: string;
  stoppedAtFailure: boolean;
  timedOut: boolean;
}

/** Runs the copy's CLI; `stopAt` ends it (SIGKILL, threads and all) when a stdout line matches. */
function runCli(copyDir: string, args: string[], timeoutMs: number, stopAt: RegExp | null): Promise<Spawned> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--conditions=faultline-source', '--import', 'tsx', 'cli/bin.ts', ...args], { cwd: copyDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Spawned = { code: null, lines: [], stderr: '', stoppedAtFailure: false, timedOut: false };
    const timer = setTimeout(() => {
      out.timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      out.lines.push(line);
      if (stopAt && !out.stoppedAtFailure && stopAt.test(line)) {
        out.stoppedAtFailure = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      out.code = code;
      done(out);
    });
  });
}

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

/** The check of one scenario with the bug planted in `copyDir`. */
export async function checkPlanted(r: CheckRequest): Promise<CheckOutcome> {
  const startMs = performance.now();
  const elapsed = () => performance.now() - startMs;
  const base = ['check', r.scenario, '--workers', String(r.workers)];
  const watch = await runCli(r.copyDir, [...base, '--runs', String(r.runs), '--shrink', '0', '--corpus', join(r.copyDir, '.faultline/watch')], r.timeoutMs, FAILURE_LINE);
  const none = { runsToFailure: null, invariant: null, shrunk: null, casePath: null };
  if (watch.timedOut) return { verdict: 'timeout', ...none, detail: `no verdict within ${Math.round(r.timeoutMs / 60_000)} min (a runaway?)`, wallMs: elapsed() };
  if (!watch.stoppedAtFailure) {
    if (watch.code === 0) return { verdict: 'missed', ...none, detail: `${r.runs} runs passed`, wallMs: elapsed() };
    return { verdict: 'broken', ...none, detail: `check exited ${watch.code}: ${lastLine(watch.stderr) || lastLine(watch.lines.join('\n'))}`, wallMs: elapsed() };
  }
  const seen = FAILURE_LINE.exec(watch.lines.find((l) => FAILURE_LINE.test(l))!)!;
  const seenIndex = Number(seen[1]);
  // A nondeterminism finding shows only on a self-checked run, and which runs are depends on --runs: check them all.
  const selfCheck = seen[3] === 'nondeterminism' ? ['--self-check', '1'] : [];
  const replay = await runCli(r.copyDir, [...base, '--runs', String(seenIndex + 1), '--json', '--shrink', '1', '--corpus', r.corpusDir, ...selfCheck], r.timeoutMs, null);
  const seenAs = { invariant: `${seen[3]} · ${seen[4]}`, detail: seen[5]! };
  const json = [...replay.lines].reverse().find((l) => l.startsWith('{'));
  if (replay.timedOut || !json) {
    const why = replay.timedOut ? 'timed out' : `exited ${replay.code}: ${lastLine(replay.stderr)}`;
    return { verdict: 'caught', runsToFailure: seenIndex + 1, invariant: seenAs.invariant, shrunk: null, casePath: null, detail: `${seenAs.detail} (the rerun to shrink it ${why})`, wallMs: elapsed() };
  }
  const first = firstFailure(JSON.parse(json) as CheckJson);
  if (!first) return { verdict: 'caught', runsToFailure: seenIndex + 1, invariant: seenAs.invariant, shrunk: null, casePath: null, detail: `${seenAs.detail} (not seen again on the rerun of runs 0–${seenIndex})`, wallMs: elapsed() };
  const path = first.shrunk?.casePath ?? first.case ?? null;
  return {
    verdict: 'caught',
    runsToFailure: first.index + 1,
    invariant: `${first.finding.class} · ${first.finding.invariant}`,
    shrunk: first.shrunk ? { episodes: first.shrunk.episodes, from: first.shrunk.from } : null,
    casePath: path === null ? null : relative(r.repoRoot, resolve(r.copyDir, path)),
    detail: first.finding.message,
    wallMs: elapsed(),
  };
}

/** What this reads of `check --json` (cli/check-report.ts's checkSummaryJson). */
interface CheckJson {
  results: { index: number; finding: { class: string; invariant: string; message: string } | null; case?: string; shrunk?: { episodes: number; from: number; casePath: string } }[];
}

/** The failing run with the lowest index. */
export function firstFailure(j: CheckJson): (CheckJson['results'][number] & { finding: NonNullable<CheckJson['results'][number]['finding']> }) | undefined {
  const failing = j.results.filter((x) => x.finding !== null).sort((a, b) => a.index - b.index);
  return failing[0] as ReturnType<typeof firstFailure>;
}
