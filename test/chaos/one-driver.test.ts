/**
 * One chaos driver: the vitest chaos suite (assertChaos → checkScenario) and `faultline check` draw the same
 * cases from the same seed — run for run, the same case seed and the same digest — so a red chaos test in CI
 * is the same case a developer's `faultline check --seed 42` finds.
 */
import { describe, expect, it } from 'vitest';
import { checkScenario, type Scenario } from 'faultline';
import { poolExhaustion } from 'faultline/scenarios';
import { cli } from '../helpers/cli.js';

describe('one chaos driver', () => {
  it('checkScenario(pool-exhaustion, { seed: 42, runs: 4 }) runs the cases of `faultline check pool-exhaustion --seed 42 --runs 4`', { timeout: 120_000 }, async () => {
    const [inProcess, fromCli] = await Promise.all([
      checkScenario(poolExhaustion as unknown as Scenario, { seed: 42, runs: 4 }),
      cli(['check', 'pool-exhaustion', '--seed', '42', '--runs', '4', '--workers', '1', '--json']),
    ]);
    expect(fromCli.code).toBe(0);
    const results = (JSON.parse(fromCli.stdout) as { results: { seed: number; digest: string }[] }).results;
    expect(inProcess.cases).toEqual(results.map((r) => ({ seed: r.seed, digest: r.digest })));
    // Four different cases, not one case four times.
    expect(new Set(inProcess.cases.map((c) => c.digest)).size).toBe(4);
  });
});
