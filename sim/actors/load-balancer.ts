/**
 * Picking a replica for the next try: round robin (nginx's default), least connections (nginx least_conn:
 * fewest requests in flight, ties broken round robin) and power of two choices (Envoy's LEAST_REQUEST:
 * two distinct random replicas, the less loaded wins). Replicas already tried for this request are skipped
 * while any other is left, as proxy_next_upstream does.
 */
import type { RandomStream } from '../core/random.js';

export type LoadBalancing = 'round-robin' | 'least-conn' | 'p2c';

export const LOAD_BALANCING: readonly LoadBalancing[] = ['round-robin', 'least-conn', 'p2c'];

export class LoadBalancer {
  private cursor = 0;

  constructor(
    readonly policy: LoadBalancing,
    /** Requests in flight per replica, read at each pick. */
    private readonly inFlight: readonly number[],
    private readonly stream: RandomStream,
  ) {}

  /** The replica for the next try; `tried` lists those already used by this request. */
  pick(tried: readonly number[]): number {
    const n = this.inFlight.length;
    const open: number[] = [];
    for (let i = 0; i < n; i++) if (!tried.includes(i)) open.push(i);
    const candidates = open.length > 0 ? open : Array.from({ length: n }, (_, i) => i);
    switch (this.policy) {
      case 'round-robin':
        return this.nextInRing(candidates);
      case 'least-conn': {
        const least = Math.min(...candidates.map((i) => this.inFlight[i]!));
        return this.nextInRing(candidates.filter((i) => this.inFlight[i] === least));
      }
      case 'p2c': {
        if (candidates.length === 1) return candidates[0]!;
        const a = Math.floor(this.stream.next() * candidates.length);
        let b = Math.floor(this.stream.next() * (candidates.length - 1));
        if (b >= a) b++;
        const ra = candidates[a]!;
        const rb = candidates[b]!;
        return this.inFlight[rb]! < this.inFlight[ra]! ? rb : ra;
      }
    }
  }

  /** The first candidate at or after the cursor, which then moves past it. */
  private nextInRing(candidates: readonly number[]): number {
    const n = this.inFlight.length;
    for (let step = 0; step < n; step++) {
      const i = (this.cursor + step) % n;
      if (candidates.includes(i)) {
        this.cursor = (i + 1) % n;
        return i;
      }
    }
    return candidates[0]!;
  }
}
