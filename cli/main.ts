/**
 * The faultline command line (Node only): `faultline list`, `run <scenario>`, `check <scenario>`,
 * `sweep <scenario>`, `replay <case.json>`, `viz [scenario]`; a scenario is a built-in's name or a module's
 * path. Bad input ends with one line on stderr and exit status 2; the other statuses are in exit-codes.ts.
 */
import { parseArgs } from 'node:util';
import { FAULTLINE_VERSION, MemorySink, systemJsonSchema, parseAssignments, parseDuration, replayCommand, runScenario, type RequestSummary, type TraceRecord, type TraceSink } from 'faultline';
import { scenarios } from 'faultline/scenarios';
import { JsonlFileSink, loadScenario } from 'faultline/node';
import { formatRecord, formatSummary } from './format.js';
import { TimelineSink } from './timeline.js';
import { isUserError, oneLine, parseSeed, readJson, scenarioChoices, UsageError } from './args.js';
import { check, CheckError, checkUsage } from './check.js';
import type { Terminal } from './check-report.js';
import { EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE } from './exit-codes.js';
import { replay, replayUsage } from './replay.js';
import { PROGRESS_AFTER_MS, PROGRESS_EVERY_EVENTS, RunProgressLine, type RunProgressOptions } from './run-progress.js';
import { sweep, sweepUsage } from './sweep.js';
import { viz, vizUsage } from './viz.js';

/** Most trace lines --log prints. */
const LOG_LINES_MAX = 10_000;

const usage = `usage: faultline <command>
  faultline list                              the built-in scenarios
  faultline run <scenario|module> [options]   run one and summarise it
    --seed <n|text>      root seed (default 1)
    --duration <time>    virtual time to run, e.g. 30s (default: the scenario's)
    --set <key=value>    a scenario parameter (repeatable)
    --faults <file>      a fault schedule (JSON list of faults with 'at')
    --trace <file>       write the whole trace as JSONL
    --log <n>            also print the first n trace records (packets left out)
    --trace-detail <d>   full (default) or light: packets and request spans left out, as chaos runs do
    --json               print one JSON object instead of the summary
${checkUsage}
${sweepUsage}
${replayUsage}
${vizUsage}
  faultline schema                            the JSON Schema of a system file (for editors' completion)
a scenario: a built-in's name (faultline list), a path to a .js/.mjs/.ts module exporting one made with
  defineScenario, or a system file (.yaml, .yml, .json: see examples/)
exit status: 0 ok · 1 run failed (deadlock, actor threw) or a case could not run · 2 bad input
             3 safety violated · 4 liveness violated · 5 nondeterminism (check, replay)`;

/** Output that is not a line: a progress bar. Tests and pipes get none. */
const noTerminal: Terminal = { isTTY: false, write: () => {} };

/**
 * `terminal` is stdout's (check's and sweep's bars); `runProgress` is where `run` draws its status line
 * (stderr, so stdout is the same with or without it).
 */
