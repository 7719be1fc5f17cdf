/**
 * The virtual clock and its event queue: timers due at integer microseconds, fired in (time, sequence) order.
 * It knows nothing of actors or networks; whoever schedules passes a callback and an argument.
 */
import { TimeHeap } from './heap.js';
import type { Micros } from './time.js';

/** A scheduled callback. Cancel it with `cancel()`; a canceled timer never fires. */
export class Timer<A = unknown> {
  /** @internal */ seq: number;
  /** @internal */ fn: ((arg: A) => void) | null;
  /** @internal */ arg: A;
  /** @internal */ private readonly scheduler: Scheduler;
  /** Virtual time at which it fires, in microseconds. */
  at: Micros;
  /** @internal Called when the timer is canceled (an actor forgets a timer it owned). */
  onCancel: ((timer: Timer<A>) => void) | null = null;
  /** @internal The order it was set in, counted apart from `seq` (the heap's key), so the event-order check does not trust the key it checks. */
  ordinal = 0;

  /** @internal */
  constructor(scheduler: Scheduler, at: Micros, seq: number, fn: (arg: A) => void, arg: A) {
    this.scheduler = scheduler;
    this.at = at;
    this.seq = seq;
    this.fn = fn;
    this.arg = arg;
  }

  /** True until it fires or is canceled. */
  get pending(): boolean {
    return this.fn !== null;
  }

  cancel(): void {
    if (this.fn === null) return;
    this.fn = null;
    this.scheduler.pendingCount--;
    this.onCancel?.(this);
    // What it would have run with may be a whole request's state: let it go now, not when the timer comes due.
    this.arg = undefined as A;
    this.scheduler.noteCanceled();
  }
}

/** Canceled timers the heap carries before it may be rebuilt without them (small heaps are not worth it). */
const COMPACT_AFTER_CANCELED = 1024;

function isPending(timer: Timer<any>): boolean {
  return timer.fn !== null;
}

export class Scheduler {
  /** Current virtual time in microseconds. Only moves forward. */
  now: Micros = 0;
  /** Timers scheduled and neither fired nor canceled. */
  pendingCount = 0;
  /** Timers fired so far. */
  firedCount = 0;
  private seq = 0;
  /** Timers set so far (each one's ordinal), and the ordinal of the last one fired: the next at the same time must come after it. */
  private ordinals = 0;
  private lastFiredOrdinal = -1;
  /**
   * The first timer fired out of (time, sequence) order, if any: same-instant timers must fire in the order
   * they were set (everything from retransmission to pool hand-offs relies on it). Checked as each fires,
   * beside the heap rather than inside it, so a broken heap is seen; the event-order invariant reads it.
   */
  orderBreach: { atUs: Micros; seq: number; afterSeq: number; afterUs: Micros } | null = null;
  // Canceled timers stay in the heap until they reach the top (lazy deletion): cheaper than a decrease-key index.
  // But a timer canceled long before it is due (an idle timeout re-armed on every use) would never reach the
  // top, and they would pile up for the whole run: once they are most of the heap, it is rebuilt without them.
  private readonly heap = new TimeHeap<Timer<any>>();
  /** Canceled timers still in the heap. */
  private canceledInHeap = 0;

  /** @internal A timer in the heap was canceled. */
  noteCanceled(): void {
    if (++this.canceledInHeap > COMPACT_AFTER_CANCELED && this.canceledInHeap * 2 > this.heap.size) {
      this.heap.retain(isPending);
      this.canceledInHeap = 0;
    }
  }

  /** Runs `fn(arg)` after `delayUs` microseconds (0 = later at the same time, after everything already due then). */
  after<A>(delayUs: Micros, fn: (arg: A) => void, arg: A): Timer<A> {
    return this.at(this.now + delayUs, fn, arg);
  }

  /** Runs `fn(arg)` at virtual time `atUs` (not before now). */
  at<A>(atUs: Micros, fn: (arg: A) => void, arg: A): Timer<A> {
    if (!(atUs >= this.now) || !Number.isSafeInteger(atUs)) {
      throw new RangeError(
        Number.isSafeInteger(atUs)
          ? `timer at ${atUs} µs is before now (${this.now} µs): time never goes backwards`
          : `timer time ${atUs} is not an integer number of microseconds`,
      );
    }
    const timer = new Timer<A>(this, atUs, this.seq++, fn, arg);
    timer.ordinal = this.ordinals++;
    this.heap.push(timer);
    this.pendingCount++;
    return timer;
  }

  /** Time of the next pending timer, or undefined when none is pending. */
  nextAt(): Micros | undefined {
    this.dropCanceled();
    return this.heap.peek()?.at;
  }

  /**
   * Fires the next pending timer if it is due at or before `limitUs`, advancing the clock to it.
   * Returns false (clock untouched) when no timer is due by then.
   */
  fireNext(limitUs: Micros): boolean {
    const heap = this.heap;
    for (;;) {
      const top = heap.peek();
      if (top === undefined || top.at > limitUs) return false;
      heap.pop();
      const fn = top.fn;
      if (fn === null) {
        this.canceledInHeap--;
        continue;
      }
      top.fn = null;
      this.pendingCount--;
      this.firedCount++;
      if ((top.at < this.now || (top.at === this.now && top.ordinal < this.lastFiredOrdinal)) && this.orderBreach === null) this.orderBreach = { atUs: top.at, seq: top.ordinal, afterSeq: this.lastFiredOrdinal, afterUs: this.now };
      this.lastFiredOrdinal = top.ordinal;
      this.now = top.at;
      fn(top.arg);
      return true;
    }
  }

  /** Moves the clock to `atUs` without firing anything (a run that ends at `until` ends there). */
  advanceTo(atUs: Micros): void {
    if (atUs > this.now) this.now = atUs;
  }

  private dropCanceled(): void {
    const heap = this.heap;
    let top = heap.peek();
    while (top !== undefined && top.fn === null) {
      heap.pop();
      this.canceledInHeap--;
      top = heap.peek();
    }
  }
}
