import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { userScenarios } from './node/vite-user-scenarios.js';

/** Inside this repository, `faultline` and its entries resolve to the sources (package.json's custom condition), not dist/. */
const SOURCE = 'faultline-source';

export default defineConfig({
  // The visualizer's modules (tested in Node) import the user's scenarios: none here.
  plugins: [userScenarios(null)],
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions], externalConditions: [SOURCE, 'node'] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/browser/**', 'test/package/**'], sequence: { groupOrder: 0 } } },
      // The browser tests time the page (a million-record load, frame times): they run after everything else,
      // one file at a time, so no other test file shares the machine's two cores while they measure.
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } } },
      // npm pack, a fresh project, the bin and the visualizer as a user gets them: last, on its own.
      { extends: true, test: { name: 'package', include: ['test/package/**/*.test.ts'], sequence: { groupOrder: 2 } } },
    ],
  },
});
