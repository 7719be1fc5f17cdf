/**
 * The visualizer's model of a run, platform-neutral (browser page, Web Worker, Node tests): parse a JSONL
 * trace into a RunModel, query it, export it for Perfetto. Each module documents its part of the API.
 */
export { JsonlParser, TraceLoader, TraceParseError, parseTraceStream, parseTraceText, type ParseStreamOptions } from './parse.js';
export { ModelBuilder } from './model-builder.js';
export { RunModel, type RunModelData } from './run-model.js';
export { GaugeSeries } from './gauges.js';
export { PacketTable } from './packets.js';
export { poolOf } from './pools.js';
export { filterRecords, type RecordFilter } from './filter.js';
export { toChromeTrace, type ChromeTrace } from './perfetto.js';
export type * from './types.js';
