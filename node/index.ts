/**
 * faultline/node: what needs Node's `node:` modules — the JSONL trace file sink, case files and the corpus on
 * disk, chaos reports written where `faultline replay` reads them, the check runner's worker pool, the loader
 * of scenario modules (`faultline run ./my-scenario.ts`), and sweeps: their runner on worker threads, CSV and
 * HTML report.
 */
export { JsonlFileSink } from './jsonl-sink.js';
export { CASES_DIR, DEFAULT_CORPUS_DIR, REGRESSION_CORPUS_DIR, readCaseFile, caseFileName, caseFileText, writeCaseFile, corpusFiles } from './corpus.js';
export { writeChaosCase, formatChaosReport, reportFailure, type WrittenCase, type TestLocation } from './chaos-report.js';
export { runOnWorkers } from './check-pool.js';
export type { CaseJob, CaseReport } from './check-messages.js';
export { loadScenario, loadScenarioModule, looksLikePath, ScenarioModuleError, SCENARIO_MODULE_EXTENSIONS, type LoadedScenario } from './scenario-module.js';
export { userScenarios } from './vite-user-scenarios.js';
export { isSystemFile, loadSystemFile, readSystemFile, SYSTEM_FILE_EXTENSIONS } from './system-file.js';
export { runSweep, SweepRunError, type SweepOptions } from './sweep-runner.js';
export type { SweepJob, SweepReport } from './sweep-messages.js';
export { sweepCsv } from './sweep-output.js';
export { sweepReportHtml, writeSweepReport } from './sweep-report.js';
