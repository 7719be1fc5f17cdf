/**
 * The scale targets: pool-exhaustion at 1000 requests/s with no slowdown (client → gateway → service → pool →
 * database, HTTP/1.1 and PostgreSQL over TCP), each run in a child process of its own (bench/scale-child.ts)
 * so that its peak RSS is its own. Per request in steady state (full and light trace), a million requests
 * (1000 s, light) against 60 s and 1 GB, peak RSS flat in the run's length, and `faultline check
 * pool-exhaustion --runs 200 --workers 2`'s wall time.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./scale-child.ts', import.meta.url));
const CLI = fileURLToPath(new URL('../cli/bin.ts', import.meta.url));
const NODE_ARGS = ['--conditions=faultline-source', '--import', 'tsx'];

export interface ScaleRun {
  requests: number;
  ok: number;
  events: number;
  packets: number;
  cpuUs: number;
  wallMs: number;
  maxRssKb: number;
}

export const SCALE_TARGETS = { fullCpuUsPerRequest: 100, lightCpuUsPerRequest: 40, millionWallS: 60, millionRssMb: 1024, rssGrowth: 1.25, checkWallS: 30 };

export async function poolExhaustionRun(ratePerS: number, duration: string, detail: 'full' | 'light'): Promise<ScaleRun> {
  const { stdout } = await run(process.execPath, [...NODE_ARGS, CHILD, String(ratePerS), duration, detail], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ScaleRun;
}

/** Wall seconds of `faultline check pool-exhaustion --runs <runs> --workers 2`, and its last summary line. */
export async function checkWall(runs: number): Promise<{ wallS: number; summary: string }> {
  const started = performance.now();
  const { stdout } = await run(process.execPath, [...NODE_ARGS, CLI, 'check', 'pool-exhaustion', '--runs', String(runs), '--workers', '2'], { maxBuffer: 16 << 20 }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  const summary = stdout.split('\n').find((l) => /^\d+ runs: /.test(l)) ?? '(no summary)';
  return { wallS: (performance.now() - started) / 1000, summary };
}
