/** Trace strings are shown as text: a host named with markup appears verbatim and nothing in it runs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, NO_CHROMIUM } from './helpers/chromium.js';
import { openApp, waitForModel, type Session } from './helpers/session.js';
import { hostileTrace, writeTrace } from './helpers/traces.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

const EVIL = '<script>window.__pwned="script"</script><img src=x onerror="window.__pwned=\'img\'">';

describe.skipIf(!hasChromium)('a trace with markup in a host name', () => {
  let s: Session;
  beforeAll(async () => {
    const [session, trace] = await Promise.all([openApp(), writeTrace('hello', ['hello', '--seed', '7'])]);
    s = session;
    await s.page.goto(s.url);
    await s.page.locator('#trace-file').setInputFiles(hostileTrace(trace.path, 'client', EVIL));
    await waitForModel(s.page);
  }, 120_000);
  afterAll(async () => s?.close());

  it('shows the name as text in the topology and the event log, and runs none of it', async () => {
    await expect.poll(() => s.page.locator('#view-topology').textContent()).toContain(EVIL);
    await s.page.locator('#view-log select[name="log-host"]').selectOption(EVIL);
    await expect.poll(() => s.page.locator('#view-log .log-row').first().textContent()).toContain(EVIL);
    // Scoped to the views: the fork form's host picker, earlier on the page, lists the name in an <option>.
    expect(await s.page.locator('#views').getByText(EVIL).first().isVisible()).toBe(true);
    expect(await s.page.locator('#fork-a option').allTextContents()).toContain(EVIL);
    expect(await s.page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(await s.page.locator('#views script, #views img, #fork-bar script, #fork-bar img').count()).toBe(0);
    expect(s.pageErrors).toEqual([]);
  });
});
