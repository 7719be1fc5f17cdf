/**
 * The scenario worker: runs one scenario with runScenario, the path the CLI takes, so the same scenario,
 * parameters and seed give the CLI's digest. Trace lines go to the page in batches: one postMessage per line
 * would cost more than the simulation.
 */
import { runScenario } from 'faultline';
import { CallbackSink } from 'faultline';
import { findScenario } from '../app/scenario-list.js';
import { oneLine } from '../app/errors.js';
import type { RunRequest, WorkerMessage } from './protocol.js';

/** Lines per batch: large enough to amortise the message, small enough that the page's progress moves. */
const BATCH_LINES = 5000;

/** The part of a dedicated worker's global scope used here (the DOM lib types `self` as a window). */
interface WorkerScope {
  postMessage(message: WorkerMessage): void;
  onmessage: ((event: MessageEvent<RunRequest>) => void) | null;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (event) => {
  void run(event.data).catch((err: unknown) => scope.postMessage({ type: 'error', message: oneLine(err) }));
};

async function run(request: RunRequest): Promise<void> {
  const scenario = findScenario(request.scenario);
  if (!scenario) throw new Error(`unknown scenario '${request.scenario}'`);
  const started = performance.now();
  let batch: string[] = [];
  let records = 0;
  let lastT = 0;
  const flush = () => {
    if (batch.length === 0) return;
    scope.postMessage({ type: 'lines', text: `${batch.join('\n')}\n`, records, tUs: lastT });
    batch = [];
  };
  const sink = new CallbackSink((record, line) => {
    batch.push(line);
    records++;
    lastT = record.t;
    if (batch.length >= BATCH_LINES) flush();
  });
  const { result } = await runScenario(scenario, { seed: request.seed, params: request.params, duration: request.duration, faults: request.faults, sinks: [sink] });
  flush();
  scope.postMessage({ type: 'done', digest: result.digest, stop: result.stop, message: result.message, records, wallMs: Math.round(performance.now() - started) });
}
