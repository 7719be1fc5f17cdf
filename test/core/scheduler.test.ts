import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Scheduler, type Timer } from '../../sim/core/scheduler.js';
import { TimeHeap } from '../../sim/core/heap.js';
import { Randomness } from '../../sim/core/random.js';

/** Fires everything; returns how many fired. */
function runAll(s: Scheduler): number {
  let n = 0;
  while (s.fireNext(Infinity)) n++;
  return n;
}

describe('firing order', () => {
  it('a million timers scheduled in random order fire in (time, insertion) order', () => {
    const N = 1_000_000;
    const stream = new Randomness(2024).stream('scheduler.times');
    const times = new Int32Array(N);
    for (let i = 0; i < N; i++) times[i] = stream.int(0, 1_000_000);

    const s = new Scheduler();
    const firedIndex = new Int32Array(N);
    const firedAt = new Float64Array(N);
    let k = 0;
    const onFire = (index: number) => {
      firedIndex[k] = index;
      firedAt[k] = s.now;
      k++;
    };
    for (let i = 0; i < N; i++) s.at(times[i]!, onFire, i);
    expect(s.pendingCount).toBe(N);

    expect(runAll(s)).toBe(N);
    expect(k).toBe(N);
    expect(s.pendingCount).toBe(0);
    expect(s.firedCount).toBe(N);

    let outOfOrder = 0;
    let clockWrong = 0;
    let ties = 0;
    for (let j = 0; j < N; j++) {
      const index = firedIndex[j]!;
      if (firedAt[j] !== times[index]) clockWrong++;
      if (j === 0) continue;
      const prev = firedIndex[j - 1]!;
      if (times[index]! < times[prev]!) outOfOrder++;
      else if (times[index] === times[prev]) {
        ties++;
        if (index <= prev) outOfOrder++;
      }
    }
    expect(outOfOrder).toBe(0);
    expect(clockWrong).toBe(0);
    expect(ties).toBeGreaterThan(300_000); // ~1e6 draws into ~1e6 slots: many equal times
    // Each index fired exactly once.
    const seen = new Uint8Array(N);
    for (let j = 0; j < N; j++) seen[firedIndex[j]!]! += 1;
    expect(seen.every((c) => c === 1)).toBe(true);
    expect(s.now).toBe(times.reduce((a, b) => Math.max(a, b), 0));
  });

  it('timers at the same time fire in insertion order', () => {
    const s = new Scheduler();
    const order: string[] = [];
    const push = (x: string) => order.push(x);
    s.at(100, push, 'a');
    s.at(50, push, 'early');
    s.at(100, push, 'b');
    s.at(100, push, 'c');
    s.after(100, push, 'd');
    runAll(s);
    expect(order).toEqual(['early', 'a', 'b', 'c', 'd']);
  });

  it('after(0) runs later at the same time, after everything already due then', () => {
    const s = new Scheduler();
    const order: string[] = [];
    s.at(10, () => {
      order.push('first');
      s.after(0, () => order.push('scheduled from first'), null);
    }, null);
    s.at(10, () => order.push('second'), null);
    runAll(s);
    expect(order).toEqual(['first', 'second', 'scheduled from first']);
    expect(s.now).toBe(10);
  });

  it('after(d) is relative to the current time', () => {
    const s = new Scheduler();
    let firedAt = -1;
    s.at(100, () => s.after(25, () => (firedAt = s.now), null), null);
    runAll(s);
    expect(firedAt).toBe(125);
  });

  it('passes its argument to the callback', () => {
    const s = new Scheduler();
    const got: unknown[] = [];
    const arg = { id: 1 };
    s.after(1, (a) => got.push(a), arg);
    runAll(s);
    expect(got).toEqual([arg]);
    expect(got[0]).toBe(arg);
  });
});

