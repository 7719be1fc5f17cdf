/**
 * The runaway guard (sim/harness/case-budget.ts): a case over its budget of events or memory ends as a failing
 * case of its own class, with its seed, saved and replayable, and the check finishes its other runs. The plants
 * are scenario modules in test/fixtures: a client that retries refused connections at once, forever
 * (runaway-retries.ts), and an actor that keeps 8 MB more every millisecond (runaway-memory.ts).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertChaos } from '../../vitest/chaos.js';
import { loadScenario } from '../../node/scenario-module.js';
import { EXIT_RUNAWAY, EXIT_USAGE } from '../../cli/exit-codes.js';
import { cli, cliInProcess, repoRoot } from '../helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'faultline-runaway-'));
type Summary = { runs: number; passed: number; failed: Record<string, number>; results: { index: number; seed: number; digest: string | null; finding: { class: string; invariant: string; message: string } | null; case?: string }[] };

describe('a runaway case is a failing case of its own, never a dead check', () => {
  it('over its budget of events: saved with its seed, the other runs finished, and replay stops at the same event', async () => {
    const corpus = tmp();
    const r = await cli(['check', 'test/fixtures/runaway-retries.ts', '--runs', '6', '--workers', '2', '--max-events', '20000', '--shrink', '0', '--corpus', corpus, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(EXIT_RUNAWAY);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s).toMatchObject({ runs: 6, failed: { runaway: 1, safety: 0, liveness: 0 } });
    expect(s.results).toHaveLength(6);
    const runaway = s.results.find((x) => x.finding !== null)!;
    expect(runaway.finding).toMatchObject({ class: 'runaway', invariant: 'event-budget' });
    expect(runaway.finding!.message).toMatch(/^runaway: over 20000 events \(stopped at [\d.]+ s of virtual time\)$/);
    // The case file names the seed, the budget and the finding; replay reruns it to the same event and digest.
    const file = JSON.parse(readFileSync(runaway.case!, 'utf8'));
    expect(file).toMatchObject({ seed: runaway.seed, maxEvents: 20000, params: { apiUp: false }, failure: { class: 'runaway', invariant: 'event-budget' } });
    const replay = await cli(['replay', runaway.case!]);
    expect(replay.code).toBe(EXIT_RUNAWAY);
    expect(replay.stdout).toContain(`runaway · event-budget: ${runaway.finding!.message}`);
    expect(replay.stdout).toContain(`digest ${runaway.digest}  stop maxEvents`);
  });

  it('over its heap: the worker dies out of memory, the case is saved with its seed, a new worker finishes the other runs', async () => {
    const corpus = tmp();
    const r = await cli(['check', 'test/fixtures/runaway-memory.ts', '--runs', '6', '--workers', '2', '--max-heap-mb', '192', '--shrink', '0', '--corpus', corpus, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(EXIT_RUNAWAY);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s).toMatchObject({ runs: 6, passed: 5, failed: { runaway: 1 } });
    const runaway = s.results.find((x) => x.finding !== null)!;
    expect(runaway.finding).toEqual({ class: 'runaway', invariant: 'memory-budget', message: 'runaway: worker out of memory (heap limit 192 MB)' });
    expect(runaway.digest).toBeNull();
    expect(JSON.parse(readFileSync(runaway.case!, 'utf8'))).toMatchObject({ seed: runaway.seed, maxHeapMb: 192, params: { leak: true } });
    // Its replay runs on a worker with the same heap, so it ends that worker again, not the replaying process.
    const replay = await cli(['replay', runaway.case!]);
    expect(replay.code).toBe(EXIT_RUNAWAY);
    expect(replay.stdout).toContain('runaway · memory-budget: runaway: worker out of memory (heap limit 192 MB)');
  });

  it('in-process (assertChaos, the vitest path) the same event budget ends the case as a runaway', async () => {
    const { scenario } = await loadScenario(join(repoRoot, 'test/fixtures/runaway-retries.ts'));
    const thrown = await assertChaos(scenario, { runs: 8, seed: 3, maxEvents: 5000, skipMinimize: true, dir: tmp() }).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(thrown).toMatch(/^chaos: runaway-retries failed runaway invariant 'event-budget' \(at \d+ µs\): runaway: over 5000 events/);
  });

  it('refuses a bad budget with one line naming the flag', async () => {
    for (const [flag, value] of [['--max-events', '0'], ['--max-events', 'lots'], ['--max-heap-mb', '8']]) {
      const r = await cliInProcess(['check', 'hello', flag!, value!]);
      expect(r.code).toBe(EXIT_USAGE);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`${flag}: expected a whole number`);
    }
  });
});
