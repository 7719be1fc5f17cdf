/**
 * Fork and compare in headless chromium: pool-exhaustion run in the worker, pinned, forked at the cursor with
 * the database partitioned for 3 s (the CLI gives the fork's digest for the same schedule), shown side by side
 * with the run before it; the pools chart as a PNG; a loaded trace's header filling the run form.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JSHandle } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../../sim/core/time.js';
import { hasChromium, NO_CHROMIUM } from './helpers/chromium.js';
import { openApp, screenshotDir, waitForModel, type Session } from './helpers/session.js';
import { runCli, traceDir, writeTrace } from './helpers/traces.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

interface PageStore {
  model: unknown;
  baseline: unknown;
  state: { cursorUs: number };
  set(patch: { cursorUs: number }): void;
}
type PageWindow = Window & { faultline: { store: PageStore } };

const cursorUs = (s: Session) => s.page.evaluate(() => (window as unknown as PageWindow).faultline.store.state.cursorUs);
const search = async (s: Session) => new URLSearchParams(await s.page.evaluate(() => location.search));

/** Waits until the page shows a model other than `before`, with its digest on the status line. */
async function waitForNewModel(s: Session, before: JSHandle): Promise<string> {
  await s.page.waitForFunction(
    (m) => {
      const store = (window as unknown as PageWindow).faultline.store;
      return store.model !== null && store.model !== m && Boolean(document.getElementById('status')?.dataset.digest);
    },
    before,
    { timeout: 180_000 },
  );
  return (await s.page.locator('#status').getAttribute('data-digest')) ?? '';
}

