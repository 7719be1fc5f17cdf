/**
 * Chaos failures for people (Node only): writes a failing case where `faultline replay` reads it, and the
 * report that ends with the commands reproducing it — the fast-check seed and path, the simulation seed, the
 * shrunk schedule as JSON, the invariant and its class, `npx faultline replay`, `npx faultline run` and the
 * vitest line. faultline/vitest's `assertChaos` and `expectChaosInput` throw it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, caseRunCommand, describeEpisode, digestHex, firstViolation, shellWord, type ChaosCase, type ChaosFailure, type Violation } from 'faultline';
import { CASES_DIR, caseFileText } from './corpus.js';

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
  writeFileSync(casePath, caseFileText(c, casePath));
  writeFileSync(faultsPath, `${JSON.stringify(c.faults, null, 2)}\n`);
  return { casePath, faultsPath };
}

/** Where the failure was found, for the vitest line. */
export interface TestLocation {
  testFile?: string;
  testName?: string;
}

/** The report of one failing case: what broke, then everything needed to see it again. */
export function formatChaosReport(c: ChaosCase, violations: readonly Violation[], written: WrittenCase, where: TestLocation = {}, found?: Pick<ChaosFailure, 'found' | 'drawn' | 'input' | 'removedAfterShrink'>): string {
  const first = firstViolation(violations)!;
  const at = first.atUs !== undefined ? ` (at ${first.atUs} µs)` : '';
  const lines = [`chaos: ${c.scenario} failed ${first.class} invariant '${first.invariant}'${at}: ${first.message}`];
  for (const v of violations) if (v !== first) lines.push(`  also ${v.class} · ${v.invariant}: ${v.message}`);
  if (found) {
    const f = found.found;
    lines.push(`check seed ${f.checkSeed}, run ${f.runIndex + 1} (case seed ${f.caseSeed}): ${found.drawn.episodes.length} episodes drawn${found.removedAfterShrink > 0 ? `, ${found.removedAfterShrink} removed` : ''}; the same case: npx faultline check ${c.module ?? c.scenario} --seed ${f.checkSeed} --runs ${f.runIndex + 1}`);
    lines.push(`episodes: ${found.input.episodes.length === 0 ? 'none' : found.input.episodes.map(describeEpisode).join('; ')}`);
  }
  lines.push(`simulation seed ${String(c.seed)} · params ${JSON.stringify(c.params)} · ${c.durationUs / 1e6} s (heal ${c.phases.healAtUs / 1e6} s, drain ${c.phases.drainAtUs / 1e6} s)`);
  lines.push(`schedule: ${JSON.stringify(c.faults)}`);
  lines.push(`replay: npx faultline replay ${shellWord(written.casePath)}`);
  lines.push(`run:    ${caseRunCommand(c, written.faultsPath)}`);
  if (where.testFile) lines.push(`vitest: npx vitest run ${shellWord(where.testFile)}${where.testName ? ` -t ${shellWord(where.testName)}` : ''}`);
  return lines.join('\n');
}

/** A failed check, written and reported: the case file and the report's text. */
export function reportFailure(failure: ChaosFailure, options: TestLocation & { dir?: string } = {}): { written: WrittenCase; report: string } {
  const written = writeChaosCase(failure.chaosCase, options.dir);
  return { written, report: formatChaosReport(failure.chaosCase, failure.violations, written, options, failure) };
}
