/**
 * A system file as a scenario: what `faultline run ./system.yaml`, check, replay, viz, sweep and simulate()
 * take. Its parameters are the file's knobs and, besides them, any path in the file
 * (`services.api.pool.maximumPoolSize`); each run substitutes the knobs, applies the paths, checks the result
 * (one line naming the path for any mistake) and builds it.
 */
import { z } from 'zod';
import { scheduleFaults } from '../core/fault-schedule.js';
import { resolveParams } from '../params.js';
import { defineScenario, type ChaosProfile, type Scenario } from '../scenario.js';
import { buildSystem } from './build.js';
import { issueLine, SystemFileError } from './issues.js';
import { knobParam, setPath, substitute } from './knobs.js';
import { checkReferences } from './references.js';
import { durationSum, knobSchema, systemSchema, type SystemFile } from './schema.js';

export interface SystemSource {
  /** The scenario's name when the file gives none (the file's base name). */
  name?: string;
  /** Where it came from, for messages and replay lines. */
  path?: string;
}

/** The file checked with these parameters: knobs substituted, path overrides applied; throws SystemFileError. */
export function checkSystem(json: unknown, params: Record<string, unknown>, knobs: readonly string[], meanings: Record<string, unknown> = {}): SystemFile {
  // A choice's meanings ride along under '<name>.', where no parameter can be named.
  const values: Record<string, unknown> = Object.fromEntries(Object.entries(meanings).map(([k, v]) => [`${k}.`, v]));
  const overrides: [string, unknown][] = [];
  for (const [key, value] of Object.entries(params)) {
    if (knobs.includes(key)) values[key] = value;
    else overrides.push([key, value]);
  }
  let doc = substitute(json, values);
  for (const [path, value] of overrides) doc = setPath(doc, path, value);
  const result = systemSchema.safeParse(doc);
  if (!result.success) throw new SystemFileError(issueLine(result.error.issues[0]!, doc, systemSchema));
  checkReferences(result.data);
  return result.data;
}

export function systemScenario(json: unknown, source: SystemSource = {}): Scenario {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new SystemFileError(`expected a system (an object with services, databases, …), got ${Array.isArray(json) ? 'a list' : JSON.stringify(json)}`);
  const declared = z.record(z.string(), knobSchema).default({}).safeParse((json as Record<string, unknown>).params);
  if (!declared.success) throw new SystemFileError(issueLine(declared.error.issues[0]!, (json as Record<string, unknown>).params, z.record(z.string(), knobSchema), 'params'));
  const knobs = Object.keys(declared.data);
  const meanings = Object.fromEntries(Object.entries(declared.data).flatMap(([k, v]) => (v.means ? [[k, v.means]] : [])));
  const shape = Object.fromEntries(Object.entries(declared.data).map(([name, k]) => [name, knobParam(name, k)]));
  // Loose: keys besides the knobs are paths into the file, checked when the run builds.
  const params = z.looseObject(shape);
  const name = typeof (json as { name?: unknown }).name === 'string' ? ((json as { name: string }).name) : (source.name ?? 'system');
  const defaults = checkSystem(json, resolveParams(name, params, {}) as Record<string, unknown>, knobs, meanings);
  const scenario = defineScenario({
    name: defaults.name ?? name,
    description: defaults.description,
    defaultDuration: defaults.duration,
    params,
    ...(defaults.chaos ? { chaos: defaults.chaos as ChaosProfile } : {}),
    build(world, p) {
      const sys = checkSystem(json, p as Record<string, unknown>, knobs, meanings);
      buildSystem(world, sys);
      if (sys.faults.length > 0) scheduleFaults(world, sys.faults.map((f, i) => ({ ...f, at: durationSum(f.at, `faults[${i}].at`) })));
    },
  });
  if (source.path !== undefined) scenario.source = source.path;
  return scenario;
}

/** The system file's JSON Schema, for editors' completion (`faultline schema`). */
export function systemJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(systemSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
