/**
 * A system file's mistakes in one line naming the path: `services.api.pool.maximumPoolSize: expected an
 * integer >= 1, got "ten"`; an unknown key with the nearest known one (`services.api.pol: unknown key (did
 * you mean pool?)`). zod finds them; this says them.
 */
import type { z } from 'zod';
import { SimError } from '../core/errors.js';
import { pathText, valueAt } from '../core/json-path.js';

/** A system file that cannot be used: one line naming where (exit 2). */
export class SystemFileError extends SimError {
  constructor(message: string) {
    super('ERR_SYSTEM', message);
  }
}

const shown = (v: unknown): string => (v === undefined ? 'nothing' : typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v));

/** The zod issue as one line, the value that caused it quoted. */
export function issueLine(issue: z.core.$ZodIssue, json: unknown, schema: z.ZodType, prefix = ''): string {
  const where = pathText(issue.path, prefix);
  const at = where === '' ? '' : `${where}: `;
  const value = valueAt(json, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0]!;
      const known = keysAt(schema, issue.path);
      const near = nearest(key, known);
      return `${where === '' ? '' : `${where}.`}${key}: unknown key${near ? ` (did you mean ${near}?)` : known.length > 0 ? ` (keys: ${known.join(', ')})` : ''}`;
    }
    case 'invalid_type':
      if (value === undefined) return `${at}missing (expected ${expectedText(numberKind(schema, issue.path, issue.expected))})`;
      return `${at}expected ${expectedText(numberKind(schema, issue.path, issue.expected))}, got ${shown(value)}`;
    case 'too_small':
      return `${at}expected ${kindOf(issue.origin, value)} ${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}, got ${shown(value)}`;
    case 'too_big':
      return `${at}expected ${kindOf(issue.origin, value)} ${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}, got ${shown(value)}`;
    case 'invalid_value':
      return `${at}expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${shown(value)}`;
    case 'invalid_union':
      return `${at}expected ${unionText(issue)}, got ${shown(value)}`;
    case 'invalid_format':
      return `${at}expected ${issue.message.replace(/^Invalid (string: )?/i, '').replace(/^must /, '')}, got ${shown(value)}`;
    default:
      return `${at}${issue.message}${value !== undefined && typeof value !== 'object' ? ` (got ${shown(value)})` : ''}`;
  }
}

function expectedText(expected: string): string {
  const names: Record<string, string> = { number: 'a number', int: 'an integer', string: 'text', boolean: 'true or false', object: 'an object', array: 'a list', record: 'an object' };
  return names[expected] ?? expected;
}

function kindOf(origin: string, value: unknown): string {
  if (origin === 'array') return 'a list of length';
  if (origin === 'string') return 'text of length';
  return Number.isInteger(value) || origin === 'int' ? 'an integer' : 'a number';
}

function unionText(issue: z.core.$ZodIssueInvalidUnion): string {
  const parts = issue.errors.map((errs) => errs[0]).filter((e): e is z.core.$ZodIssue => e !== undefined && e.code === 'invalid_type').map((e) => expectedText((e as z.core.$ZodIssueInvalidType).expected));
  const unique = [...new Set(parts)];
  return unique.length > 0 ? unique.join(' or ') : 'another value';
}

/** The schema at `path` (through defaults, optionals, pipes, records and lists), unwrapped; undefined if none. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): { type: string; shape?: Record<string, unknown>; checks?: { _zod: { def: { format?: string } } }[] } | undefined {
  let node: unknown = schema;
  const unwrap = () => {
    for (;;) {
      const def = (node as { def?: { type: string; innerType?: unknown; in?: unknown } }).def;
      if (def && ['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'lazy'].includes(def.type) && def.innerType) node = def.innerType;
      else if (def && def.type === 'pipe' && def.in) node = def.in;
      else return def;
    }
  };
  for (const key of path) {
    const def = unwrap() as { type: string; shape?: Record<string, unknown>; valueType?: unknown; element?: unknown } | undefined;
    if (!def) return undefined;
    if (def.type === 'object' && def.shape) node = def.shape[String(key)];
    else if (def.type === 'record') node = def.valueType;
    else if (def.type === 'array') node = def.element;
    else return undefined;
  }
  return unwrap() as ReturnType<typeof schemaAt>;
}

/** The keys the object schema at `path` knows. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const def = schemaAt(schema, path);
  return def?.type === 'object' && def.shape ? Object.keys(def.shape).sort() : [];
}

/** 'number', or 'int' where the schema at `path` wants a whole number. */
function numberKind(schema: z.ZodType, path: readonly PropertyKey[], expected: string): string {
  const def = schemaAt(schema, path);
  return expected === 'number' && def?.checks?.some((c) => c._zod.def.format === 'safeint' || c._zod.def.format === 'int32') ? 'int' : expected;
}

/** The known key nearest to `key` by edit distance, when it is near enough to be a typo. */
export function nearest(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
