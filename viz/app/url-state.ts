/**
 * The page's URL holds what reproduces a view: scenario, parameters (as --set text), seed, duration, faults
 * and the cursor. A link from a CI failure therefore reruns the same run and lands on the same instant.
 *
 *   ?scenario=pool-exhaustion&seed=1&p.ratePerS=100&duration=15s&faults=[…]&t=12500000
 */

/** What to run: the same inputs as `faultline run <scenario> --seed … --set k=v … --duration … --faults file`. */
export interface RunSpec {
  scenario: string;
  seed: string;
  /** Parameters that differ from the scenario's defaults, as the command line's text. */
  params: Record<string, string>;
  /** The fault schedule's JSON text; '' for none. */
  faults: string;
  /** Virtual time to run, as --duration takes it ('15s'); absent or '': the scenario's default. */
  duration?: string;
}

export interface UrlState {
  run: RunSpec | null;
  /** Cursor, µs; null when the URL has none. */
  cursorUs: number | null;
}

const PARAM_PREFIX = 'p.';

export function readUrl(search: string): UrlState {
  const q = new URLSearchParams(search);
  const scenario = q.get('scenario');
  const t = Number(q.get('t'));
  const cursorUs = q.has('t') && Number.isSafeInteger(t) && t >= 0 ? t : null;
  if (!scenario) return { run: null, cursorUs };
  const params: Record<string, string> = {};
  for (const [key, value] of q) if (key.startsWith(PARAM_PREFIX)) params[key.slice(PARAM_PREFIX.length)] = value;
  const duration = q.get('duration');
  return { run: { scenario, seed: q.get('seed') ?? '1', params, faults: q.get('faults') ?? '', ...(duration ? { duration } : {}) }, cursorUs };
}

export function writeUrl(state: UrlState): string {
  const q = new URLSearchParams();
  if (state.run) {
    q.set('scenario', state.run.scenario);
    q.set('seed', state.run.seed);
    for (const [key, value] of Object.entries(state.run.params)) q.set(PARAM_PREFIX + key, value);
    if (state.run.duration) q.set('duration', state.run.duration);
    if (state.run.faults.trim() !== '') q.set('faults', state.run.faults);
  }
  if (state.cursorUs !== null) q.set('t', String(Math.round(state.cursorUs)));
  const text = q.toString();
  return text === '' ? '' : `?${text}`;
}
