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
    const sim = new Simulation({ seed: 0 });
    scenario.build(sim, params as never);
    const network = Network.of(sim);
    if (!network) return { ok: false, field: 'faults', message: `faults: scenario ${scenario.name} has no network, so it takes no fault schedule` };
    parseFaults(faults, network);
  } catch (err) {
    return { ok: false, field: 'faults', message: oneLine(err) };
  }
  return { ok: true, faults };
}
