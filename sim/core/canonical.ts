/**
 * Canonical JSON: object keys in UTF-16 code-unit order (Array.prototype.sort, as RFC 8785) at every depth, no white space, `undefined` members left
 * out. The same value always encodes to the same text, whatever order its keys were written in.
 * Non-finite numbers encode as null (as JSON.stringify does), so a NaN in a field cannot break a trace line.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

/**
 * A name (an object key, a record kind, a host) as a JSON string, cached: a trace uses a few dozen names
 * millions of times. Bounded, so a run that makes names without end cannot grow it without end.
 */
const quotedNames = new Map<string, string>();
const QUOTED_NAMES_MAX = 10_000;

export function quotedName(name: string): string {
  let q = quotedNames.get(name);
  if (q === undefined) {
    q = JSON.stringify(name);
    if (quotedNames.size < QUOTED_NAMES_MAX) quotedNames.set(name, q);
  }
  return q;
}

/** A number as canonicalJson writes it (non-finite as null), for fixed-shape encoders. */
export function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
      const keys = Object.keys(value);
      // Most objects are written with their keys in order already; sorting is then only a check.
      for (let i = 1; i < keys.length; i++) {
        if (keys[i - 1]! > keys[i]!) {
          keys.sort();
          break;
        }
      }
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined || typeof v === 'function') continue;
        out += out.length > 1 ? `,${quotedName(key)}:` : `${quotedName(key)}:`;
        out += canonicalJson(v);
      }
      return `${out}}`;
    }
    default:
      return 'null';
  }
}
