/**
 * What chaos may aim at in a scenario: its hosts (from describeScenario: built and started, not run), the
 * profile's targets and the hosts of each episode kind that keeps a list of its own, the links' own loss and
 * latency (what a burst returns to), and the episode kinds that apply. A scenario without a chaos profile
 * gets targets from its hosts' roles: every host but the load generators, `slow` on databases and services.
 */
import type { DistributionSpec } from '../core/distribution.js';
import { SimError } from '../core/errors.js';
import { episodeKindList, episodeName, type FaultKind } from '../core/fault-kinds.js';
import { describeScenario, type ScenarioDescription } from '../describe.js';
import type { ChaosEpisodeKind, Scenario } from '../scenario.js';
import { resolveChaosProfile } from './chaos-profile.js';

export interface ChaosTopology {
  /** Every host of the scenario's network, in creation order. */
  hosts: string[];
  /** Hosts faults may target (the profile's `hosts`, or by default every host but the load generators). */
  targets: string[];
  /** Hosts each episode kind with a list of its own may target, by episode name (crash, kill, slow, …). */
  hostsFor: Record<string, string[]>;
  /**
   * The network's default link loss and latency: what a loss or latency episode restores at its end. Every
   * scenario here keeps its links uniform; one that configured single links would see them reset to these.
   */
  baseLoss: number;
  baseLatency: DistributionSpec;
  /** The episode kinds chaos draws from for this scenario, in episode order. */
  kinds: ChaosEpisodeKind[];
}

/** Builds the scenario (with its chaos parameters) in a throwaway world and reads what chaos may break. */
export function chaosTopology(scenario: Scenario, description: ScenarioDescription = describeScenario(scenario, resolveChaosProfile(scenario).params)): ChaosTopology {
  const profile = resolveChaosProfile(scenario);
  if (!description.hasNetwork) throw new SimError('ERR_CHAOS', `scenario ${scenario.name} has no network: chaos has nothing to break`);
  const hosts = description.hosts.map((h) => h.name);
  const unknown = (names: string[], field: string) => {
    const bad = names.find((n) => !hosts.includes(n));
    if (bad !== undefined) throw new SimError('ERR_CHAOS', `${scenario.name}.chaos.${field}: unknown host '${bad}' (hosts: ${hosts.join(', ')})`);
  };
  const loadGenerators = new Set(description.hosts.filter((h) => h.roles.includes('client')).map((h) => h.name));
  const targets = profile.hosts ?? (profile.isDefault ? hosts.filter((h) => !loadGenerators.has(h)) : hosts);
  unknown(targets, 'hosts');
  const withRoles = (roles: string[]) => description.hosts.filter((h) => targets.includes(h.name) && h.roles.some((r) => roles.includes(r))).map((h) => h.name);
  const hostsFor: Record<string, string[]> = {};
  for (const kind of episodeKindList()) {
    const rule = kind.episode!;
    if (rule.hosts === undefined || rule.hosts === 'targets') continue;
    const name = episodeName(kind);
    const fallback = rule.hosts.own;
    // A kind that picks its hosts by role (slow: databases, services) does so under the default profile only:
    // a scenario's own profile names them in hostsFor, as the built-ins do (none named: none drawn).
    const own = profile.hostsFor[name] ?? (fallback === 'targets' ? targets : fallback === 'none' || !profile.isDefault ? [] : withRoles(fallback.roles));
    unknown(own, `hostsFor.${name}`);
    hostsFor[name] = own;
  }
  for (const name of Object.keys(profile.hostsFor)) {
    if (!(name in hostsFor)) throw new SimError('ERR_CHAOS', `${scenario.name}.chaos.hostsFor.${name}: not an episode kind with hosts of its own (${Object.keys(hostsFor).join(', ') || 'none'})`);
  }
  const applies = (k: FaultKind) => {
    const rule = k.episode!;
    if (k.target === 'links' || k.target === 'links?') return hosts.length >= 2 && targets.length > 0;
    if (k.target === 'host') return (rule.hosts === undefined || rule.hosts === 'targets' ? targets : hostsFor[episodeName(k)]!).length > 0;
    return true;
  };
  const wanted = profile.episodes;
  const kinds = episodeKindList()
    .filter((k) => (wanted === null || wanted.includes(episodeName(k))) && applies(k))
    .map(episodeName);
  const link = description.link!;
  return { hosts, targets, hostsFor, baseLoss: link.loss, baseLatency: link.latency, kinds };
}
