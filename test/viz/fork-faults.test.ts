/**
 * The fork form's schedule entries: the fault at the cursor and the one that ends it, as the simulator's
 * schedule reads them (checked with checkRun against the real scenario), and bad values named by field.
 */
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../sim/core/time.js';
import { addToSchedule, appendFaults, forkEntries, forkKinds, type ForkInput, type LinkBase } from '../../viz/app/fork-faults.js';
import { checkRun, linkBaseOf, scenarioHosts } from '../../viz/app/validate-run.js';
import type { RunSpec } from '../../viz/app/url-state.js';

const CURSOR_US = 15_392_165;
const spec: RunSpec = { scenario: 'pool-exhaustion', seed: '1', params: {}, faults: '' };
const base: LinkBase = { latency: '250us', loss: 0 };
const input = (over: Partial<ForkInput>): ForkInput => ({ kind: 'partition', a: 'db', b: '', value: '', duration: '3s', cursorUs: CURSOR_US, ...over });

function entries(over: Partial<ForkInput>, linkBase: LinkBase | null = base) {
  const forked = forkEntries(input(over), linkBase);
  if (!forked.ok) throw new Error(forked.message);
  return forked.entries;
}

/** The schedule a fork would run, checked as the page checks it before the worker starts. */
function check(faultsText: string) {
  return checkRun({ ...spec, faults: faultsText });
}

describe('fork entries', () => {
  it('puts the fault at the cursor, exactly, and its end at cursor + duration', () => {
    const [begin, end] = entries({});
    expect(begin).toEqual({ at: '15.392165s', kind: 'partition', a: 'db' });
    expect(end).toEqual({ at: '18.392165s', kind: 'heal', a: 'db' });
    expect(parseDuration(begin!.at)).toBe(CURSOR_US);
    expect(parseDuration(end!.at)).toBe(CURSOR_US + 3_000_000);
  });

  it('closes each kind with what ends it', () => {
    const ends = Object.fromEntries(
      forkKinds().map((k) => {
        const [, end] = entries({ kind: k.kind, a: k.target === 'host' ? 'db' : 'gateway', b: k.target === 'host' ? '' : 'service', value: k.value?.defaultText ?? '' });
        return [k.kind, end];
      }),
    );
    expect(ends).toEqual({
      partition: { at: '18.392165s', kind: 'heal', a: 'gateway', b: 'service' },
      hold: { at: '18.392165s', kind: 'release', a: 'gateway', b: 'service' },
      loss: { at: '18.392165s', kind: 'loss', a: 'gateway', b: 'service', loss: 0 },
      latency: { at: '18.392165s', kind: 'latency', a: 'gateway', b: 'service', latency: '250us' },
      crash: { at: '18.392165s', kind: 'restart', host: 'db' },
      kill: { at: '18.392165s', kind: 'restart', host: 'db' },
      stop: { at: '18.392165s', kind: 'restart', host: 'db' },
      pause: { at: '18.392165s', kind: 'resume', host: 'db' },
      slow: { at: '18.392165s', kind: 'slow', host: 'db', factor: 1 },
      'query-errors': { at: '18.392165s', kind: 'query-errors', host: 'db', percent: 0 },
      'query-resets': { at: '18.392165s', kind: 'query-resets', host: 'db', percent: 0 },
      'handler-errors': { at: '18.392165s', kind: 'handler-errors', host: 'db', percent: 0 },
      'response-aborts': { at: '18.392165s', kind: 'response-aborts', host: 'db', percent: 0 },
    });
  });

  it("reads the kinds' values: loss as a probability, latency as ms, slow as a factor", () => {
    expect(entries({ kind: 'loss', value: '0.25' })[0]).toMatchObject({ kind: 'loss', loss: 0.25 });
    expect(entries({ kind: 'latency', value: '200' })[0]).toMatchObject({ kind: 'latency', latency: '200ms' });
    expect(entries({ kind: 'latency', value: '{"kind":"uniform","min":"5ms","max":"20ms"}' })[0]).toMatchObject({ latency: { kind: 'uniform', min: '5ms', max: '20ms' } });
    expect(entries({ kind: 'slow', value: '50' })[0]).toEqual({ at: '15.392165s', kind: 'slow', host: 'db', factor: 50 });
  });

  it('adds no end for an empty duration: the fault lasts to the end of the run', () => {
    expect(entries({ kind: 'crash', duration: '' })).toEqual([{ at: '15.392165s', kind: 'crash', host: 'db' }]);
  });

  it('names the duration when it cannot be read', () => {
    expect(forkEntries(input({ duration: 'soon' }), base)).toEqual({ ok: false, field: 'duration', message: "duration: cannot read 'soon' (expected e.g. '250ms', '30s', '2m', '1h30m')" });
    expect(forkEntries(input({ duration: '5' }), base)).toMatchObject({ ok: false, field: 'duration', message: "duration: '5' needs a unit (us, ms, s, m, h), e.g. '5ms'" });
  });

  it('refuses to end a latency fork it cannot restore', () => {
    expect(forkEntries(input({ kind: 'latency', value: '200' }), null)).toMatchObject({ ok: false, field: 'duration' });
    expect(forkEntries(input({ kind: 'latency', value: '200', duration: '' }), null)).toMatchObject({ ok: true });
  });
});

