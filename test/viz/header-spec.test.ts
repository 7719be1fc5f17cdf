/**
 * A loaded trace's header as the run form's spec: every parameter written as text that resolves to the value
 * the header holds (durations included), so rerunning the spec gives the trace's digest.
 */
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { MemorySink } from '../../sim/core/trace.js';
import { runScenario } from '../../sim/run-scenario.js';
import { specOfHeader } from '../../viz/app/header-spec.js';
import { checkRun } from '../../viz/app/validate-run.js';
import { parseSeedText } from '../../viz/app/seed.js';
import type { RunSpec } from '../../viz/app/url-state.js';

const FAULTS = [{ at: '1s', kind: 'loss', a: 'client', loss: 0.1 }, { at: '2s', kind: 'loss', a: 'client', loss: 0.02 }];

async function header(params: Record<string, unknown>, faults?: unknown) {
  const sink = new MemorySink();
  const { result } = await runScenario(findScenario('hello')!, { seed: 7, params, faults, sinks: [sink] });
  return { header: sink.records[0]!.fields!, digest: result.digest };
}

async function rerun(spec: RunSpec) {
  const checked = checkRun(spec);
  if (!checked.ok) throw new Error(checked.message);
  const { result } = await runScenario(findScenario(spec.scenario)!, { seed: parseSeedText(spec.seed), params: spec.params, faults: checked.faults });
  return result.digest;
}

describe('the spec of a trace header', () => {
  it('leaves defaults out and writes a duration as a duration, not as its µs', async () => {
    const run = await header({ pings: '30', interval: '250ms', latency: '{"kind":"uniform","min":"1ms","max":"3ms"}', loss: '0.05' }, FAULTS);
    const spec = specOfHeader(run.header)!;
    expect(spec).toEqual({
      scenario: 'hello',
      seed: '7',
      params: { pings: '30', interval: '250ms', latency: '{"kind":"uniform","min":"1ms","max":"3ms"}', loss: '0.05' },
      faults: JSON.stringify(FAULTS),
    });
    expect(await rerun(spec)).toBe(run.digest);
  });

  it('gives the defaults as no parameters at all', async () => {
    const run = await header({});
    const spec = specOfHeader(run.header)!;
    expect(spec).toEqual({ scenario: 'hello', seed: '7', params: {}, faults: '' });
    expect(await rerun(spec)).toBe(run.digest);
  });

  it('is null for a scenario this build does not know', () => {
    expect(specOfHeader({ scenario: 'nope', seed: 1, params: {}, faults: [] })).toBeNull();
  });
});
