/**
 * `faultline run`'s status line on stderr (cli/run-progress.ts): drawn on a terminal once a run has taken a
 * while, never on stdout, so the output and the digest are the same with it. FAULTLINE_PROGRESS=now forces the
 * terminal's behaviour from the first events, so the test does not depend on how long the run takes.
 */
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { formatProgress, PROGRESS_AFTER_MS, RunProgressLine, runProgressOptions } from '../../cli/run-progress.js';

const LINE = /^virtual \d+\.\d s \/ 5\.0 s \(\d+%\) · requests [\d,]+ \([\d,]+ ok, [\d,]+ failed\) · [\d,]+ events\/s\x1b\[K$/;
const run = ['run', 'pool-exhaustion', '--duration', '5s'];

describe('faultline run on a terminal', () => {
  it('redraws a status line on stderr and clears it; stdout is byte-identical to a run without it', async () => {
    const [shown, plain, json] = await Promise.all([
      cli(run, [], undefined, { FAULTLINE_PROGRESS: 'now' }),
      cli(run),
      cli([...run, '--json'], [], undefined, { FAULTLINE_PROGRESS: 'now' }),
    ]);
    expect(plain).toMatchObject({ code: 0, stderr: '' });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(plain.stdout);
    const redraws = shown.stderr.split('\r').slice(1);
    expect(redraws.length).toBeGreaterThanOrEqual(2);
    expect(redraws.at(-1)).toBe('\x1b[K'); // cleared before the summary
    for (const line of redraws.slice(0, -1)) expect(line).toMatch(LINE);
    // --json: the one object and nothing else, as check shows no bar with it.
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(plain.stdout).toContain(`digest ${(JSON.parse(json.stdout) as { digest: string }).digest}`);
  });
});

describe('the status line', () => {
  const at = { nowUs: 12_345_678, limitUs: 40_000_000, events: 50_000, requests: { total: 5123, ok: 4900, failed: 223 } };

  it('says virtual time against the duration, requests and events per second', () => {
    expect(formatProgress(at, 412_000.4)).toBe('virtual 12.3 s / 40.0 s (30%) · requests 5,123 (4,900 ok, 223 failed) · 412,000 events/s');
  });

  it('waits PROGRESS_AFTER_MS, then redraws at most every 250 ms (a stand-in clock), and clears only what it drew', () => {
    const written: string[] = [];
    let nowMs = 0;
    const line = new RunProgressLine({ terminal: { isTTY: true, write: (t) => written.push(t) }, afterMs: PROGRESS_AFTER_MS }, () => nowMs);
    line.report(at);
    nowMs = PROGRESS_AFTER_MS - 1;
    line.report(at);
    expect(written).toEqual([]);
    line.clear();
    expect(written).toEqual([]);
    nowMs = PROGRESS_AFTER_MS;
    line.report(at);
    nowMs += 100;
    line.report({ ...at, events: 60_000 });
    nowMs += 150;
    line.report({ ...at, events: 60_000 });
    expect(written).toHaveLength(2);
    expect(written[1]).toContain('40,000 events/s'); // 10,000 events in the last 250 ms
    line.clear();
    expect(written.at(-1)).toBe('\r\x1b[K');
  });

  it('FAULTLINE_PROGRESS: 0 never, 1 as on a terminal, now from the start; unset, stderr decides', () => {
    const w = () => {};
    expect(runProgressOptions(undefined, true, w)).toMatchObject({ terminal: { isTTY: true }, afterMs: PROGRESS_AFTER_MS });
    expect(runProgressOptions(undefined, false, w).terminal.isTTY).toBe(false);
    expect(runProgressOptions('0', true, w).terminal.isTTY).toBe(false);
    expect(runProgressOptions('1', false, w)).toMatchObject({ terminal: { isTTY: true }, afterMs: PROGRESS_AFTER_MS });
    expect(runProgressOptions('now', false, w)).toMatchObject({ terminal: { isTTY: true }, afterMs: 0 });
  });
});
