/** Traces for the browser tests, written by the CLI as a user would write them. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, SOURCE_CLI } from '../../helpers/cli.js';

export const traceDir = mkdtempSync(join(tmpdir(), 'faultline-viz-traces-'));

/** `faultline run <args> --json`: its parsed JSON (digest, records, …). */
export function runCli(args: string[], timeoutMs = 240_000): Promise<{ digest: string; records: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...SOURCE_CLI, 'run', ...args, '--json'], { cwd: repoRoot, timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`faultline run ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as { digest: string; records: number });
    });
  });
}

/** Writes a scenario's trace with the CLI; returns its path and the CLI's digest. */
export async function writeTrace(name: string, args: string[]): Promise<{ path: string; digest: string; records: number }> {
  const path = join(traceDir, `${name}.jsonl`);
  const out = await runCli([...args, '--trace', path]);
  return { path, digest: out.digest, records: out.records };
}

/** A real trace with one host renamed to markup, JSON-escaped as any trace string is. */
export function hostileTrace(from: string, host: string, evil: string): string {
  const text = readFileSync(from, 'utf8').split(`"host":${JSON.stringify(host)}`).join(`"host":${JSON.stringify(evil)}`);
  const path = join(traceDir, 'hostile.jsonl');
  writeFileSync(path, text);
  return path;
}

/** A trace cut after `lines` lines with garbage on the next one. */
export function malformedTrace(from: string, lines: number): string {
  const kept = readFileSync(from, 'utf8').split('\n').slice(0, lines);
  const path = join(traceDir, 'malformed.jsonl');
  writeFileSync(path, `${kept.join('\n')}\n{"t":99,"kind":oops}\n`);
  return path;
}
