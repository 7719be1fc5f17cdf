/** Reading the command line's values, and telling the user's mistakes (one line, exit 2) from faultline's. */
import { readFileSync } from 'node:fs';
import { DistributionError, DurationError, ParamError, ScenarioBuildError, SimError, type Seed } from 'faultline';
import { scenarios } from 'faultline/scenarios';
import { ScenarioModuleError } from 'faultline/node';

/** Input the user can fix: printed as one line, exit status 2. */
export class UsageError extends Error {}

/** '7' is the integer 7; anything else non-empty is a string seed. */
export function parseSeed(text: string, flag = '--seed'): Seed {
  if (text.length === 0) throw new UsageError(`${flag}: empty`);
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw new UsageError(`${flag}: ${text} is too large for an integer seed (quote it as text, e.g. ${flag} s${text})`);
    return n;
  }
  return text;
}

/** A whole number flag within [min, max]; `fallback` when the flag is absent. */
export function parseCount(text: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag}: expected a whole number from ${min} to ${max}, got '${text}'`);
  return n;
}

/** A JSON file's contents; a missing or malformed file is the user's to fix (one line, exit 2). */
export function readJson(path: string, flag: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag === '' ? '' : `${flag} `}${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${flag === '' ? '' : `${flag} `}${path}: not JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

export function isUserError(e: unknown): e is Error {
  return (
    e instanceof UsageError ||
    e instanceof ParamError ||
    e instanceof DurationError ||
    e instanceof DistributionError ||
    e instanceof SimError ||
    e instanceof ScenarioModuleError ||
    e instanceof ScenarioBuildError ||
    (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).code!.startsWith('ERR_PARSE_ARGS'))
  );
}

/** What a scenario argument may be, for a usage line. */
export function scenarioChoices(): string {
  return `a built-in (${scenarios.map((s) => s.name).join(', ')}) or a path to a module exporting one`;
}

/** The first sentence of Node's parseArgs messages is the useful one. */
export function oneLine(e: Error): string {
  const text = e.message.split('\n')[0]!;
  return (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') ? text.replace(/\. To specify .*$/, '').replace(/\. Did you .*$/, '') : text;
}
