/**
 * `faultline sweep --html`: the report opened from disk (file://, no server) in headless chromium draws a
 * chart of each metric against each varied key — lines, points, error bars, labelled axes — with no page
 * error and no request for anything but the file itself.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweep } from '../../node/sweep-runner.js';
import { writeSweepReport } from '../../node/sweep-report.js';
import { parseAxes } from '../../sim/sweep/grid.js';
import type { SweepResult } from '../../sim/sweep/result.js';
import { hasChromium, launchChromium, NO_CHROMIUM, type Browser } from './helpers/chromium.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

describe.skipIf(!hasChromium)('the sweep report', () => {
  let browser: Browser;
  let result: SweepResult;
  let path: string;
  beforeAll(async () => {
    // 3 × 2 points × 2 seeds of mmc, 2 virtual hours each: a second or two of simulation.
    [browser, result] = await Promise.all([
      launchChromium(),
      runSweep({ scenario: 'mmc', vary: parseAxes(['c=9,10,12', 'lambda=6,8']), set: { warmUp: '10m' }, seeds: [1, 2], duration: '2h', workers: 2 }),
    ]);
    path = join(mkdtempSync(join(tmpdir(), 'faultline-sweep-')), 'report.html');
    writeSweepReport(path, result);
  }, 120_000);
  afterAll(async () => browser?.close());

  it('opens from disk and draws every metric against each varied key, with error bars', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(path).href;
    await page.goto(url);
    await page.locator('svg.chart').first().waitFor();
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await page.title()).toBe('faultline sweep · mmc');

    // Metrics zero at every point (no failures, no acquire timeouts) are named, not drawn.
    const drawn = result.metrics.filter((m) => result.points.some((p) => (p.estimates[m.key]?.mean ?? 0) !== 0));
    expect(drawn.map((m) => m.key)).toContain('pool.mmc.waitProbability');
    expect(await page.locator('section.metric').count()).toBe(drawn.length);
    expect(await page.locator('svg.chart').count()).toBe(drawn.length * 2);
    expect(await page.locator('#zero').textContent()).toContain('failed');

    const wait = page.locator('section.metric[data-metric="pool.mmc.meanWaitMs"]');
    expect(await wait.locator('h2').textContent()).toBe('mean wait mmc (ms)');
    const byC = wait.locator('svg.chart[data-key="c"]');
    // Against c: a line per λ (2), each through 3 points with their error bars (a bar and two caps each).
    expect(await byC.locator('path.line').count()).toBe(2);
    expect(await byC.locator('circle').count()).toBe(6);
    expect(await byC.locator('line.bar').count()).toBeGreaterThanOrEqual(6);
    expect(await byC.locator('path.line').first().getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+L[\d.]+,[\d.]+L[\d.]+,[\d.]+$/);
    expect(await byC.locator('text.label').allTextContents()).toEqual(['c', 'mean wait mmc (ms)']);
    expect(await byC.locator('text.legend').allTextContents()).toEqual(['lambda=6', 'lambda=8']);
    // Against λ: a line per c (3), two points each.
    const byLambda = wait.locator('svg.chart[data-key="lambda"]');
    expect(await byLambda.locator('path.line').count()).toBe(3);
    expect(await byLambda.locator('circle').count()).toBe(6);
    expect(await byLambda.locator('circle title').first().textContent()).toMatch(/^c=9 · lambda=6: [\d.]+ ± [\d.]+ \(2 runs\)$/);
    await page.close();
  });
});
