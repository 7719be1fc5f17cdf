/** `npm run mutants` options: parsed and checked, a bad one refused in one line naming it (exit 2). */
import { parseArgs } from 'node:util';
import type { Bug } from './bugs.js';

export interface MutantOptions {
  /** The bugs to plant, in the list's order. */
  bugs: Bug[];
  runs: number;
  workers: number;
  /** A check running longer is stopped and reported as a timeout, ms. */
  timeoutMs: number;
  format: 'text' | 'json' | 'markdown';
  /** Replay this case file with the one --only bug planted, instead of running the suite. */
  replay: string | null;
  /** Print the table of an earlier run's --json output, instead of running the suite. */
  from: string | null;
}

export const usage = `npm run mutants -- [options]   plant each bug in a copy and run faultline check where it should show
  --only <bug>       this bug only (repeatable; default every bug)
  --runs <n>         cases per scenario at most (default 200); a check stops at its first failure
  --workers <k>      worker threads per check (default 2)
  --timeout <min>    stop a check running longer than this many minutes (default 20)
  --json             one JSON object instead of the table
  --markdown         the table in markdown (for the README and mutants/RESULTS.md)
  --replay <case>    with one --only: replay a case it found, with the bug planted again
  --from <file>      print the table of an earlier run's --json output (as text, or with --markdown)
  --list             the bugs and their scenarios`;

/** A bad option: the message is the one line to print. */
export class UsageError extends Error {}

function positiveInt(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^[1-9]\d*$/.test(text)) throw new UsageError(`${flag}: expected a positive integer, got '${text}'`);
  return Number(text);
}

/** The options, or null when --list or --help asked for something else (printed by the caller). */
export function parseMutantArgs(args: string[], all: readonly Bug[]): (MutantOptions & { list: boolean; help: boolean }) {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        only: { type: 'string', multiple: true },
        runs: { type: 'string' },
        workers: { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        markdown: { type: 'boolean' },
        replay: { type: 'string' },
        from: { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    // node:util's own words name the flag ("Unknown option '--x'", "Option '--runs <value>' argument missing").
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
  const names = values.only ?? [];
  for (const name of names) if (!all.some((b) => b.name === name)) throw new UsageError(`--only: no bug '${name}' (bugs: ${all.map((b) => b.name).join(', ')})`);
  if (values.json && values.markdown) throw new UsageError('--json and --markdown: choose one');
  const replay = values.replay ?? null;
  if (replay !== null && names.length !== 1) throw new UsageError('--replay: needs exactly one --only <bug>, the bug the case was found with');
  return {
    bugs: names.length === 0 ? [...all] : all.filter((b) => names.includes(b.name)),
    runs: positiveInt(values.runs, '--runs', 200),
    workers: positiveInt(values.workers, '--workers', 2),
    timeoutMs: positiveInt(values.timeout, '--timeout', 20) * 60_000,
    format: values.json ? 'json' : values.markdown ? 'markdown' : 'text',
    replay,
    from: values.from ?? null,
    list: values.list === true,
    help: values.help === true,
  };
}
