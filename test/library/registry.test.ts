/**
 * The fault registry: each kind declared once by the layer that owns it, and every list read from it —
 * validation, chaos, the visualizer's form and fault periods. A kind a user's module registers (a GC pause
 * on services, test/fixtures/gc-pause.ts) is validated, drawn by chaos, applied, and drawn by the viz.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chaosInputArbitrary,
  chaosTopology,
  caseOf,
  episodeKindList,
  episodeName,
  faultKind,
  faultKindList,
  faultKindNames,
  hostFaultKind,
  parseFaults,
  registerFaultKind,
  runCase,
  buildScenario,
  resolveParams,
  World,
} from 'faultline';
import { forkEntries, forkKinds } from '../../viz/app/fork-faults.js';
import { gcPause, gcScenario } from '../fixtures/gc-pause.js';

describe('the built-in fault kinds', () => {
  it('are registered by the layer that owns them, in one order', () => {
    const layers = Object.fromEntries(faultKindList().map((k) => [k.kind, k.layer]));
    expect(faultKindNames().filter((k) => k !== 'gc-pause')).toEqual(['partition', 'heal', 'hold', 'release', 'latency', 'loss', 'link', 'crash', 'kill', 'stop', 'pause', 'resume', 'restart', 'slow', 'drain', 'query-errors', 'query-resets', 'handler-errors', 'response-aborts']);
    expect(layers).toMatchObject({ partition: 'net', loss: 'net', crash: 'host', drain: 'host', slow: 'database' });
  });

  it('declare an end for every chaos episode, and a target the form can offer for every form', () => {
    for (const k of episodeKindList()) expect(k.end, k.kind).toBeDefined();
    for (const k of faultKindList().filter((x) => x.form)) expect(['host', 'links'], k.kind).toContain(k.target);
    expect(episodeKindList().map(episodeName).filter((n) => n !== 'gc')).toEqual(['partition', 'loss', 'latency', 'clog', 'crash', 'kill', 'pause', 'slow', 'query-errors', 'query-resets', 'handler-errors', 'response-aborts']);
  });

  it('refuse a second, different declaration under a taken name, and a name that is not lower-case', () => {
    const impostor = hostFaultKind<{ kind: 'crash'; host: string }>({ kind: 'crash', layer: 'mine', summary: 'not the real crash', apply: () => {} });
    expect(() => registerFaultKind(impostor)).toThrow("fault kind 'crash' is already registered (by host)");
    expect(() => registerFaultKind({ ...impostor, kind: 'GC' })).toThrow("fault kind 'GC': use lower-case letters, digits and '-'");
    expect(registerFaultKind(gcPause)).toBe(gcPause); // the same declaration again: a no-op
  });
});

describe("a user's own fault kind", () => {
  const world = new World({ seed: 1 });
  buildScenario(gcScenario, world, resolveParams(gcScenario.name, gcScenario.params, {}));

  it('is validated like a built-in, naming the field', () => {
    expect(parseFaults([{ at: '1s', kind: 'gc-pause', host: 'api' }], world)).toEqual([{ at: '1s', kind: 'gc-pause', host: 'api' }]);
    expect(() => parseFaults([{ at: '1s', kind: 'gc-pause', host: 'nowhere' }], world)).toThrow("faults[0].host: unknown host 'nowhere' (hosts: db, api, client)");
    expect(() => parseFaults([{ at: '1s', kind: 'gc-pause' }], world)).toThrow('faults[0].host: missing');
    expect(() => parseFaults([{ at: '1s', kind: 'gc' }], world)).toThrow(/faults\[0\]\.kind: unknown fault 'gc' \(kinds: .*drain, query-errors, query-resets, handler-errors, response-aborts, gc-pause\)/);
  });

  it('is drawn by chaos under the default profile, on the hosts its episode picks by role', () => {
    const topology = chaosTopology(gcScenario);
    expect(topology.targets).toEqual(['db', 'api']); // every host but the load generator
    expect(topology.kinds).toContain('gc');
    expect(topology.hostsFor.gc).toEqual(['api']);
    const inputs = fc.sample(chaosInputArbitrary(gcScenario, {}, topology), { seed: 5, numRuns: 200 });
    const gc = inputs.flatMap((i) => i.episodes.filter((e) => e.kind === 'gc'));
    expect(gc.length).toBeGreaterThan(10);
    expect(new Set(gc.map((e) => e.host))).toEqual(new Set(['api']));
    const drawn = inputs.find((i) => i.episodes.some((e) => e.kind === 'gc'))!;
    const withGc = { ...drawn, episodes: drawn.episodes.filter((e) => e.kind === 'gc').slice(0, 1) };
    const faults = caseOf(gcScenario, withGc, topology).faults;
    expect(faults.slice(0, 2)).toMatchObject([{ kind: 'gc-pause', host: 'api' }, { kind: 'resume', host: 'api' }]);
  });

  it('runs: a case with a GC pause freezes the service for the episode, and its invariants hold', async () => {
    const topology = chaosTopology(gcScenario);
    const input = { seed: 3, params: {}, kinds: ['gc'], episodes: [{ kind: 'gc', startMs: 1000, durationMs: 800, host: 'api' }] };
    const { run, violations } = await runCase(gcScenario, caseOf(gcScenario, input, topology), { keepTrace: true });
    expect(violations).toEqual([]);
    const events = run.trace.where({ kind: 'host.' }).filter((r) => r.kind === 'host.pause' || r.kind === 'host.resume').map((r) => [r.kind, r.host, r.t]);
    expect(events).toEqual([
      ['host.pause', 'api', 1_000_000],
      ['host.resume', 'api', 1_800_000],
    ]);
  });

  it("is offered by the visualizer's fork form, with what ends it", () => {
    expect(forkKinds().find((k) => k.kind === 'gc-pause')).toEqual({ kind: 'gc-pause', target: 'host', value: null, ends: 'resume' });
    expect(forkEntries({ kind: 'gc-pause', a: 'api', b: '', value: '', duration: '2s', cursorUs: 1_000_000 }, null)).toEqual({
      ok: true,
      entries: [
        { at: '1s', kind: 'gc-pause', host: 'api' },
        { at: '3s', kind: 'resume', host: 'api' },
      ],
    });
    expect(faultKind('gc-pause')?.layer).toBe('gc-pause.ts');
  });
});
