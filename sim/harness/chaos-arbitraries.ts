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
import { episodeKindList, episodeName, kindOfEpisode, type FaultKind } from '../core/fault-kinds.js';
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
  /** Most episodes in one run: enough to overlap faults, few enough that a failure reads. */
  maxEpisodes: 6,
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
 * What an episode is made of before its kind is known: every field any kind needs, drawn at once — the
 * time, links, a host from the targets, a host from each kind's own list, a value for each kind that takes
 * one. The kind comes last, from the run's enabled kinds (`kindIndex` modulo their number), so the swarm's
 * subset and the episodes shrink independently — no episode is drawn anew when the subset shrinks (as
 * `chain` would), which kept shrinking a failure to a few dozen runs instead of a thousand.
 */
export interface EpisodeGene {
  kindIndex: number;
  time: EpisodeTime;
  links: EpisodeLinks;
  host: string;
  /** A host from each own-list kind's hosts (null: its list is empty), by episode name. */
  own: Record<string, string | null>;
  /** A value for each kind that takes one, by episode name. */
  values: Record<string, number>;
}

/** Episode kinds in episode order, with what their genes draw. */
function geneKinds(): { name: string; kind: FaultKind }[] {
  return episodeKindList().map((kind) => ({ name: episodeName(kind), kind }));
}

export function geneArbitrary(topology: ChaosTopology, windowMs: number): fc.Arbitrary<EpisodeGene> {
  const oneOf = (hosts: readonly string[]) => (hosts.length > 0 ? fc.constantFrom(...hosts) : fc.constant(null));
  const kinds = geneKinds();
  // fc.record draws its fields in the order they are listed: own hosts, then values, each in episode order.
  const fields: Record<string, fc.Arbitrary<unknown>> = {
    kindIndex: fc.nat({ max: Math.max(0, kinds.length - 1) }),
    time: episodeTime(windowMs),
    links: linksArbitrary(topology),
    host: fc.constantFrom(...topology.targets),
  };
  for (const { name, kind } of kinds) if (typeof kind.episode!.hosts === 'object') fields[`own:${name}`] = oneOf(topology.hostsFor[name] ?? []);
  for (const { name, kind } of kinds) if (kind.episode!.value) fields[`value:${name}`] = fc.integer(kind.episode!.value);
  return fc.record(fields).map((r) => {
    const own: Record<string, string | null> = {};
    const values: Record<string, number> = {};
    for (const [key, v] of Object.entries(r)) {
      if (key.startsWith('own:')) own[key.slice(4)] = v as string | null;
      else if (key.startsWith('value:')) values[key.slice(6)] = v as number;
    }
    return { kindIndex: r.kindIndex as number, time: r.time as EpisodeTime, links: r.links as EpisodeLinks, host: r.host as string, own, values };
  });
}

/** The episode a gene makes as `name` (the topology guarantees an own-list kind has a host when it is enabled). */
export function episodeOf(name: ChaosEpisodeKind, g: EpisodeGene): Episode {
  const kind = kindOfEpisode(name)!;
  const rule = kind.episode!;
  const value = rule.value ? { value: g.values[name]! } : {};
  if (kind.target === 'links' || kind.target === 'links?') return { kind: name, ...g.time, ...g.links, ...value };
  if (kind.target === 'host') return { kind: name, ...g.time, host: typeof rule.hosts === 'object' ? g.own[name]! : g.host, ...value };
  return { kind: name, ...g.time, ...value };
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
