/**
 * Typed scenario parameters: zod schemas that take a value from code (number, object) or from the command
 * line (a string) and yield the typed value, with a default. One place reads every kind of parameter, so
 * `--set latency=5ms` and `{ latency: '5ms' }` mean the same thing.
 */
import { z } from 'zod';
import { distribution, type DistributionSpec } from './core/distribution.js';
import { DurationError, parseDuration, type Duration, type Micros } from './core/time.js';

interface ParamInfo {
  description: string;
}

const numericText = /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;
const fromText = (v: unknown) => (typeof v === 'string' && numericText.test(v) ? Number(v) : v);

/** An integer parameter, optionally bounded. */
export function intParam(defaultValue: number, info: ParamInfo & { min?: number; max?: number }) {
  let schema = z.number().int();
  if (info.min !== undefined) schema = schema.min(info.min);
  if (info.max !== undefined) schema = schema.max(info.max);
  return z.preprocess(fromText, schema).prefault(defaultValue).describe(info.description);
}

/** A real-number parameter, optionally bounded. */
export function numberParam(defaultValue: number, info: ParamInfo & { min?: number; max?: number }) {
  let schema = z.number().finite();
  if (info.min !== undefined) schema = schema.min(info.min);
  if (info.max !== undefined) schema = schema.max(info.max);
  return z.preprocess(fromText, schema).prefault(defaultValue).describe(info.description);
}

/** A yes/no parameter ('true' / 'false' on the command line). */
export function boolParam(defaultValue: boolean, info: ParamInfo) {
  return z
    .preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean())
    .prefault(defaultValue)
    .describe(info.description);
}

/** One of a fixed set of words. */
export function choiceParam<T extends string>(values: readonly [T, ...T[]], defaultValue: T, info: ParamInfo) {
  return z.enum(values).prefault(defaultValue).describe(info.description);
}

/** A duration parameter: given as µs or '250ms'; its value is integer microseconds. */
export function durationParam(defaultValue: Duration, info: ParamInfo) {
  return z
    .union([z.number(), z.string()])
    .transform((v, ctx): Micros => {
      try {
        return parseDuration(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof DurationError ? err.reason : String(err) });
        return z.NEVER;
      }
    })
    .prefault(defaultValue)
    .describe(info.description);
}

/**
 * A distribution parameter: a duration ('5ms', a constant) or a distribution object (JSON on the command
 * line). Checked by compiling it, so the message names the field at fault ('max: … is below min …').
 */
export function distributionParam(defaultValue: DistributionSpec, info: ParamInfo) {
  return z
    .preprocess((v) => {
      if (typeof v !== 'string' || !v.trim().startsWith('{')) return v;
      try {
        return JSON.parse(v);
      } catch {
        return v;
      }
    }, z.custom<DistributionSpec>())
    .superRefine((spec, ctx) => {
      try {
        distribution(spec, 'value');
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message.replace(/^value\.?/, '').replace(/^: /, '') : String(err) });
      }
    })
    .prefault(defaultValue)
    .describe(info.description);
}

/** Thrown for parameters that do not fit a scenario; the message is one line naming the parameter. */
export class ParamError extends Error {
  override name = 'ParamError';
}

/**
 * Reads `input` against a scenario's parameter schema: unknown names are refused, missing ones take their
 * defaults. Throws ParamError naming the first bad parameter.
 */
export function resolveParams<S extends z.ZodObject>(scenarioName: string, schema: S, input: Record<string, unknown>): z.output<S> {
  // A loose schema (a system file's: its other keys are paths into the file) keeps what it does not know.
  const loose = (schema.def as { catchall?: { def?: { type?: string } } }).catchall?.def?.type === 'unknown';
  const strict = loose ? schema : schema.strict();
  const result = strict.safeParse(jsonWhereTextFails(schema, input));
  if (result.success) return result.data as z.output<S>;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(schema.shape).join(', ') || 'none';
    throw new ParamError(`unknown parameter '${issue.keys[0]}' for scenario ${scenarioName} (its parameters: ${known})`);
  }
  const name = issue.path.join('.');
  const given = name in input ? ` (got ${JSON.stringify(input[name as string])})` : '';
  throw new ParamError(`parameter '${name}' of scenario ${scenarioName}: ${issue.message}${given}`);
}

/**
 * Values typed on a command line arrive as text: where a parameter's own schema refuses the text but takes it
 * read as JSON (`80`, `true`, `[1,2]`), it gets the JSON. The built-in helpers (intParam, …) read text
 * themselves; this serves a scenario written with plain zod (`z.number()`).
 */
function jsonWhereTextFails(schema: z.ZodObject, input: Record<string, unknown>): Record<string, unknown> {
  let out = input;
  for (const [key, value] of Object.entries(input)) {
    const field = schema.shape[key] as z.ZodType | undefined;
    if (field === undefined || typeof value !== 'string' || !takesJson(field) || field.safeParse(value).success) continue;
    let json: unknown;
    try {
      json = JSON.parse(value);
    } catch {
      continue;
    }
    if (field.safeParse(json).success) out = { ...out, [key]: json };
  }
  return out;
}

/** Wrappers that hold the type a value must have (a default, an optional, …). */
const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch']);
/** Types whose values are never text: a plain z.number(), z.boolean(), a list or an object. The helpers read text their own way (a pipe). */
const JSON_TYPES = new Set(['number', 'int', 'boolean', 'array', 'tuple', 'object', 'record']);

function takesJson(field: z.ZodType): boolean {
  let def = (field as unknown as { def: { type: string; innerType?: unknown } }).def;
  while (WRAPPERS.has(def.type) && def.innerType) def = (def.innerType as { def: typeof def }).def;
  return JSON_TYPES.has(def.type);
}

/** Parses command-line `key=value` pairs (later ones win). */
export function parseAssignments(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ParamError(`--set '${pair}': expected key=value`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
