/**
 * `faultline sweep <scenario> --vary key=v1,v2,…`: the scenario over the cartesian product of the varied
 * parameters, each point on --seeds seeds (1…n, or from --seed), every run on a worker thread; per point each
 * metric's mean and 95% interval across the seeds. A table by default, --json or --csv for one object or one
 * row per point, --html for a self-contained report with a chart of each metric against each varied key.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { FAULTLINE_VERSION, parseAssignments, parseAxes, sweepColumns, type SweepResult } from 'faultline';
import { runSweep, sweepCsv, SweepRunError, writeSweepReport } from 'faultline/node';
import { parseCount, parseSeed, readJson, scenarioChoices, UsageError } from './args.js';
import { CheckError } from './check.js';
import { Progress, type Terminal } from './check-report.js';
import { EXIT_OK, EXIT_RUN_FAILED } from './exit-codes.js';

const SEEDS_DEFAULT = 3;
const SEEDS_MAX = 10_000;
const WORKERS_MAX = 256;

export const sweepUsage = `  faultline sweep <scenario|module> --vary <key=v1,v2,…> [options]
                       the scenario over a grid of parameter values, several seeds a point
    --vary <key=v1,…>    a parameter and its values (repeatable: every combination is a point)
    --seeds <n>          seeds per point (default ${SEEDS_DEFAULT}): 1…n, or from --seed
    --seed <n>           the first seed (default 1)
    --set <key=value>    a parameter for every point (repeatable)
    --faults <file>      a fault schedule for every run (JSON list of faults with 'at')
    --duration <time>    virtual time per run (default: the scenario's)
    --workers <k>        worker threads (default: the CPU count)
    --json | --csv       one JSON object, or CSV with a row per point, instead of the table
    --html <file>        also write a report: a chart of each metric against each varied key`;

export async function sweep(args: string[], out: (line: string) => void, err: (line: string) => void, terminal: Terminal): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { vary: { type: 'string', multiple: true }, set: { type: 'string', multiple: true }, seeds: { type: 'string' }, seed: { type: 'string' }, faults: { type: 'string' }, duration: { type: 'string' }, workers: { type: 'string' }, html: { type: 'string' }, json: { type: 'boolean' }, csv: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? `sweep needs a scenario (${scenarioChoices()})` : `sweep takes one scenario, got '${positionals.join(' ')}'`);
  if (!values.vary || values.vary.length === 0) throw new UsageError('sweep needs at least one --vary key=v1,v2,…');
  if (values.json && values.csv) throw new UsageError('--json and --csv: pick one');
  if (values.html === '') throw new UsageError('--html: empty');
  const vary = parseAxes(values.vary);
  const count = parseCount(values.seeds, '--seeds', SEEDS_DEFAULT, 1, SEEDS_MAX);
  const base = parseSeed(values.seed ?? '1');
  if (typeof base !== 'number') throw new UsageError(`--seed: a sweep's seeds are whole numbers from it, got '${base}'`);
  const seeds = Array.from({ length: count }, (_, i) => base + i);
  const points = vary.reduce((n, a) => n * a.values.length, 1);
  const workers = parseCount(values.workers, '--workers', Math.min(availableParallelism(), points * count), 1, WORKERS_MAX);
  const set = parseAssignments(values.set ?? []);
  const faults = values.faults === undefined ? undefined : readJson(values.faults, '--faults');
  const machine = values.json === true || values.csv === true;

  const header = `faultline ${FAULTLINE_VERSION} · sweep ${positionals[0]} · ${points} point${points === 1 ? '' : 's'} × ${count} seed${count === 1 ? '' : 's'} (${seeds[0]}${count > 1 ? `…${seeds[count - 1]}` : ''}) · ${workers} worker${workers === 1 ? '' : 's'}`;
  const startMs = performance.now();
  // --json and --csv keep stdout for the result: their progress lines go to stderr.
  const progress = new Progress(points * count, machine ? { isTTY: false, write: () => {} } : terminal, machine ? err : out, () => performance.now(), startMs, false);
  let result: SweepResult;
  try {
    result = await runSweep({
      ...{ scenario: positionals[0]!, vary, set, seeds, duration: values.duration, faults, workers },
      // Said once every point's parameters have been read: bad input is one line and nothing else.
      onStart: () => (machine ? undefined : out(header)),
      onRun: () => progress.tick(),
    });
  } catch (e) {
    progress.clearBar();
    if (e instanceof SweepRunError) throw e.code ? new UsageError(e.message) : new CheckError(e.message);
    throw e;
  }
  progress.clearBar();
  if (values.html !== undefined) {
    try {
      writeSweepReport(values.html, result);
    } catch (e) {
      throw new UsageError(`--html ${values.html}: ${(e as Error).message}`);
    }
  }
  if (values.json) out(JSON.stringify(result));
  else if (values.csv) out(sweepCsv(result).trimEnd());
  else {
    for (const line of formatSweepTable(result)) out(line);
    if (values.html !== undefined) out(`report: ${values.html}`);
  }
  const broken = result.points.flatMap((p) => p.runs.filter((r) => r.stop === 'deadlock' || r.failures > 0).map((r) => `${assignmentText(p.assignments)} seed ${r.seed}`));
  if (broken.length > 0) {
    err(`faultline: ${broken.length} run${broken.length === 1 ? '' : 's'} ended in a deadlock or with an actor that threw (${broken.slice(0, 3).join('; ')}${broken.length > 3 ? '; …' : ''}): faultline run shows why`);
    return EXIT_RUN_FAILED;
  }
  return EXIT_OK;
}

const assignmentText = (a: Record<string, string>): string =>
  Object.entries(a)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/** The table: a row per point, the varied values then the key metrics as mean ±95% interval. */
export function formatSweepTable(result: SweepResult): string[] {
  const columns = sweepColumns(result);
  const rows = [columns.map((c) => c.title), ...result.points.map((p) => columns.map((c) => c.cell(p)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (columns[i]!.left ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
  lines.push(`mean ±95% interval across ${result.seeds.length} seed${result.seeds.length === 1 ? '' : 's'} a point; every error kind and pool: --json or --csv`);
  return lines;
}
