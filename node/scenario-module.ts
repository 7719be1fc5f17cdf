/**
 * A scenario named on the command line: a built-in's name, or a path to a module (.js, .mjs, .cjs, .ts, .mts,
 * .cts) that exports one made with defineScenario — its default export, or its one scenario among the named
 * exports. TypeScript modules load through tsx, registered the first time one is asked for (plain JavaScript
 * needs nothing but node). A module that cannot be loaded or exports no scenario is the user's to fix: one line.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeError, isScenario, type Scenario } from 'faultline';
import { findScenario, scenarios } from 'faultline/scenarios';
import { isSystemFile, loadSystemFile, SYSTEM_FILE_EXTENSIONS } from './system-file.js';

/** The module kinds a scenario may come from. */
export const SCENARIO_MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'] as const;
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

/** A scenario module that cannot be used: its path and what is wrong, in one line (exit 2). */
export class ScenarioModuleError extends Error {
  override name = 'ScenarioModuleError';
}

export interface LoadedScenario {
  scenario: Scenario;
  /** The absolute path of the module it came from; null for a built-in. */
  modulePath: string | null;
}

/** True when `arg` names a file rather than a built-in: it has a path separator or a module's extension. */
export function looksLikePath(arg: string): boolean {
  return arg.includes('/') || arg.includes('\\') || (SCENARIO_MODULE_EXTENSIONS as readonly string[]).includes(extname(arg)) || isSystemFile(arg);
}

/** A built-in by name, or the scenario a module exports; `what` names the argument in errors ('run'). */
export async function loadScenario(arg: string, what = 'scenario'): Promise<LoadedScenario> {
  if (!looksLikePath(arg)) {
    const builtin = findScenario(arg);
    if (builtin) return { scenario: builtin, modulePath: null };
    throw new ScenarioModuleError(`unknown scenario '${arg}' (scenarios: ${scenarios.map((s) => s.name).join(', ')}; or a path to a module exporting one, e.g. ./my-scenario.ts)`);
  }
  const modulePath = resolve(arg);
  return { scenario: await loadScenarioModule(modulePath, arg, what), modulePath };
}

const loaded = new Map<string, Scenario>();
let tsxRegistered = false;

/** The scenario the module at `path` exports (each module is loaded once per process). */
export async function loadScenarioModule(path: string, shown: string = path, what = 'scenario'): Promise<Scenario> {
  const abs = resolve(path);
  const cached = loaded.get(abs);
  if (cached) return cached;
  const ext = extname(abs);
  if (isSystemFile(abs)) {
    const scenario = loadSystemFile(abs, shown);
    loaded.set(abs, scenario);
    return scenario;
  }
  if (!(SCENARIO_MODULE_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new ScenarioModuleError(`${shown}: not a module faultline can load as a ${what} (${SCENARIO_MODULE_EXTENSIONS.join(', ')}) or a system file (${SYSTEM_FILE_EXTENSIONS.join(', ')})`);
  }
  if (!existsSync(abs)) throw new ScenarioModuleError(`${shown}: no such file`);
  if (statSync(abs).isDirectory()) throw new ScenarioModuleError(`${shown}: is a directory, not a module`);
  if (TYPESCRIPT.has(ext)) await registerTsx(shown);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (err) {
    throw new ScenarioModuleError(`${shown}: could not load it: ${describeError(err)}`);
  }
  const scenario = scenarioExport(exports, shown);
  scenario.source ??= abs;
  loaded.set(abs, scenario);
  return scenario;
}

/** The default export when it is a scenario, else the one named export that is. */
function scenarioExport(exports: Record<string, unknown>, shown: string): Scenario {
  // A CommonJS module's exports arrive as the default export of its namespace.
  const fromCjs = exports.default !== null && typeof exports.default === 'object' && !isScenario(exports.default) ? (exports.default as Record<string, unknown>) : {};
  if (isScenario(exports.default)) return exports.default;
  const named = Object.entries({ ...fromCjs, ...exports }).filter(([key, value]) => key !== 'default' && isScenario(value));
  const unique = [...new Map(named.map(([key, value]) => [value, key])).entries()];
  if (unique.length === 1) return unique[0]![0] as Scenario;
  if (unique.length > 1) throw new ScenarioModuleError(`${shown}: exports ${unique.length} scenarios (${unique.map(([, key]) => key).join(', ')}) and none as the default: make the one to run the default export`);
  const names = Object.keys(exports).filter((k) => k !== '__esModule');
  throw new ScenarioModuleError(`${shown}: exports no scenario made with defineScenario (exports: ${names.join(', ') || 'none'})`);
}

/** Loads TypeScript from here on, with tsx (a dependency of faultline; only TypeScript scenarios need it). */
async function registerTsx(shown: string): Promise<void> {
  if (tsxRegistered || process.execArgv.some((a) => a.includes('tsx'))) return;
  try {
    const esm = (await import('tsx/esm/api')) as { register: () => unknown };
    const cjs = (await import('tsx/cjs/api')) as { register: () => unknown };
    esm.register();
    cjs.register();
    tsxRegistered = true;
  } catch (err) {
    throw new ScenarioModuleError(`${shown}: a TypeScript module needs tsx to load (npm i -D tsx): ${describeError(err)}`);
  }
}