describe('a forked schedule, checked against the scenario', () => {
  it('passes the check for every kind on pool-exhaustion', () => {
    const linkBase = linkBaseOf(spec);
    expect(linkBase).toEqual({ latency: '250us', loss: 0 });
    for (const k of forkKinds()) {
      const list = entries({ kind: k.kind, a: k.target === 'host' ? 'db' : 'service', b: k.target === 'host' ? '' : 'db', value: k.value?.defaultText ?? '' }, linkBase);
      const appended = appendFaults('', list);
      expect(appended.ok).toBe(true);
      expect(check((appended as { text: string }).text), k.kind).toMatchObject({ ok: true });
    }
  });

  it('appends to the run’s schedule, keeping what was there', () => {
    const before = '[{"at":"2s","kind":"slow","host":"db","factor":3}]';
    const appended = appendFaults(before, entries({}));
    expect(appended).toEqual({ ok: true, text: '[{"at":"2s","kind":"slow","host":"db","factor":3},{"at":"15.392165s","kind":"partition","a":"db"},{"at":"18.392165s","kind":"heal","a":"db"}]' });
    expect(appendFaults('{"at":1}', [])).toMatchObject({ ok: false, field: 'faults' });
    expect(appendFaults('[', [])).toMatchObject({ ok: false, field: 'faults' });
  });

  it('gets a bad value named by its field, in the CLI’s words', () => {
    const text = (over: Partial<ForkInput>) => (appendFaults('', entries(over)) as { text: string }).text;
    expect(check(text({ kind: 'loss', value: '1.5' }))).toEqual({ ok: false, field: 'faults', message: 'faults[0].loss: expected a probability from 0 to 1, got 1.5' });
    expect(check(text({ kind: 'loss', value: 'lots' }))).toEqual({ ok: false, field: 'faults', message: "faults[0].loss: expected a probability from 0 to 1, got 'lots'" });
    expect(check(text({ kind: 'slow', value: '-2' }))).toEqual({ ok: false, field: 'faults', message: 'faults[0].factor: expected a positive factor (1: normal), got -2' });
    expect(check(text({ kind: 'partition', a: 'db', b: 'db' }))).toMatchObject({ ok: false, message: expect.stringMatching(/^faults\[0\]\.b: the selection covers no link/) });
    expect(check(text({ kind: 'crash', a: 'nowhere' }))).toMatchObject({ ok: false, message: expect.stringMatching(/^faults\[0\]\.host: unknown host 'nowhere'/) });
  });
});

describe('the run form’s schedule editor', () => {
  it('offers the scenario’s hosts, built from its parameters', () => {
    expect(scenarioHosts(spec)).toEqual(['db', 'service', 'gateway', 'client']);
    expect(scenarioHosts({ ...spec, scenario: 'nope' })).toEqual([]);
  });

  it('adds a fault at the time typed, and what ends it, to the schedule', () => {
    const added = addToSchedule('', { kind: 'pause', a: 'service', b: '', value: '', duration: '1.5s', at: '12s' }, base);
    expect(added).toEqual({ ok: true, text: '[{"at":"12s","kind":"pause","host":"service"},{"at":"13.5s","kind":"resume","host":"service"}]' });
    expect(check((added as { text: string }).text)).toMatchObject({ ok: true });
  });

  it('names the start when it cannot be read', () => {
    expect(addToSchedule('', { kind: 'crash', a: 'db', b: '', value: '', duration: '', at: 'noon' }, base)).toMatchObject({ ok: false, field: 'at', message: expect.stringMatching(/^at: cannot read 'noon'/) });
  });
});
