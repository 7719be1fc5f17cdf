/** Pool figures for run summaries (the CLI's --json `pools` object and its human lines). */
import type { Simulation } from '../core/simulation.js';
import { poolsOf } from './pool.js';

export interface PoolSummary {
  max: number;
  acquires: number;
  peakActive: number;
  peakPending: number;
  acquireTimeouts: number;
  /** Mean wait of the acquires that got a connection, ms (0 waits included). */
  meanWaitMs: number;
  /** Share of acquires that could not be served at once. */
  waitProbability: number;
}

export function summarizePools(sim: Simulation): Record<string, PoolSummary> {
  const out: Record<string, PoolSummary> = {};
  for (const pool of poolsOf(sim)) {
    const s = pool.stats;
    out[pool.name] = {
      max: pool.options.maximumPoolSize,
      acquires: s.acquires,
      peakActive: s.peakActive,
      peakPending: s.peakPending,
      acquireTimeouts: s.timeouts,
      meanWaitMs: s.granted === 0 ? 0 : s.waitUsTotal / s.granted / 1000,
      waitProbability: s.acquires === 0 ? 0 : s.waited / s.acquires,
    };
  }
  return out;
}
