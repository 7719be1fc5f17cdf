/** A sweep's pieces without running anything: Student's t, estimates, the grid, CSV. */
import { describe, expect, it } from 'vitest';
import { estimate, tQuantile975 } from '../../sim/sweep/stats.js';
import { gridPoints, parseAxes, parseAxis } from '../../sim/sweep/grid.js';
import { metricInfo, metricKeys, pointEstimates, type RunFigures } from '../../sim/sweep/figures.js';
import { sweepResult } from '../../sim/sweep/result.js';
import { sweepCsv } from '../../node/sweep-output.js';
import { ParamError } from '../../sim/params.js';

const figures = (seed: number, metrics: Record<string, number | null>): RunFigures => ({ seed, digest: 'd', endUs: 1, stop: 'until', failures: 0, metrics });

describe("Student's t and the 95% interval", () => {
  it('has the table values, falls toward 1.96, and never rises', () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(2)).toBe(4.303);
    expect(tQuantile975(30)).toBe(2.042);
    expect(tQuantile975(60)).toBeCloseTo(2.0, 6);
    expect(tQuantile975(1000)).toBeCloseTo(1.962, 3);
    let last = Infinity;
    for (let df = 1; df <= 500; df++) {
      expect(tQuantile975(df)).toBeLessThanOrEqual(last);
      last = tQuantile975(df);
    }
    expect(() => tQuantile975(0)).toThrow(RangeError);
  });

  it('gives mean ± t·s/√n, and no interval for one value', () => {
    const e = estimate([1, 2, 3]);
    expect(e.mean).toBe(2);
    expect(e.n).toBe(3);
    expect(e.ci95).toBeCloseTo((4.303 * 1) / Math.sqrt(3), 12);
    expect(estimate([5])).toEqual({ mean: 5, ci95: null, n: 1 });
    expect(estimate([4, 4]).ci95).toBe(0);
  });
});

describe('the grid', () => {
  it('splits values at commas outside JSON, and refuses empty, missing and repeated ones', () => {
    expect(parseAxis('c=10,11,12')).toEqual({ key: 'c', values: ['10', '11', '12'] });
    expect(parseAxis('latency={"kind":"uniform","min":"1ms","max":"3ms"},{"kind":"constant","value":"2ms"}').values).toEqual([
      '{"kind":"uniform","min":"1ms","max":"3ms"}',
      '{"kind":"constant","value":"2ms"}',
    ]);
    expect(() => parseAxis('c=')).toThrow(/--vary c: no values/);
    expect(() => parseAxis('c')).toThrow(/expected key=v1,v2/);
    expect(() => parseAxis('=1,2')).toThrow(/expected key=v1,v2/);
    expect(() => parseAxis('c=1,,2')).toThrow(/value 2 of 3 is empty/);
    expect(() => parseAxis('c=1,1')).toThrow(/'1' is given twice/);
    expect(() => parseAxes(['c=1', 'c=2'])).toThrow(ParamError);
  });

  it('is the cartesian product, the first key slowest', () => {
    const points = gridPoints(parseAxes(['a=1,2', 'b=x,y,z']));
    expect(points.map((p) => `${p.assignments.a}${p.assignments.b}`)).toEqual(['1x', '1y', '1z', '2x', '2y', '2z']);
    expect(points.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(gridPoints([])).toEqual([{ index: 0, assignments: {} }]);
  });
});

describe('figures across seeds', () => {
  it('counts a missing error kind as 0, leaves out a missing value, and orders metrics the same for every point', () => {
    const runs = [figures(1, { ok: 10, latencyP99Ms: null, 'pool.b.waitProbability': 0.5, 'errors.504': 2 }), figures(2, { ok: 14, latencyP99Ms: 30, 'pool.a.waitProbability': 0.1 })];
    const keys = metricKeys(runs);
    expect(keys.slice(-3)).toEqual(['errors.504', 'pool.b.waitProbability', 'pool.a.waitProbability']);
    const e = pointEstimates(runs, keys);
    expect(e['errors.504']).toMatchObject({ mean: 1, n: 2 });
    expect(e.latencyP99Ms).toEqual({ mean: 30, ci95: null, n: 1 });
    expect(e['pool.b.waitProbability']).toMatchObject({ mean: 0.5, n: 1 });
    expect(e.failed).toBeNull();
    expect(metricInfo('pool.gw->svc.meanWaitMs')).toEqual({ key: 'pool.gw->svc.meanWaitMs', label: 'mean wait gw->svc', unit: 'ms', pool: 'gw->svc' });
  });

  it('writes CSV with a row per point, quoting what needs it and leaving no value empty', () => {
    const vary = parseAxes(['mode=a,"b,c"']);
    const points = gridPoints(vary);
    const result = sweepResult({ scenario: 's', scenarioName: 's', vary, set: {}, seeds: [1, 2], duration: null, faults: null }, points, [
      [figures(1, { ok: 1, latencyP50Ms: null }), figures(2, { ok: 3, latencyP50Ms: null })],
      [figures(1, { ok: 2, latencyP50Ms: 4 }), figures(2, { ok: 2, latencyP50Ms: 6 })],
    ]);
    const lines = sweepCsv(result).trimEnd().split('\n');
    expect(lines[0]!.startsWith('mode,runs,throughputPerS.mean,throughputPerS.ci95,ok.mean,ok.ci95,')).toBe(true);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^a,2,,,2,12\.706,/);
    expect(lines[2]).toMatch(/^"""b,c""",2,,,2,0,/);
  });
});
