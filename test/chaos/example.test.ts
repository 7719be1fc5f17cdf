/**
 * Chaos as a test, in three forms (README, "Write a failure scenario as a test"):
 *
 * 1. One `test.prop` (from @fast-check/vitest): fast-check draws a fault schedule over the scenario's own
 *    hosts — the seed picks which kinds of fault this run may use (swarm testing), then the episodes — and
 *    `expectChaosInput` runs it against the safety laws, then recovery after the heal. A failure shrinks to
 *    the smallest schedule that still fails, and vitest shows its report: the invariant, the fast-check
 *    seed, the simulation seed, the schedule as JSON and the commands that replay it.
 * 2. The same with your own aim: some fault kinds only, a few episodes, your own invariant.
 * 3. `assertChaos`: a whole check in one call (what `faultline check` does), for a plain `it`.
 */
import { test } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import { assertChaos, expectChaosInput } from 'faultline/vitest';
import { crashVsKill } from '../../scenarios/crash-vs-kill.js';
import { poolExhaustion } from '../../scenarios/pool-exhaustion.js';
import { chaosInputArbitrary } from '../../sim/harness/chaos-arbitraries.js';
import { caseInvariants } from '../../sim/harness/chaos-run.js';
import type { Invariant } from '../../sim/harness/invariants.js';
import type { Scenario } from '../../sim/scenario.js';

const file = 'test/chaos/example.test.ts';
const service = crashVsKill as unknown as Scenario;

// 1. The scenario's chaos profile decides the phases, the hosts and the fault kinds.
test.prop([chaosInputArbitrary(service)], { numRuns: 10, seed: 1 })('crash-vs-kill keeps its invariants under chaos', async (input) => {
  await expectChaosInput(service, input, { testFile: file, testName: 'crash-vs-kill keeps its invariants under chaos' });
});

// 2. Only database slowdowns and kills, at most two of them, and one more law: the pool's line stays short.
const pool = poolExhaustion as unknown as Scenario;
const shortLine: Invariant = {
  name: 'pool-line-below-400',
  class: 'safety',
  check(run) {
    const peak = run.pools['service-db']!.peakPending;
    return peak >= 400 ? { invariant: this.name, class: this.class, message: `service-db had ${peak} waiters` } : null;
  },
};
test.prop([chaosInputArbitrary(pool, { kinds: ['slow', 'kill'], maxEpisodes: 2 })], { numRuns: 4, seed: 2 })(
  'slowdowns and kills never queue 400 waiters for the database pool',
  async (input) => {
    await expectChaosInput(pool, input, { invariants: [...caseInvariants(pool), shortLine], testFile: file, testName: 'slowdowns and kills never queue 400 waiters' });
  },
);

// 3. A whole check: on a failure it writes .faultline/cases/<scenario>-<digest8>.json and throws the report.
it('crash-vs-kill passes a chaos check of 10 runs', async () => {
  const result = await assertChaos(service, { runs: 10, seed: 3, testFile: file, testName: 'crash-vs-kill passes a chaos check' });
  expect(result).toMatchObject({ scenario: 'crash-vs-kill', numRuns: 10, failure: null });
});
