import { defineConfig } from 'vitest/config';
import { shared } from './vitest.config.js';

/**
 * `npm run test:perf`: the suites that time something (a million-record trace modelled in Node, loaded and
 * scrubbed in chromium). They print their figures against their targets and assert behaviour only (tests
 * assert no wall-clock time); one file at a time, so nothing else shares the machine's cores while they measure.
 */
export default defineConfig({
  ...shared,
  test: { ...shared.test, name: 'perf', include: ['test/perf/**/*.test.ts'], fileParallelism: false },
});
