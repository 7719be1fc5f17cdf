/** One page of the built visualizer in headless chromium, for a test file's beforeAll/afterAll. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../../helpers/cli.js';
import { builtApp, serveApp, type AppServer } from './app-server.js';
import { launchChromium, type Browser } from './chromium.js';

/** Screenshots the README shows (committed: keep them few and small). */
export const screenshotDir = join(repoRoot, 'docs/screenshots');

export interface Session {
  url: string;
  page: Page;
  /** Errors thrown in the page (an uncaught one fails the test that checks). */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openApp(): Promise<Session> {
  mkdirSync(screenshotDir, { recursive: true });
  const dir = await builtApp();
  const server: AppServer = await serveApp(dir);
  const browser: Browser = await launchChromium();
  const page = await browser.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.stack ?? err.message));
  return {
    url: server.url,
    page,
    pageErrors,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Waits until the page shows a model whose digest the status carries; returns it. */
export async function waitForModel(page: Page, timeoutMs = 120_000): Promise<string> {
  await page.waitForFunction(() => document.getElementById('status')?.dataset.digest, null, { timeout: timeoutMs });
  return (await page.locator('#status').getAttribute('data-digest')) ?? '';
}
