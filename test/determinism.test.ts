import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hello } from '../scenarios/hello.js';
import { MemorySink } from '../sim/core/trace.js';
import { Randomness } from '../sim/core/random.js';
import { Simulation } from '../sim/core/simulation.js';
import { runScenario } from '../sim/run-scenario.js';
import { repoRoot } from './helpers/cli.js';
import { scanSource } from './helpers/real-world-scan.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.(ts|mts|js|mjs)$/.test(path) && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Code that runs inside a run: the simulator (harness included), the built-in scenarios, the vitest helpers,
 * and the one part of faultline/node a run calls into (the JSONL trace sink, written to from events).
 */
const INSIDE_RUNS = ['sim', 'scenarios', 'vitest', 'node/jsonl-sink.ts'];
/** What runs in the browser too (the visualizer's worker runs scenarios): no Node-only module. */
const PLATFORM_NEUTRAL = ['sim', 'scenarios'];
/** The trap itself wraps every source it traps (sim/core/real-world-guard.ts); nothing else may name one. */
const ALLOWED = new Set(['sim/core/real-world-guard.ts']);

function findingsUnder(entry: string): string[] {
  const path = join(repoRoot, entry);
  const files = statSync(path).isDirectory() ? sourceFiles(path) : [path];
  return files.flatMap((file) => {
    const where = relative(repoRoot, file).split(sep).join('/');
    if (ALLOWED.has(where)) return [];
    const neutral = PLATFORM_NEUTRAL.some((d) => where.startsWith(`${d}/`));
    return scanSource(readFileSync(file, 'utf8'), /\.m?js$/.test(file) ? 'js' : 'ts')
      .filter((f) => neutral || !f.what.startsWith('import '))
      .map((f) => `${f.what} at ${where}:${f.line}`);
  });
}

/** Each way code reaches a source, planted in a small source text, with what the scan must name. */
const plants: [string, string][] = [
  ['const x = Math.random();', 'Math.random'],
  ['const r = Math.random; r();', 'Math.random'],
  ['const { random } = Math; random();', 'Math.random'],
  ['const { random: draw } = Math; draw();', 'Math.random'],
  ['globalThis.Math.random();', 'Math.random'],
  ["Math['random']();", 'Math.random'],
  ['const M = Math; M.random();', 'Math.random'],
  ['const G = globalThis; const M = G.Math; M.random();', 'Math.random'],
  ['const M = Math as any; (M).random();', 'Math.random'],
  ['const t = Date.now();', 'Date.now'], // source text planted for the scan to find, never run
  ['const d = new Date();', 'new Date()'],
  ['const D = Date; const d = new D();', 'new Date()'],
  ['const s = Date();', 'Date()'],
  ['const t = performance.now();', 'performance.now'], // source text planted for the scan to find, never run
  ['const { now } = performance;', 'performance.now'],
  ['const t = process.hrtime();', 'process.hrtime'],
  ['setTimeout(() => {}, 5);', 'setTimeout'],
  ['const later = setTimeout; later(() => {}, 5);', 'setTimeout'],
  ['globalThis.setTimeout(() => {}, 5);', 'setTimeout'],
  ["const g = globalThis as { setImmediate?: () => void }; g['setImmediate']!();", 'setImmediate'],
  ['setInterval(() => {}, 5);', 'setInterval'],
  ['crypto.getRandomValues(new Uint8Array(4));', 'crypto.getRandomValues'],
  ["import { readFileSync } from 'node:fs';", "import 'node:fs'"],
  ["const fs = await import('node:fs');", "import 'node:fs'"],
];

/** Text that mentions a source without reaching it: the scan must stay quiet. */
const innocent = [
  '// Math.random() is never called here',
  "const s = 'Math.random() and Date.now()';", // source text the scan must not flag, never run
  'socket.setTimeout(5_000); // Node\'s socket idle timeout, on the simulated clock',
  'class Socket { setTimeout(ms: number): this { return this; } }',
  'let handle: ReturnType<typeof setTimeout> | undefined;',
  'const d = new Date(0).toISOString(); const u = Date.UTC(2020, 0, 1);',
  'const r = ctx.random("jitter").next(); const m = Math.max(1, 2);',
  'const obj = { setTimeout: 1 }; obj.setTimeout;',
];

