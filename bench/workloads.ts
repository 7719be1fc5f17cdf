/**
 * Benchmark workloads, each returning events fired and the seconds they took. The bare heap loop is the
 * baseline: the same timer pattern on the core's binary heap with nothing else around it, so the ratio
 * measures what the simulator adds (cancel checks, clock, limits, actors) per event.
 */
import { TimeHeap } from '../sim/core/heap.js';
import { RandomStream } from '../sim/core/random.js';
import { Simulation } from '../sim/core/simulation.js';

export interface Measured {
  events: number;
  seconds: number;
}

/** Timers outstanding at once: a busy simulation keeps thousands of connection timers armed. */
const CONCURRENT_TIMERS = 4096;

/** Pre-drawn delays (1–1000 µs), so no workload pays for randomness inside the timed loop. */
export function makeDelays(count = 1 << 16): Uint32Array {
  const stream = new RandomStream('bench/delays', 'bench');
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = stream.int(1, 1000);
  return out;
}

interface BareEvent {
  at: number;
  seq: number;
  fn: (e: BareEvent) => void;
}

export function bareHeapLoop(events: number, delays: Uint32Array): Measured {
  const heap = new TimeHeap<BareEvent>();
  const mask = delays.length - 1;
  let seq = 0;
  let now = 0;
  let d = 0;
  const fire = (_e: BareEvent) => {
    heap.push({ at: now + delays[d++ & mask]!, seq: seq++, fn: fire });
  };
  for (let i = 0; i < CONCURRENT_TIMERS; i++) heap.push({ at: delays[d++ & mask]!, seq: seq++, fn: fire });
  const start = performance.now();
  for (let fired = 0; fired < events; fired++) {
    const e = heap.pop()!;
    now = e.at;
    e.fn(e);
  }
  return { events, seconds: (performance.now() - start) / 1000 };
}

export async function coreTimers(events: number, delays: Uint32Array): Promise<Measured> {
  const sim = new Simulation({ seed: 1, scenario: 'bench' });
  const scheduler = sim.scheduler;
  const mask = delays.length - 1;
  let d = 0;
  const fire = (_: null) => {
    scheduler.after(delays[d++ & mask]!, fire, null);
  };
  for (let i = 0; i < CONCURRENT_TIMERS; i++) scheduler.after(delays[d++ & mask]!, fire, null);
  const start = performance.now();
  const result = await sim.run({ maxEvents: events });
  return { events: result.events, seconds: (performance.now() - start) / 1000 };
}

/** Async actors that only sleep: what awaiting costs on top of a timer. */
export async function asyncSleeps(events: number, delays: Uint32Array): Promise<Measured> {
  const sim = new Simulation({ seed: 1, scenario: 'bench' });
  const mask = delays.length - 1;
  const actors = 64;
  let d = 0;
  for (let a = 0; a < actors; a++) {
    sim.host('h').spawn(`a${a}`, async (ctx) => {
      for (;;) await ctx.sleep(delays[d++ & mask]!);
    }, { daemon: true });
  }
  const start = performance.now();
  const result = await sim.run({ maxEvents: events });
  return { events: result.events, seconds: (performance.now() - start) / 1000 };
}
