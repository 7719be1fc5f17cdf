/**
 * A sweep's --json loaded into the visualizer: a table of its points with their seeds, and a seed opening its
 * run in the views with the digest of `faultline run` for that seed and the point's parameters (varied and
 * --set, the sweep's duration). A sweep of a file the page was not started with says to start it with that
 * file; a JSON file that is no sweep is one line naming the field.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAxes } from 'faultline';
import { runSweep } from 'faultline/node';
import type { SweepResult } from 'faultline';
import { hasChromium, NO_CHROMIUM } from './helpers/chromium.js';
import { openApp, screenshotDir, waitForModel, type Session } from './helpers/session.js';
import { runCli, traceDir } from './helpers/traces.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

/** 2 points × 2 seeds of mmc, 10 virtual minutes each: none of c, lambda or the duration at its default. */
const SET = { lambda: '7', warmUp: '1m' };
const DURATION = '10m';

describe.skipIf(!hasChromium)('a sweep in the visualizer', () => {
  let s: Session;
  let sweep: SweepResult;
  let sweepPath: string;
  beforeAll(async () => {
    [s, sweep] = await Promise.all([openApp(), runSweep({ scenario: 'mmc', vary: parseAxes(['c=9,11']), set: SET, seeds: [1, 2], duration: DURATION, workers: 2 })]);
    sweepPath = join(traceDir, 'mmc-sweep.json');
    writeFileSync(sweepPath, `${JSON.stringify(sweep)}\n`);
  }, 180_000);
  afterAll(async () => s?.close());

  it('shows the points with their figures and seeds, and a seed opens the run faultline run gives', async () => {
    const cli = runCli(['mmc', '--seed', '2', '--set', 'c=11', '--set', 'lambda=7', '--set', 'warmUp=1m', '--duration', DURATION]);
    await s.page.goto(s.url);
    await s.page.locator('#trace-file').setInputFiles(sweepPath);
    const table = s.page.locator('#sweep-table');
    await table.waitFor();
    expect(await table.locator('thead th').allTextContents()).toEqual(expect.arrayContaining(['c', 'ok/s', 'p99 ms', 'P(wait) mmc', 'seeds']));
    expect(await table.locator('tbody tr').count()).toBe(2);
    const row = table.locator('tbody tr[data-point="1"]');
    expect(await row.locator('td').first().textContent()).toBe('11');
    expect(await row.locator('td').nth(1).textContent()).toMatch(/^[\d.]+ ±[\d.]+$/);
    expect(await row.locator('td.seeds button').allTextContents()).toEqual(['1', '2']);
    expect(await s.page.locator('#sweep-inputs').textContent()).toBe('set lambda=7 warmUp=1m · duration 10m · no fault schedule');

    await row.locator('button[data-seed="2"]').click();
    const digest = await waitForModel(s.page);
    expect(digest).toBe((await cli).digest);
    expect(await s.page.locator('#status').getAttribute('data-worker-digest')).toBe(digest);
    expect(await row.locator('button[data-seed="2"]').getAttribute('class')).toBe('open');
    await s.page.locator('#sweep').screenshot({ path: join(screenshotDir, 'sweep-table.png') });
    // The run form and the URL hold the run, so it reruns and forks like any other.
    expect([await s.page.locator('#scenario').inputValue(), await s.page.locator('#seed').inputValue(), await s.page.locator('#duration').inputValue()]).toEqual(['mmc', '2', DURATION]);
    const search = new URLSearchParams(await s.page.evaluate(() => location.search));
    expect([search.get('p.c'), search.get('p.lambda'), search.get('p.warmUp'), search.get('duration')]).toEqual(['11', '7', '1m', DURATION]);
    expect(await s.page.locator('#error').isHidden()).toBe(true);
    expect(s.pageErrors).toEqual([]);
  }, 240_000);

  it('says to start the visualizer with the file when the sweep ran one, and names the field of a JSON that is no sweep', async () => {
    const ofFile = join(traceDir, 'file-sweep.json');
    writeFileSync(ofFile, JSON.stringify({ ...sweep, scenario: 'shop.yaml', scenarioName: 'shop' }));
    await s.page.goto(s.url);
    await s.page.locator('#trace-file').setInputFiles(ofFile);
    await s.page.locator('#sweep-table tbody tr[data-point="0"] button[data-seed="1"]').click();
    await expect.poll(() => s.page.locator('#error').textContent()).toBe('this sweep ran shop.yaml: to open its runs here, start the visualizer with it: faultline viz shop.yaml');
    expect(await s.page.locator('#status').getAttribute('data-digest')).toBeNull();

    const notSweep = join(traceDir, 'not-sweep.json');
    const { points: _, ...rest } = sweep;
    writeFileSync(notSweep, JSON.stringify(rest));
    await s.page.locator('#trace-file').setInputFiles(notSweep);
    await expect.poll(() => s.page.locator('#error').textContent()).toBe('not-sweep.json: points: missing (expected a list)');
    expect(s.pageErrors).toEqual([]);
  });
});