export async function main(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
  terminal: Terminal = noTerminal,
  runProgress: RunProgressOptions = { terminal: noTerminal, afterMs: PROGRESS_AFTER_MS },
): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'list':
        if (rest.length > 0) throw new UsageError(`list takes no arguments (got '${rest[0]}')`);
        for (const s of scenarios) out(`${s.name.padEnd(16)} ${s.description}`);
        return EXIT_OK;
      case 'run':
        return await run(rest, out, runProgress);
      case 'check':
        return await check(rest, out, terminal);
      case 'sweep':
        return await sweep(rest, out, err, terminal);
      case 'replay':
        return await replay(rest, out);
      case 'viz':
        return await viz(rest, out);
      case 'schema':
        if (rest.length > 0) throw new UsageError(`schema takes no arguments (got '${rest[0]}')`);
        out(JSON.stringify(systemJsonSchema(), null, 2));
        return EXIT_OK;
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
        throw new UsageError(`unknown command '${command}' (commands: list, run, check, sweep, replay, viz, schema)`);
    }
  } catch (e) {
    if (isUserError(e)) {
      err(`faultline: ${oneLine(e)}`);
      return EXIT_USAGE;
    }
    if (e instanceof CheckError) {
      err(`faultline: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}

async function run(args: string[], out: (line: string) => void, progressOptions: RunProgressOptions): Promise<number> {
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
      'trace-detail': { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError(`run needs a scenario (${scenarioChoices()})`);
  if (positionals.length > 1) throw new UsageError(`run takes one scenario, got '${positionals.join(' ')}'`);
  const { scenario } = await loadScenario(positionals[0]!);
  const seed = parseSeed(values.seed ?? '1');
  if (values.duration !== undefined) parseDuration(values.duration, '--duration');
  const assignments = parseAssignments(values.set ?? []);
  const faults = values.faults === undefined ? undefined : readJson(values.faults, '--faults');
  const traceDetail = values['trace-detail'] ?? 'full';
  if (traceDetail !== 'full' && traceDetail !== 'light') throw new UsageError(`--trace-detail: expected full or light, got '${traceDetail}'`);
  const logLines = values.log === undefined ? 0 : Number(values.log);
  if (!Number.isSafeInteger(logLines) || logLines < 0 || logLines > LOG_LINES_MAX) throw new UsageError(`--log: expected a whole number of records from 0 to ${LOG_LINES_MAX}, got '${values.log}'`);

  const sinks: TraceSink[] = [];
  const log = new MemorySink();
  const logSink = new LogSink(log, logLines);
  const timeline = values.json ? null : new TimelineSink(parseDuration(values.duration ?? scenario.defaultDuration, '--duration'));
  if (timeline) sinks.push(logSink, timeline);
  if (values.trace !== undefined) {
    try {
      sinks.push(new JsonlFileSink(values.trace));
    } catch (e) {
      throw new UsageError(`--trace ${values.trace}: ${(e as Error).message}`);
    }
  }
  // No status line with --json, as check shows no bar with it: the one object is the whole output.
  const progressLine = new RunProgressLine(values.json ? { terminal: noTerminal, afterMs: 0 } : progressOptions, () => performance.now());
  const progress = progressLine.enabled ? { everyEvents: PROGRESS_EVERY_EVENTS, report: progressLine.report.bind(progressLine) } : undefined;
  let run;
  try {
    run = await runScenario(scenario, { seed, params: assignments, duration: values.duration, sinks, faults, traceDetail, progress });
  } finally {
    progressLine.clear();
  }
  const { result, params, limitUs, metrics } = run;

  const replayLine = `${replayCommand({ scenario: positionals[0]!, seed, duration: values.duration, params: assignments, faultsPath: values.faults })}${traceDetail === 'light' ? ' --trace-detail light' : ''}`;
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
        ...requestsJson(run.requests),
        pools: run.pools,
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
  for (const line of timeline!.format(run.world, result.endUs, logSink.faults)) out(line);
  if (logSink.faults.length > 0) {
    out('');
    out(`faults applied (${logSink.faults.length}):`);
    for (const f of logSink.faults.slice(0, 20)) out(formatRecord(f));
    if (logSink.faults.length > 20) out(`  … ${logSink.faults.length - 20} more`);
  }
  for (const line of formatSummary(result, metrics, run.pools, run.requests, replayLine)) out(line);
  return exit;
}

/** Keeps the first records for --log, and the faults the summary lists. */
class LogSink implements TraceSink {
  readonly faults: TraceRecord[] = [];
  constructor(
    private readonly into: MemorySink,
    private readonly keep: number,
  ) {}
  write(record: TraceRecord, line: string): void {
    if (record.kind === 'fault' || record.kind === 'db.slow' || (record.kind.startsWith('host.') && record.kind !== 'host.add')) this.faults.push(record);
    if (record.kind.startsWith('pkt.')) return;
    if (this.into.records.length <= this.keep + 1 || record.kind === 'run.stop') this.into.write(record, line);
  }
}

/** The request totals, latency and Little's law of a run, when it had requests. */
function requestsJson(s: RequestSummary): Partial<RequestSummary> & { requests?: unknown } {
  if (s.total === 0) return {};
  return { requests: { total: s.total, ok: s.ok, failed: s.failed, inFlight: s.inFlight, byError: s.byError }, latencyMs: s.latencyMs, littlesLaw: s.littlesLaw };
}
