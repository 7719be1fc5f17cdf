/**
 * `faultline check` and `faultline replay`: chaos across worker threads, verdicts that do not depend on the
 * worker count, failing cases written to a corpus and replayed with the same verdict and exit status.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../cli/check.js';
import { caseSeed, shrinkCase, type DrawCase, type ShrinkCase } from '../../sim/harness/check-draw.js';
import { crashVsKill } from '../../scenarios/crash-vs-kill.js';
import { runInput } from '../../sim/harness/chaos-property.js';
import { safetyInvariants, type Invariant } from '../../sim/harness/invariants.js';
import type { Scenario } from '../../sim/scenario.js';
import { EXIT_LIVENESS, EXIT_NONDETERMINISM, EXIT_OK, EXIT_SAFETY, EXIT_USAGE, exitFor } from '../../cli/exit-codes.js';
import { corpusFiles, readCaseFile } from '../../node/corpus.js';
import { digestHex } from '../../sim/core/digest.js';
import { chaosCaseOf } from '../../sim/harness/case-file.js';
import { caseRunCommand, makeCase } from '../../sim/harness/chaos-run.js';
import { cli, cliInProcess } from '../helpers/cli.js';

const json = (stdout: string) => JSON.parse(stdout) as { runs: number; passed: number; failed: Record<string, number>; results: { index: number; seed: number; digest: string; selfChecked: boolean; finding: unknown }[] };
const tmp = () => mkdtempSync(join(tmpdir(), 'faultline-check-'));

/** A drawer aimed at a known failure: the database turns 50× slower at 1 s and stays so past the heal. */
const slowForever: DrawCase = (scenario, seed) => makeCase(scenario, seed, [{ at: '1s', kind: 'slow', host: 'db', factor: 50 }], { ratePerS: 100 });

