/**
 * Replaying a case file: the run `faultline replay` does and the corpus tests do, and whether it shows what
 * the file expects (`expect: 'pass'`: no finding; `'fail'`: the recorded failure's class and invariant).
 */
import type { Scenario } from '../scenario.js';
import { chaosCaseOf, type CaseFile } from './case-file.js';
import { runCase, type CaseResult } from './chaos-run.js';
import { selfCheck, type Divergence } from './self-check.js';
import { verdictOf, type Finding } from './verdict.js';

export interface CaseReplay {
  result: CaseResult;
  divergence: Divergence | null;
  /** Null: the case passed. */
  finding: Finding | null;
  /** Whether that is what the file expects. */
  asExpected: boolean;
  /** What was expected, in words (for a failing test or the CLI). */
  expected: string;
}

export interface ReplayOptions {
  /** Run twice and compare; always so for a case filed as nondeterminism. */
  selfCheck?: boolean;
  /** Keep the trace in memory (to write it out). */
  keepTrace?: boolean;
}

export async function replayCase(scenario: Scenario, file: CaseFile, options: ReplayOptions = {}): Promise<CaseReplay> {
  const c = chaosCaseOf(file);
  const twice = options.selfCheck === true || file.failure?.class === 'nondeterminism';
  const { first: result, divergence } = twice ? await selfCheck(scenario, c) : { first: await runCase(scenario, c, { keepTrace: options.keepTrace ?? false }), divergence: null };
  const finding = verdictOf(result.violations, divergence);
  const expected = expectedText(file);
  const asExpected = file.expect === 'pass' ? finding === null : finding !== null && file.failure !== undefined && finding.class === file.failure.class && finding.invariant === file.failure.invariant;
  return { result, divergence, finding, asExpected, expected };
}

function expectedText(file: CaseFile): string {
  if (file.expect === 'pass') return 'pass';
  return file.failure ? `fail: ${file.failure.class} · ${file.failure.invariant}` : "fail (but the file records no 'failure' to match)";
}
