/** The one command line that reruns a run exactly: the CLI prints it, failing checks print it. */
import type { Seed } from '../core/random.js';
import type { Duration } from '../core/time.js';

export interface ReplayInputs {
  scenario: string;
  seed: Seed;
  duration?: Duration;
  /** Parameters as given (strings as typed on a command line; other values as JSON). */
  params?: Record<string, unknown>;
  /** Where the fault schedule is (a file), if there is one. */
  faultsPath?: string;
}

/** Quotes a shell word only when it needs it. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `npx faultline run <scenario> --seed N [--duration D] [--set k=v …] [--faults file]`. */
export function replayCommand(r: ReplayInputs): string {
  const words = ['npx', 'faultline', 'run', r.scenario, '--seed', String(r.seed)];
  if (r.duration !== undefined) words.push('--duration', String(r.duration));
  for (const [k, v] of Object.entries(r.params ?? {})) words.push('--set', `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  if (r.faultsPath !== undefined) words.push('--faults', r.faultsPath);
  return words.map(shellWord).join(' ');
}
