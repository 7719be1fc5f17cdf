/**
 * Checks a run's inputs in the page before the worker starts, with the CLI's own readers, so a mistake gets
 * the CLI's one line naming the field ('faults[0].loss: expected a probability from 0 to 1, got 1.5').
 * Fault host names are checked against the scenario's hosts, so the scenario is built (not run) in a
 * throwaway simulation: building is cheap, running is what costs.
 */
import { findScenario } from './scenario-list.js';
import { buildScenario, describeScenario, parseDuration, parseFaults, resolveParams, World } from 'faultline';
import { oneLine } from './errors.js';
import type { LinkBase } from './fork-faults.js';
import type { RunSpec } from './url-state.js';

export type Checked = { ok: true; faults: unknown } | { ok: false; field: 'scenario' | 'params' | 'duration' | 'faults'; message: string };

export function checkRun(spec: RunSpec): Checked {
  const scenario = findScenario(spec.scenario);
  if (!scenario) return { ok: false, field: 'scenario', message: `unknown scenario '${spec.scenario}'` };
  let params: unknown;
  try {
    params = resolveParams(scenario.name, scenario.params, spec.params);
  } catch (err) {
    return { ok: false, field: 'params', message: oneLine(err) };
  }
  if (spec.duration) {
    try {
      parseDuration(spec.duration, 'duration');
    } catch (err) {
      return { ok: false, field: 'duration', message: oneLine(err) };
    }
  }
  if (spec.faults.trim() === '') return { ok: true, faults: undefined };
  let faults: unknown;
  try {
    faults = JSON.parse(spec.faults);
  } catch (err) {
    return { ok: false, field: 'faults', message: `faults: not JSON (${oneLine(err)})` };
  }
  try {
    const world = new World({ seed: 0, scenario: scenario.name });
    buildScenario(scenario, world, params as never);
    if (!world.hasNetwork) return { ok: false, field: 'faults', message: `faults: scenario ${scenario.name} has no network, so it takes no fault schedule` };
    parseFaults(faults, world);
  } catch (err) {
    return { ok: false, field: 'faults', message: oneLine(err) };
  }
  return { ok: true, faults };
}

/** The scenario's network hosts in creation order, built from the spec; [] when it has none or does not build. */
export function scenarioHosts(spec: RunSpec): string[] {
  const described = describe(spec);
  return described?.hasNetwork ? described.hosts.map((h) => h.name) : [];
}

/** The network's own link latency and loss for a run (what a loss or latency fork restores); null if unknown. */
export function linkBaseOf(spec: RunSpec): LinkBase | null {
  return describe(spec)?.link ?? null;
}

function describe(spec: RunSpec) {
  const scenario = findScenario(spec.scenario);
  if (!scenario) return null;
  try {
    return describeScenario(scenario, spec.params);
  } catch {
    return null;
  }
}
