/** Runs the faultline CLI in a separate Node process, as a user would. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The CLI from this repository's sources, as bin/faultline.js runs the compiled one: tsx compiles on load and
 * the 'faultline-source' condition points `faultline` at sim/ (so tests need no build). The package test
 * (test/package/) runs the compiled bin from a packed tarball.
 */
export const SOURCE_CLI = ['--conditions=faultline-source', '--import', 'tsx', 'cli/bin.ts'];

/** The same, with absolute paths, to run from any working directory. */
const SOURCE_CLI_ANYWHERE = ['--conditions=faultline-source', '--import', pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href, join(repoRoot, 'cli/bin.ts')];

/**
 * `node [nodeFlags] <the CLI> ...args`, in `cwd` (default the repository root), with `env` added to this
 * process's. No kill after a time: the calling test's timeout is the hang guard (a 60 s kill here failed mmc's
 * two 100-hour runs on a loaded machine).
 */
export function cli(args: string[], nodeFlags: string[] = [], cwd: string = repoRoot, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeFlags, ...SOURCE_CLI_ANYWHERE, ...args], { cwd, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The same command in this process, through cli/main.ts as bin.ts calls it: for what needs no process of its
 * own (bad input refused in one line), without ~1 s of tsx start-up per case. stdout and stderr as bin.ts
 * writes them, a line each.
 */
export async function cliInProcess(args: string[]): Promise<CliResult> {
  const { main } = await import('../../cli/main.js');
  let stdout = '';
  let stderr = '';
  const code = await main(args, (line) => (stdout += `${line}\n`), (line) => (stderr += `${line}\n`));
  return { code, stdout, stderr };
}
