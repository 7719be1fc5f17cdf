/**
 * faultline/vitest: importing it registers the run matchers (`expect(run).toLoseNoRequests()` …) and gives
 * the chaos test helpers (`assertChaos`, `expectChaosInput`), which write a failing case where `faultline
 * replay` reads it.
 */
import './matchers.js';

export { assertChaos, expectChaosInput, type AssertChaosOptions } from './chaos.js';
export { reportFailure, writeChaosCase, formatChaosReport, type TestLocation, type WrittenCase } from 'faultline/node';
