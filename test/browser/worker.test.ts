/**
 * Scenarios run in the browser's Web Worker give the CLI's digest for the same scenario, parameters, faults
 * and seed; the form (its schedule editor too) refuses bad input with the CLI's one line naming the field.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, NO_CHROMIUM } from './helpers/chromium.js';
import { openApp, screenshotDir, waitForModel, type Session } from './helpers/session.js';
import { runCli, traceDir } from './helpers/traces.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

/** What the schedule editor writes for "at 2s, partition client from every other host, for 2s". */
const FAULTS = '[{"at":"2s","kind":"partition","a":"client"},{"at":"4s","kind":"heal","a":"client"}]';

describe.skipIf(!hasChromium)('scenarios run in the worker', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openApp();
  }, 120_000);
  afterAll(async () => s?.close());

  it('runs pool-exhaustion from its URL (what npm start opens) with the CLI digest', async () => {
    const [cli] = await Promise.all([runCli(['pool-exhaustion', '--seed', '1']), s.page.goto(`${s.url}?scenario=pool-exhaustion&seed=1`)]);
    const digest = await waitForModel(s.page);
    expect(await s.page.locator('#status').getAttribute('data-worker-digest')).toBe(cli.digest);
    expect(digest).toBe(cli.digest);
    expect(await s.page.locator('#error').isHidden()).toBe(true);
    expect(s.pageErrors).toEqual([]);
  });

  it('runs a scenario from the form with a parameter and a fault schedule', async () => {
    const faultsPath = join(traceDir, 'faults.json');
    writeFileSync(faultsPath, FAULTS);
    const cliRun = runCli(['hello', '--seed', '7', '--set', 'pings=50', '--faults', faultsPath]);
    await s.page.goto(s.url);
    await s.page.locator('#scenario').selectOption('hello');
    await s.page.locator('#seed').fill('7');
    await s.page.locator('details summary').click();
    await s.page.locator('#param-form input[name="pings"]').fill('50');
    // The schedule editor appends the fault and what ends it; its hosts are the scenario's.
    expect(await s.page.locator('#add-fault-a option').allTextContents()).toEqual(expect.arrayContaining(['client', 'server']));
    await s.page.locator('#add-fault-at').fill('2s');
    await s.page.locator('#add-fault-kind').selectOption('partition');
    await s.page.locator('#add-fault-a').selectOption('client');
    await s.page.locator('#add-fault-b').selectOption('');
    await s.page.locator('#add-fault-duration').fill('2s');
    await s.page.locator('#add-fault').click();
    await expect.poll(() => s.page.locator('#faults').inputValue()).toBe(FAULTS);
    expect(await s.page.locator('#add-fault-error').textContent()).toBe('');
    await s.page.locator('#run-panel').screenshot({ path: join(screenshotDir, 'run-form.png') });
    await s.page.locator('#run').click();
    const digest = await waitForModel(s.page);
    expect(digest).toBe((await cliRun).digest);
    // The URL now reproduces the run.
    const search = new URLSearchParams(await s.page.evaluate(() => location.search));
    expect([search.get('scenario'), search.get('seed'), search.get('p.pings'), search.get('faults')]).toEqual(['hello', '7', '50', FAULTS]);
  });

  it('names the field of a bad parameter or fault, as the CLI does, and does not run', async () => {
    await s.page.goto(s.url);
    await s.page.locator('#scenario').selectOption('hello');
    await s.page.locator('details summary').click();
    await s.page.locator('#param-form input[name="loss"]').fill('1.5');
    await s.page.locator('#run').click();
    await expect.poll(() => s.page.locator('#param-error').textContent()).toMatch(/^parameter 'loss' of scenario hello: /);
    await s.page.locator('#param-form input[name="loss"]').fill('0.02');
    await s.page.locator('#faults').fill('[{"at":"2s","kind":"loss","a":"client","loss":1.5}]');
    await s.page.locator('#run').click();
    await expect.poll(() => s.page.locator('#fault-error').textContent()).toBe('faults[0].loss: expected a probability from 0 to 1, got 1.5');
    await s.page.locator('#add-fault-at').fill('later');
    await s.page.locator('#add-fault').click();
    await expect.poll(() => s.page.locator('#add-fault-error').textContent()).toMatch(/^at: cannot read 'later'/);
    expect(await s.page.locator('#status').getAttribute('data-digest')).toBeNull();
  });
});
