/**
 * A million-record trace in headless chromium (npm run test:perf, on its own: it times the page): it loads to the CLI's digest and scrubs without page errors.
 * How long it takes to load and how long frames take while scrubbing are printed for the report, not
 * asserted: tests never assert wall-clock times (the machine is shared; under load the 5 s load bound failed
 * at 7.7 s on an unchanged tree). The bounds (LOAD_MS_TARGET, FRAME_P95_MS_TARGET) are what the figures are
 * read against.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, NO_CHROMIUM } from '../browser/helpers/chromium.js';
import { openApp, waitForModel, type Session } from '../browser/helpers/session.js';
import { writeTrace } from '../browser/helpers/traces.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

/**
 * The target: a million records in under 5 s in headless Chromium on this machine (2 cores). The page
 * models the lines on its main thread while the digest worker hashes the bytes on the other core; measured
 * 3.2 s for 1.03 M records (154 MB) on a quiet machine.
 */
const LOAD_MS_TARGET = 5_000;
/** Scrubbing stays responsive: the 95th-percentile frame under this (a frame the eye notices as a stutter). */
const FRAME_P95_MS_TARGET = 100;
const SCRUB_STEPS = 120;

describe.skipIf(!hasChromium)('a 1,000,000-record trace', () => {
  let s: Session;
  let trace: { path: string; digest: string; records: number };
  beforeAll(async () => {
    // pool-exhaustion writes about 5,200 records per virtual second once healthy: 200 s makes a million.
    [s, trace] = await Promise.all([openApp(), writeTrace('million', ['pool-exhaustion', '--seed', '1', '--duration', '200s'])]);
    await s.page.goto(s.url);
  }, 300_000);
  afterAll(async () => s?.close());

  it('loads, and says how long it took', async () => {
    expect(trace.records).toBeGreaterThanOrEqual(1_000_000);
    const started = Date.now(); // printed for the report, never asserted (tests assert no wall-clock time)
    await s.page.locator('#trace-file').setInputFiles(trace.path);
    expect(await waitForModel(s.page)).toBe(trace.digest);
    const wallMs = Date.now() - started;
    const parseMs = Number(await s.page.locator('#status').getAttribute('data-load-ms'));
    console.log(`1M trace: ${trace.records} records, parsed and modelled in ${parseMs} ms (page; target ${LOAD_MS_TARGET}), ${wallMs} ms from file chosen to views drawn (test)`);
    expect(parseMs).toBeGreaterThan(0);
    expect(s.pageErrors).toEqual([]);
  });

  it('scrubs with short frames', async () => {
    expect(Number(await s.page.locator('#status').getAttribute('data-records'))).toBeGreaterThanOrEqual(1_000_000);
    const frames = await s.page.evaluate(async (steps) => {
      const scrub = document.getElementById('scrub') as HTMLInputElement;
      const end = Number(scrub.max);
      const stats = (window as unknown as { faultline: { stats: { lastRenderMs: number } } }).faultline.stats;
      const frame = () => new Promise<number>((r) => requestAnimationFrame(r));
      const deltas: number[] = [];
      const renders: number[] = [];
      let last = await frame();
      for (let i = 0; i < steps; i++) {
        scrub.value = String(Math.round((end * i) / steps));
        scrub.dispatchEvent(new Event('input'));
        const now = await frame();
        await frame(); // the render queued by the input runs in this frame
        renders.push(stats.lastRenderMs);
        deltas.push(now - last);
        last = performance.now(); // frame gaps, printed for the report only
      }
      return { deltas, renders };
    }, SCRUB_STEPS);
    const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
    const r = frames.renders;
    const d = frames.deltas;
    console.log(`scrubbing the 1M trace (${SCRUB_STEPS} moves): render per move median ${pct(r, 0.5).toFixed(1)} ms, p95 ${pct(r, 0.95).toFixed(1)} ms, max ${Math.max(...r).toFixed(1)} ms; frame after a move median ${pct(d, 0.5).toFixed(1)} ms, p95 ${pct(d, 0.95).toFixed(1)} ms (target p95 render ${FRAME_P95_MS_TARGET} ms)`);
    expect(r).toHaveLength(SCRUB_STEPS);
    expect(s.pageErrors).toEqual([]);
  });
});
