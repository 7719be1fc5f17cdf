/** A scenario's chaos profile with the defaults filled in, and its phase times in µs. */
import { parseDuration, type Micros } from '../core/time.js';
import type { JsonValue } from '../core/canonical.js';
import type { ChaosEpisodeKind, ChaosProfile, Scenario } from '../scenario.js';

export interface ResolvedChaosProfile {
  params: Record<string, unknown>;
  faultWindowUs: Micros;
  recoverUs: Micros;
  settleUs: Micros;
  drainUs: Micros;
  minOkShare: number;
  /** Null: the default (chaos-topology.ts). */
  hosts: string[] | null;
  /** Per episode kind with a list of its own; a kind missing here takes its default (chaos-topology.ts). */
  hostsFor: Record<string, string[]>;
  /** True when the scenario has no profile of its own: targets come from its hosts' roles. */
  isDefault: boolean;
  /** Null: every kind that applies to the scenario's topology. */
  episodes: ChaosEpisodeKind[] | null;
  paramChoices: Record<string, JsonValue[]>;
  /** Heal at faultWindow, drain at faultWindow + recover, end at drain + drain time. */
  healAtUs: Micros;
  drainAtUs: Micros;
  durationUs: Micros;
}

export const chaosDefaults: Readonly<Required<Omit<ChaosProfile, 'hosts' | 'params' | 'episodes' | 'paramChoices' | 'hostsFor'>>> = Object.freeze({
  faultWindow: '10s',
  recover: '10s',
  settle: '5s',
  drain: '10s',
  minOkShare: 0.9,
});

export function resolveChaosProfile(scenario: Scenario): ResolvedChaosProfile {
  const p = { ...chaosDefaults, ...scenario.chaos };
  const what = `${scenario.name}.chaos`;
  const faultWindowUs = parseDuration(p.faultWindow, `${what}.faultWindow`);
  const recoverUs = parseDuration(p.recover, `${what}.recover`);
  const settleUs = parseDuration(p.settle, `${what}.settle`);
  const drainUs = parseDuration(p.drain, `${what}.drain`);
  return {
    params: scenario.chaos?.params ?? {},
    faultWindowUs,
    recoverUs,
    settleUs,
    drainUs,
    minOkShare: p.minOkShare,
    hosts: scenario.chaos?.hosts ?? null,
    hostsFor: scenario.chaos?.hostsFor ?? {},
    isDefault: scenario.chaos === undefined,
    episodes: scenario.chaos?.episodes ?? null,
    paramChoices: scenario.chaos?.paramChoices ?? {},
    healAtUs: faultWindowUs,
    drainAtUs: faultWindowUs + recoverUs,
    durationUs: faultWindowUs + recoverUs + drainUs,
  };
}
