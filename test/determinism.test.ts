import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hello } from '../scenarios/hello.js';
import { MemorySink } from '../sim/core/trace.js';
import { runScenario } from '../sim/run-scenario.js';
import { repoRoot } from './helpers/cli.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Sources of real time, real randomness, real timers and real I/O: none may be reached from inside a run. */
const forbidden: [RegExp, string][] = [
  [/\bMath\.random\b/, 'Math.random'],
  [/\bDate\.now\b|\bnew Date\b/, 'Date'],
  [/\bperformance\.now\b/, 'performance.now'],
  [/\bprocess\.hrtime\b/, 'process.hrtime'],
  // A member call (`socket.setTimeout(ms)`) is Node's socket idle timeout, run in virtual time; the global is not.
  [/(?<!\.)\bsetTimeout\b|\bsetInterval\b|\b(globalThis|window|self|global)\.setTimeout\b/, 'real timers'],
  [/\bcrypto\.(getRandomValues|randomUUID|randomBytes)\b/, 'crypto randomness'],
  [/from ['"](node:|fs|path|os|child_process|worker_threads)/, 'a Node-only module (sim/ runs in the browser too)'],
];

/**
 * The exceptions: sim/core/settle.ts yields to the host loop to drain microtasks (no time read, as it explains);
 * Socket.setTimeout is the declaration of Node's socket idle timeout, which runs on the simulated clock.
 */
const allowed = [/sim\/core\/settle\.ts: .*setImmediate/, /sim\/net\/tcp\/socket\.ts:\d+: setTimeout\(ms: number/];

describe('determinism by construction', () => {
  it('sim/ never reads real time, real randomness, real timers or Node-only modules', () => {
    const hits: string[] = [];
    for (const file of sourceFiles(join(repoRoot, 'sim'))) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^\s*(\/\/|\*|\/\*)/.test(line)) return;
        for (const [re, what] of forbidden) {
          const where = `${relative(repoRoot, file)}:${i + 1}: ${line.trim()}`;
          if (re.test(line) && !allowed.some((a) => a.test(where))) hits.push(`${what} at ${where}`);
        }
      });
    }
    expect(hits).toEqual([]);
  });

  it('the scan itself catches a forbidden call (it is not vacuous)', () => {
    expect(forbidden.some(([re]) => re.test('const x = Math.random();'))).toBe(true);
    expect(forbidden.some(([re]) => re.test("import { readFileSync } from 'node:fs';"))).toBe(true);
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

  it('adding a host and an actor with its own draws leaves the existing actors\' records unchanged', async () => {
    const records = async (extra: boolean) => {
      const sink = new MemorySink();
      await runScenario(hello, {
        seed: 12,
        params: { pings: 20 },
        sinks: [sink],
        beforeRun: ({ sim }) => {
          if (!extra) return;
          sim.host('bystander').spawn('noise', async (ctx) => {
            for (let i = 0; i < 50; i++) {
              await ctx.sleep(ctx.sample({ kind: 'exponential', mean: '7ms' }, 'noise'));
              ctx.trace('noise');
            }
          });
        },
      });
      return sink.records.filter((r) => r.host === 'client' || r.host === 'server').map((r) => JSON.stringify(r));
    };
    const without = await records(false);
    const withExtra = await records(true);
    expect(withExtra).toEqual(without);
    expect(without.length).toBeGreaterThan(100);
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
