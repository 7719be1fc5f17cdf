/**
 * fast-check arbitraries for chaos: fault episodes over a scenario's own hosts and links, the swarm (which
 * fault kinds a run may use at all), the simulation seed and the parameters a profile lets vary. Everything
 * shrinks toward "nothing happened": fewer episodes, earlier, shorter, milder, symmetric, one host.
 *
 * Swarm testing (Groce et al., ISSTA 2012): each run first draws a subset of the kinds, then episodes only of
 * those; runs with few kinds reach states a uniform mix dilutes (say, only pauses, long enough to time out).
 *
 * fast-check's randomness picks the case, which is plain data; the run itself stays deterministic.
 */
import fc from 'fast-check';
import type { JsonValue } from '../core/canonical.js';
import type { ChaosEpisodeKind, Scenario } from '../scenario.js';
import type { Episode, EpisodeLinks, EpisodeTime } from './chaos-episodes.js';
import { resolveChaosProfile } from './chaos-profile.js';
import { chaosTopology, type ChaosTopology } from './chaos-topology.js';

/** What one chaos run is: the seed, the parameters drawn, the kinds enabled, and the episodes. */
export interface ChaosInput {
  seed: number;
  params: Record<string, JsonValue>;
  kinds: ChaosEpisodeKind[];
  episodes: Episode[];
}

export interface ChaosArbitraryOptions {
  /** Most episodes in one run. Default 6. */
  maxEpisodes?: number;
  /** Kinds to draw from instead of the topology's (a test aiming at one kind). */
  kinds?: readonly ChaosEpisodeKind[];
}

/** Limits of the drawn values, written once: why each bound is what it is. */
export const episodeLimits = Object.freeze({
  maxEpisodes: 6,
  /** A loss burst from 1% (mild) to 100% (a silent partition by another name). */
  lossPercent: { min: 1, max: 100 },
  /** A latency spike from 1 ms up to 2 s one way (2–4 s round trips, past most timeouts). */
  latencyMs: { min: 1, max: 2000 },
  /** Slowdown factors: 2× (mild) to 50× (pool-exhaustion's incident is 20×). */
  slowFactor: { min: 2, max: 50 },
});

/** A start in [0, window) and a duration clamped so the episode is over by the end of the window. */
export function episodeTime(windowMs: number): fc.Arbitrary<EpisodeTime> {
  return fc.record({ startMs: fc.integer({ min: 0, max: windowMs - 1 }), durationMs: fc.integer({ min: 1, max: windowMs }) }).map(({ startMs, durationMs }) => ({ startMs, durationMs: Math.min(durationMs, windowMs - startMs) }));
}

/** Hosts `a` (targets) against `b` (any others; none drawn: the rest), one way or both. */
export function linksArbitrary(topology: ChaosTopology): fc.Arbitrary<EpisodeLinks> {
  return fc
    .record({
      a: fc.subarray(topology.targets, { minLength: 1 }),
      b: fc.option(fc.subarray(topology.hosts, { minLength: 1 }), { nil: null }),
      oneWay: fc.boolean(),
    })
    .map(({ a, b, oneWay }) => {
      const others = b?.filter((h) => !a.includes(h)) ?? [];
      // a against the rest needs a rest: a set naming every host would select no link at all.
      const side = others.length === 0 && a.length === topology.hosts.length ? a.slice(0, -1) : a;
      return { a: side, b: others.length > 0 ? others : null, oneWay };
    });
}

/**
 * What an episode is made of before its kind is known: every field any kind needs, drawn at once. The kind
 * comes last, from the run's enabled kinds (`kindIndex` modulo their number), so the swarm's subset and the
 * episodes shrink independently — no episode is drawn anew when the subset shrinks (as `chain` would), which
 * kept shrinking a failure to a few dozen runs instead of a thousand.
 */
export interface EpisodeGene {
  kindIndex: number;
  time: EpisodeTime;
  links: EpisodeLinks;
  host: string;
  crashHost: string | null;
  killHost: string | null;
  slowHost: string | null;
  lossPercent: number;
  latencyMs: number;
  factor: number;
}

