/**
 * The run a trace's header names, as the run form and the URL write it, so a loaded trace can be rerun. The
 * header holds parameters as the scenario resolved them (a duration as µs: slowAt 10000000), which the form's
 * text would not read back ('10000000' needs a unit); each is written as text that resolves to the very same
 * value, so the rerun's header, and its digest, are the trace's.
 */
import { findScenario } from './scenario-list.js';
import { formatDuration } from 'faultline';
import { resolveParams } from 'faultline';
import { paramsJson } from 'faultline';
import type { RunSpec } from './url-state.js';

export interface HeaderLike {
  scenario?: unknown;
  seed?: unknown;
  params?: unknown;
  faults?: unknown;
}

export function specOfHeader(h: HeaderLike): RunSpec | null {
  const scenario = typeof h.scenario === 'string' ? findScenario(h.scenario) : undefined;
  if (!scenario) return null;
  const resolvedText = (name: string, text: string): string | undefined => {
    try {
      return JSON.stringify((paramsJson(resolveParams(scenario.name, scenario.params, { [name]: text })) as Record<string, unknown>)[name]);
    } catch {
      return undefined;
    }
  };
  const defaults = paramsJson(resolveParams(scenario.name, scenario.params, {})) as Record<string, unknown>;
  const params: Record<string, string> = {};
  if (h.params && typeof h.params === 'object' && !Array.isArray(h.params)) {
    for (const [name, value] of Object.entries(h.params)) {
      const want = JSON.stringify(value);
      // Defaults are left out, as the form leaves them out: the URL stays short and reads as what was changed.
      if (want === JSON.stringify(defaults[name])) continue;
      const candidates = typeof value === 'string' ? [value] : typeof value === 'number' ? [String(value), ...(Number.isSafeInteger(value) && value >= 0 ? [formatDuration(value)] : [])] : [want];
      // No candidate resolving to the value (a header from another version): the first, for checkRun to name.
      params[name] = candidates.find((text) => resolvedText(name, text) === want) ?? candidates[0]!;
    }
  }
  const faults = Array.isArray(h.faults) && h.faults.length > 0 ? JSON.stringify(h.faults) : '';
  return { scenario: scenario.name, seed: String(h.seed), params, faults };
}
