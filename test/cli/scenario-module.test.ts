/**
 * Your scenario in every command: `faultline run|check|replay` take a path to a module (.mjs, .ts) exporting
 * a scenario made with defineScenario, as they take a built-in's name, with the same digests as simulate()
 * in this process; case files name the module relative to themselves; a module that cannot be used is one
 * line and exit 2.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeCase, simulate, type Scenario } from 'faultline';
import { loadScenario, writeCaseFile } from 'faultline/node';
import { cli, cliInProcess, repoRoot } from '../helpers/cli.js';

const fixture = (name: string) => join(repoRoot, 'test/fixtures', name);
const json = (stdout: string) => JSON.parse(stdout) as { digest: string; scenario: string; replay: string; results: { digest: string; finding: unknown }[]; passed: number };

describe('a scenario module', () => {
  it('runs by path (.mjs and .ts) with the digest simulate() gives in this process', async () => {
    const [mjs, ts] = await Promise.all([cli(['run', 'test/fixtures/tiny-pool.mjs', '--seed', '3', '--json']), cli(['run', 'test/fixtures/gc-pause.ts', '--seed', '3', '--json', '--set', 'ratePerS=80'])]);
    expect(mjs).toMatchObject({ code: 0, stderr: '' });
    expect(ts).toMatchObject({ code: 0, stderr: '' });
    const { scenario: tiny } = await loadScenario(fixture('tiny-pool.mjs'));
    const { scenario: gc } = await loadScenario(fixture('gc-pause.ts'));
    expect(json(mjs.stdout)).toMatchObject({ scenario: 'tiny-pool', digest: (await simulate(tiny, { seed: 3 })).digest });
    expect(json(ts.stdout)).toMatchObject({ scenario: 'gc-service', digest: (await simulate(gc, { seed: 3, params: { ratePerS: 80 } })).digest });
    // The replay line names the module, which is what reruns it.
    expect(json(mjs.stdout).replay).toBe('npx faultline run test/fixtures/tiny-pool.mjs --seed 3');
  });

  it('is chaos-checked on worker threads with the default profile, its own fault kind included, the same on one worker as on two', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-module-'));
    const [one, two] = await Promise.all([
      cli(['check', 'test/fixtures/gc-pause.ts', '--runs', '6', '--workers', '1', '--json', '--corpus', dir]),
      cli(['check', 'test/fixtures/gc-pause.ts', '--runs', '6', '--workers', '2', '--json', '--corpus', dir]),
    ]);
    expect(one).toMatchObject({ code: 0, stderr: '' });
    expect(json(two.stdout).results.map((r) => r.digest)).toEqual(json(one.stdout).results.map((r) => r.digest));
    expect(json(one.stdout).passed).toBe(6);
  });

  it('writes cases that name the module relative to the case file, and replays them from anywhere', async () => {
    const { scenario } = await loadScenario(fixture('gc-pause.ts'));
    const c = makeCase(scenario as Scenario, 77, [
      { at: '1s', kind: 'gc-pause', host: 'api' },
      { at: '1500ms', kind: 'resume', host: 'api' },
    ]);
    expect(c.module).toBe(fixture('gc-pause.ts'));
    // The scenario and its corpus travel together: copy both (inside the project, where 'faultline' resolves),
    // and the case still finds its module.
    mkdirSync(join(repoRoot, '.scratch'), { recursive: true });
    const dir = mkdtempSync(join(repoRoot, '.scratch', 'module-case-'));
    cpSync(fixture('gc-pause.ts'), join(dir, 'gc-pause.ts'));
    const path = writeCaseFile(join(dir, 'cases'), { ...c, module: join(dir, 'gc-pause.ts'), expect: 'pass' });
    expect(JSON.parse(readFileSync(path, 'utf8')).module).toBe('../../gc-pause.ts');
    const replayed = await cli(['replay', path], [], tmpdir());
    expect(replayed.stderr).toBe('');
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain('passed: every invariant held');
    const digest = /digest ([0-9a-f]{16})/.exec(replayed.stdout)![1];
    const run = await simulate(scenario, { seed: 77, params: c.params, faults: c.faults, duration: c.durationUs, traceDetail: 'light', checkStreams: true });
    expect(digest).toBe(run.digest);
  });

  it.each([
    ['a module without a scenario', ['run', 'test/fixtures/not-a-scenario.mjs'], /^faultline: test\/fixtures\/not-a-scenario\.mjs: exports no scenario made with defineScenario \(exports: answer\)$/],
    ['two scenarios, no default', ['check', 'test/fixtures/two-scenarios.mjs'], /^faultline: test\/fixtures\/two-scenarios\.mjs: exports 2 scenarios \(one, two\) and none as the default: make the one to run the default export$/],
    ['a build that throws', ['run', 'test/fixtures/throwing-build.mjs'], /^faultline: scenario throws: its build threw: TypeError: cannot read config\.yaml$/],
    ['a missing file', ['run', './nowhere.ts'], /^faultline: \.\/nowhere\.ts: no such file$/],
    ['not a module', ['run', './README.md'], /^faultline: \.\/README\.md: not a module faultline can load as a scenario/],
    ['a bad parameter', ['run', 'test/fixtures/tiny-pool.mjs', '--set', 'poolSize=0'], /^faultline: parameter 'poolSize' of scenario tiny-pool: /],
    ['a case whose module is gone', ['replay', 'test/fixtures/case-missing-module.json'], /^faultline: test\/fixtures\/case-missing-module\.json: module .*gone\.ts: no such file$/],
  ])('%s: one line, exit 2, no stack trace', async (_name, args, message) => {
    const r = await cliInProcess(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
