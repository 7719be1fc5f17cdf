/**
 * The database's cores: at most `cores` queries execute at once, the rest wait first come, first served.
 * A slow factor (slow mode, a fault) stretches execution from the moment it is set: a running query's
 * remaining work takes factor × as long, and queries that start later take factor × their cost.
 */
import type { ActorContext } from '../core/context.js';
import type { Micros } from '../core/time.js';

export interface CpuJob {
  /** Work in µs at factor 1. */
  readonly workUs: Micros;
  /** Called when the job gets a core. */
  readonly onStart: (job: CpuJob) => void;
  /** Called when its work is done, before the freed core goes to the next waiting job. */
  readonly onDone: (job: CpuJob) => void;
  /** When it was submitted, µs. */
  submittedUs: Micros;
  /** When it got a core, µs (-1 while waiting). */
  startedUs: Micros;
}

interface Running {
  job: CpuJob;
  /** Work left at factor 1, µs (fractional while a factor is in force). */
  leftUs: number;
  /** Since when `leftUs` has been going down at the current factor. */
  sinceUs: Micros;
  /** Bumped on each reschedule: a timer from an older schedule is stale. */
  generation: number;
}

export class CpuScheduler {
  private factor = 1;
  private readonly waiting: CpuJob[] = [];
  private waitHead = 0;
  private readonly running = new Set<Running>();

  constructor(
    private readonly ctx: ActorContext,
    readonly cores: number,
    /** Called after every change in the running or waiting counts. */
    private readonly onChange: () => void,
  ) {}

  get runningCount(): number {
    return this.running.size;
  }

  get waitingCount(): number {
    return this.waiting.length - this.waitHead;
  }

  get slowFactor(): number {
    return this.factor;
  }

  submit(workUs: Micros, onStart: CpuJob['onStart'], onDone: CpuJob['onDone']): CpuJob {
    const job: CpuJob = { workUs, onStart, onDone, submittedUs: this.ctx.now, startedUs: -1 };
    this.waiting.push(job);
    this.dispatch();
    this.onChange();
    return job;
  }

  /** Changes the slow factor now; running queries' remaining work is rescaled. */
  setFactor(factor: number): void {
    const now = this.ctx.now;
    for (const r of this.running) {
      r.leftUs = Math.max(0, r.leftUs - (now - r.sinceUs) / this.factor);
      r.sinceUs = now;
    }
    this.factor = factor;
    for (const r of this.running) this.schedule(r);
  }

  private dispatch(): void {
    while (this.running.size < this.cores && this.waitHead < this.waiting.length) {
      const job = this.waiting[this.waitHead]!;
      this.waiting[this.waitHead++] = undefined as never;
      if (this.waitHead === this.waiting.length) {
        this.waiting.length = 0;
        this.waitHead = 0;
      } else if (this.waitHead > 1024 && this.waitHead * 2 > this.waiting.length) {
        this.waiting.splice(0, this.waitHead);
        this.waitHead = 0;
      }
      job.startedUs = this.ctx.now;
      const r: Running = { job, leftUs: job.workUs, sinceUs: this.ctx.now, generation: 0 };
      this.running.add(r);
      job.onStart(job);
      this.schedule(r);
    }
  }

  private schedule(r: Running): void {
    const generation = ++r.generation;
    const delayUs = Math.round(r.leftUs * this.factor);
    this.ctx.timer(delayUs, () => {
      if (r.generation !== generation || !this.running.has(r)) return;
      this.running.delete(r);
      r.job.onDone(r.job);
      this.dispatch();
      this.onChange();
    });
  }
}
