/**
 * The faultline command line (Node only): `faultline list`, `faultline run <scenario> …`.
 * Bad input ends with one line on stderr and exit status 2; a run that deadlocks or whose actors fail exits 1.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { findScenario, scenarios } from '../scenarios/index.js';
import { DistributionError } from '../sim/core/distribution.js';
import { SimError } from '../sim/core/errors.js';
import { MemorySink, type TraceRecord, type TraceSink } from '../sim/core/trace.js';
import { DurationError, parseDuration } from '../sim/core/time.js';
import { ParamError, parseAssignments } from '../sim/params.js';
import { runScenario } from '../sim/run-scenario.js';
import { summarizePools } from '../sim/pool/summary.js';
import { RequestLedger, type RequestSummary } from '../sim/requests/ledger.js';
import type { Simulation } from '../sim/core/simulation.js';
import { FAULTLINE_VERSION } from '../sim/version.js';
import { formatRecord, formatSummary } from './format.js';
import { replayCommand } from '../sim/harness/replay.js';
import { formatTimeline } from './timeline.js';
import { JsonlFileSink } from './jsonl-sink.js';

/** Input the user can fix: printed as one line, exit status 2. */
class UsageError extends Error {}

const EXIT_OK = 0;
const EXIT_RUN_FAILED = 1;
const EXIT_USAGE = 2;
/** Most trace lines --log prints. */
const LOG_LINES_MAX = 10_000;

const usage = `usage: faultline <command>
  faultline list                              the scenarios
  faultline run <scenario> [options]          run one and summarise it
    --seed <n|text>      root seed (default 1)
    --duration <time>    virtual time to run, e.g. 30s (default: the scenario's)
    --set <key=value>    a scenario parameter (repeatable)
    --faults <file>      a fault schedule (JSON list of faults with 'at')
    --trace <file>       write the whole trace as JSONL
    --log <n>            also print the first n trace records (packets left out)
    --json               print one JSON object instead of the summary`;

