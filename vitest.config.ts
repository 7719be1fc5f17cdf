import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { userScenarios } from './node/vite-user-scenarios.js';

/** Inside this repository, `faultline` and its entries resolve to the sources (package.json's custom condition), not dist/. */
const SOURCE = 'faultline-source';

/** What every suite shares (vitest.perf.config.ts too): resolution to the sources, timeouts. */
export const shared = {
  // The visualizer's modules (tested in Node) import the user's scenarios: none here.
  plugins: [userScenarios(null)],
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions], externalConditions: [SOURCE, 'node'] } },
  // Hang guards, not time bounds: a test that needs longer says so (tests assert no wall-clock time).
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
};

/**
 * `npm test`: every behaviour, chaos as a smoke (test/chaos/chaos-suite.ts). The wide chaos suite
 * (`npm run test:chaos`) and the timed suites (`npm run test:perf`, test/perf/) run on their own.
 */
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    // vitest's default is one worker per core less one: on a 2-core machine, one file at a time, the other core idle
    // (most test files are one simulation on one thread, so two workers take about half the time).
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/browser/**', 'test/package/**', 'test/perf/**'], sequence: { groupOrder: 0 } } },
      // The browser tests drive one chromium each: they run after everything else, one file at a time.
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } } },
      // npm pack, a fresh project, the bin and the visualizer as a user gets them: last, on its own.
      { extends: true, test: { name: 'package', include: ['test/package/**/*.test.ts'], sequence: { groupOrder: 2 } } },
    ],
  },
});
