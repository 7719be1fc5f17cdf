/**
 * Chaos failures for people (Node only): writes a failing case where `faultline replay` reads it, and the
 * report that ends with the commands reproducing it — the fast-check seed and path, the simulation seed, the
 * shrunk schedule as JSON, the invariant and its class, `npx faultline replay`, `npx faultline run` and the
 * vitest line. `assertChaos` (a whole check) and `expectChaosInput` (one case, inside `test.prop`) throw it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../sim/core/canonical.js';
import { digestHex } from '../sim/core/digest.js';
import type { ChaosInput } from '../sim/harness/chaos-arbitraries.js';
import { describeEpisode } from '../sim/harness/chaos-episodes.js';
import { checkScenario, firstViolation, runInput, type ChaosFailure, type ChaosPropertyOptions, type CheckResult, type CheckScenarioOptions } from '../sim/harness/chaos-property.js';
import { caseRunCommand, type ChaosCase } from '../sim/harness/chaos-run.js';
import { shellWord } from '../sim/harness/replay.js';
import type { Violation } from '../sim/harness/invariants.js';
import type { Scenario } from '../sim/scenario.js';

/** Where failing cases go (relative to the working directory; gitignored). Copy one to the corpus to keep it. */
export const CASES_DIR = '.faultline/cases';

export interface WrittenCase {
  casePath: string;
  /** The schedule alone, for `faultline run --faults`. */
  faultsPath: string;
}

/** Writes `<dir>/<scenario>-<digest8>.json` (the case) and `….faults.json` (its fault list); the name is the case's own digest. */
export function writeChaosCase(c: ChaosCase, dir: string = CASES_DIR): WrittenCase {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${c.scenario}-${digestHex(canonicalJson(c)).slice(0, 8)}`);
  const casePath = `${base}.json`;
  const faultsPath = `${base}.faults.json`;
  writeFileSync(casePath, `${JSON.stringify(c, null, 2)}\n`);
  writeFileSync(faultsPath, `${JSON.stringify(c.faults, null, 2)}\n`);
  return { casePath, faultsPath };
}

/** Where the failure was found, for the vitest line. */
export interface TestLocation {
  testFile?: string;
  testName?: string;
}

/** The report of one failing case: what broke, then everything needed to see it again. */
export function formatChaosReport(c: ChaosCase, violations: readonly Violation[], written: WrittenCase, where: TestLocation = {}, found?: Pick<ChaosFailure, 'fastCheck' | 'input' | 'removedAfterShrink'>): string {
  const first = firstViolation(violations)!;
  const at = first.atUs !== undefined ? ` (at ${first.atUs} µs)` : '';
  const lines = [`chaos: ${c.scenario} failed ${first.class} invariant '${first.invariant}'${at}: ${first.message}`];
  for (const v of violations) if (v !== first) lines.push(`  also ${v.class} · ${v.invariant}: ${v.message}`);
  if (found) {
    const fc = found.fastCheck;
    lines.push(`fast-check seed ${fc.seed}, path ${JSON.stringify(fc.path)} (${fc.numRuns} runs, ${fc.numShrinks} shrinks${found.removedAfterShrink > 0 ? `, then ${found.removedAfterShrink} more episodes removed` : ''})`);
    lines.push(`episodes: ${found.input.episodes.length === 0 ? 'none' : found.input.episodes.map(describeEpisode).join('; ')}`);
  }
  lines.push(`simulation seed ${String(c.seed)} · params ${JSON.stringify(c.params)} · ${c.durationUs / 1e6} s (heal ${c.phases.healAtUs / 1e6} s, drain ${c.phases.drainAtUs / 1e6} s)`);
  lines.push(`schedule: ${JSON.stringify(c.faults)}`);
  lines.push(`replay: npx faultline replay ${shellWord(written.casePath)}`);
  lines.push(`run:    ${caseRunCommand(c, written.faultsPath)}`);
  if (where.testFile) lines.push(`vitest: npx vitest run ${shellWord(where.testFile)}${where.testName ? ` -t ${shellWord(where.testName)}` : ''}`);
  return lines.join('\n');
}

export interface AssertChaosOptions extends CheckScenarioOptions, TestLocation {
  /** Where to write a failing case. Default CASES_DIR. */
  dir?: string;
}

/** A failed check, written and reported: the case file and the report's text. */
export function reportFailure(failure: ChaosFailure, options: TestLocation & { dir?: string } = {}): { written: WrittenCase; report: string } {
  const written = writeChaosCase(failure.chaosCase, options.dir);
  return { written, report: formatChaosReport(failure.chaosCase, failure.violations, written, options, failure) };
}

/** Runs checkScenario; on a failure writes the case and throws the report. Returns the result when all pass. */
export async function assertChaos(scenario: Scenario, options: AssertChaosOptions = {}): Promise<CheckResult> {
  const result = await checkScenario(scenario, options);
  if (result.failure) throw new Error(reportFailure(result.failure, options).report);
  return result;
}

/** The case each test last wrote, so shrinking inside `test.prop` leaves one file per test, not one per step. */
const lastWritten = new Map<string, WrittenCase>();

/**
 * One case inside `test.prop`: runs it and, on a violation, writes it and throws the report (fast-check then
 * shrinks, and the report of the smallest failing case is the one vitest shows).
 */
export async function expectChaosInput(scenario: Scenario, input: ChaosInput, options: ChaosPropertyOptions & TestLocation & { dir?: string } = {}): Promise<void> {
  const r = await runInput(scenario, input, options);
  if (r.violations.length === 0) return;
  const key = `${options.testFile ?? ''}\0${options.testName ?? scenario.name}`;
  const previous = lastWritten.get(key);
  if (previous) for (const path of [previous.casePath, previous.faultsPath]) rmSync(path, { force: true });
  const written = writeChaosCase(r.chaosCase, options.dir);
  lastWritten.set(key, written);
  const episodes = `episodes: ${input.episodes.length === 0 ? 'none' : input.episodes.map(describeEpisode).join('; ')}`;
  const [head, ...rest] = formatChaosReport(r.chaosCase, r.violations, written, options).split('\n');
  throw new Error([head, episodes, ...rest].join('\n'));
}
