/** The worker pool's threads load faultline's sources under vitest too: the parent's export conditions go, whole. */
import { describe, expect, it } from 'vitest';
import { withoutConditions } from '../../node/worker-pool.js';

describe('a worker thread from the sources', () => {
  it("drops the parent's export conditions in every spelling, value and all, and keeps the other flags", () => {
    // vitest's own flags: a '--conditions' whose value stayed behind would end the flags, and the source condition added after it would be the script's argument.
    const vitest = ['--experimental-import-meta-resolve', '--require', '/x/suppress-warnings.cjs', '--conditions', 'faultline-source', '--conditions', 'node', '-C', 'development'];
    expect(withoutConditions(vitest)).toEqual(['--experimental-import-meta-resolve', '--require', '/x/suppress-warnings.cjs']);
    expect(withoutConditions(['--conditions=faultline-source', '--import', 'tsx', '-C=x'])).toEqual(['--import', 'tsx']);
  });
});
