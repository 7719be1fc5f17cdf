/**
 * `faultline sweep`: the mmc sweep against Erlang C, the same --json on one worker as on two, the table and
 * progress, and bad input as one line with exit 2 before any run.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { formatSweepTable } from '../../cli/sweep.js';
import { sweepCsv } from '../../node/sweep-output.js';
import type { SweepResult } from '../../sim/sweep/result.js';
import { cliInProcess } from '../helpers/cli.js';

/** Erlang C: probability that an arrival waits, and the mean wait in s (as test/scenarios/mmc.test.ts). */
function erlangC(c: number, lambda: number, mu: number): { pWait: number; wqS: number } {
  const a = lambda / mu;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const top = ((term * a) / c) * (c / (c - a));
  const pWait = top / (sum + top);
  return { pWait, wqS: pWait / (c * mu - lambda) };
}

/** The CLI in this process (its workers are threads either way): stdout and stderr lines, and the status. */
async function sweep(args: string[], terminal = { isTTY: false, write: (_: string) => {} }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['sweep', ...args], (l) => out.push(l), (l) => err.push(l), terminal);
  return { code, out, err };
}

describe('faultline sweep', () => {
  it('`sweep mmc --vary c=10,11,12 --set lambda=8 --set mu=1 --duration 40h --seeds 2 --json`: each point within 5% of Erlang C in P(wait) and 8% in mean wait', async () => {
    const r = await sweep(['mmc', '--vary', 'c=10,11,12', '--set', 'lambda=8', '--set', 'mu=1', '--duration', '40h', '--seeds', '2', '--workers', '2', '--json']);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    const result = JSON.parse(r.out[0]!) as SweepResult;
    expect(result.points.map((p) => p.assignments)).toEqual([{ c: '10' }, { c: '11' }, { c: '12' }]);
    for (const p of result.points) {
      const { pWait, wqS } = erlangC(Number(p.assignments.c), 8, 1);
      expect(p.runs.map((run) => run.seed)).toEqual([1, 2]);
      const wait = p.estimates['pool.mmc.waitProbability']!;
      const meanWait = p.estimates['pool.mmc.meanWaitMs']!;
      expect(wait.n).toBe(2);
      expect(Math.abs(wait.mean / pWait - 1), `c=${p.assignments.c} P(wait) ${wait.mean} vs ${pWait}`).toBeLessThan(0.05);
      expect(Math.abs(meanWait.mean / (wqS * 1000) - 1), `c=${p.assignments.c} mean wait ${meanWait.mean} vs ${wqS * 1000}`).toBeLessThan(0.08);
      // The interval is the seeds' spread: it holds the mean, and P(wait)'s is narrow at 40 h.
      expect(wait.ci95).toBeGreaterThan(0);
      expect(wait.ci95! / wait.mean).toBeLessThan(0.5);
    }
  }, 240_000);

  it('runs a 4-point × 3-seed pool-exhaustion sweep on 2 workers, with the same --json as on 1', async () => {
    const args = ['pool-exhaustion', '--vary', 'poolSize=5,10', '--vary', 'gatewayReadTimeoutMs=500,1000', '--seeds', '3', '--duration', '15s', '--json'];
    const two = await sweep([...args, '--workers', '2']);
    const one = await sweep([...args, '--workers', '1']);
    expect(two.code).toBe(0);
    expect(one.code).toBe(0);
    expect(two.out).toHaveLength(1);
    expect(two.out[0]).toBe(one.out[0]);
    const result = JSON.parse(two.out[0]!) as SweepResult;
    // What the visualizer needs to open a point's run: the scenario by its name and the duration.
    expect([result.scenario, result.scenarioName, result.duration, result.faults]).toEqual(['pool-exhaustion', 'pool-exhaustion', '15s', null]);
    expect(result.points.map((p) => `${p.assignments.poolSize}/${p.assignments.gatewayReadTimeoutMs}`)).toEqual(['5/500', '5/1000', '10/500', '10/1000']);
    for (const p of result.points) {
      expect(p.runs.map((run) => run.seed)).toEqual([1, 2, 3]);
      expect(new Set(p.runs.map((run) => run.digest)).size).toBe(3);
      expect(p.estimates.throughputPerS!.mean).toBeGreaterThan(0);
      expect(p.estimates['errors.504']!.mean).toBeGreaterThan(0);
      expect(p.estimates['pool.service-db.waitProbability']).toMatchObject({ n: 3 });
    }
    // A smaller pool times out more of its waiters.
    expect(result.points[0]!.estimates['pool.service-db.acquireTimeouts']!.mean).toBeGreaterThan(result.points[2]!.estimates['pool.service-db.acquireTimeouts']!.mean);
    // Progress went to stderr, a line per tenth; stdout held only the JSON.
    expect(two.err.at(-1)).toMatch(/^12\/12 runs · [\d.]+ s$/);

    const table = formatSweepTable(result);
    expect(table[0]).toMatch(/^poolSize +gatewayReadTimeoutMs +ok\/s +ok +failed +p50 ms +p99 ms +p99\.9 ms +top error +P\(wait\) service-db/);
    expect(table[1]).toMatch(/^5 +500 +[\d.]+ ±[\d.]+ /);
    expect(table).toHaveLength(6);
    const csv = sweepCsv(result).trimEnd().split('\n');
    expect(csv).toHaveLength(5);
    expect(csv[0]).toContain('pool.service-db.waitProbability.mean,pool.service-db.waitProbability.ci95');
  }, 300_000);

  it('shows a bar on a terminal, then the table', async () => {
    const bar: string[] = [];
    const r = await sweep(['mmc', '--vary', 'c=9,10', '--set', 'lambda=8', '--duration', '2h', '--seeds', '2', '--seed', '5', '--workers', '2'], { isTTY: true, write: (t) => bar.push(t) });
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out[0]).toMatch(/^faultline \d+\.\d+\.\d+ · sweep mmc · 2 points × 2 seeds \(5…6\) · 2 workers$/);
    expect(bar.join('')).toMatch(/\r\[#{30}\] 4\/4 · [\d.]+ s/);
    expect(r.out[1]).toMatch(/^c +ok\/s +ok +failed +p50 ms +p99 ms +p99\.9 ms +P\(wait\) mmc +wait ms mmc +timeouts mmc$/);
    expect(r.out[2]).toMatch(/^9 +[\d.]+ ±[\d.]+ +\d+ ±\d+ +0 ±0 +\d+ ±\d+ /);
    expect(r.out[3]).toMatch(/^10 /);
    expect(r.out[4]).toBe('mean ±95% interval across 2 seeds a point; every error kind and pool: --json or --csv');
  }, 120_000);

  it('refuses bad input in one line with exit 2, before any run', async () => {
    const cases: [string[], RegExp][] = [
      [['pool-exhaustion', '--vary', 'nope=1,2'], /unknown parameter 'nope' for scenario pool-exhaustion/],
      [['pool-exhaustion', '--vary', 'poolSize=5,0'], /parameter 'poolSize' of scenario pool-exhaustion: .*\(got "0"\)/],
      [['pool-exhaustion', '--vary', 'poolSize='], /--vary poolSize: no values/],
      [['pool-exhaustion', '--vary', 'poolSize=5', '--seeds', '0'], /--seeds: expected a whole number from 1 to 10000, got '0'/],
      [['pool-exhaustion', '--vary', 'poolSize=5', '--workers', '0'], /--workers: expected a whole number from 1 to 256, got '0'/],
      [['pool-exhaustion'], /sweep needs at least one --vary/],
      [['pool-exhaustion', '--vary', 'poolSize=5', '--set', 'poolSize=6'], /--vary poolSize: also given with --set/],
      [['pool-exhaustion', '--vary', 'poolSize=5', '--json', '--csv'], /--json and --csv: pick one/],
      [['pool-exhaustion', '--vary', 'poolSize=5', '--duration', 'ten'], /--duration/],
      [['nosuch', '--vary', 'a=1'], /unknown scenario 'nosuch'/],
    ];
    const results = await Promise.all(cases.map(([args]) => cliInProcess(['sweep', ...args])));
    results.forEach((r, i) => {
      const [args, message] = cases[i]!;
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(/^faultline: /);
      expect(r.stderr, args.join(' ')).toMatch(message);
    });
  }, 120_000);
});
