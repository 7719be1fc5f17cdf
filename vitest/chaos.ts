/**
 * Chaos checks inside vitest: `assertChaos` runs a whole check and throws the report of its shrunk failure;
 * `expectChaosInput` runs one case inside `test.prop` (fast-check then shrinks it). A failing case is written
 * where `faultline replay` reads it, and the report ends with the commands that reproduce it.
 */
import { rmSync } from 'node:fs';
import { checkScenario, describeEpisode, runInput, type ChaosInput, type ChaosPropertyOptions, type CheckResult, type CheckScenarioOptions, type Scenario } from 'faultline';
import { formatChaosReport, reportFailure, writeChaosCase, type TestLocation, type WrittenCase } from 'faultline/node';

export interface AssertChaosOptions extends CheckScenarioOptions, TestLocation {
  /** Where to write a failing case. Default CASES_DIR. */
  dir?: string;
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
