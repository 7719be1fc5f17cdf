/**
 * `faultline sweep <scenario> --vary key=v1,v2,…`: the scenario over the cartesian product of the varied
 * parameters, each point on --seeds seeds (1…n, or from --seed), every run on a worker thread; per point each
 * metric's mean and 95% interval across the seeds. A table by default, --json or --csv for one object or one
 * row per point, --html for a self-contained report with a chart of each metric against each varied key.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { FAULTLINE_VERSION, parseAssignments, parseAxes, type Estimate, type MetricInfo, type SweepResult } from 'faultline';
import { runSweep, sweepCsv, SweepRunError, writeSweepReport } from 'faultline/node';
import { parseCount, parseSeed, readJson, scenarioChoices, UsageError } from './args.js';
import { CheckError } from './check.js';
import { Progress, type Terminal } from './check-report.js';
import { EXIT_OK, EXIT_RUN_FAILED } from './exit-codes.js';

const SEEDS_DEFAULT = 3;
const SEEDS_MAX = 10_000;
const WORKERS_MAX = 256;
/** Pools shown in the table (those that made callers wait first); --json and --csv have every one. */
const TABLE_POOLS_MAX = 2;

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

/** Decimals for a figure of this size: about three significant digits, none for large counts. */
function decimals(v: number): number {
  const a = Math.abs(v);
  if (a === 0 || a >= 100) return 0;
  if (a >= 10) return 1;
  if (a >= 1) return 2;
  return Math.min(6, 2 - Math.floor(Math.log10(a)));
}

/** `mean ±ci` at the mean's precision; '-' where the point has no value. */
export function formatEstimate(e: Estimate | null | undefined): string {
  if (!e) return '-';
  const d = decimals(e.mean === 0 && e.ci95 ? e.ci95 : e.mean);
  return e.ci95 === null ? e.mean.toFixed(d) : `${e.mean.toFixed(d)} ±${e.ci95.toFixed(d)}`;
}

interface Column {
  title: string;
  cell: (p: SweepResult['points'][number]) => string;
  left?: boolean;
}

/** The table: a row per point, the varied values then the key metrics as mean ±95% interval. */
export function formatSweepTable(result: SweepResult): string[] {
  const has = (key: string) => result.metrics.some((m) => m.key === key);
  const metric = (title: string, key: string): Column => ({ title, cell: (p) => formatEstimate(p.estimates[key]) });
  const columns: Column[] = [
    ...result.vary.map((a): Column => ({ title: a.key, cell: (p) => p.assignments[a.key]!, left: true })),
    metric('ok/s', 'throughputPerS'),
    metric('ok', 'ok'),
    metric('failed', 'failed'),
    metric('p50 ms', 'latencyP50Ms'),
    metric('p99 ms', 'latencyP99Ms'),
    metric('p99.9 ms', 'latencyP999Ms'),
  ];
  const errors = result.metrics.filter((m) => m.key.startsWith('errors.'));
  if (errors.length > 0) columns.push({ title: 'top error', cell: (p) => topError(errors, p.estimates), left: true });
  for (const pool of tablePools(result)) {
    columns.push(metric(`P(wait) ${pool}`, `pool.${pool}.waitProbability`), metric(`wait ms ${pool}`, `pool.${pool}.meanWaitMs`));
    if (has(`pool.${pool}.acquireTimeouts`)) columns.push(metric(`timeouts ${pool}`, `pool.${pool}.acquireTimeouts`));
  }
  const rows = [columns.map((c) => c.title), ...result.points.map((p) => columns.map((c) => c.cell(p)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (columns[i]!.left ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
  lines.push(`mean ±95% interval across ${result.seeds.length} seed${result.seeds.length === 1 ? '' : 's'} a point; every error kind and pool: --json or --csv`);
  return lines;
}

/** The error kind with the most requests at this point, e.g. `504 ×141`. */
function topError(errors: readonly MetricInfo[], estimates: Record<string, Estimate | null>): string {
  let best: { kind: string; mean: number } | null = null;
  for (const m of errors) {
    const mean = estimates[m.key]?.mean ?? 0;
    if (mean > 0 && (best === null || mean > best.mean)) best = { kind: m.key.slice('errors.'.length), mean };
  }
  return best ? `${best.kind} ×${best.mean.toFixed(decimals(best.mean))}` : '';
}

/** The pools whose callers waited somewhere in the sweep (at most TABLE_POOLS_MAX, first made first); else the first pool. */
function tablePools(result: SweepResult): string[] {
  const pools = [...new Set(result.metrics.flatMap((m) => (m.pool === undefined ? [] : [m.pool])))];
  const waited = pools.filter((pool) => result.points.some((p) => (p.estimates[`pool.${pool}.waitProbability`]?.mean ?? 0) > 0));
  return (waited.length > 0 ? waited : pools).slice(0, TABLE_POOLS_MAX);
}
