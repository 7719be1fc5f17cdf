/**
 * `faultline check <scenario>`: N chaos cases on K worker threads. Case i is drawn from a seed derived from
 * (--seed, i) only, so the verdicts are the same for any K and any finishing order; a share of the cases is
 * run twice (the determinism self-check). Failing cases are written as JSON (harness/corpus.ts); the exit
 * status says the most serious class found (exit-codes.ts).
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { CASE_MAX_EVENTS_DEFAULT, CASE_MAX_HEAP_MB_DEFAULT, caseSeed, describeEpisode, drawCase, FAULTLINE_VERSION, isLongSelfCheck, isSelfChecked, lengthened, LONG_SELF_CHECK_TAIL_US, shrinkCase, verdictOf, type DrawCase, type Scenario, type ShrinkCase } from 'faultline';
import { DEFAULT_CORPUS_DIR, loadScenario, REGRESSION_CORPUS_DIR, runOnWorkers, writeCaseFile, type CaseJob, type CaseReport } from 'faultline/node';
import { parseCount, parseSeed, scenarioChoices, UsageError } from './args.js';
import { checkSummaryJson, formatCheckSummary, Progress, type RunOutcome, type Terminal } from './check-report.js';
import { EXIT_RUN_FAILED, exitFor } from './exit-codes.js';

export const checkUsage = `  faultline check <scenario|module> [options] chaos: many runs under drawn faults, checked
    --runs <n>           cases to run (default 100)
    --seed <n|text>      the check's seed; case i's seed derives from it and i (default 1)
    --workers <k>        worker threads (default: the CPU count)
    --corpus <dir>       where failing cases are written (default ${DEFAULT_CORPUS_DIR})
    --self-check <share> share of runs run twice and compared (default 0.1; run 0 always)
    --shrink <n>         failing cases to shrink to a minimal schedule, first first (default 1; 0: none)
    --max-events <n>     events a case may fire before it is a runaway (default ${CASE_MAX_EVENTS_DEFAULT})
    --max-heap-mb <mb>   heap a case's worker may take before it is a runaway (default ${CASE_MAX_HEAP_MB_DEFAULT})
    --json               print one JSON object (every run's seed, digest and finding) instead`;

const RUNS_DEFAULT = 100;
const RUNS_MAX = 1_000_000;
const WORKERS_MAX = 256;
const SELF_CHECK_DEFAULT = 0.1;
/** Shrinking costs a run per episode left, again after each removal: the first failure is usually enough. */
const SHRINK_DEFAULT = 1;
/** Below this a worker cannot even load the simulator and its scenario (about 60 MB from the sources). */
const MAX_HEAP_MB_MIN = 64;
const MAX_HEAP_MB_MAX = 1_048_576;

/**
 * `draw` is for tests that aim a check at a known case; the CLI draws from the chaos arbitraries. `shrink`
 * redraws a failing case's episodes from its seed: it goes with the default drawer (none for another).
 */
