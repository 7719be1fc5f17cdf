/** Sweeps: a scenario run over a grid of parameter values and several seeds, each point summarised across its seeds. */
export { tQuantile975, estimate, type Estimate } from './stats.js';
export { parseAxis, parseAxes, gridPoints, type SweepAxis, type SweepPoint } from './grid.js';
export { runFigures, metricInfo, metricKeys, pointEstimates, type RunFigures, type MetricInfo } from './figures.js';
export { sweepResult, sweepSeeds, type SweepInputs, type SweepResult, type SweepPointResult } from './result.js';
export { formatEstimate, sweepColumns, type SweepColumn } from './table.js';
export { parseSweepFile, sweepFileSchema } from './sweep-file.js';