describe.skipIf(!hasChromium)('fork at the cursor, compare two runs, export PNG', () => {
  let s: Session;
  let baselineDigest = '';
  beforeAll(async () => {
    s = await openApp();
    await s.page.goto(`${s.url}?scenario=pool-exhaustion&seed=1`);
    baselineDigest = await waitForModel(s.page, 180_000);
  }, 240_000);
  afterAll(async () => s?.close());

  it('pins the run, forks it with the database partitioned for 3 s, and gets the CLI digest for that schedule', async () => {
    await s.page.locator('#pin-baseline').click();
    await expect.poll(() => s.page.locator('#baseline-note').textContent()).toContain(baselineDigest);
    // The run on show is the baseline itself: nothing to compare yet.
    expect(await s.page.locator('#compare').isHidden()).toBe(true);

    // Fork in the healthy stretch before the slowdown, where cutting the database off shows in every chart.
    await s.page.evaluate(() => (window as unknown as PageWindow).faultline.store.set({ cursorUs: 5_000_000 }));
    await expect.poll(() => s.page.locator('#cursor-time').textContent()).toBe('5.000000 s');
    const atUs = await cursorUs(s);
    expect(atUs).toBe(5_000_000);
    await s.page.locator('#fork-kind').selectOption('partition');
    await s.page.locator('#fork-a').selectOption('db');
    await s.page.locator('#fork-b').selectOption('');
    // A partition has no value of its own: its field is not shown.
    expect(await s.page.locator('#fork-value').isHidden()).toBe(true);
    await s.page.locator('#fork-duration').fill('3s');
    const before = await s.page.evaluateHandle(() => (window as unknown as PageWindow).faultline.store.model);
    await s.page.locator('#fork').click();
    const forkDigest = await waitForNewModel(s, before);

    const schedule = JSON.stringify([
      { at: formatDuration(atUs), kind: 'partition', a: 'db' },
      { at: formatDuration(atUs + 3_000_000), kind: 'heal', a: 'db' },
    ]);
    expect(await s.page.locator('#faults').inputValue()).toBe(schedule);
    expect((await search(s)).get('faults')).toBe(schedule);
    expect(await cursorUs(s)).toBe(atUs);
    // The run before the fork is the baseline.
    expect(await s.page.evaluate((m) => (window as unknown as PageWindow).faultline.store.baseline === m, before)).toBe(true);

    expect(forkDigest).not.toBe(baselineDigest);
    const faultsPath = join(traceDir, 'fork-faults.json');
    writeFileSync(faultsPath, schedule);
    const cli = await runCli(['pool-exhaustion', '--seed', '1', '--faults', faultsPath]);
    expect(forkDigest).toBe(cli.digest);
    expect(await s.page.locator('#status').getAttribute('data-worker-digest')).toBe(cli.digest);
    expect(await s.page.locator('#error').isHidden()).toBe(true);
    // The strip and the charts shade the new partition.
    await expect.poll(() => s.page.locator('#view-pools rect.fault title').allTextContents()).toContain('partition db | rest');

    const controls = (await s.page.locator('#controls').boundingBox())!;
    const bar = (await s.page.locator('#fork-bar').boundingBox())!;
    await s.page.screenshot({ path: join(screenshotDir, 'fork.png'), clip: { x: 0, y: controls.y, width: Math.max(controls.width, bar.width) + controls.x, height: bar.y + bar.height - controls.y } });
    expect(s.pageErrors).toEqual([]);
  });

  it('shows A and B side by side: pools and requests on one axis, the cursor on both, the figures and the differences', async () => {
    const section = s.page.locator('#compare');
    await expect.poll(() => section.isVisible()).toBe(true);
    const columns = section.locator('.compare-column');
    expect(await columns.count()).toBe(2);
    expect(await columns.nth(0).locator('h2').textContent()).toContain(`digest ${baselineDigest}`);
    const forkDigest = (await s.page.locator('#status').getAttribute('data-digest'))!;
    expect(await columns.nth(1).locator('h2').textContent()).toContain(`digest ${forkDigest}`);
    for (const i of [0, 1]) {
      const column = columns.nth(i);
      expect(await column.locator('.pool[data-pool="service-db"] path.series-pending').getAttribute('d')).toMatch(/^M/);
      expect(await column.locator('.chart-throughput rect[fill]').count()).toBeGreaterThan(40);
      expect(await column.locator('path.latency-p99').getAttribute('d')).toMatch(/^M/);
    }
    // One y scale per pool for both runs: the same axis labels on both.
    const ticks = (i: number) => columns.nth(i).locator('.pool[data-pool="service-db"] svg .axis').nth(1).locator('text').allTextContents();
    expect(await ticks(0)).toEqual(await ticks(1));
    // The cursor line sits at the same x on both, and follows the cursor.
    const cursorX = (i: number) => columns.nth(i).locator('.pool[data-pool="service-db"] line.cursor').getAttribute('x1');
    expect(await cursorX(0)).toBe(await cursorX(1));
    const x0 = await cursorX(0);
    await s.page.locator('button[data-kind="pool.timeout"]').click();
    await expect.poll(() => cursorX(1)).not.toBe(x0);
    expect(await cursorX(0)).toBe(await cursorX(1));

    const table = s.page.locator('#compare-table');
    const row = (label: string) => table.locator('tbody tr').filter({ has: s.page.locator('th', { hasText: new RegExp(`^${label}$`) }) });
    expect(await row('digest').locator('td').allTextContents()).toEqual([baselineDigest, forkDigest]);
    expect(await row('seed').locator('td').allTextContents()).toEqual(['1', '1']);
    expect(await row('requests').count()).toBe(1);
    expect(await row('latency p99 \\(ok\\)').locator('td').nth(0).textContent()).toMatch(/^\d+\.\d ms$/);
    expect(await row('failed: 504').count()).toBe(1);
    // Cut off from the database for 3 s, the pool's waiters time out and the gateway answers 504 meanwhile.
    const timeouts = (await row('pool acquire timeouts').locator('td').allTextContents()).map((t) => Number(t.replace(/,/g, '')));
    expect(timeouts[1]).toBeGreaterThan(timeouts[0]!);
    expect(await row('pool acquire timeouts').getAttribute('class')).toBe('differs');
    expect(await row('seed').getAttribute('class')).toBeNull();
    const differences = await s.page.locator('#compare-differences li').allTextContents();
    expect(differences).toHaveLength(2);
    expect(differences[0]).toMatch(/^\+ fault at 5s: partition a=db$/);
    expect(differences[1]).toMatch(/^\+ fault at 8s: heal a=db$/);
    await section.screenshot({ path: join(screenshotDir, 'compare.png') });
  });

  it('exports the pools chart as a PNG at twice its size', async () => {
    const svgWidth = Math.max(...(await s.page.locator('#view-pools svg').evaluateAll((svgs) => svgs.map((e) => Number(e.getAttribute('width'))))));
    const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.locator('#export-png').click()]);
    expect(download.suggestedFilename()).toBe('pools.png');
    const png = readFileSync(await download.path());
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(20_000);
    // IHDR: width and height, big-endian, right after the signature and the chunk's length and type.
    expect(png.readUInt32BE(16)).toBe(svgWidth * 2);
    expect(png.readUInt32BE(20)).toBeGreaterThan(200);
    expect(await s.page.locator('#error').isHidden()).toBe(true);
  });

  it('names the field of a bad fork value and does not run; Unpin closes the comparison', async () => {
    const digest = await s.page.locator('#status').getAttribute('data-digest');
    await s.page.locator('#fork-kind').selectOption('loss');
    expect(await s.page.locator('#fork-value').inputValue()).toBe('0.2');
    await s.page.locator('#fork-value').fill('1.5');
    await s.page.locator('#fork').click();
    await expect.poll(() => s.page.locator('#fork-error').textContent()).toBe('faults[2].loss: expected a probability from 0 to 1, got 1.5');
    await s.page.locator('#fork-value').fill('0.2');
    await s.page.locator('#fork-duration').fill('soon');
    await s.page.locator('#fork').click();
    await expect.poll(() => s.page.locator('#fork-error').textContent()).toMatch(/^duration: cannot read 'soon'/);
    expect(await s.page.locator('#status').getAttribute('data-digest')).toBe(digest);
    expect(await s.page.locator('#run').isEnabled()).toBe(true);

    await s.page.locator('#unpin-baseline').click();
    await expect.poll(() => s.page.locator('#compare').isHidden()).toBe(true);
    expect(await s.page.locator('#pin-baseline').isEnabled()).toBe(true);
  });

  it('fills the run form from a loaded trace’s header, so Run in browser reruns it', async () => {
    const faultsPath = join(traceDir, 'form-faults.json');
    const faults = '[{"at":"1s","kind":"loss","a":"client","loss":0.1},{"at":"2s","kind":"loss","a":"client","loss":0.02}]';
    writeFileSync(faultsPath, faults);
    const trace = await writeTrace('hello-form', ['hello', '--seed', '7', '--set', 'interval=250ms', '--set', 'pings=30', '--faults', faultsPath]);
    await s.page.locator('#trace-file').setInputFiles(trace.path);
    await expect.poll(() => s.page.locator('#status').getAttribute('data-digest'), { timeout: 60_000 }).toBe(trace.digest);
    expect(await s.page.locator('#scenario').inputValue()).toBe('hello');
    expect(await s.page.locator('#seed').inputValue()).toBe('7');
    expect(await s.page.locator('#param-form input[name="interval"]').inputValue()).toBe('250ms');
    expect(await s.page.locator('#param-form input[name="pings"]').inputValue()).toBe('30');
    // The header holds the schedule in canonical JSON (keys sorted): the same faults, the same digest.
    expect(JSON.parse(await s.page.locator('#faults').inputValue())).toEqual(JSON.parse(faults));
    // Forking is on for it: the header names a scenario this page knows.
    expect(await s.page.locator('#fork').isEnabled()).toBe(true);

    const before = await s.page.evaluateHandle(() => (window as unknown as PageWindow).faultline.store.model);
    await s.page.locator('#run').click();
    expect(await waitForNewModel(s, before)).toBe(trace.digest);
    expect(await s.page.locator('#error').isHidden()).toBe(true);
    expect(s.pageErrors).toEqual([]);
  });
});
