/**
 * A sweep's --json read back (what the visualizer loads): a sweep's own JSON reads as itself; anything else,
 * or a sweep with a field broken, is one line naming the field.
 */
import { describe, expect, it } from 'vitest';
import { gridPoints, parseAxes, parseSweepFile, sweepResult, type RunFigures, type SweepResult } from 'faultline';

const figures = (seed: number, ok: number): RunFigures => ({ seed, digest: `d${seed}`, endUs: 1e6, stop: 'until', failures: 0, metrics: { throughputPerS: ok, ok, failed: 0, latencyP50Ms: 2 } });

function sweepJson(): SweepResult {
  const vary = parseAxes(['c=1,2']);
  const result = sweepResult({ scenario: './x.mjs', scenarioName: 'x', vary, set: { lambda: '8' }, seeds: [1, 2], duration: '2h', faults: [{ at: '1s', kind: 'pause', host: 'db' }] }, gridPoints(vary), [
    [figures(1, 3), figures(2, 4)],
    [figures(1, 5), figures(2, 6)],
  ]);
  return JSON.parse(JSON.stringify(result)) as SweepResult;
}

const errorOf = (json: unknown): string => {
  try {
    parseSweepFile(json, 'sweep.json');
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('it read as a sweep');
};

describe('a sweep file', () => {
  it('reads back what a sweep wrote', () => {
    const json = sweepJson();
    expect(parseSweepFile(json, 'sweep.json')).toEqual(json);
  });

  it('takes a sweep written before scenarioName was recorded: the scenario as named', () => {
    const { scenarioName: _, ...older } = sweepJson();
    expect(parseSweepFile(older, 'sweep.json').scenarioName).toBe('./x.mjs');
  });

  it('says in one line which field is wrong', () => {
    const broken = (edit: (doc: Record<string, any>) => void): unknown => {
      const doc = sweepJson() as unknown as Record<string, any>;
      edit(doc);
      return doc;
    };
    const cases: [unknown, string][] = [
      [[1, 2], 'sweep.json: expected a sweep (an object from faultline sweep --json), got a list'],
      [{ kind: 'header', t: 0 }, 'sweep.json: faultline: missing (expected text)'],
      [broken((d) => delete d.points), 'sweep.json: points: missing (expected a list)'],
      [broken((d) => delete d.points[1].runs[0].seed), 'sweep.json: points[1].runs[0].seed: expected a number or text, got nothing'],
      [broken((d) => (d.points[0].runs[1].digest = 7)), 'sweep.json: points[0].runs[1].digest: expected text, got 7'],
      [broken((d) => delete d.points[1].assignments.c), 'sweep.json: points[1].assignments.c: missing (the varied key c)'],
      [broken((d) => (d.duration = 30)), 'sweep.json: duration: expected text, got 30'],
      [broken((d) => (d.set.lambda = 8)), 'sweep.json: set.lambda: expected text, got 8'],
    ];
    for (const [json, message] of cases) {
      const text = errorOf(json);
      expect(text).toBe(message);
      expect(text.split('\n')).toHaveLength(1);
    }
  });
});
