/**
 * `npm run mutants`: the mutation suite, measuring what `faultline check` catches. Each bug (mutants/bugs.ts) is
 * planted in a copy of the sources, one at a time, and `faultline check` runs on each scenario where it should
 * show, one check after another (they share the machine's cores); then the table. Progress goes to stderr, so
 * --json and --markdown keep stdout to the report. Exit 0 once the table is printed, whatever it says (the
 * table is a measurement, not a verdict); 2 for a bad option or a plant that no longer fits the sources.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bugs as allBugs, type Bug } from './bugs.js';
import { checkPlanted } from './check-run.js';
import { parseMutantArgs, usage, UsageError, type MutantOptions } from './args.js';
import { PlantError, plantCopy, removeCopy } from './plant.js';
import { formatJson, formatMarkdown, formatText, type MutantResult, type RunInfo } from './table.js';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Where the failing cases are kept, per bug (gitignored with the rest of .faultline/). */
const CASES_DIR = '.faultline/mutants';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** A scenario given as a path is the repository's file; a built-in goes by its name. */
const scenarioArg = (s: string) => (s.includes('/') ? join(repoRoot, s) : s);

function commitInfo(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha} + uncommitted changes` : sha;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

async function runSuite(o: MutantOptions): Promise<void> {
  const startMs = performance.now();
  const results: MutantResult[] = [];
  const total = o.bugs.reduce((n, b) => n + b.scenarios.length, 0);
  for (const bug of o.bugs) {
    const copy = plantCopy(repoRoot, bug);
    try {
      for (const scenario of bug.scenarios) {
        say(`[${results.length + 1}/${total}] ${bug.name} · ${scenario}…`);
        const outcome = await checkPlanted({ copyDir: copy, scenario: scenarioArg(scenario), runs: o.runs, workers: o.workers, corpusDir: join(repoRoot, CASES_DIR, bug.name), timeoutMs: o.timeoutMs, repoRoot });
        results.push({ bug: bug.name, scenario, ...outcome });
        const at = outcome.runsToFailure === null ? '' : ` at run ${outcome.runsToFailure}, ${outcome.invariant}`;
        say(`  ${outcome.verdict}${at} · ${(outcome.wallMs / 1000).toFixed(0)} s`);
      }
    } finally {
      removeCopy(copy);
    }
  }
  const info = { date: new Date().toISOString().slice(0, 10), commit: commitInfo(), runs: o.runs, workers: o.workers, wallMs: performance.now() - startMs };
  report(results, info, o.format);
}

function report(results: MutantResult[], info: RunInfo, format: MutantOptions['format']): void {
  const out = format === 'json' ? [formatJson(results, info)] : format === 'markdown' ? formatMarkdown(results, info) : formatText(results, info);
  for (const line of out) process.stdout.write(`${line}\n`);
}

/** An earlier run's --json output, read back to print its table again (RESULTS.md from the run that made it). */
function reportFrom(path: string, format: MutantOptions['format']): void {
  let saved: RunInfo & { results: MutantResult[] };
  try {
    saved = JSON.parse(readFileSync(path, 'utf8')) as typeof saved;
  } catch (err) {
    throw new UsageError(`--from: ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(saved.results)) throw new UsageError(`--from: ${path}: no results (not the --json output of npm run mutants)`);
  report(saved.results, saved, format);
}

/** `faultline replay <case>` from a copy with the bug planted: its exit status is the replay's. */
function replayPlanted(bug: Bug, casePath: string): number {
  const copy = plantCopy(repoRoot, bug);
  try {
    const r = spawnSync(process.execPath, ['--conditions=faultline-source', '--import', 'tsx', 'cli/bin.ts', 'replay', resolve(casePath)], { cwd: copy, stdio: 'inherit' });
    return r.status ?? 1;
  } finally {
    removeCopy(copy);
  }
}

try {
  const o = parseMutantArgs(process.argv.slice(2), allBugs);
  if (o.help) process.stdout.write(`${usage}\n`);
  else if (o.list) for (const b of o.bugs) process.stdout.write(`${b.name.padEnd(32)} ${b.scenarios.join(', ').padEnd(40)} ${b.what}\n`);
  else if (o.replay !== null) process.exitCode = replayPlanted(o.bugs[0]!, o.replay);
  else if (o.from !== null) reportFrom(o.from, o.format);
  else await runSuite(o);
} catch (err) {
  if (!(err instanceof UsageError || err instanceof PlantError)) throw err;
  process.stderr.write(`mutants: ${err.message}\n`);
  process.exitCode = 2;
}