export function geneArbitrary(topology: ChaosTopology, windowMs: number): fc.Arbitrary<EpisodeGene> {
  const oneOf = (hosts: string[]) => (hosts.length > 0 ? fc.constantFrom(...hosts) : fc.constant(null));
  const l = episodeLimits;
  return fc.record({
    kindIndex: fc.nat({ max: 7 }),
    time: episodeTime(windowMs),
    links: linksArbitrary(topology),
    host: fc.constantFrom(...topology.targets),
    crashHost: oneOf(topology.crashTargets),
    killHost: oneOf(topology.killTargets),
    slowHost: oneOf(topology.slowHosts),
    lossPercent: fc.integer(l.lossPercent),
    latencyMs: fc.integer(l.latencyMs),
    factor: fc.integer(l.slowFactor),
  });
}

/** The episode a gene makes as `kind` (the topology guarantees a crash, kill or slow host when that kind is enabled). */
export function episodeOf(kind: ChaosEpisodeKind, g: EpisodeGene): Episode {
  const t = g.time;
  switch (kind) {
    case 'partition':
    case 'clog':
      return { kind, ...t, ...g.links };
    case 'loss':
      return { kind, ...t, ...g.links, lossPercent: g.lossPercent };
    case 'latency':
      return { kind, ...t, ...g.links, latencyMs: g.latencyMs };
    case 'crash':
      return { kind, ...t, host: g.crashHost! };
    case 'kill':
      return { kind, ...t, host: g.killHost! };
    case 'pause':
      return { kind, ...t, host: g.host };
    case 'slow':
      return { kind, ...t, host: g.slowHost!, factor: g.factor };
  }
}

/**
 * The swarm: a non-empty subset of `kinds`, then 0…maxEpisodes episodes of those kinds only. Shrinking
 * removes episodes (the array shrinks toward empty), then simplifies each, and the subset toward its first kind.
 */
export function swarmArbitrary(kinds: readonly ChaosEpisodeKind[], topology: ChaosTopology, windowMs: number, maxEpisodes: number): fc.Arbitrary<{ kinds: ChaosEpisodeKind[]; episodes: Episode[] }> {
  if (kinds.length === 0) return fc.constant({ kinds: [], episodes: [] });
  return fc
    .record({ enabled: fc.subarray([...kinds], { minLength: 1 }), genes: fc.array(geneArbitrary(topology, windowMs), { maxLength: maxEpisodes }) })
    .map(({ enabled, genes }) => ({ kinds: enabled, episodes: genes.map((g) => episodeOf(enabled[g.kindIndex % enabled.length]!, g)) }));
}

/** Parameters from the profile's choices; each shrinks to its first value. */
export function paramsArbitrary(choices: Record<string, JsonValue[]>): fc.Arbitrary<Record<string, JsonValue>> {
  const entries = Object.entries(choices).filter(([, values]) => values.length > 0);
  return fc.record(Object.fromEntries(entries.map(([k, values]) => [k, fc.constantFrom(...values)])) as Record<string, fc.Arbitrary<JsonValue>>);
}

/**
 * Everything one chaos run of `scenario` needs. The seed does not shrink: a smaller seed is not a simpler
 * case, and keeping it fixed lets shrinking compare schedules on the same random draws.
 */
export function chaosInputArbitrary(scenario: Scenario, options: ChaosArbitraryOptions = {}, topology: ChaosTopology = chaosTopology(scenario)): fc.Arbitrary<ChaosInput> {
  const profile = resolveChaosProfile(scenario);
  const windowMs = Math.floor(profile.faultWindowUs / 1000);
  const kinds = options.kinds ? topology.kinds.filter((k) => options.kinds!.includes(k)) : topology.kinds;
  return fc
    .record({
      seed: fc.noShrink(fc.integer({ min: 1, max: 2 ** 31 - 1 })),
      params: paramsArbitrary(profile.paramChoices),
      swarm: swarmArbitrary(kinds, topology, windowMs, options.maxEpisodes ?? episodeLimits.maxEpisodes),
    })
    .map(({ seed, params, swarm }) => ({ seed, params, kinds: swarm.kinds, episodes: swarm.episodes }));
}
