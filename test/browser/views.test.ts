/**
 * The visualizer in headless chromium with a trace from the CLI: every view renders, the controls move the
 * one cursor every view follows, and each view is saved as a screenshot for the README.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, NO_CHROMIUM } from './helpers/chromium.js';
import { openApp, screenshotDir, waitForModel, type Session } from './helpers/session.js';
import { malformedTrace, writeTrace } from './helpers/traces.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

const cursorUs = (s: Session) => s.page.evaluate(() => (window as unknown as { faultline: { store: { state: { cursorUs: number } } } }).faultline.store.state.cursorUs);
const shot = (s: Session, selector: string, name: string) => s.page.locator(selector).screenshot({ path: join(screenshotDir, name) });

describe.skipIf(!hasChromium)('the visualizer with a pool-exhaustion trace', () => {
  let s: Session;
  let trace: { path: string; digest: string; records: number };

  beforeAll(async () => {
    [s, trace] = await Promise.all([openApp(), writeTrace('pool-exhaustion', ['pool-exhaustion', '--seed', '1'])]);
    await s.page.goto(s.url);
    await s.page.locator('#trace-file').setInputFiles(trace.path);
    await waitForModel(s.page);
  }, 180_000);
  afterAll(async () => s?.close());

  it('parses the file as the CLI wrote it: same digest, every record', async () => {
    expect(await s.page.locator('#status').getAttribute('data-digest')).toBe(trace.digest);
    expect(Number(await s.page.locator('#status').getAttribute('data-records'))).toBe(trace.records);
    expect(s.pageErrors).toEqual([]);
  });

  it('opens on the first acquire timeout, with pending waiters and timeout markers in view', async () => {
    expect(await cursorUs(s)).toBeGreaterThan(10_000_000);
    const pool = s.page.locator('#view-pools .pool[data-pool="service-db"]');
    expect(await pool.locator('path.series-pending').getAttribute('d')).toMatch(/^M/);
    expect(await pool.locator('line.timeout').count()).toBeGreaterThan(100);
    expect(await pool.locator('rect.fault').count()).toBe(1);
    await expect.poll(() => pool.locator('.chart-title').last().textContent()).toMatch(/pending [1-9]\d*/);
    await s.page.screenshot({ path: join(screenshotDir, 'overview.png') });
    await shot(s, '#view-pools', 'pools.png');
  });

  it('draws throughput by outcome, latency percentiles and errors by kind', async () => {
    const view = s.page.locator('#view-requests');
    expect(await view.locator('#chart-throughput rect[fill]').count()).toBeGreaterThan(40);
    expect(await view.locator('path.latency-p99').getAttribute('d')).toMatch(/^M/);
    await expect.poll(() => view.locator('#chart-errors').textContent()).toContain('504');
    expect(await view.locator('rect.fault').count()).toBe(2);
    await shot(s, '#view-requests', 'requests.png');
  });

  it('steps to the next timeout and the next RST', async () => {
    const before = await cursorUs(s);
    await s.page.locator('button[data-kind="pool.timeout"]').click();
    await expect.poll(() => cursorUs(s)).toBeGreaterThan(before);
    const afterTimeout = await cursorUs(s);
    await s.page.locator('button[data-kind="tcp.rst"]').click();
    await expect.poll(() => cursorUs(s)).toBeGreaterThan(afterTimeout);
    await expect.poll(() => s.page.locator('#cursor-time').textContent()).toMatch(/^\d+\.\d{6} s$/);
    await expect.poll(() => s.page.evaluate(() => location.search)).toMatch(/scenario=pool-exhaustion.*&t=\d+/);
  });

  it('shows the topology at the cursor: the slow database and the pool line', async () => {
    const view = s.page.locator('#view-topology');
    await expect.poll(() => view.textContent()).toContain('slow db ×20');
    expect(await view.textContent()).toMatch(/service-db: act 10 · idle 0 · pend [1-9]/);
    expect(await view.locator('.node').count()).toBe(4);
    // Layers in the direction requests flow: the client's box above the gateway's, above the service's, above the db's.
    const tops = await view.locator('.node').evaluateAll((nodes) => nodes.map((n) => [n.querySelector('text.name')!.textContent, n.getBoundingClientRect().top] as const));
    const top = new Map(tops);
    expect(top.get('client')!).toBeLessThan(top.get('gateway')!);
    expect(top.get('gateway')!).toBeLessThan(top.get('service')!);
    expect(top.get('service')!).toBeLessThan(top.get('db')!);
    expect(await view.textContent()).toMatch(/\d+ established · \d+ closing/);
    await shot(s, '#view-topology', 'topology.png');
  });

  it('shows the slowest and the first failed request as a waterfall', async () => {
    const view = s.page.locator('#view-waterfall');
    await view.getByRole('button', { name: 'First failed' }).click();
    await expect.poll(() => view.locator('#waterfall-summary').textContent()).toMatch(/^r\d+ from client: 504/);
    expect(await view.locator('g.row').count()).toBeGreaterThan(4);
    expect(await view.textContent()).toContain('service · pool wait');
    await view.getByRole('button', { name: 'Slowest' }).click();
    await expect.poll(() => view.locator('#waterfall-summary').textContent()).toMatch(/^r\d+ from client: .* after/);
    await shot(s, '#view-waterfall', 'waterfall.png');
  });

  it('draws the packets around the cursor in the sequence diagram', async () => {
    const view = s.page.locator('#view-sequence');
    await expect.poll(() => view.locator('.chart-title').first().textContent()).toMatch(/^[1-9][\d,]* packets sent in the window/);
    await shot(s, '#view-sequence', 'sequence.png');
  });

  it('filters the event log and moves the cursor to a clicked record', async () => {
    const view = s.page.locator('#view-log');
    await view.locator('select[name="log-kind"]').selectOption('pool.timeout');
    await expect.poll(() => view.locator('.chart-title').textContent()).toMatch(/^438 of/);
    const t = Number(await view.locator('.log-row').nth(3).getAttribute('data-t'));
    // The record by its time, not by its place: the list may re-render (and shift) between reading and clicking.
    await view.locator(`.log-row[data-t="${t}"]`).first().click();
    await expect.poll(() => cursorUs(s)).toBe(t);
    await shot(s, '#view-log', 'event-log.png');
    await view.locator('select[name="log-kind"]').selectOption('');
  });

  it('zooms every time chart to a brushed range', async () => {
    // Element screenshots above scrolled the page: the strip must be in the viewport for the mouse to reach it.
    await s.page.locator('#overview svg').scrollIntoViewIfNeeded();
    const box = (await s.page.locator('#overview svg').boundingBox())!;
    await s.page.mouse.move(box.x + box.width * 0.25, box.y + 8);
    await s.page.mouse.down();
    await s.page.mouse.move(box.x + box.width * 0.45, box.y + 8, { steps: 5 });
    await s.page.mouse.up();
    const range = await s.page.evaluate(() => (window as unknown as { faultline: { store: { state: { range: [number, number] | null } } } }).faultline.store.state.range);
    expect(range).not.toBeNull();
    expect(range![0]).toBeGreaterThan(9_000_000);
    expect(range![1]).toBeLessThan(19_000_000);
    // The pool chart's axis now starts near 10 s, not at 0.
    await expect.poll(() => s.page.locator('#view-pools .pool').first().locator('.axis text').first().textContent()).not.toBe('0s');
    await s.page.locator('#controls').screenshot({ path: join(screenshotDir, 'controls.png') });
  });

  it('plays at the chosen speed', async () => {
    await s.page.locator('#speed').selectOption('2');
    const before = await cursorUs(s);
    await s.page.locator('#play').click();
    await expect.poll(() => cursorUs(s)).toBeGreaterThan(before + 200_000);
    await s.page.locator('#play').click();
    expect(await s.page.locator('#play').textContent()).toBe('Play');
  });

  it('names the line of a malformed trace', async () => {
    await s.page.locator('#trace-file').setInputFiles(malformedTrace(trace.path, 100));
    await expect.poll(() => s.page.locator('#error').textContent()).toMatch(/^malformed\.jsonl: line 101: not JSON/);
    expect(await s.page.locator('#error').isVisible()).toBe(true);
  });
});
