/**
 * Where in a JSON document a value is, as readers write it (`services.api.pool.maximumPoolSize`,
 * `faults[2].loss`), and the value there: what every one-line validation message names.
 */

/** `prefix` then the path: keys joined with '.', indexes as `[n]`. */
export function pathText(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out === '' ? '' : '.'}${String(p)}`;
  return out;
}

/** The value at `path` in `json`; undefined where the path leaves the document. */
export function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let v = json;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** The object without its undefined fields (an option left out keeps its default when spread over defaults). */
export function definedFields<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
