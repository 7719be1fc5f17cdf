/** A failing chaos case, as a person reads it: the report's lines, and the files it leaves behind. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { expectChaosInput } from 'faultline/vitest';
import { hello } from '../../scenarios/hello.js';
import type { ChaosInput } from '../../sim/harness/chaos-arbitraries.js';
import type { Invariant } from '../../sim/harness/invariants.js';
import type { Scenario } from '../../sim/scenario.js';

const scenario = hello as unknown as Scenario;
const dir = '.faultline/test-report';
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A law hello breaks whenever a packet is retransmitted: any loss or partition does it. */
const noRetransmits: Invariant = {
  name: 'no-retransmits',
  class: 'safety',
  check: (run) => {
    const n = run.metrics.counters.find((c) => c.name === 'tcp.segments.retransmitted')?.value ?? 0;
    return n > 0 ? { invariant: 'no-retransmits', class: 'safety', message: `${n} segments retransmitted` } : null;
  },
};

const input = (startMs: number): ChaosInput => ({ seed: 5, params: {}, kinds: ['partition'], episodes: [{ kind: 'partition', startMs, durationMs: 1500, a: ['server'], b: null, oneWay: false }] });
const where = { invariants: [noRetransmits], dir, testFile: 'test/harness/chaos-report.test.ts', testName: 'hello never retransmits' };

async function reportOf(i: ChaosInput): Promise<string> {
  try {
    await expectChaosInput(scenario, i, where);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the case to fail');
}

describe('the report of a failing chaos case', () => {
  it('names the invariant and its class, the episodes, the seed, the schedule, and three commands', async () => {
    const report = await reportOf(input(100));
    const lines = report.split('\n');
    expect(lines[0]).toMatch(/^chaos: hello failed safety invariant 'no-retransmits': \d+ segments retransmitted$/);
    expect(lines[1]).toBe('episodes: partition server ↔ rest 100–1600 ms');
    expect(lines[2]).toBe('simulation seed 5 · params {} · 7 s (heal 3 s, drain 5 s)');
    expect(JSON.parse(lines[3]!.replace('schedule: ', ''))).toEqual([
      { at: '100ms', kind: 'partition', a: 'server' },
      { at: '1600ms', kind: 'heal', a: 'server' },
      { at: 3_000_000, kind: 'heal' },
      { at: 3_000_000, kind: 'release' },
      { at: 5_000_000, kind: 'drain' },
    ]);
    const casePath = lines[4]!.match(/^replay: npx faultline replay (\.faultline\/test-report\/hello-[0-9a-f]{8}\.json)$/)![1]!;
    expect(JSON.parse(readFileSync(casePath, 'utf8'))).toMatchObject({ scenario: 'hello', seed: 5, failure: { class: 'safety', invariant: 'no-retransmits' } });
    expect(lines[5]).toBe(`run:    npx faultline run hello --seed 5 --duration 7000000us --faults ${casePath.replace('.json', '.faults.json')} --trace-detail light`);
    expect(lines[6]).toBe("vitest: npx vitest run test/harness/chaos-report.test.ts -t 'hello never retransmits'");
  });

  it('inside test.prop, each failing shrink step replaces the file of the step before (one case per test)', async () => {
    const first = (await reportOf(input(200))).match(/replay: npx faultline replay (\S+)/)![1]!;
    const second = (await reportOf(input(300))).match(/replay: npx faultline replay (\S+)/)![1]!;
    expect(second).not.toBe(first);
    expect(existsSync(first)).toBe(false);
    expect(existsSync(second)).toBe(true);
  });
});