describe('cancel', () => {
  it('a canceled timer never fires (10% canceled at random)', () => {
    const N = 100_000;
    const r = new Randomness('cancel');
    const times = r.stream('times');
    const pick = r.stream('pick');
    const s = new Scheduler();
    const fired = new Uint8Array(N);
    const timers: Timer<number>[] = [];
    for (let i = 0; i < N; i++) timers.push(s.at(times.int(0, 10_000), (index) => (fired[index]! += 1), i));
    const canceled = new Set<number>();
    for (let i = 0; i < N; i++) {
      if (pick.chance(0.1)) {
        timers[i]!.cancel();
        canceled.add(i);
      }
    }
    expect(canceled.size).toBeGreaterThan(9_000);
    expect(canceled.size).toBeLessThan(11_000);
    expect(s.pendingCount).toBe(N - canceled.size);

    expect(runAll(s)).toBe(N - canceled.size);
    let wrong = 0;
    for (let i = 0; i < N; i++) if (fired[i] !== (canceled.has(i) ? 0 : 1)) wrong++;
    expect(wrong).toBe(0);
    expect(s.pendingCount).toBe(0);
    expect(s.firedCount).toBe(N - canceled.size);
  });

  it('a timer canceled while others fire at its time still never fires', () => {
    const s = new Scheduler();
    const order: string[] = [];
    let victim: Timer<string> | undefined;
    s.at(5, () => {
      order.push('killer');
      victim!.cancel();
    }, null);
    victim = s.at(5, (x) => order.push(x), 'victim');
    runAll(s);
    expect(order).toEqual(['killer']);
  });

  it('pending is true until the timer fires or is canceled; canceling twice or after firing changes nothing', () => {
    const s = new Scheduler();
    const a = s.at(1, () => {}, null);
    const b = s.at(2, () => {}, null);
    expect(a.pending).toBe(true);
    expect(s.pendingCount).toBe(2);
    a.cancel();
    a.cancel();
    expect(a.pending).toBe(false);
    expect(s.pendingCount).toBe(1);
    runAll(s);
    expect(b.pending).toBe(false);
    b.cancel();
    expect(s.pendingCount).toBe(0);
    expect(s.firedCount).toBe(1);
  });

  it('nextAt skips canceled timers and is undefined when none is pending', () => {
    const s = new Scheduler();
    expect(s.nextAt()).toBeUndefined();
    const a = s.at(3, () => {}, null);
    s.at(7, () => {}, null);
    expect(s.nextAt()).toBe(3);
    a.cancel();
    expect(s.nextAt()).toBe(7);
    runAll(s);
    expect(s.nextAt()).toBeUndefined();
  });
});

describe('fireNext(limit)', () => {
  it('does not fire timers after the limit and does not move the clock', () => {
    const s = new Scheduler();
    const fired: number[] = [];
    s.at(10, (x) => fired.push(x), 10);
    s.at(20, (x) => fired.push(x), 20);
    expect(s.fireNext(5)).toBe(false);
    expect(s.now).toBe(0);
    expect(s.fireNext(15)).toBe(true);
    expect(s.now).toBe(10);
    expect(s.fireNext(15)).toBe(false);
    expect(s.now).toBe(10);
    expect(fired).toEqual([10]);
    expect(s.pendingCount).toBe(1);
    expect(s.fireNext(20)).toBe(true); // the limit is inclusive
    expect(s.now).toBe(20);
    expect(fired).toEqual([10, 20]);
  });

  it('returns false without moving the clock when only canceled timers are due', () => {
    const s = new Scheduler();
    s.at(5, () => {}, null).cancel();
    s.at(50, () => {}, null);
    expect(s.fireNext(10)).toBe(false);
    expect(s.now).toBe(0);
    expect(s.pendingCount).toBe(1);
  });

  it('fires one timer per call', () => {
    const s = new Scheduler();
    let n = 0;
    for (let i = 0; i < 3; i++) s.at(7, () => n++, null);
    expect(s.fireNext(7)).toBe(true);
    expect(n).toBe(1);
  });
});

describe('advanceTo', () => {
  it('moves the clock forward only', () => {
    const s = new Scheduler();
    s.advanceTo(100);
    expect(s.now).toBe(100);
    s.advanceTo(50);
    expect(s.now).toBe(100);
  });
});

