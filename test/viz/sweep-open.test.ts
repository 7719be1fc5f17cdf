/**
 * A sweep's JSON in the visualizer: told from a trace by its shape (a trace's first line is its header),
 * refused with one line naming the field when it is JSON but no sweep, and each point's seed opened as the
 * run `faultline run` would make of it — or, for a sweep of a file the page was not started with, one line
 * saying to start it with `faultline viz <path>`.
 */
import { describe, expect, it } from 'vitest';
import { gridPoints, parseAxes, sweepResult, type RunFigures, type SweepResult } from 'faultline';
import { readSweep } from '../../viz/app/load-sweep.js';
import { sweepRunSpec } from '../../viz/app/sweep-open.js';

const figures = (seed: number): RunFigures => ({ seed, digest: `d${seed}`, endUs: 1e6, stop: 'until', failures: 0, metrics: { ok: seed } });

function sweep(scenario: string, scenarioName = scenario): SweepResult {
  const vary = parseAxes(['c=9,10']);
  const faults = [{ at: '1h', kind: 'pause', host: 'mmc' }];
  return sweepResult({ scenario, scenarioName, vary, set: { lambda: '8', warmUp: '10m' }, seeds: [3, 4], duration: '2h', faults }, gridPoints(vary), [
    [figures(3), figures(4)],
    [figures(3), figures(4)],
  ]);
}

const file = (text: string, name = 'f.json') => new File([text], name);

describe('opening a sweep point’s seed', () => {
  it('is the run with the sweep’s scenario, --set and varied values, duration, faults and that seed', () => {
    expect(sweepRunSpec(sweep('mmc'), 1, 4)).toEqual({
      ok: true,
      spec: { scenario: 'mmc', seed: '4', params: { lambda: '8', warmUp: '10m', c: '10' }, duration: '2h', faults: '[{"at":"1h","kind":"pause","host":"mmc"}]' },
    });
  });

  it('says to start the visualizer with the file when the sweep ran a module or system file', () => {
    expect(sweepRunSpec(sweep('examples/capacity.yaml', 'capacity'), 0, 3)).toEqual({
      ok: false,
      message: 'this sweep ran examples/capacity.yaml: to open its runs here, start the visualizer with it: faultline viz examples/capacity.yaml',
    });
  });

  it('refuses a point or seed the sweep does not have', () => {
    expect(sweepRunSpec(sweep('mmc'), 2, 3)).toEqual({ ok: false, message: 'the sweep has no point 2' });
    expect(sweepRunSpec(sweep('mmc'), 0, 5)).toEqual({ ok: false, message: 'the sweep has no seed 5' });
  });
});

describe('telling a sweep from a trace', () => {
  it('reads a sweep’s --json (one line) as the sweep', async () => {
    const s = sweep('mmc');
    expect(await readSweep(file(`${JSON.stringify(s)}\n`))).toEqual(JSON.parse(JSON.stringify(s)));
  });

  it('leaves a trace to the trace loader, however broken its later lines', async () => {
    expect(await readSweep(file('{"t":0,"kind":"header","fields":{"faultline":"0.1.0"}}\n{"t":1,"kind":oops}\n', 'run.jsonl'))).toBeNull();
    expect(await readSweep(file('{"t":0,"kind":"tick"}\n{"t":1,"kind":"tick"}\n', 'run.jsonl'))).toBeNull();
    expect(await readSweep(file('not json at all\n'))).toBeNull();
  });

  it('names the field when one JSON object is not a sweep', async () => {
    await expect(readSweep(file('{"points":[]}', 'other.json'))).rejects.toThrow(/^other\.json: faultline: missing \(expected text\)$/);
  });
});
