/**
 * A sweep over a system file varies paths in the file as well as its knobs: the pool that is too small
 * fails requests during the slow episode, the one big enough does not.
 */
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

describe('sweeping a system file', () => {
  it('varies a path in the file (services.api.pool.maximumPoolSize) and a knob (readTimeoutMs)', async () => {
    const r = await cli(['sweep', 'examples/capacity.yaml', '--vary', 'services.api.pool.maximumPoolSize=8,32', '--vary', 'readTimeoutMs=2000', '--seeds', '1', '--workers', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { points: { assignments: Record<string, string>; runs: { metrics: { failed: number } }[] }[] };
    const failed = json.points.map((p) => [p.assignments['services.api.pool.maximumPoolSize'], p.runs[0]!.metrics.failed]);
    expect(failed[0]![0]).toBe('8');
    expect(failed[0]![1]).toBeGreaterThan(500);
    expect(failed[1]).toEqual(['32', 0]);
  });
});
