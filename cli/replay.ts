/**
 * `faultline replay <case.json>`: reruns one chaos case exactly (same seed, parameters, schedule and
 * virtual times), prints what it broke or that it passed, the digest, and exits as `check` would.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CASE_MAX_HEAP_MB_DEFAULT, chaosCaseOf, FAULTLINE_VERSION, formatDivergence, MEMORY_BUDGET, realWorldViolation, replayCase, SimError, type CaseFile } from 'faultline';
import { findScenario, scenarios } from 'faultline/scenarios';
import { loadScenarioModule, readCaseFile, runOnWorkers } from 'faultline/node';
import { UsageError } from './args.js';
import { exitFor } from './exit-codes.js';

export const replayUsage = `  faultline replay <case.json> [options]     rerun one chaos case exactly
    --self-check         run it twice and compare digests (always, for a nondeterminism case)
    --trace <file>       write the whole trace as JSONL`;

export async function replay(args: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { 'self-check': { type: 'boolean' }, trace: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'replay needs a case file (a JSON case that faultline check wrote)' : `replay takes one case file, got '${positionals.join(' ')}'`);
  const path = positionals[0]!;
  const file = readCaseFile(path);
  const scenario = file.module !== undefined ? await loadScenarioModule(file.module, `${path}: module ${file.module}`) : findScenario(file.scenario);
  if (!scenario) throw new UsageError(`${path}: scenario: unknown scenario '${file.scenario}' (scenarios: ${scenarios.map((s) => s.name).join(', ')}; a case for a scenario module names it in 'module')`);
  if (scenario.name !== file.scenario) throw new UsageError(`${path}: scenario: the case is for '${file.scenario}', but ${file.module} exports '${scenario.name}'`);

  out(`faultline ${FAULTLINE_VERSION} · replay ${path} · ${file.scenario} · seed ${file.seed}`);
  if (file.failure?.invariant === MEMORY_BUDGET) return replayOnWorker(file, out);
  let r;
  try {
    r = await replayCase(scenario, file, { selfCheck: values['self-check'] === true, keepTrace: values.trace !== undefined });
  } catch (err) {
    // A run the real-world traps ended (Math.random, the clock, a timer) has no run left to judge: it is the
    // finding itself, reported as check reports it, not an error of the replay.
    if (!(err instanceof SimError && err.code === 'ERR_NONDETERMINISM')) throw err;
    const v = realWorldViolation(err.message);
    out(`${v.class} · ${v.invariant}: ${v.message}`);
    const asExpected = file.expect === 'fail' && file.failure?.invariant === v.invariant;
    out(`expected ${file.expect === 'pass' ? 'pass' : `fail: ${file.failure?.class} · ${file.failure?.invariant}`}: ${asExpected ? 'as expected' : 'NOT as expected'}`);
    return exitFor([v.class]);
  }
  if (file.faultline !== FAULTLINE_VERSION) out(`(written by faultline ${file.faultline}; a run on another version may differ)`);
  if (file.note) out(file.note);
  const chaosFaults = file.faults.length;
  out(`${chaosFaults} scheduled faults; healed at ${file.phases.healAtUs / 1e6} s, drained at ${file.phases.drainAtUs / 1e6} s, ends at ${file.durationUs / 1e6} s`);
  const { violations, run } = r.result;
  if (violations.length === 0 && !r.divergence) out('passed: every invariant held');
  for (const v of violations) out(`${v.class} · ${v.invariant}: ${v.message}${v.atUs !== undefined ? ` (at ${v.atUs} µs)` : ''}`);
  if (r.divergence) for (const line of formatDivergence(r.divergence)) out(line);
  out(`expected ${r.expected}: ${r.asExpected ? 'as expected' : 'NOT as expected'}`);
  if (values.trace !== undefined) {
    const lines: string[] = [];
    for (let i = 0; i < run.trace.size; i++) lines.push(run.trace.line(i)!);
    try {
      writeFileSync(values.trace, `${lines.join('\n')}\n`);
    } catch (e) {
      throw new UsageError(`--trace ${values.trace}: ${(e as Error).message}`);
    }
    out(`trace: ${values.trace} (${lines.length} records)`);
  }
  out(`digest ${run.digest}  stop ${run.result.stop} at ${run.result.endUs} µs`);
  return exitFor([...violations.map((v) => v.class), ...(r.divergence ? (['nondeterminism'] as const) : [])]);
}

/**
 * A memory runaway replays where it was found: on a worker thread with the case's heap limit, so it ends that
 * thread again instead of this process. Only its class and invariant come back (how far a leak gets before the
 * heap is full is the engine's business, not the seed's).
 */
async function replayOnWorker(file: CaseFile, out: (line: string) => void): Promise<number> {
  const maxHeapMb = file.maxHeapMb ?? CASE_MAX_HEAP_MB_DEFAULT;
  out(`a memory runaway: replayed on a worker thread with a heap of ${maxHeapMb} MB`);
  const [report] = await runOnWorkers([{ index: 0, case: chaosCaseOf(file), selfCheck: false }], 1, () => {}, maxHeapMb);
  if (report!.error) throw new UsageError(`the case could not run: ${report!.error.message}`);
  const { violations } = report!;
  if (violations.length === 0) out('passed: every invariant held');
  for (const v of violations) out(`${v.class} · ${v.invariant}: ${v.message}${v.atUs !== undefined ? ` (at ${v.atUs} µs)` : ''}`);
  const asExpected = file.expect === 'pass' ? violations.length === 0 : violations.some((v) => v.class === file.failure?.class && v.invariant === file.failure.invariant);
  out(`expected ${file.expect === 'pass' ? 'pass' : `fail: ${file.failure!.class} · ${file.failure!.invariant}`}: ${asExpected ? 'as expected' : 'NOT as expected'}`);
  if (report!.digest !== null) out(`digest ${report!.digest}`);
  return exitFor(violations.map((v) => v.class));
}
