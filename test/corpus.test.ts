/**
 * The corpus as regression tests: every case file under test/corpus/ (what `faultline check` writes when a
 * case fails, committed once the bug is understood) is replayed as its own test, and must show what the
 * file expects — `expect: 'pass'` (the default) once its bug is fixed, `'fail'` with the recorded class and
 * invariant for a case kept to prove the check still catches something.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFiles, readCaseFile } from '../node/corpus.js';
import { findScenario } from '../scenarios/index.js';
import { replayCase } from '../sim/harness/replay-case.js';
import { formatDivergence } from '../sim/harness/self-check.js';

const corpusDir = fileURLToPath(new URL('./corpus', import.meta.url));
const files = corpusFiles(corpusDir);

describe('corpus', () => {
  it('has at least one case', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', async (name) => {
    const path = join(corpusDir, name);
    const file = readCaseFile(path);
    const scenario = findScenario(file.scenario);
    expect(scenario, `scenario '${file.scenario}' of ${name}`).toBeDefined();
    const r = await replayCase(scenario!, file);
    const shown = [
      ...r.result.violations.map((v) => `${v.class} · ${v.invariant}: ${v.message}`),
      ...(r.divergence ? formatDivergence(r.divergence) : []),
    ];
    expect(r.asExpected, `expected ${r.expected}, got ${shown.length === 0 ? 'pass' : shown.join('\n')}\nreplay: npx faultline replay test/corpus/${name}`).toBe(true);
  });
});