export async function main(argv: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'list':
        if (rest.length > 0) throw new UsageError(`list takes no arguments (got '${rest[0]}')`);
        for (const s of scenarios) out(`${s.name.padEnd(16)} ${s.description}`);
        return EXIT_OK;
      case 'run':
        return await run(rest, out);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(usage);
        return command === undefined ? EXIT_USAGE : EXIT_OK;
      case '--version':
        out(FAULTLINE_VERSION);
        return EXIT_OK;
      default:
        throw new UsageError(`unknown command '${command}' (commands: list, run)`);
    }
  } catch (e) {
    if (isUserError(e)) {
      err(`faultline: ${oneLine(e)}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

async function run(args: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      seed: { type: 'string' },
      duration: { type: 'string' },
      set: { type: 'string', multiple: true },
      trace: { type: 'string' },
      faults: { type: 'string' },
      json: { type: 'boolean' },
      log: { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError(`run needs a scenario name (scenarios: ${scenarios.map((s) => s.name).join(', ')})`);
  if (positionals.length > 1) throw new UsageError(`run takes one scenario, got '${positionals.join(' ')}'`);
  const name = positionals[0]!;
  const scenario = findScenario(name);
  if (!scenario) throw new UsageError(`unknown scenario '${name}' (scenarios: ${scenarios.map((s) => s.name).join(', ')})`);
  const seed = parseSeed(values.seed ?? '1');
  if (values.duration !== undefined) parseDuration(values.duration, '--duration');
  const assignments = parseAssignments(values.set ?? []);
  const faults = values.faults === undefined ? undefined : readJson(values.faults, '--faults');
  const logLines = values.log === undefined ? 0 : Number(values.log);
  if (!Number.isSafeInteger(logLines) || logLines < 0 || logLines > LOG_LINES_MAX) throw new UsageError(`--log: expected a whole number of records from 0 to ${LOG_LINES_MAX}, got '${values.log}'`);

  const sinks: TraceSink[] = [];
  const log = new MemorySink();
  const logSink = new LogSink(log, logLines);
  if (!values.json) sinks.push(logSink);
  if (values.trace !== undefined) {
    try {
      sinks.push(new JsonlFileSink(values.trace));
    } catch (e) {
      throw new UsageError(`--trace ${values.trace}: ${(e as Error).message}`);
    }
  }
  const { result, sim, params, limitUs } = await runScenario(scenario, { seed, params: assignments, duration: values.duration, sinks, faults });

  const replayLine = replayCommand({ scenario: scenario.name, seed, duration: values.duration, params: assignments, faultsPath: values.faults });
  const metrics = sim.metrics.snapshot();
  const exit = result.stop === 'deadlock' || result.failures.length > 0 ? EXIT_RUN_FAILED : EXIT_OK;

  if (values.json) {
    out(
      JSON.stringify({
        scenario: scenario.name,
        seed,
        params,
        digest: result.digest,
        unseed: result.unseed,
        durationUs: result.endUs,
        limitUs,
        events: result.events,
        records: result.records,
        stop: result.stop,
        message: result.message,
        waiting: result.waiting,
        failures: result.failures,
        ...requestsJson(sim),
        pools: summarizePools(sim),
        metrics,
        trace: values.trace ?? null,
        replay: replayLine,
      }),
    );
    return exit;
  }
  out(`faultline ${FAULTLINE_VERSION} · ${scenario.name} · seed ${seed}`);
  out(scenario.description);
  if (logLines > 0) {
    const shown = log.records.filter((r) => r.kind !== 'header' && r.kind !== 'run.stop');
    for (const r of shown.slice(0, logLines)) out(formatRecord(r));
    const hidden = result.records - 2 - Math.min(shown.length, logLines);
    if (hidden > 0) out(`  … ${hidden} more records, packets included${values.trace ? ` (all in ${values.trace})` : ' (write them all with --trace run.jsonl)'}`);
  }
  const ledger = RequestLedger.of(sim);
  for (const line of formatTimeline({ sim, endUs: result.endUs, requests: ledger.all(), faults: logSink.faults, poolTimeouts: logSink.poolTimeouts })) out(line);
  if (logSink.faults.length > 0) {
    out('');
    out(`faults applied (${logSink.faults.length}):`);
    for (const f of logSink.faults.slice(0, 20)) out(formatRecord(f));
    if (logSink.faults.length > 20) out(`  … ${logSink.faults.length - 20} more`);
  }
  for (const line of formatSummary(result, metrics, summarizePools(sim), ledger.summary(), replayLine)) out(line);
  return exit;
}

/** Keeps the first records for --log, and what the summary lists: faults and pool timeouts. */
class LogSink implements TraceSink {
  readonly faults: TraceRecord[] = [];
  readonly poolTimeouts: TraceRecord[] = [];
  constructor(
    private readonly into: MemorySink,
    private readonly keep: number,
  ) {}
  write(record: TraceRecord, line: string): void {
    if (record.kind === 'fault' || record.kind === 'db.slow' || (record.kind.startsWith('host.') && record.kind !== 'host.add')) this.faults.push(record);
    else if (record.kind === 'pool.timeout') this.poolTimeouts.push(record);
    if (record.kind.startsWith('pkt.')) return;
    if (this.into.records.length <= this.keep + 1 || record.kind === 'run.stop') this.into.write(record, line);
  }
}

/** The request totals, latency and Little's law of a run, when it had requests. */
function requestsJson(sim: Simulation): Partial<RequestSummary> & { requests?: unknown } {
  const s = RequestLedger.of(sim).summary();
  if (s.total === 0) return {};
  return { requests: { total: s.total, ok: s.ok, failed: s.failed, inFlight: s.inFlight, byError: s.byError }, latencyMs: s.latencyMs, littlesLaw: s.littlesLaw };
}

/** A JSON file's contents; a missing or malformed file is the user's to fix (one line, exit 2). */
function readJson(path: string, flag: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag} ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: not JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

/** '7' is the integer 7; anything else non-empty is a string seed. */
function parseSeed(text: string): number | string {
  if (text.length === 0) throw new UsageError('--seed: empty');
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw new UsageError(`--seed: ${text} is too large for an integer seed (quote it as text, e.g. --seed s${text})`);
    return n;
  }
  return text;
}

function isUserError(e: unknown): e is Error {
  return (
    e instanceof UsageError ||
    e instanceof ParamError ||
    e instanceof DurationError ||
    e instanceof DistributionError ||
    e instanceof SimError ||
    (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).code!.startsWith('ERR_PARSE_ARGS'))
  );
}

/** The first sentence of Node's parseArgs messages is the useful one. */
function oneLine(e: Error): string {
  const text = e.message.split('\n')[0]!;
  return (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') ? text.replace(/\. To specify .*$/, '').replace(/\. Did you .*$/, '') : text;
}
