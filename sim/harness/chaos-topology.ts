/**
 * What chaos may aim at in a scenario: its hosts (learned by building it once, without running), the
 * profile's targets and slowable hosts, the links' own loss and latency (what a burst returns to), and the
 * episode kinds that apply.
 */
import type { DistributionSpec } from '../core/distribution.js';
import { SimError } from '../core/errors.js';
import { Simulation } from '../core/simulation.js';
import { Network } from '../net/network.js';
import { resolveParams } from '../params.js';
import type { ChaosEpisodeKind, Scenario } from '../scenario.js';
import { resolveChaosProfile } from './chaos-profile.js';

export interface ChaosTopology {
  /** Every host of the scenario's network, in creation order. */
  hosts: string[];
  /** Hosts faults may target (the profile's `hosts`, or all). */
  targets: string[];
  /** Hosts 'crash' faults may target (the profile's `crashHosts`, or the targets). */
  crashTargets: string[];
  /** Hosts 'kill' faults may target (the profile's `killHosts`, or the targets). */
  killTargets: string[];
  /** Hosts 'slow' faults may target. */
  slowHosts: string[];
  /**
   * The network's default link loss and latency: what a loss or latency episode restores at its end. Every
   * scenario here keeps its links uniform; one that configured single links would see them reset to these.
   */
  baseLoss: number;
  baseLatency: DistributionSpec;
  /** The episode kinds chaos draws from for this scenario. */
  kinds: ChaosEpisodeKind[];
}

export const allEpisodeKinds: readonly ChaosEpisodeKind[] = ['partition', 'loss', 'latency', 'clog', 'crash', 'kill', 'pause', 'slow'];
const linkKinds: readonly ChaosEpisodeKind[] = ['partition', 'loss', 'latency', 'clog'];

/** Builds the scenario (with its chaos parameters) in a throwaway simulation and reads its network. */
export function chaosTopology(scenario: Scenario): ChaosTopology {
  const profile = resolveChaosProfile(scenario);
  const sim = new Simulation({ seed: 0, scenario: scenario.name });
  scenario.build(sim, resolveParams(scenario.name, scenario.params, profile.params));
  const network = Network.of(sim);
  if (!network) throw new SimError('ERR_CHAOS', `scenario ${scenario.name} has no network: chaos has nothing to break (give it no chaos profile)`);
  const hosts = network.hosts().map((h) => h.name);
  const unknown = (names: string[], field: string) => {
    const bad = names.find((n) => !hosts.includes(n));
    if (bad !== undefined) throw new SimError('ERR_CHAOS', `${scenario.name}.chaos.${field}: unknown host '${bad}' (hosts: ${hosts.join(', ')})`);
  };
  const targets = profile.hosts ?? hosts;
  unknown(targets, 'hosts');
  unknown(profile.slowHosts, 'slowHosts');
  const crashTargets = profile.crashHosts ?? targets;
  unknown(crashTargets, 'crashHosts');
  const killTargets = profile.killHosts ?? targets;
  unknown(killTargets, 'killHosts');
  const applies = (k: ChaosEpisodeKind) =>
    linkKinds.includes(k) ? hosts.length >= 2 && targets.length > 0 : k === 'crash' ? crashTargets.length > 0 : k === 'kill' ? killTargets.length > 0 : k === 'slow' ? profile.slowHosts.length > 0 : targets.length > 0;
  const wanted = profile.episodes ?? allEpisodeKinds;
  const kinds = allEpisodeKinds.filter((k) => wanted.includes(k) && applies(k));
  return { hosts, targets, crashTargets, killTargets, slowHosts: profile.slowHosts, baseLoss: network.linkDefaults.loss, baseLatency: network.linkDefaults.latency, kinds };
}
