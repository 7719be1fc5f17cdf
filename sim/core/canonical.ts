/**
 * Canonical JSON: object keys in UTF-16 code-unit order (Array.prototype.sort, as RFC 8785) at every depth, no white space, `undefined` members left
 * out. The same value always encodes to the same text, whatever order its keys were written in.
 * Non-finite numbers encode as null (as JSON.stringify does), so a NaN in a field cannot break a trace line.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

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
      const keys = Object.keys(value).sort();
      let out = '{';
      for (const key of keys) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined || typeof v === 'function') continue;
        if (out.length > 1) out += ',';
        out += `${JSON.stringify(key)}:${canonicalJson(v)}`;
      }
      return `${out}}`;
    }
    default:
      return 'null';
  }
}
