/**
 * Checks a run's inputs in the page before the worker starts, with the CLI's own readers, so a mistake gets
 * the CLI's one line naming the field ('faults[0].loss: expected a probability from 0 to 1, got 1.5').
 * Fault host names are checked against the scenario's hosts, so the scenario is built (not run) in a
 * throwaway simulation: building is cheap, running is what costs.
 */
import { findScenario } from '../../scenarios/index.js';
import { resolveParams } from '../../sim/params.js';
import { Simulation } from '../../sim/core/simulation.js';
import { Network } from '../../sim/net/network.js';
import { parseFaults } from '../../sim/net/faults.js';
import { oneLine } from './errors.js';
import type { LinkBase } from './fork-faults.js';
import type { RunSpec } from './url-state.js';

export type Checked = { ok: true; faults: unknown } | { ok: false; field: 'scenario' | 'params' | 'faults'; message: string };

export function checkRun(spec: RunSpec): Checked {
  const scenario = findScenario(spec.scenario);
  if (!scenario) return { ok: false, field: 'scenario', message: `unknown scenario '${spec.scenario}'` };
  let params: unknown;
  try {
    params = resolveParams(scenario.name, scenario.params, spec.params);
  } catch (err) {
    return { ok: false, field: 'params', message: oneLine(err) };
  }
  if (spec.faults.trim() === '') return { ok: true, faults: undefined };
  let faults: unknown;
  try {
    faults = JSON.parse(spec.faults);
  } catch (err) {
    return { ok: false, field: 'faults', message: `faults: not JSON (${oneLine(err)})` };
  }
  try {
    const network = buildNetwork(spec, params);
    if (!network) return { ok: false, field: 'faults', message: `faults: scenario ${scenario.name} has no network, so it takes no fault schedule` };
    parseFaults(faults, network);
  } catch (err) {
    return { ok: false, field: 'faults', message: oneLine(err) };
  }
  return { ok: true, faults };
}

/** The scenario built (not run) in a throwaway simulation: its network, or undefined if it has none. */
function buildNetwork(spec: RunSpec, params: unknown): Network | undefined {
  const sim = new Simulation({ seed: 0 });
  findScenario(spec.scenario)!.build(sim, params as never);
  return Network.of(sim);
}

/** The scenario's network hosts in creation order, built from the spec; [] when it has none or does not build. */
export function scenarioHosts(spec: RunSpec): string[] {
  const scenario = findScenario(spec.scenario);
  if (!scenario) return [];
  try {
    return buildNetwork(spec, resolveParams(scenario.name, scenario.params, spec.params))?.hosts().map((h) => h.name) ?? [];
  } catch {
    return [];
  }
}

/** The network's own link latency and loss for a run (what a loss or latency fork restores); null if unknown. */
export function linkBaseOf(spec: RunSpec): LinkBase | null {
  const scenario = findScenario(spec.scenario);
  if (!scenario) return null;
  try {
    const network = buildNetwork(spec, resolveParams(scenario.name, scenario.params, spec.params));
    return network ? { latency: network.linkDefaults.latency, loss: network.linkDefaults.loss } : null;
  } catch {
    return null;
  }
}