describe('faultline check', () => {
  it('gives the same cases and verdicts on one worker as on two, and self-checks run 0', async () => {
    const [one, two] = await Promise.all([
      cli(['check', 'hello', '--runs', '4', '--seed', '9', '--workers', '1', '--corpus', tmp(), '--json']),
      cli(['check', 'hello', '--runs', '4', '--seed', '9', '--workers', '2', '--corpus', tmp(), '--json']),
    ]);
    // Whatever chaos finds in hello (its profile is tuned elsewhere), both worker counts find the same.
    expect(one.stderr).toBe('');
    expect(two.code).toBe(one.code);
    const [a, b] = [json(one.stdout), json(two.stdout)];
    expect(a).toMatchObject({ runs: 4, workers: 1, failed: { nondeterminism: 0 } });
    expect(b).toMatchObject({ runs: 4, workers: 2, passed: a.passed, failed: a.failed });
    const strip = (r: (typeof a)['results']) => r.map(({ index, seed, digest, selfChecked, finding }) => ({ index, seed, digest, selfChecked, finding }));
    expect(strip(b.results)).toEqual(strip(a.results));
    expect(a.results.map((r) => r.seed)).toEqual([0, 1, 2, 3].map((i) => caseSeed(9, i)));
    expect(a.results.map((r) => r.selfChecked)).toEqual([true, false, false, false]);
  });

  it('prints progress lines, then runs, passed, failures by class, the slowest seed and the wall time', async () => {
    const r = await cli(['check', 'hello', '--runs', '3', '--workers', '2', '--corpus', tmp()]);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^faultline \d+\.\d+\.\d+ · check hello · 3 runs from seed 1 · 2 workers · 1 self-checked$/);
    expect(lines.some((l) => /^3\/3 runs · \d failed · [\d.]+ s$/.test(l))).toBe(true);
    expect(r.stdout).toMatch(/^3 runs: \d passed, \d failed \(safety \d, liveness \d, nondeterminism 0\)$/m);
    expect(r.stdout).toMatch(/^slowest: run \d, seed \d+, [\d.]+ s$/m);
    expect(r.stdout).toMatch(/^wall time [\d.]+ s on 2 workers$/m);
  });

  it('writes each failing case to the corpus, exits 4 for liveness, and replay reruns one with the same verdict and digest', async () => {
    const corpus = tmp();
    const out: string[] = [];
    const bar: string[] = [];
    const code = await check(['pool-exhaustion', '--runs', '2', '--workers', '2', '--corpus', corpus, '--self-check', '0.5'], (l) => out.push(l), { isTTY: true, write: (t) => bar.push(t) }, slowForever);
    expect(code).toBe(EXIT_LIVENESS);
    // On a terminal the progress is a bar redrawn in place; failures still get a line each.
    expect(bar.join('')).toMatch(/\r\[#{30}\] 2\/2 · 2 failed · [\d.]+ s/);
    expect(out).toContain('2 runs: 0 passed, 2 failed (safety 0, liveness 2, nondeterminism 0)');
    const files = corpusFiles(corpus);
    expect(files).toEqual([0, 1].map((i) => `pool-exhaustion/seed-${caseSeed(1, i)}-recovers.json`).sort());
    const saved = readCaseFile(join(corpus, files[0]!));
    expect(saved).toMatchObject({ scenario: 'pool-exhaustion', expect: 'pass', failure: { class: 'liveness', invariant: 'recovers' } });
    expect(out.join('\n')).toContain(`replay: npx faultline replay ${join(corpus, files[0]!)}`);

    const replayed = await cli(['replay', join(corpus, files[0]!), '--self-check']);
    expect(replayed.code).toBe(EXIT_LIVENESS);
    expect(replayed.stdout).toContain(`liveness · recovers: ${saved.failure!.message}`);
    expect(replayed.stdout).toContain('expected pass: NOT as expected');
    expect(replayed.stdout).toMatch(new RegExp(`^digest [0-9a-f]{16}  stop until at ${saved.durationUs} µs$`, 'm'));
  });

  it('shrinks the first failure to a minimal schedule, saved beside it with its replay line', async () => {
    const corpus = tmp();
    const out: string[] = [];
    const shrunkSeeds: number[] = [];
    // The drawn cases fail for real (slowForever); the shrinker is a stand-in that says which seed it was
    // asked for and gives back a one-episode case (shrinkCase itself is tested below on a real failure).
    const stand: ShrinkCase = async (scenario, seed) => {
      shrunkSeeds.push(seed);
      const input = { seed, params: {}, kinds: [], episodes: [{ kind: 'kill' as const, host: 'db', startMs: 2000, durationMs: 1500 }] };
      const chaosCase = makeCase(scenario, seed, [{ at: '2s', kind: 'kill', host: 'db' }, { at: '3.5s', kind: 'restart', host: 'db' }]);
      return { input, chaosCase, episodesBefore: 4, violations: [{ class: 'liveness', invariant: 'recovers', message: 'only 10% of requests after the heal succeeded' }] };
    };
    const code = await check(['pool-exhaustion', '--runs', '2', '--workers', '2', '--corpus', corpus], (l) => out.push(l), { isTTY: false, write: () => {} }, slowForever, stand);
    expect(code).toBe(EXIT_LIVENESS);
    expect(shrunkSeeds).toEqual([caseSeed(1, 0)]);
    const minPath = join(corpus, `pool-exhaustion/seed-${caseSeed(1, 0)}-recovers-min.json`);
    expect(out).toContain(`shrinking run 0 (seed ${caseSeed(1, 0)})…`);
    expect(out).toContain('  shrunk from 4 episodes to 1: kill db 2000–3500 ms (recovers)');
    expect(out).toContain(`  replay: npx faultline replay ${minPath}`);
    const saved = readCaseFile(minPath);
    expect(saved).toMatchObject({ faults: expect.arrayContaining([{ at: '2s', kind: 'kill', host: 'db' }, { at: '3.5s', kind: 'restart', host: 'db' }]), failure: { invariant: 'recovers' }, note: 'shrunk by faultline check from 4 episodes to 1 (run 0)' });
    expect(corpusFiles(corpus)).toHaveLength(3);

    const none: string[] = [];
    await check(['pool-exhaustion', '--runs', '1', '--corpus', tmp(), '--shrink', '0'], (l) => none.push(l), { isTTY: false, write: () => {} }, slowForever, stand);
    expect(none.some((l) => l.startsWith('shrinking'))).toBe(false);
    expect(shrunkSeeds).toHaveLength(1);
  });

  it('shrinkCase leaves a schedule no single episode can be removed from with the case still failing', async () => {
    // crash-vs-kill under a made-up safety law (test/chaos/minimal.test.ts): the case drawn from seed 11 has six
    // episodes and breaks it.
    const law: Invariant = {
      name: 'not-both-resets-and-deadlines',
      class: 'safety',
      check: (run) => ((run.requests.byError.ECONNRESET ?? 0) > 0 && (run.requests.byError.DEADLINE_EXCEEDED ?? 0) > 0 ? { invariant: 'not-both-resets-and-deadlines', class: 'safety', message: 'both' } : null),
    };
    const options = { invariants: [...safetyInvariants, law] };
    const scenario = crashVsKill as unknown as Scenario;
    const min = await shrinkCase(scenario, 11, options);
    expect(min.episodesBefore).toBe(6);
    expect(min.violations.map((v) => v.invariant)).toContain('not-both-resets-and-deadlines');
    expect(min.input.episodes.length).toBeLessThan(6);
    for (let i = 0; i < min.input.episodes.length; i++) {
      const without = { ...min.input, episodes: min.input.episodes.filter((_, j) => j !== i) };
      expect((await runInput(scenario, without, options)).violations, `without episode ${i}`).toEqual([]);
    }
  });

  it('refuses bad input with one line naming the flag, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['check'], /^faultline: check needs a scenario \(a built-in \(.*\) or a path to a module exporting one\)$/],
      [['check', 'nope'], /^faultline: unknown scenario 'nope'/],
      [['check', 'hello', '--runs', '0'], /^faultline: --runs: expected a whole number from 1 to 1000000, got '0'$/],
      [['check', 'hello', '--workers', 'two'], /^faultline: --workers: expected a whole number from 1 to 256, got 'two'$/],
      [['check', 'hello', '--self-check', '0'], /^faultline: --self-check: expected a share above 0 and at most 1 \(e\.g\. 0\.1\), got '0'$/],
      [['check', 'hello', '--self-check', '1.5'], /^faultline: --self-check: .* got '1\.5'$/],
      [['check', 'hello', '--shrink', 'all'], /^faultline: --shrink: expected a whole number from 0 to 1000000, got 'all'$/],
      [['check', 'hello', '--bogus'], /^faultline: Unknown option '--bogus'$/],
      [['check', 'mmc'], /^faultline: scenario mmc has no network/],
    ];
    const results = await Promise.all(cases.map(([args]) => cliInProcess(args)));
    results.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(' ')).toBe(EXIT_USAGE);
      expect(r.stderr.trimEnd().split('\n'), cases[i]![0].join(' ')).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(cases[i]![1]);
    });
  });
});

