/**
 * A sweep's grid: each `--vary key=v1,v2,…` is an axis, and the points are their cartesian product, the
 * first axis varying slowest. Values stay text, as `--set` gives them (a scenario's parameters read text).
 */
import { ParamError } from '../params.js';

export interface SweepAxis {
  key: string;
  values: string[];
}

/** One point of the grid: its number and each varied key's value. */
export interface SweepPoint {
  index: number;
  assignments: Record<string, string>;
}

/**
 * Reads `key=v1,v2,…`. Commas inside brackets, braces or double quotes do not split, so a JSON value
 * (`latency={"kind":"uniform","min":"1ms","max":"3ms"},{"kind":"constant","value":"2ms"}`) is one value.
 */
export function parseAxis(text: string, flag = '--vary'): SweepAxis {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ParamError(`${flag} '${text}': expected key=v1,v2,…`);
  const key = text.slice(0, eq);
  const list = text.slice(eq + 1);
  if (list.length === 0) throw new ParamError(`${flag} ${key}: no values (expected ${key}=v1,v2,…)`);
  const values = splitValues(list);
  const empty = values.findIndex((v) => v.length === 0);
  if (empty >= 0) throw new ParamError(`${flag} ${key}: value ${empty + 1} of ${values.length} is empty ('${list}')`);
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new ParamError(`${flag} ${key}: '${v}' is given twice`);
    seen.add(v);
  }
  return { key, values };
}

function splitValues(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const ch = list[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      out.push(list.slice(start, i));
      start = i + 1;
    }
  }
  out.push(list.slice(start));
  return out;
}

/** Every `--vary` read, a key given twice refused. */
export function parseAxes(texts: readonly string[], flag = '--vary'): SweepAxis[] {
  const axes = texts.map((t) => parseAxis(t, flag));
  const keys = new Set<string>();
  for (const a of axes) {
    if (keys.has(a.key)) throw new ParamError(`${flag} ${a.key}: given twice (list every value in one ${flag} ${a.key}=v1,v2,…)`);
    keys.add(a.key);
  }
  return axes;
}

/** The cartesian product of the axes, the first axis slowest: [] axes give one point with nothing varied. */
export function gridPoints(axes: readonly SweepAxis[]): SweepPoint[] {
  let combos: Record<string, string>[] = [{}];
  for (const axis of axes) combos = combos.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.key]: v })));
  return combos.map((assignments, index) => ({ index, assignments }));
}
