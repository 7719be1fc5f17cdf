/**
 * The mutation suite's fast half (the suite itself, `npm run mutants`, is long and stays out of `npm test`):
 * every bug's plant still fits the current sources, so a refactor that moves a line a plant edits fails here
 * instead of in a long run; and the report's tables come out right for a made-up result.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMutantArgs, UsageError } from '../../mutants/args.js';
import { bugs } from '../../mutants/bugs.js';
import { firstFailure } from '../../mutants/check-run.js';
import { PlantError, plantedFiles, readerAt } from '../../mutants/plant.js';
import { caughtCount, formatJson, formatMarkdown, formatText, type MutantResult } from '../../mutants/table.js';
import { repoRoot } from '../helpers/cli.js';

describe('the planted bugs', () => {
  it('are at least 16, with distinct names, each with a scenario to show in', () => {
    expect(bugs.length).toBeGreaterThanOrEqual(16);
    expect(new Set(bugs.map((b) => b.name)).size).toBe(bugs.length);
    for (const b of bugs) expect(b.scenarios.length, b.name).toBeGreaterThan(0);
  });

  it.each(bugs.map((b) => [b.name, b] as const))('%s applies to the current source: each find occurs exactly once and changes it', (_, bug) => {
    const read = readerAt(repoRoot);
    const files = plantedFiles(bug, read);
    for (const [file, text] of files) expect(text, file).not.toBe(read(file));
  });

  it('scenarios given as files exist', () => {
    for (const b of bugs) for (const s of b.scenarios) if (s.includes('/')) expect(existsSync(join(repoRoot, s)), `${b.name}: ${s}`).toBe(true);
  });

  it('refuses in one line a find that is missing or found twice (the check can fail)', () => {
    const read = () => 'a = 1;\nb = 1;\n';
    const plant = (find: string) => () => plantedFiles({ name: 'fake', what: '', scenarios: ['hello'], edits: [{ file: 'x.ts', find, replace: 'z' }] }, read);
    expect(plant('c = 1;')).toThrow(PlantError);
    expect(plant('c = 1;')).toThrow(/^fake: x\.ts: the find "c = 1;" occurs 0 times, expected exactly once$/);
    expect(plant(' = 1;')).toThrow(/occurs 2 times/);
    expect(plant('b = 1;')().get('x.ts')).toBe('a = 1;\nz\n');
  });
});

const caught: MutantResult = {
  bug: 'pool-timeout-never',
  scenario: 'pool-exhaustion',
  verdict: 'caught',
  runsToFailure: 7,
  invariant: 'safety · pool waiters bounded',
  shrunk: { episodes: 1, from: 4 },
  casePath: '.faultline/mutants/pool-timeout-never/pool-exhaustion/seed-9-waiters-min.json',
  detail: 'a waiter waited 9000 ms | more than 2000 ms',
  wallMs: 12_000,
};
const missed: MutantResult = { bug: 'pool-timeout-never', scenario: 'retry-storm', verdict: 'missed', runsToFailure: null, invariant: null, shrunk: null, casePath: null, detail: '200 runs passed', wallMs: 90_000 };
const broken: MutantResult = { ...missed, bug: 'gateway-nginx-retries-replica', scenario: 'mutants/systems/envoy-retry-budget.yaml', verdict: 'broken', detail: 'check exited 1: ERR_WORKER_OUT_OF_MEMORY' };
const info = { date: '2026-12-01', commit: 'abc1234', runs: 200, workers: 2, wallMs: 102_000 };

describe('the report', () => {
  it('counts a bug caught when any of its scenarios caught it', () => {
    expect(caughtCount([caught, missed, broken])).toEqual({ caught: 1, bugs: 2 });
  });

  it('prints aligned columns, the replay of what was caught, and why a check could not run', () => {
    const lines = formatText([caught, missed, broken], info);
    expect(lines[0]).toMatch(/^bug +scenario +caught +runs +invariant +shrunk to$/);
    expect(lines[1]).toMatch(/^-+ +-+/);
    expect(lines[2]).toMatch(/^pool-timeout-never +pool-exhaustion +yes +7 +safety · pool waiters bounded +1 \(from 4\)$/);
    expect(lines[3]).toMatch(/^pool-timeout-never +retry-storm +no +- +- +-$/);
    expect(lines[4]).toMatch(/ envoy-retry-budget\.yaml +broken /);
    // Every row's columns start at the same place.
    const secondColumn = (l: string) => {
      const gap = / {2,}/.exec(l)!;
      return gap.index + gap[0].length;
    };
    expect(new Set(lines.slice(0, 5).map(secondColumn)).size).toBe(1);
    expect(lines).toContain('  replay: npm run mutants -- --only pool-timeout-never --replay .faultline/mutants/pool-timeout-never/pool-exhaustion/seed-9-waiters-min.json');
    expect(lines).toContain('gateway-nginx-retries-replica · envoy-retry-budget.yaml: broken: check exited 1: ERR_WORKER_OUT_OF_MEMORY');
    expect(lines.at(-1)).toBe('1 of 2 bugs caught by faultline check (200 runs a scenario at most, 2 workers) · 1.7 min');
  });

  it('writes a markdown table headed by the date and commit, pipes escaped', () => {
    const lines = formatMarkdown([caught, missed], info);
    expect(lines[0]).toBe('Ran 2026-12-01 on commit abc1234: `npm run mutants -- --runs 200 --workers 2`.');
    expect(lines[2]).toBe('| bug | scenario | caught | runs | invariant | shrunk to | replay |');
    expect(lines[3]).toBe('| --- | --- | --- | --- | --- | --- | --- |');
    expect(lines[4]).toBe('| pool-timeout-never | pool-exhaustion | yes | 7 | safety · pool waiters bounded | 1 (from 4) | `npm run mutants -- --only pool-timeout-never --replay .faultline/mutants/pool-timeout-never/pool-exhaustion/seed-9-waiters-min.json` |');
    expect(lines[5]).toBe('| pool-timeout-never | retry-storm | no | - | - | - |  |');
  });

  it('gives JSON with every result and its replay command', () => {
    const j = JSON.parse(formatJson([caught, missed], info)) as { caught: number; bugs: number; commit: string; results: { replay: string | null }[] };
    expect(j).toMatchObject({ caught: 1, bugs: 1, commit: 'abc1234' });
    expect(j.results.map((r) => r.replay === null)).toEqual([false, true]);
  });

  it("takes the lowest failing run from check's --json, whatever order it lists them in", () => {
    const finding = (invariant: string) => ({ class: 'safety', invariant, message: '' });
    const results = [
      { index: 0, finding: null },
      { index: 5, finding: finding('b') },
      { index: 3, finding: finding('a') },
    ];
    expect(firstFailure({ results })?.index).toBe(3);
    expect(firstFailure({ results: [{ index: 0, finding: null }] })).toBeUndefined();
  });
});

describe('the options', () => {
  const refused = (args: string[]) => {
    try {
      parseMutantArgs(args, bugs);
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
    throw new Error(`${args.join(' ')} was accepted`);
  };

  it('refuses a bad one in one line naming it', () => {
    expect(refused(['--bogus'])).toMatch(/'--bogus'/);
    expect(refused(['--runs', '0'])).toBe("--runs: expected a positive integer, got '0'");
    expect(refused(['--workers', 'two'])).toMatch(/^--workers: /);
    expect(refused(['--only', 'no-such-bug'])).toMatch(/^--only: no bug 'no-such-bug' \(bugs: pool-timeout-never, /);
    expect(refused(['--json', '--markdown'])).toMatch(/^--json and --markdown/);
    expect(refused(['--replay', 'case.json'])).toMatch(/^--replay: needs exactly one --only/);
    for (const args of [['--bogus'], ['--runs', '0'], ['--only', 'x']]) expect(refused(args)).not.toContain('\n');
  });

  it('defaults to every bug, 200 runs, 2 workers, the text table', () => {
    expect(parseMutantArgs([], bugs)).toMatchObject({ runs: 200, workers: 2, timeoutMs: 20 * 60_000, format: 'text', replay: null, from: null });
    expect(parseMutantArgs([], bugs).bugs).toHaveLength(bugs.length);
    const o = parseMutantArgs(['--only', 'tcp-rto-no-backoff', '--only', 'pool-timeout-never', '--markdown'], bugs);
    // In the list's order, not the flags'.
    expect(o.bugs.map((b) => b.name)).toEqual(['pool-timeout-never', 'tcp-rto-no-backoff']);
    expect(o.format).toBe('markdown');
  });
});
