/**
 * Connection pools, found from their gauges: a pool writes 'pool.<name>.<total|active|idle|pending>'
 * (sim/pool/pool.ts). Its maximum is not in the trace as such; a pool.timeout record shows the pool's size
 * when a waiter gave up, and a waiter times out only when the pool could not grow, so the largest `total`
 * those records show is taken as the maximum. A pool that never timed out has maxSize null.
 *
 * API:
 *   PoolTracker   timeout(record, index) per pool.timeout record; finish(gauges) → PoolInfo[] in gauge order
 */
import type { TraceRecord } from 'faultline';
import type { GaugeSeries } from './gauges.js';
import type { PoolInfo } from './types.js';

const MEASURES = ['total', 'active', 'idle', 'pending'] as const;

export class PoolTracker {
  private readonly seen = new Map<string, { host: string | null; maxSize: number | null; timeouts: number[] }>();

  timeout(r: TraceRecord, index: number): void {
    const name = r.fields?.pool;
    if (typeof name !== 'string') return;
    const p = this.entry(name);
    p.timeouts.push(index);
    if (p.host === null && r.host !== undefined) p.host = r.host;
    const total = r.fields?.total;
    if (typeof total === 'number' && (p.maxSize === null || total > p.maxSize)) p.maxSize = total;
  }

  finish(gauges: ReadonlyMap<string, GaugeSeries>): PoolInfo[] {
    const names: string[] = [];
    for (const gauge of gauges.keys()) {
      const name = poolOf(gauge);
      if (name !== null && !names.includes(name)) names.push(name);
    }
    for (const name of this.seen.keys()) if (!names.includes(name)) names.push(name);
    return names.map((name) => {
      const p = this.entry(name);
      const series = (m: (typeof MEASURES)[number]) => gauges.get(`pool.${name}.${m}`) ?? null;
      return { name, host: p.host, maxSize: p.maxSize, total: series('total'), active: series('active'), idle: series('idle'), pending: series('pending'), timeouts: p.timeouts };
    });
  }

  private entry(name: string) {
    let p = this.seen.get(name);
    if (p === undefined) {
      p = { host: null, maxSize: null, timeouts: [] };
      this.seen.set(name, p);
    }
    return p;
  }
}

/** 'pool.service-db.active' → 'service-db'; null for any other gauge. */
export function poolOf(gauge: string): string | null {
  if (!gauge.startsWith('pool.')) return null;
  const dot = gauge.lastIndexOf('.');
  if (dot <= 5) return null;
  return (MEASURES as readonly string[]).includes(gauge.slice(dot + 1)) ? gauge.slice(5, dot) : null;
}
