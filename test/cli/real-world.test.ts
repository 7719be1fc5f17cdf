/**
 * A run the real-world traps end (Math.random reached through an alias, test/fixtures/real-randomness.ts) is a
 * finding of its own: `faultline check` saves it as a safety · real-world case, and `faultline replay` of that
 * case reports the same finding in one line and exits as for a safety failure, never with a stack trace.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_SAFETY } from '../../cli/exit-codes.js';
import { cli } from '../helpers/cli.js';

describe('a case the real-world traps ended', () => {
  it('is saved by check as safety · real-world, and replay reports it as such', async () => {
    const corpus = mkdtempSync(join(tmpdir(), 'faultline-real-world-'));
    const r = await cli(['check', 'test/fixtures/real-randomness.ts', '--runs', '2', '--workers', '1', '--shrink', '0', '--corpus', corpus, '--json']);
    expect(r.code).toBe(EXIT_SAFETY);
    const s = JSON.parse(r.stdout) as { results: { finding: { class: string; invariant: string; message: string } | null; case?: string }[] };
    const found = s.results.find((x) => x.finding !== null)!;
    expect(found.finding).toMatchObject({ class: 'safety', invariant: 'real-world' });
    expect(found.finding!.message).toMatch(/^Math\.random\(\) inside a simulation run/);
    expect(JSON.parse(readFileSync(found.case!, 'utf8'))).toMatchObject({ failure: { class: 'safety', invariant: 'real-world' } });
    const replay = await cli(['replay', found.case!]);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(EXIT_SAFETY);
    const lines = replay.stdout.trimEnd().split('\n');
    expect(lines).toContain(`safety · real-world: ${found.finding!.message}`);
    // A case check writes expects the fixed system to pass: the bug still planted, the replay says so.
    expect(lines.at(-1)).toBe('expected pass: NOT as expected');
  });
});
