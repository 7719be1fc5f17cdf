/**
 * Vitest matchers for faultline runs: `import 'faultline/vitest'` (or this file) once, then
 * `expect(run).toLoseNoRequests()`, `.toMeetDeadlines()`, `.toKeepPoolsWithinMax()`, `.toHaveP99Below(ms)`,
 * `.toHaveErrorRateBelow(share)`. A failure shows the numbers, the seed and the command that replays the run.
 */
import { expect } from 'vitest';
import { errorRateBelow, noLostRequests, p99Below, poolsWithinMax, withinDeadlines, type SimRun, type Verdict } from 'faultline';

interface RunMatchers<R = unknown> {
  toLoseNoRequests(): R;
  toMeetDeadlines(): R;
  toKeepPoolsWithinMax(): R;
  toHaveP99Below(ms: number): R;
  toHaveErrorRateBelow(share: number): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends RunMatchers<T> {}
}

function isRun(x: unknown): x is SimRun {
  return typeof x === 'object' && x !== null && 'digest' in x && 'requests' in x && 'records' in x;
}

function matcher<A extends unknown[]>(check: (run: SimRun, ...args: A) => Verdict) {
  return (received: unknown, ...args: A) => {
    if (!isRun(received)) return { pass: false, message: () => `expected a run from simulate(), got ${typeof received}` };
    const v = check(received, ...args);
    return { pass: v.pass, message: () => v.message };
  };
}

expect.extend({
  toLoseNoRequests: matcher(noLostRequests),
  toMeetDeadlines: matcher(withinDeadlines),
  toKeepPoolsWithinMax: matcher(poolsWithinMax),
  toHaveP99Below: matcher(p99Below),
  toHaveErrorRateBelow: matcher(errorRateBelow),
});
