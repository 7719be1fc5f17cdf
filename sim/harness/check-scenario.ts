/**
 * `checkScenario`: `faultline check` in this process, for vitest and scripts. It draws run i's case exactly
 * as the CLI does (caseSeed(seed, i), then the chaos arbitraries sampled from that seed), so
 * `assertChaos(scenario, { seed: 42, runs: 20 })` and `faultline check <scenario> --seed 42 --runs 20` run the
 * same cases and find the same first failure; that one is shrunk as the CLI shrinks it (episodes removed one
 * at a time while it still fails).
 */
import type { Scenario } from '../scenario.js';
import type { ChaosInput } from './chaos-arbitraries.js';
import type { ChaosCase } from './chaos-run.js';
import { drawChaosInput, firstViolation, minimizeEpisodes, runInput, type ChaosPropertyOptions, type Minimal } from './chaos-property.js';
import { chaosTopology } from './chaos-topology.js';
import { caseSeed } from './check-draw.js';
import type { FailureClass, Violation } from './invariants.js';

export interface CheckScenarioOptions extends ChaosPropertyOptions {
  /** Cases to run. Default 100. */
  runs?: number;
  /** The check's seed, as `faultline check --seed`: the same seed draws the same cases. Default 1. */
  seed?: number;
  /** Report the failing case as drawn, without removing episodes (each removal costs a run). Default false. */
  skipMinimize?: boolean;
}

export interface ChaosFailure {
  /** Safety, liveness or runaway: the class of the case's first violation (safety first). */
  class: FailureClass;
  violations: Violation[];
  /** The smallest input found: the drawn one with every removable episode removed. */
  input: ChaosInput;
  /** The case to save and replay, with `failure` filled in. */
  chaosCase: ChaosCase;
  /** Where the check found it: run `runIndex` (from 0) of the check from `checkSeed`, whose case seed is `caseSeed`. */
  found: { checkSeed: number; runIndex: number; caseSeed: number };
  /** The input as drawn, before episodes were removed. */
  drawn: ChaosInput;
  /** Episodes the removal pass took out. */
  removedAfterShrink: number;
}

export interface CheckResult {
  scenario: string;
  /** Runs made up to the first failure (all of them when none failed); shrinking not counted. */
  numRuns: number;
  seed: number;
  /** Each run's case seed and digest, in run order (what `faultline check --json` lists as results). */
  cases: { seed: number; digest: string }[];
  failure: ChaosFailure | null;
}

/** Runs `runs` cases from `seed` as `faultline check` draws them; on the first failure, shrinks it and returns the minimal case. */
export async function checkScenario(scenario: Scenario, options: CheckScenarioOptions = {}): Promise<CheckResult> {
  const topology = chaosTopology(scenario);
  const seed = options.seed ?? 1;
  const runs = options.runs ?? 100;
  const cases: CheckResult['cases'] = [];
  for (let i = 0; i < runs; i++) {
    const drawn = drawChaosInput(scenario, caseSeed(seed, i), options, topology);
    const r = await runInput(scenario, drawn, options, topology);
    cases.push({ seed: caseSeed(seed, i), digest: r.run.digest });
    if (r.violations.length === 0) continue;
    // A runaway is not shrunk: every removal could cost the whole event budget again (the CLI does the same).
    const runaway = firstViolation(r.violations)!.class === 'runaway';
    const minimal: Minimal = options.skipMinimize || runaway ? { input: drawn, violations: r.violations, chaosCase: r.chaosCase } : await minimizeEpisodes(scenario, drawn, options, topology);
    if (minimal.violations.length === 0) throw new Error(`chaos check of ${scenario.name}: run ${i} (case seed ${caseSeed(seed, i)}) passes when run again (nondeterminism?)`);
    const first = firstViolation(minimal.violations)!;
    return {
      scenario: scenario.name,
      numRuns: i + 1,
      seed,
      cases,
      failure: {
        class: first.class,
        violations: minimal.violations,
        input: minimal.input,
        chaosCase: minimal.chaosCase,
        found: { checkSeed: seed, runIndex: i, caseSeed: caseSeed(seed, i) },
        drawn,
        removedAfterShrink: drawn.episodes.length - minimal.input.episodes.length,
      },
    };
  }
  return { scenario: scenario.name, numRuns: runs, seed, cases, failure: null };
}