describe('faultline replay', () => {
  it('replays a corpus case: the failure it must show, its digest, exit 4; --trace writes the JSONL the digest covers', async () => {
    const dir = tmp();
    const r = await cli(['replay', 'test/corpus/pool-exhaustion/seed-7-recovers.json', '--trace', join(dir, 't.jsonl')]);
    expect(r.code).toBe(EXIT_LIVENESS);
    expect(r.stdout).toMatch(/^liveness · recovers: only \d+ of \d+ requests started 3000 ms or more after the heal succeeded/m);
    expect(r.stdout).toContain('expected fail: liveness · recovers: as expected');
    const digest = /^digest ([0-9a-f]{16})/m.exec(r.stdout)![1]!;
    expect(digestHex(readFileSync(join(dir, 't.jsonl'), 'utf8'))).toBe(digest);
    // `faultline run` with the case's schedule (caseRunCommand, --trace-detail light included) is the same run.
    const c = chaosCaseOf(readCaseFile('test/corpus/pool-exhaustion/seed-7-recovers.json'));
    writeFileSync(join(dir, 'faults.json'), JSON.stringify(c.faults));
    const command = caseRunCommand(c, join(dir, 'faults.json'));
    expect(command).toContain('--trace-detail light');
    const asRun = await cli([...command.replace(/^npx faultline /, '').split(' '), '--json']);
    expect(asRun.stderr).toBe('');
    expect((JSON.parse(asRun.stdout) as { digest: string }).digest).toBe(digest);
  });

  it('refuses a malformed case with one line naming the field, exit 2', async () => {
    const dir = tmp();
    const good = JSON.parse(readFileSync('test/corpus/pool-exhaustion/seed-7-pass.json', 'utf8')) as Record<string, unknown>;
    const write = (name: string, value: unknown) => {
      writeFileSync(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value));
      return join(dir, name);
    };
    const cases: [string, RegExp][] = [
      [write('no-phases.json', { ...good, phases: undefined }), /no-phases\.json: phases: missing$/],
      [write('heal.json', { ...good, phases: { drainAtUs: 1 } }), /heal\.json: phases\.healAtUs: missing$/],
      [write('seed.json', { ...good, seed: 1.5 }), /seed\.json: seed: /],
      [write('typo.json', { ...good, fautls: [] }), /typo\.json: fautls: not a field of a case \(fields: .*\)$/],
      [write('detail.json', { ...good, traceDetail: 'some' }), /detail\.json: traceDetail: /],
      [write('fault.json', { ...good, faults: [{ at: '1s', kind: 'slow', host: 'db', factor: -1 }] }), /faults\[0\]\.factor: /],
      [write('scenario.json', { ...good, scenario: 'nope' }), /scenario\.json: scenario: unknown scenario 'nope'/],
      [write('list.json', []), /list\.json: expected a case object, got a list$/],
      [write('text.json', 'not json'), /text\.json: not JSON/],
      [join(dir, 'missing.json'), /missing\.json: ENOENT/],
    ];
    const results = await Promise.all(cases.map(([path]) => cliInProcess(['replay', path])));
    results.forEach((r, i) => {
      expect(r.code, cases[i]![0]).toBe(EXIT_USAGE);
      expect(r.stderr.trimEnd().split('\n'), cases[i]![0]).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(cases[i]![1]);
    });
  });
});

