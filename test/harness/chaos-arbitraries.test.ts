/**
 * The chaos arbitraries: episodes stay inside the fault window and over the scenario's own hosts, every
 * schedule is a valid fault list, the swarm varies the mix, and shrinking heads for "no faults". No
 * simulation runs here except where a test says so; these check the data.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { chaosInputArbitrary, episodeLimits, type ChaosInput } from '../../sim/harness/chaos-arbitraries.js';
import { scheduleOf, type Episode } from '../../sim/harness/chaos-episodes.js';
import { resolveChaosProfile } from '../../sim/harness/chaos-profile.js';
import { caseOf, drawChaosCase } from '../../sim/harness/chaos-property.js';
import { chaosTopology } from '../../sim/harness/chaos-topology.js';
import { parseFaults } from '../../sim/core/fault-schedule.js';
import { resolveParams } from '../../sim/params.js';
import { buildScenario } from '../../sim/run-scenario.js';
import { World } from '../../sim/world.js';
import type { Scenario } from '../../sim/scenario.js';

const poolExhaustion = findScenario('pool-exhaustion')!;
const withProfiles = ['hello', 'pool-exhaustion', 'db-max-connections', 'keepalive-race', 'backlog-overflow', 'crash-vs-kill', 'connection-storm', 'retry-storm', 'partition', 'http2-hol'].map((n) => findScenario(n)!);

/** The scenario's network, built (not run), to check schedules against as a run would. */
function networkOf(scenario: Scenario): World {
  const world = new World({ seed: 1 });
  buildScenario(scenario, world, resolveParams(scenario.name, scenario.params, resolveChaosProfile(scenario).params));
  return world;
}

const hostsOf = (e: Episode): string[] => (e.host !== undefined ? [e.host] : [...(e.a ?? []), ...(e.b ?? [])]);

describe('chaos arbitraries', () => {
  it.each(withProfiles.map((s) => [s.name, s] as const))('%s: episodes stay in the fault window, on its hosts, and parse as faults', (_name, scenario) => {
    const profile = resolveChaosProfile(scenario);
    const topology = chaosTopology(scenario);
    const network = networkOf(scenario);
    const windowMs = profile.faultWindowUs / 1000;
    fc.assert(
      fc.property(chaosInputArbitrary(scenario, {}, topology), (input) => {
        expect(input.episodes.length).toBeLessThanOrEqual(episodeLimits.maxEpisodes);
        for (const e of input.episodes) {
          expect(input.kinds).toContain(e.kind);
          expect(e.startMs).toBeGreaterThanOrEqual(0);
          expect(e.durationMs).toBeGreaterThanOrEqual(1);
          expect(e.startMs + e.durationMs).toBeLessThanOrEqual(windowMs);
          for (const h of hostsOf(e)) expect(topology.hosts).toContain(h);
          if (e.host !== undefined) expect(topology.hostsFor[e.kind] ?? topology.targets).toContain(e.host);
          else for (const h of e.a ?? []) expect(topology.targets).toContain(h);
        }
        const c = caseOf(scenario, input, topology);
        expect(() => parseFaults(JSON.parse(JSON.stringify(c.faults)), network)).not.toThrow();
        expect(c.faults.slice(-3)).toEqual([
          { at: profile.healAtUs, kind: 'heal' },
          { at: profile.healAtUs, kind: 'release' },
          { at: profile.drainAtUs, kind: 'drain' },
        ]);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('the profile decides the kinds: hello has network faults only; pool-exhaustion slows only db and crashes or kills only service and gateway', () => {
    expect(chaosTopology(findScenario('hello')!).kinds).toEqual(['partition', 'loss', 'latency', 'clog']);
    const t = chaosTopology(poolExhaustion);
    expect(t.kinds).toEqual(['partition', 'loss', 'latency', 'clog', 'crash', 'kill', 'pause', 'slow', 'query-errors', 'query-resets', 'handler-errors', 'response-aborts']);
    expect(t.hostsFor.crash).toEqual(['service', 'gateway']);
    expect(t.hostsFor.kill).toEqual(['service', 'gateway']);
    expect(t.targets).toEqual(['db', 'service', 'gateway']);
    expect(t.hostsFor.slow).toEqual(['db']);
    expect(t.hostsFor['query-resets']).toEqual(['db']);
    expect(t.hostsFor['handler-errors']).toEqual(['service']);
    expect(t.hostsFor['response-aborts']).toEqual(['service']);
    expect(() => chaosTopology(findScenario('mmc')!)).toThrow(/mmc has no network/);
  });

  it('swarm testing: runs differ in which kinds they enable, and each run draws only its own', () => {
    const inputs = fc.sample(chaosInputArbitrary(poolExhaustion), { seed: 3, numRuns: 300 });
    const mixes = new Set(inputs.map((i) => i.kinds.join(',')));
    expect(mixes.size).toBeGreaterThan(40);
    const sizes = new Set(inputs.map((i) => i.kinds.length));
    expect([...sizes].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(inputs.some((i) => i.episodes.length === 0)).toBe(true);
    expect(inputs.every((i) => i.episodes.every((e) => i.kinds.includes(e.kind)))).toBe(true);
    // Parameters come from the profile's choices only.
    expect(new Set(inputs.map((i) => i.params.ratePerS))).toEqual(new Set([150, 100]));
  });

  it('shrinking heads for no faults: a property that always fails shrinks to no episodes', () => {
    const r = fc.check(fc.property(chaosInputArbitrary(poolExhaustion), () => false), { seed: 11, numRuns: 50 });
    expect(r.failed).toBe(true);
    const [input] = r.counterexample as [ChaosInput];
    expect(input.episodes).toEqual([]);
    expect(input.params).toEqual({ ratePerS: 150 });
  });

  it('shrinking makes an episode as simple as it gets: earliest, shortest, one host against the rest, both ways', () => {
    const hasPartition = (i: ChaosInput) => i.episodes.some((e) => e.kind === 'partition');
    const r = fc.check(fc.property(chaosInputArbitrary(poolExhaustion), (i) => !hasPartition(i)), { seed: 5, numRuns: 200 });
    const [input] = r.counterexample as [ChaosInput];
    expect(input.episodes).toHaveLength(1);
    const [e] = input.episodes as [Episode & { kind: 'partition' }];
    expect(e).toMatchObject({ kind: 'partition', startMs: 0, durationMs: 1, b: null, oneWay: false });
    expect(e.a).toHaveLength(1); // which host stays is the draw's; how many shrinks to one
    expect(scheduleOf(input.episodes, chaosTopology(poolExhaustion))).toEqual([
      { at: '0ms', kind: 'partition', a: e.a![0] },
      { at: '1ms', kind: 'heal', a: e.a![0] },
    ]);
  });

  it('a case drawn from a seed alone is the same case every time (what a worker of faultline check needs)', () => {
    const a = drawChaosCase(poolExhaustion, 1234);
    expect(drawChaosCase(poolExhaustion, 1234)).toEqual(a);
    expect(a.seed).toBe(1234);
    expect(drawChaosCase(poolExhaustion, 1235)).not.toEqual(a);
  });
});
