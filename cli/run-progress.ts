/**
 * `faultline run`'s status line: a run that has taken more than PROGRESS_AFTER_MS of wall time redraws one line
 * on stderr about every REDRAW_MS: virtual time against the duration, requests so far, events per wall second.
 * Only on a terminal (a CI log would keep every redraw), and never on stdout, so the output is the same byte for
 * byte with or without it. The simulation calls `report` between events (ScenarioRunOptions.progress); the
 * wall clock is read here, on the host's side, never in sim/.
 */
import type { ScenarioProgress } from 'faultline';
import type { Terminal } from './check-report.js';

/** A run shorter than this shows nothing: most runs end before anyone would wish to see how far they are. */
export const PROGRESS_AFTER_MS = 2000;
/** About four redraws a second: readable, and cheap beside the run. */
const REDRAW_MS = 250;
/**
 * Events between two looks at the wall clock: the full stack fires ~10 events per request, some 50k events per
 * wall second on a quiet machine (far fewer on a busy one), so a look every 1,024 lands well inside REDRAW_MS
 * and costs nothing measurable (a clock read).
 */
export const PROGRESS_EVERY_EVENTS = 1024;

/** Where the status line goes, and after how long; `terminal.isTTY` false: none. */
export interface RunProgressOptions {
  terminal: Terminal;
  afterMs: number;
}

/**
 * FAULTLINE_PROGRESS overrides the terminal test: `0` never, `1` as on a terminal, `now` as on a terminal
 * from the first events (tests, which cannot count on a run lasting two seconds); unset, stderr's isTTY decides.
 */
export function runProgressOptions(env: string | undefined, stderrIsTTY: boolean, write: (text: string) => void): RunProgressOptions {
  const isTTY = env === undefined || env === '' ? stderrIsTTY : env !== '0';
  return { terminal: { isTTY, write }, afterMs: env === 'now' ? 0 : PROGRESS_AFTER_MS };
}

export class RunProgressLine {
  private lastDrawMs = -Infinity;
  private lastEvents = 0;
  private drawn = false;

  constructor(
    private readonly options: RunProgressOptions,
    private readonly nowMs: () => number,
    private readonly startMs: number = nowMs(),
  ) {}

  /** Whether to ask the run for reports at all. */
  get enabled(): boolean {
    return this.options.terminal.isTTY;
  }

  report(p: ScenarioProgress): void {
    const now = this.nowMs();
    if (now - this.startMs < this.options.afterMs || now - this.lastDrawMs < REDRAW_MS) return;
    // Events per second over the last redraw's interval (since the start for the first): the current pace.
    const sinceMs = this.drawn ? now - this.lastDrawMs : now - this.startMs;
    const rate = sinceMs > 0 ? ((p.events - this.lastEvents) * 1000) / sinceMs : 0;
    this.options.terminal.write(`\r${formatProgress(p, rate)}\x1b[K`);
    this.lastDrawMs = now;
    this.lastEvents = p.events;
    this.drawn = true;
  }

  /** Takes the line off before the run's output. */
  clear(): void {
    if (this.drawn) this.options.terminal.write('\r\x1b[K');
    this.drawn = false;
  }
}

const count = (n: number): string => n.toLocaleString('en-US');
const seconds = (us: number): string => `${(us / 1e6).toFixed(1)} s`;

/** `virtual 12.3 s / 40.0 s (31%) · requests 5,123 (4,900 ok, 223 failed) · 412,000 events/s` */
export function formatProgress(p: ScenarioProgress, eventsPerS: number): string {
  const share = p.limitUs > 0 ? ` (${Math.floor((100 * p.nowUs) / p.limitUs)}%)` : '';
  const { total, ok, failed } = p.requests;
  return `virtual ${seconds(p.nowUs)} / ${seconds(p.limitUs)}${share} · requests ${count(total)} (${count(ok)} ok, ${count(failed)} failed) · ${count(Math.round(eventsPerS))} events/s`;
}
