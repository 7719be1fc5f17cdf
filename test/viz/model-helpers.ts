/** Real traces for the model tests: a scenario run with every record kept, as text and as records. */
import { findScenario } from '../../scenarios/index.js';
import { MemorySink } from '../../sim/core/trace.js';
import { runScenario, type ScenarioRun } from '../../sim/run-scenario.js';

export interface TracedRun {
  run: ScenarioRun;
  sink: MemorySink;
  text: string;
}

const cache = new Map<string, Promise<TracedRun>>();

/** Runs a scenario once per test file (runs take seconds) and keeps its whole trace. */
export function tracedRun(name: string, options: { params?: Record<string, unknown>; duration?: string; faults?: unknown } = {}): Promise<TracedRun> {
  const key = JSON.stringify([name, options]);
  let p = cache.get(key);
  if (p === undefined) {
    p = (async () => {
      const scenario = findScenario(name);
      if (!scenario) throw new Error(`no scenario ${name}`);
      const sink = new MemorySink();
      const run = await runScenario(scenario, { seed: 1, sinks: [sink], keepRequests: 'all', gaugeExactSteps: Infinity, ...options });
      return { run, sink, text: sink.jsonl() };
    })();
    cache.set(key, p);
  }
  return p;
}

/** Pool exhaustion cut at 16 s: the slowdown from 10 s, waiters piled up, the first acquire timeouts at ~15.4 s. */
export const poolExhaustion = () => tracedRun('pool-exhaustion', { duration: '16s' });
/** The gateway cut off from svc-1 (one way) from 2 s to 5 s. */
export const partition = () => tracedRun('partition', { params: { at: '2s', lasting: '3s' }, duration: '8s' });
