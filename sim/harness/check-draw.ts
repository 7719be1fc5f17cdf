/**
 * How run i of `faultline check` gets its case: a seed derived from the check's seed and i alone (so the
 * cases, and so the verdicts, do not depend on the number of workers or on which finishes first), then a
 * drawer that turns the scenario and that seed into a ChaosCase.
 */
import { digestHex } from '../core/digest.js';
import { seedKey, type Seed } from '../core/random.js';
import type { ChaosCase } from './chaos-run.js';
import { drawChaosCase, drawChaosInput, minimizeEpisodes, type ChaosPropertyOptions, type Minimal } from './chaos-property.js';
import { chaosTopology, type ChaosTopology } from './chaos-topology.js';
import type { Scenario } from '../scenario.js';

/** Draws run `runIndex`'s case from its `caseSeed`; the case's simulation seed should be caseSeed too, so the summary's seed is the case's. */
export type DrawCase = (scenario: Scenario, caseSeed: number, runIndex: number) => ChaosCase;

/**
 * Run i's seed: FNV-1a over "<seed>/<i>", its halves folded and mixed by MurmurHash3's finalizer (FNV's low
 * bits barely move when only the last character changes, so neighbouring runs got neighbouring seeds), cut
 * to 31 bits: a valid seed for the simulation and for fast-check (a 32-bit signed integer), short to type.
 */
export function caseSeed(checkSeed: Seed, runIndex: number): number {
  const hex = digestHex(`${seedKey(checkSeed)}/${runIndex}`);
  let h = (Number.parseInt(hex.slice(0, 8), 16) ^ Number.parseInt(hex.slice(8), 16)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85eb_ca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2_ae35);
  return (h ^ (h >>> 16)) & 0x7fff_ffff;
}

/** Building a scenario's topology costs a simulation build; a check draws every case from one. */
const topologies = new Map<Scenario, ChaosTopology>();
const topologyOf = (scenario: Scenario): ChaosTopology => {
  let topology = topologies.get(scenario);
  if (!topology) topologies.set(scenario, (topology = chaosTopology(scenario)));
  return topology;
};

/**
 * Shrinks a failing run's case: its episodes redrawn from its seed, then removed one at a time while it
 * still fails (minimizeEpisodes), with the episode counts before and after.
 */
export type ShrinkCase = (scenario: Scenario, caseSeed: number) => Promise<Minimal & { episodesBefore: number }>;

/** The default drawer's shrinker; `options` (other invariants) for tests. */
export const shrinkCase = async (scenario: Scenario, seed: number, options: ChaosPropertyOptions = {}): Promise<Minimal & { episodesBefore: number }> => {
  const topology = topologyOf(scenario);
  const input = drawChaosInput(scenario, seed, options, topology);
  return { ...(await minimizeEpisodes(scenario, input, options, topology)), episodesBefore: input.episodes.length };
};

/**
 * The chaos arbitraries (swarm of fault episodes and parameter choices), sampled once from the case seed.
 * Throws SimError ERR_CHAOS for a scenario chaos cannot break (no network): bad input, before any thread starts.
 */
const fromArbitraries: DrawCase = (scenario, seed) => drawChaosCase(scenario, seed, {}, topologyOf(scenario));

/** THE place the chaos drawer plugs in. */
export const drawCase: DrawCase = fromArbitraries;
