/**
 * faultline as a user gets it: `npm pack`, the tarball installed into a fresh project beside vitest, then the
 * README's "Use it in your project" steps. Plain `node` imports every entry point (compiled JavaScript, no
 * tsx); the bin runs, checks, sweeps and replays the project's own scenario modules (.mjs and .ts, one with a
 * fault kind of its own) with the digests the library gives in-process; a vitest file in the project uses the
 * matchers and the chaos helper; `faultline viz ./module` serves the visualizer, which runs the user's
 * scenario in the browser to the CLI's digest.
 *
 * The install needs the npm registry (or npm's cache: CI's `npm ci` has filled it).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { hasChromium, launchChromium } from '../browser/helpers/chromium.js';

const VITEST_VERSION = (JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(repoRoot, 'node_modules/vitest/package.json'), 'utf8'))) as { version: string }).version;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, timeoutMs = 240_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const node = (args: string[], cwd: string) => run(process.execPath, args, cwd);
const faultline = (args: string[], cwd: string) => node([join(cwd, 'node_modules/faultline/bin/faultline.js'), ...args], cwd);
const digestOf = (r: Ran) => (JSON.parse(r.stdout) as { digest: string }).digest;

describe('the packed package in a fresh project', () => {
  let project: string;

  beforeAll(async () => {
    const packDir = mkdtempSync(join(tmpdir(), 'faultline-pack-'));
    const packed = await run('npm', ['pack', '--pack-destination', packDir, '--silent'], repoRoot);
    expect(packed.code, packed.stderr).toBe(0);
    const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz'))!);
    project = mkdtempSync(join(tmpdir(), 'faultline-project-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-backend', version: '1.0.0', private: true, type: 'module' }));
    const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, `vitest@${VITEST_VERSION}`], project, 300_000);
    expect(installed.code, installed.stderr).toBe(0);
    for (const f of ['tiny-pool.mjs', 'gc-pause.ts']) cpSync(join(repoRoot, 'test/fixtures', f), join(project, f));
  }, 360_000);

  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('ships compiled JavaScript: plain node imports every entry point, and no TypeScript source outside the visualizer', async () => {
    const r = await node(['-e', "const m = await import('faultline'); const n = await import('faultline/node'); const s = await import('faultline/scenarios'); console.log(typeof m.simulate, typeof m.World, typeof m.registerFaultKind, typeof n.loadScenario, s.scenarios.length)"], project);
    expect(r).toMatchObject({ code: 0, stdout: 'function function function function 11\n' });
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
    const shipped = files(join(project, 'node_modules/faultline')).filter((f) => !f.includes('/node_modules/faultline/node_modules/'));
    expect(shipped.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.includes('/faultline/viz/'))).toEqual([]);
    expect(shipped.some((f) => f.endsWith('/dist/sim/index.d.ts'))).toBe(true);
  });

  it('runs the project’s scenario modules with the bin, twice to the same digest, the one simulate() gives', async () => {
    const [a, b] = await Promise.all([faultline(['run', './tiny-pool.mjs', '--seed', '3', '--json'], project), faultline(['run', './tiny-pool.mjs', '--seed', '3', '--json'], project)]);
    expect(a.code, a.stderr).toBe(0);
    expect(digestOf(b)).toBe(digestOf(a));
    const lib = await node(['-e', "const { simulate } = await import('faultline'); const t = (await import('./tiny-pool.mjs')).default; console.log((await simulate(t, { seed: 3 })).digest)"], project);
    expect(lib.stdout.trim()).toBe(digestOf(a));
  });

  it('chaos-checks the modules (a TypeScript one with a fault kind of its own) and replays a case that names its module', async () => {
    const [tiny, gc] = await Promise.all([
      faultline(['check', './tiny-pool.mjs', '--runs', '20', '--workers', '2', '--json'], project),
      faultline(['check', './gc-pause.ts', '--runs', '10', '--workers', '1', '--json'], project),
    ]);
    expect(tiny.code, tiny.stderr).toBe(0);
    expect(JSON.parse(tiny.stdout)).toMatchObject({ runs: 20, passed: 20 });
    expect(gc.code, gc.stderr).toBe(0);
    expect(JSON.parse(gc.stdout)).toMatchObject({ runs: 10, passed: 10 });
    mkdirSync(join(project, 'cases'), { recursive: true });
    const faults = [
      { at: '4s', kind: 'partition', a: 'db' },
      { at: '6s', kind: 'heal' },
      { at: '8s', kind: 'drain' },
    ];
    writeFileSync(join(project, 'cases/tiny.json'), JSON.stringify({ scenario: 'tiny-pool', module: '../tiny-pool.mjs', seed: 5, durationUs: 10_000_000, faults, phases: { healAtUs: 6_000_000, drainAtUs: 8_000_000 } }));
    const replayed = await node([join(project, 'node_modules/faultline/bin/faultline.js'), 'replay', join(project, 'cases/tiny.json')], tmpdir());
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toContain('passed: every invariant held');
    const lib = await node(['-e', `const { simulate } = await import('faultline'); const t = (await import('./tiny-pool.mjs')).default; console.log((await simulate(t, { seed: 5, faults: ${JSON.stringify(faults)}, duration: 10000000, traceDetail: 'light', checkStreams: true })).digest)`], project);
    expect(replayed.stdout).toContain(`digest ${lib.stdout.trim()}`);
  });

  it('sweeps a module of the project on worker threads: each run the digest simulate() gives, and a report that needs nothing but d3 inside it', async () => {
    const r = await faultline(['sweep', './tiny-pool.mjs', '--vary', 'poolSize=1,2', '--seeds', '2', '--workers', '2', '--duration', '3s', '--json', '--html', 'report.html'], project);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { points: { assignments: { poolSize: string }; runs: { seed: number; digest: string }[] }[] };
    expect(result.points.map((p) => p.assignments.poolSize)).toEqual(['1', '2']);
    const p = result.points[1]!;
    const lib = await node(['-e', `const { simulate } = await import('faultline'); const t = (await import('./tiny-pool.mjs')).default; console.log((await simulate(t, { seed: ${p.runs[1]!.seed}, params: { poolSize: '2' }, duration: '3s', traceDetail: 'light' })).digest)`], project);
    expect(lib.stdout.trim()).toBe(p.runs[1]!.digest);
    const html = readFileSync(join(project, 'report.html'), 'utf8');
    expect(html).toContain('id="sweep-data"');
    expect(html).not.toMatch(/<script[^>]*src=|<link /);
  });

  it('a vitest file in the project uses simulate(), the matchers and assertChaos', async () => {
    writeFileSync(
      join(project, 'pool.test.ts'),
      `import { expect, test } from 'vitest';
import { simulate } from 'faultline';
import { assertChaos } from 'faultline/vitest';
import tinyPool from './tiny-pool.mjs';
import { gcScenario } from './gc-pause.ts';

test('a database partition fails requests with the pool timeout, and nothing is lost', async () => {
  const run = await simulate(tinyPool, { seed: 1, faults: [{ at: '4s', kind: 'partition', a: 'db' }, { at: '6s', kind: 'heal' }] });
  expect(run).toLoseNoRequests();
  expect(run).toKeepPoolsWithinMax();
  expect(Object.keys(run.requests.byError)).toContain('POOL_ACQUIRE_TIMEOUT');
});

test('chaos, with my own fault kind among the episodes', async () => {
  expect((await assertChaos(gcScenario, { runs: 5, seed: 1 })).failure).toBeNull();
});
`,
    );
    const r = await node([join(project, 'node_modules/vitest/vitest.mjs'), 'run'], project);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Tests\s+.*2 passed/);
  });

  it.skipIf(!hasChromium)('serves the visualizer with the project’s scenario, which runs in the browser to the CLI’s digest', { timeout: 180_000 }, async () => {
    const port = 5300 + (process.pid % 500);
    const server: ChildProcess = spawn(process.execPath, [join(project, 'node_modules/faultline/bin/faultline.js'), 'viz', './gc-pause.ts', '--seed', '4', '--port', String(port)], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /→ (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        server.stderr!.on('data', (c: Buffer) => (out += c.toString()));
        server.on('exit', (code) => reject(new Error(`faultline viz exited (${code}): ${out}`)));
      });
      expect(url).toBe(`http://localhost:${port}/?scenario=gc-service&seed=4`);
      const cli = await faultline(['run', './gc-pause.ts', '--seed', '4', '--json'], project);
      const browser = await launchChromium();
      try {
        const page = await browser.context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(url);
        await page.locator('#status[data-worker-digest]').waitFor({ timeout: 150_000 });
        expect(await page.locator('#status').getAttribute('data-worker-digest')).toBe(digestOf(cli));
        expect(await page.locator('#scenario option[value="gc-service"]').count()).toBe(1);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    } finally {
      server.kill('SIGTERM');
    }
  });
});