export async function check(args: string[], out: (line: string) => void, terminal: Terminal, draw: DrawCase = drawCase, shrink: ShrinkCase | null = draw === drawCase ? shrinkCase : null): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { runs: { type: 'string' }, seed: { type: 'string' }, workers: { type: 'string' }, corpus: { type: 'string' }, 'self-check': { type: 'string' }, shrink: { type: 'string' }, 'max-events': { type: 'string' }, 'max-heap-mb': { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? `check needs a scenario (${scenarioChoices()})` : `check takes one scenario, got '${positionals.join(' ')}'`);
  const { scenario } = await loadScenario(positionals[0]!);
  const runs = parseCount(values.runs, '--runs', RUNS_DEFAULT, 1, RUNS_MAX);
  const seed = parseSeed(values.seed ?? '1');
  const workers = parseCount(values.workers, '--workers', Math.min(availableParallelism(), runs), 1, WORKERS_MAX);
  const corpusDir = values.corpus ?? DEFAULT_CORPUS_DIR;
  if (corpusDir.length === 0) throw new UsageError('--corpus: empty');
  const share = parseShare(values['self-check']);
  const shrinkCount = parseCount(values.shrink, '--shrink', SHRINK_DEFAULT, 0, RUNS_MAX);
  const maxEvents = parseCount(values['max-events'], '--max-events', CASE_MAX_EVENTS_DEFAULT, 1, Number.MAX_SAFE_INTEGER);
  const maxHeapMb = parseCount(values['max-heap-mb'], '--max-heap-mb', CASE_MAX_HEAP_MB_DEFAULT, MAX_HEAP_MB_MIN, MAX_HEAP_MB_MAX);

  // Cases are drawn here, up front, so a drawer's mistake is one line before any thread starts.
  // Each case carries its budget, so its case file replays under the same one. Half the self-checked cases run
  // long past their drain, to where slow timers fire (maxLifetime); their case files say so in durationUs.
  const jobs: CaseJob[] = Array.from({ length: runs }, (_, index) => {
    const drawn = { ...draw(scenario, caseSeed(seed, index), index), maxEvents, maxHeapMb };
    return { index, case: isLongSelfCheck(index, share) ? lengthened(drawn) : drawn, selfCheck: isSelfChecked(index, share) };
  });
  const selfChecked = jobs.filter((j) => j.selfCheck).length;
  const long = jobs.filter((j) => isLongSelfCheck(j.index, share)).length;
  const longText = long > 0 ? ` (${long} of them ${LONG_SELF_CHECK_TAIL_US / 60e6} min past the drain)` : '';
  const json = values.json === true;
  const quiet = () => {};
  if (!json) out(`faultline ${FAULTLINE_VERSION} · check ${scenario.name} · ${runs} runs from seed ${seed} · ${workers} worker${workers === 1 ? '' : 's'} · ${selfChecked} self-checked${longText}`);

  const startMs = performance.now();
  const progress = json ? new Progress(runs, { isTTY: false, write: quiet }, quiet, () => 0, 0) : new Progress(runs, terminal, out, () => performance.now(), startMs);
  const outcomes: RunOutcome[] = [];
  let broken: CaseReport | undefined;
  await runOnWorkers(jobs, workers, (report) => {
    if (report.error) {
      broken ??= report;
      return 'stop';
    }
    const job = jobs[report.index]!;
    const finding = verdictOf(report.violations, report.divergence);
    // Per run, so a self-checked case (two runs) is not named the slowest for being run twice.
    const outcome: RunOutcome = { index: report.index, seed: job.case.seed, wallMs: report.wallMs / (job.selfCheck ? 2 : 1), finding, digest: report.digest, selfChecked: job.selfCheck };
    if (finding) outcome.casePath = writeCaseFile(corpusDir, { ...job.case, failure: finding, expect: 'pass' });
    outcomes.push(outcome);
    progress.add(outcome);
  }, maxHeapMb);
  progress.clearBar();
  if (broken) {
    // A case that cannot run at all: a bad scenario for chaos (no network) is the user's, anything else faultline's.
    const prefix = `run ${broken.index} (seed ${caseSeed(seed, broken.index)}) could not run: ${broken.error!.message}`;
    throw broken.error!.code ? new UsageError(prefix) : new CheckError(prefix);
  }
  outcomes.sort((a, b) => a.index - b.index);
  if (shrink) await shrinkFailures(scenario, outcomes, shrinkCount, shrink, corpusDir, json ? () => {} : out);
  const summary = { scenario: scenario.name, seed, outcomes, wallMs: performance.now() - startMs, workers };
  if (json) out(JSON.stringify(checkSummaryJson(summary)));
  else {
    for (const line of formatCheckSummary(summary)) out(line);
    if (outcomes.some((o) => o.finding) && corpusDir !== REGRESSION_CORPUS_DIR) out(`to keep a case as a regression test, copy it into ${REGRESSION_CORPUS_DIR}/${scenario.name}/`);
  }
  return exitFor(outcomes.flatMap((o) => (o.finding ? [o.finding.class] : [])));
}

/**
 * Shrinks the first `count` failures in run order: episodes removed one at a time while the case still fails
 * (on this thread: each run is short, and they depend on one another). A failure that does not come back on a
 * rerun (a nondeterminism finding) is said so and left as it was.
 */
async function shrinkFailures(scenario: Scenario, outcomes: RunOutcome[], count: number, shrink: ShrinkCase, corpusDir: string, out: (line: string) => void): Promise<void> {
  // A runaway is not shrunk: each try could cost its whole budget, and a memory one would take this process down.
  // Nor is a run the real-world traps ended: there is no run left to judge with an episode fewer.
  for (const o of outcomes.filter((x) => x.finding !== null && x.finding.class !== 'runaway' && x.finding.invariant !== 'real-world').slice(0, count)) {
    if (typeof o.seed !== 'number') continue;
    out(`shrinking run ${o.index} (seed ${o.seed})…`);
    const min = await shrink(scenario, o.seed);
    const finding = verdictOf(min.violations, null);
    if (!finding) {
      out(`  run ${o.index}'s failure did not come back on a rerun: not shrunk`);
      continue;
    }
    const note = `shrunk by faultline check from ${min.episodesBefore} episodes to ${min.input.episodes.length} (run ${o.index})`;
    const casePath = writeCaseFile(corpusDir, { ...min.chaosCase, failure: finding, expect: 'pass', note }, '-min');
    o.shrunk = { episodes: min.input.episodes.length, from: min.episodesBefore, described: min.input.episodes.map(describeEpisode), finding, casePath };
  }
}

/** A case faultline itself could not run (exit 1, like any crash, but one line). */
export class CheckError extends Error {
  readonly exitCode = EXIT_RUN_FAILED;
}

function parseShare(text: string | undefined): number {
  if (text === undefined) return SELF_CHECK_DEFAULT;
  const share = /^(0|1|0?\.\d+|1\.0*)$/.test(text) ? Number(text) : Number.NaN;
  // 0 is refused on purpose: every check self-checks at least one run (the "always some in CI").
  if (!(share > 0 && share <= 1)) throw new UsageError(`--self-check: expected a share above 0 and at most 1 (e.g. 0.1), got '${text}'`);
  return share;
}
