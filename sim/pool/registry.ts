/**
 * The pools a world's actors made, in creation order: what run summaries, invariants and the timeline read
 * after a run. A World provides one to its simulation; each Pool adds itself when it is made.
 */
import type { Pool } from './pool.js';

/** The name a World provides its pool registry under (Simulation.provide). */
export const POOLS_SERVICE = 'pools';

/** Pool figures for run summaries (the CLI's --json `pools` object and its human lines). */
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

export class PoolRegistry {
  private readonly list: Pool<unknown>[] = [];

  /** @internal A pool made in this world. */
  add(pool: Pool<unknown>): void {
    this.list.push(pool);
  }

  /** Every pool, in creation order (a restarted process's new pool comes after its dead one of the same name). */
  all(): readonly Pool<unknown>[] {
    return this.list;
  }

  /** Each pool's figures by name; of two pools with one name (a process restarted), the later one's. */
  summary(): Record<string, PoolSummary> {
    const out: Record<string, PoolSummary> = {};
    for (const pool of this.list) {
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
}
