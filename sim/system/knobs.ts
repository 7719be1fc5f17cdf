/**
 * A system file's parameters: knobs it declares (`params: { poolSize: { type: int, default: 10 } }`) and
 * writes as `${poolSize}` where it uses them, and overrides of any path in the file
 * (`services.api.pool.maximumPoolSize=20`), so `--set` and sweeps reach everything the file says.
 */
import type { z } from 'zod';
import { boolParam, choiceParam, distributionParam, durationParam, intParam, numberParam } from '../params.js';
import { SystemFileError } from './issues.js';
import type { KnobSpec } from './schema.js';

/** The zod schema of one knob: the scenario parameter helpers, so `--set` reads it as a built-in's would. */
export function knobParam(name: string, k: KnobSpec): z.ZodType {
  const info = { description: k.description, ...(k.min !== undefined ? { min: k.min } : {}), ...(k.max !== undefined ? { max: k.max } : {}) };
  const need = <T>(ok: (v: unknown) => v is T, what: string): T => {
    if (!ok(k.default)) throw new SystemFileError(`params.${name}.default: expected ${what}, got ${JSON.stringify(k.default) ?? 'nothing'}`);
    return k.default;
  };
  const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  switch (k.type) {
    case 'int':
      return intParam(need((v): v is number => Number.isSafeInteger(v), 'an integer'), info);
    case 'number':
      return numberParam(need(isNumber, 'a number'), info);
    case 'bool':
      return boolParam(need((v): v is boolean => typeof v === 'boolean', 'true or false'), info);
    case 'duration':
      return durationParam(need((v): v is string | number => typeof v === 'string' || isNumber(v), "a duration ('250ms')"), info);
    case 'distribution':
      return distributionParam(need((v): v is string => v !== undefined && v !== null, 'a distribution') as never, info);
    case 'choice': {
      const choices = k.choices;
      if (!choices) throw new SystemFileError(`params.${name}.choices: missing (a choice parameter lists its choices)`);
      return choiceParam(choices as [string, ...string[]], need((v): v is string => typeof v === 'string' && choices.includes(v), `one of ${choices.join(', ')}`), info);
    }
  }
}

const WHOLE = /^\$\{([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)?)\}$/;
const ANY = /\$\{([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)?)\}/g;

/** The document with every `${name}` replaced: a string that is only `${name}` takes the value as it is. */
export function substitute(json: unknown, values: Record<string, unknown>, path = ''): unknown {
  if (typeof json === 'string') {
    const look = (ref: string) => {
      const [name, field] = ref.split('.') as [string, string | undefined];
      if (!(name in values)) throw new SystemFileError(`${path || '(top)'}: \${${ref}} is not a parameter of this file (params: ${Object.keys(values).filter((k) => !k.includes('.')).join(', ') || 'none'})`);
      if (field === undefined) return values[name];
      const meaning = values[`${name}.`] as Record<string, Record<string, unknown>> | undefined;
      const chosen = meaning?.[String(values[name])];
      if (!chosen || !(field in chosen)) throw new SystemFileError(`${path || '(top)'}: \${${ref}}: parameter ${name} has no meaning '${field}' for ${JSON.stringify(values[name])}`);
      return chosen[field];
    };
    const whole = WHOLE.exec(json);
    if (whole) return look(whole[1]!);
    return json.includes('${') ? json.replace(ANY, (_, name: string) => String(look(name))) : json;
  }
  if (Array.isArray(json)) return json.map((v, i) => substitute(v, values, `${path}[${i}]`));
  if (json !== null && typeof json === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(json)) out[key] = key === 'params' && path === '' ? v : substitute(v, values, path ? `${path}.${key}` : key);
    return out;
  }
  return json;
}

/** `services.api.pool.maximumPoolSize` or `faults[0].at` as keys and indexes. */
function pathParts(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const piece of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(piece);
    if (!m || (m[1] === '' && m[2] === '')) throw new SystemFileError(`--set ${path}: not a path into the file (e.g. services.api.pool.maximumPoolSize)`);
    if (m[1] !== '') parts.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) parts.push(Number(idx[1]));
  }
  return parts;
}

/** Text from a command line as the value it means: JSON where it reads as JSON (10, true, {…}), else the text ('250ms'). */
function valueOf(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/**
 * The document with `value` at `path`. Every step but the last must exist (a typo in a host's name is named,
 * not created); the last may be an option the file left to its default (the schema then checks the name).
 */
export function setPath(json: unknown, path: string, value: unknown): unknown {
  const parts = pathParts(path);
  const root = structuredClone(json) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i]!;
    const next = node[key];
    if (next === null || typeof next !== 'object') {
      const here = parts.slice(0, i + 1).join('.');
      const keys = Object.keys(node);
      throw new SystemFileError(`--set ${path}: ${here} is not in the file${keys.length > 0 ? ` (there: ${keys.join(', ')})` : ''}`);
    }
    node = next as Record<string | number, unknown>;
  }
  node[parts[parts.length - 1]!] = valueOf(value);
  return root;
}
