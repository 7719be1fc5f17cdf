/**
 * Shrinking ends at a minimal schedule: after a safety violation, the episode-removal pass leaves a schedule from which no single episode can be removed with the property still
 * failing. The property here is a made-up safety law that needs faults to break — "no run sees both a reset
 * and a missed deadline" on crash-vs-kill — chosen because its minimal schedules have several episodes.
 */
import { describe, expect, it } from 'vitest';
import { crashVsKill } from '../../scenarios/crash-vs-kill.js';
import { runInput } from '../../sim/harness/chaos-property.js';
import { checkScenario } from '../../sim/harness/check-scenario.js';
import { safetyInvariants, type Invariant } from '../../sim/harness/invariants.js';
import type { Scenario } from '../../sim/scenario.js';

const scenario = crashVsKill as unknown as Scenario;

const resetsAndDeadlines: Invariant = {
  name: 'not-both-resets-and-deadlines',
  class: 'safety',
  check(run) {
    const reset = run.requests.byError.ECONNRESET ?? 0;
    const late = run.requests.byError.DEADLINE_EXCEEDED ?? 0;
    return reset > 0 && late > 0 ? { invariant: this.name, class: this.class, message: `${reset} requests reset and ${late} past their deadline in one run` } : null;
  },
};
const invariants = [...safetyInvariants, resetsAndDeadlines];

describe('a shrunk safety failure is minimal', () => {
  it('no single episode of the shrunk schedule can be removed with the property still failing', async () => {
    // Check seed 6 finds it within 50 runs; the removal pass leaves several episodes, none removable.
    const { failure } = await checkScenario(scenario, { runs: 50, seed: 6, invariants });
    expect(failure).not.toBeNull();
    expect(failure!.class).toBe('safety');
    expect(failure!.violations[0]!.invariant).toBe('not-both-resets-and-deadlines');
    const { input } = failure!;
    expect(input.episodes.length).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < input.episodes.length; i++) {
      const without = { ...input, episodes: input.episodes.filter((_, j) => j !== i) };
      expect((await runInput(scenario, without, { invariants })).violations, `without episode ${i}`).toEqual([]);
    }
  });
});
