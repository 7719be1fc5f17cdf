/**
 * Canceled timers do not pile up (sim/core/scheduler.ts): an idle timeout re-armed on every use is canceled
 * long before it is due, and once such timers are most of the heap it is rebuilt without them. The order the
 * rest fire in does not change: (time, sequence), as before.
 */
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../sim/core/scheduler.js';

const heapSize = (s: Scheduler) => (s as unknown as { heap: { size: number } }).heap.size;

describe('canceled timers', () => {
  it('an idle timer re-armed 100,000 times leaves a heap of a few thousand, not 100,000', () => {
    const s = new Scheduler();
    let idle = s.at(3_600_000_000, () => {}, null);
    for (let i = 0; i < 100_000; i++) {
      idle.cancel();
      idle = s.at(3_600_000_000 + i, () => {}, null);
    }
    expect(s.pendingCount).toBe(1);
    expect(heapSize(s)).toBeLessThan(3000);
  });

  it('a canceled timer lets go of its argument at once', () => {
    const s = new Scheduler();
    const t = s.at(1_000, () => {}, { big: new Array(1000).fill(0) });
    t.cancel();
    expect(t.arg).toBeUndefined();
  });

  it('the timers left fire in (time, order set) after the heap is rebuilt', () => {
    const s = new Scheduler();
    const fired: number[] = [];
    const timers = [];
    for (let i = 0; i < 10_000; i++) timers.push(s.at(1000 + ((i * 7919) % 500), (n: number) => fired.push(n), i));
    // Cancel three in four: past the rebuild threshold.
    for (let i = 0; i < timers.length; i++) if (i % 4 !== 0) timers[i]!.cancel();
    expect(heapSize(s)).toBeLessThan(10_000);
    while (s.fireNext(Infinity));
    const expected = timers.map((t, i) => ({ at: t.at, i })).filter(({ i }) => i % 4 === 0).sort((a, b) => a.at - b.at || a.i - b.i).map(({ i }) => i);
    expect(fired).toEqual(expected);
  });
});