describe('determinism by construction', () => {
  it.each(INSIDE_RUNS)('%s never reaches real randomness, real time or real timers (sim/ and scenarios/: nor Node-only modules)', (entry) => {
    expect(findingsUnder(entry)).toEqual([]);
  });

  it.each(plants)('the scan catches %s', (source, what) => {
    expect(scanSource(source).map((f) => f.what)).toContain(what);
  });

  it('the scan leaves comments, strings, types, other objects\' members and dates from a given time alone', () => {
    for (const source of innocent) expect(scanSource(source), source).toEqual([]);
  });

  it('a plant in a real file of sim/ is found, with its line (the aliased jitter in the pool)', () => {
    const pool = readFileSync(join(repoRoot, 'sim/pool/pool.ts'), 'utf8');
    const planted = pool
      .replace('this.lifetimeStream.next()', 'lifetimeJitter()')
      .replace('export class Pool<C>', 'const jitterOf = Math;\nconst lifetimeJitter = jitterOf.random;\nexport class Pool<C>');
    expect(planted).not.toBe(pool);
    const line = planted.split('\n').findIndex((l) => l.includes('jitterOf.random')) + 1;
    expect(scanSource(pool)).toEqual([]);
    expect(scanSource(planted)).toEqual([{ what: 'Math.random', line }]);
  });

  it('an unused named stream leaves every other draw, and so the digest of the rest of the trace, unchanged', async () => {
    const plain = await runScenario(hello, { seed: 11, params: { pings: 20 } });
    const withStream = await runScenario(hello, {
      seed: 11,
      params: { pings: 20 },
      beforeRun: ({ sim }) => {
        const extra = sim.random.stream('client/client/unused');
        for (let i = 0; i < 1000; i++) extra.next();
      },
    });
    expect(withStream.result.digest).toBe(plain.result.digest);
    // The unseed folds in every stream's draw count, so it does notice the extra draws.
    expect(withStream.result.unseed).not.toBe(plain.result.unseed);
  });

  it('replicas asking for the same stream names draw apart, and adding replica 2 leaves replica 1\'s records unchanged', async () => {
    const records = async (replicas: number) => {
      const sink = new MemorySink();
      const sim = new Simulation({ seed: 12, sinks: [sink] });
      for (let i = 1; i <= replicas; i++) {
        sim.host(`replica-${i}`).spawn('worker', async (ctx) => {
          for (let k = 0; k < 50; k++) {
            await ctx.sleep(ctx.sample({ kind: 'exponential', mean: '7ms' }, 'think'));
            ctx.trace('tick', { jitter: ctx.random('jitter').int(0, 1_000_000) });
          }
        });
      }
      await sim.run();
      const of = (host: string) => sink.records.filter((r) => r.host === host && r.kind === 'tick').map((r) => JSON.stringify({ t: r.t, f: r.fields }));
      return { first: of('replica-1'), second: of('replica-2') };
    };
    const alone = await records(1);
    const paired = await records(2);
    expect(alone.first).toHaveLength(50);
    expect(paired.first).toEqual(alone.first);
    // Same names, different streams: the replicas do not tick in step.
    expect(paired.second).toHaveLength(50);
    expect(paired.second).not.toEqual(paired.first);
  });

  it('a stream name claimed twice by one owner is refused; another owner may take it over', () => {
    const random = new Randomness(1);
    const owner = {};
    random.claim('svc/api/pool/db/lifetime', owner);
    expect(() => random.claim('svc/api/pool/db/lifetime', owner)).toThrow(expect.objectContaining({ code: 'ERR_STREAM_CLAIMED' }));
    expect(() => random.claim('svc/api/pool/db/lifetime', {})).not.toThrow();
  });

  it('virtual time stays an integer: every record time and every drawn latency is a whole microsecond', async () => {
    const sink = new MemorySink();
    await runScenario(hello, { seed: 13, params: { pings: 200, interval: '333us' }, sinks: [sink] });
    for (const r of sink.records) {
      expect(Number.isSafeInteger(r.t)).toBe(true);
      if (r.kind === 'msg.send') expect(Number.isSafeInteger(r.fields!.latencyUs)).toBe(true);
    }
  });
});