describe('faultline run --trace-detail', () => {
  it('light leaves packets out (another digest, and the replay line says so); anything but full or light is refused', async () => {
    const [full, light, bad] = await Promise.all([
      cli(['run', 'hello', '--seed', '3', '--json']),
      cli(['run', 'hello', '--seed', '3', '--trace-detail', 'light', '--json']),
      cli(['run', 'hello', '--trace-detail', 'some']),
    ]);
    const [f, l] = [JSON.parse(full.stdout) as { digest: string; records: number }, JSON.parse(light.stdout) as { digest: string; records: number; replay: string }];
    expect(l.records).toBeLessThan(f.records);
    expect(l.digest).not.toBe(f.digest);
    expect(l.replay).toBe('npx faultline run hello --seed 3 --trace-detail light');
    expect(bad).toMatchObject({ code: EXIT_USAGE, stderr: "faultline: --trace-detail: expected full or light, got 'some'\n" });
  });
});

describe('exit statuses', () => {
  it('say the most serious class found: nondeterminism, then safety, then liveness', () => {
    expect(exitFor([])).toBe(EXIT_OK);
    expect(exitFor(['liveness'])).toBe(EXIT_LIVENESS);
    expect(exitFor(['liveness', 'safety'])).toBe(EXIT_SAFETY);
    expect(exitFor(['safety', 'nondeterminism', 'liveness'])).toBe(EXIT_NONDETERMINISM);
    expect([EXIT_SAFETY, EXIT_LIVENESS, EXIT_NONDETERMINISM]).toEqual([3, 4, 5]);
  });
});