describe('invalid times', () => {
  it('scheduling in the past throws a RangeError', () => {
    const s = new Scheduler();
    s.advanceTo(100);
    expect(() => s.at(99, () => {}, null)).toThrow(RangeError);
    expect(() => s.at(99, () => {}, null)).toThrow('timer at 99 µs is before now (100 µs): time never goes backwards');
    expect(() => s.after(-1, () => {}, null)).toThrow(RangeError);
    expect(s.pendingCount).toBe(0);
    expect(() => s.at(100, () => {}, null)).not.toThrow();
  });

  it.each([1.5, NaN, Infinity, 2 ** 53])('a time of %d throws a RangeError', (t) => {
    const s = new Scheduler();
    expect(() => s.at(t, () => {}, null)).toThrow(RangeError);
    expect(() => s.at(t, () => {}, null)).toThrow(/not an integer number of microseconds/);
    expect(s.pendingCount).toBe(0);
  });

  it('a non-integer delay throws a RangeError', () => {
    const s = new Scheduler();
    expect(() => s.after(0.5, () => {}, null)).toThrow(RangeError);
  });
});

describe('against a sort', () => {
  const plan = fc.array(fc.record({ delay: fc.integer({ min: 0, max: 20 }), cancel: fc.boolean() }), { maxLength: 60 });

  test.prop([plan])('fires the uncanceled timers in the order of a stable sort by time', (timers) => {
    const s = new Scheduler();
    const fired: number[] = [];
    const handles = timers.map((t, i) => s.after(t.delay, (x) => fired.push(x), i));
    timers.forEach((t, i) => t.cancel && handles[i]!.cancel());
    const expected = timers
      .map((t, i) => ({ ...t, i }))
      .filter((t) => !t.cancel)
      .sort((a, b) => a.delay - b.delay || a.i - b.i)
      .map((t) => t.i);
    expect(s.pendingCount).toBe(expected.length);
    runAll(s);
    expect(fired).toEqual(expected);
    expect(s.pendingCount).toBe(0);
  });

  test.prop([plan, fc.array(fc.integer({ min: 0, max: 25 }), { minLength: 1, maxLength: 10 })])(
    'firing up to a series of limits fires exactly the timers due by each limit',
    (timers, limits) => {
      const s = new Scheduler();
      const fired: number[] = [];
      const handles = timers.map((t, i) => s.at(t.delay, (x) => fired.push(x), i));
      timers.forEach((t, i) => t.cancel && handles[i]!.cancel());
      let limit = 0;
      for (const step of [...limits].sort((a, b) => a - b)) {
        limit = step;
        const before = s.now;
        while (s.fireNext(limit));
        const due = timers
          .map((t, i) => ({ ...t, i }))
          .filter((t) => !t.cancel && t.delay <= limit)
          .sort((a, b) => a.delay - b.delay || a.i - b.i);
        expect(fired).toEqual(due.map((t) => t.i));
        expect(s.now).toBe(due.length === 0 ? before : Math.max(before, due[due.length - 1]!.delay));
        expect(s.now).toBeLessThanOrEqual(limit);
      }
    },
  );

  test.prop([fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), fc.array(fc.boolean(), { maxLength: 200 })])(
    'TimeHeap pops entries in (at, seq) order under interleaved pushes and pops',
    (ats, popAfter) => {
      const heap = new TimeHeap<{ at: number; seq: number }>();
      const model: { at: number; seq: number }[] = [];
      const popped: { at: number; seq: number }[] = [];
      const expected: { at: number; seq: number }[] = [];
      const popModel = () => {
        model.sort((a, b) => a.at - b.at || a.seq - b.seq);
        return model.shift();
      };
      ats.forEach((at, seq) => {
        heap.push({ at, seq });
        model.push({ at, seq });
        if (popAfter[seq]) {
          popped.push(heap.pop()!);
          expected.push(popModel()!);
        }
      });
      expect(heap.size).toBe(model.length);
      while (heap.size > 0) {
        expect(heap.peek()).toBe(heap.peek());
        popped.push(heap.pop()!);
        expected.push(popModel()!);
      }
      expect(popped).toEqual(expected);
      expect(heap.pop()).toBeUndefined();
    },
  );
});
