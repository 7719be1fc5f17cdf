/**
 * The run as a table over time, for a reader who has not seen the scenario before: per row, requests that
 * ended ok or failed (and how), the p99 of the successes, the busiest pools' active and waiting peaks and
 * acquire timeouts, and the faults that began in it. About twenty rows, whatever the run's length.
 */
import { formatDuration, type RequestRecord, type TraceRecord, type World } from 'faultline';

const ROWS_TARGET = 20;
/** Pools shown: the ones that made callers wait, most waiting first, at most this many. */
const POOLS_MAX = 2;

export interface TimelineInput {
  world: World;
  endUs: number;
  requests: readonly RequestRecord[];
  /** Fault records (kind and fields), shown on the row they fall in. */
  faults: readonly TraceRecord[];
  /** pool.timeout records. */
  poolTimeouts: readonly TraceRecord[];
}

/** A row length of 1, 2 or 5 × 10^k µs giving about ROWS_TARGET rows. */
function stepUs(endUs: number): number {
  const raw = Math.max(1, endUs / ROWS_TARGET);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

/** The highest value a gauge held at any time in [fromUs, toUs). */
function peakIn(timesUs: readonly number[], values: readonly number[], fromUs: number, toUs: number): number {
  let peak = 0;
  for (let i = 0; i < timesUs.length; i++) {
    const start = timesUs[i]!;
    const end = i + 1 < timesUs.length ? timesUs[i + 1]! : Infinity;
    if (start < toUs && end > fromUs) peak = Math.max(peak, values[i]!);
  }
  return peak;
}

function p99(sortedMs: number[]): number {
  return sortedMs.length === 0 ? NaN : sortedMs[Math.min(sortedMs.length - 1, Math.ceil(0.99 * sortedMs.length) - 1)]!;
}

export function formatTimeline({ world, endUs, requests, faults, poolTimeouts }: TimelineInput): string[] {
  const { sim } = world;
  if (endUs <= 0 || (requests.length === 0 && world.pools.all().length === 0)) return [];
  const step = stepUs(endUs);
  const rows = Math.ceil(endUs / step);
  const pools = [...world.pools.all()]
    .filter((p) => p.stats.peakPending > 0 && p.options.maximumPoolSize < 1_000_000)
    .sort((a, b) => b.stats.peakPending - a.stats.peakPending || (a.name < b.name ? -1 : 1))
    .slice(0, POOLS_MAX);
  const head = ['  from'.padStart(10), 'ok'.padStart(7), 'failed'.padStart(7), 'p99 ms'.padStart(9), ' top error'.padEnd(22)];
  for (const p of pools) head.push(`${p.name} (max ${p.options.maximumPoolSize}): active waiting timeouts`.padStart(30));
  const lines = ['', `timeline (${formatDuration(step)} per row; requests by when they ended${pools.length > 0 ? '; pools: peaks in the row' : ''}):`, head.join(' ')];
  for (let r = 0; r < rows; r++) {
    const from = r * step;
    const to = Math.min(endUs, from + step);
    const ended = requests.filter((q) => q.endUs !== null && q.endUs >= from && q.endUs < to);
    const okMs = ended.filter((q) => q.outcome === 'ok').map((q) => (q.endUs! - q.startUs) / 1000).sort((a, b) => a - b);
    const errors = new Map<string, number>();
    for (const q of ended) if (q.outcome !== 'ok') errors.set(q.outcome!, (errors.get(q.outcome!) ?? 0) + 1);
    const top = [...errors].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    const cells = [
      `${formatDuration(from)}`.padStart(10),
      String(okMs.length).padStart(7),
      String(ended.length - okMs.length).padStart(7),
      (Number.isNaN(p99(okMs)) ? '-' : p99(okMs).toFixed(1)).padStart(9),
      ` ${top ? `${top[0]} ×${top[1]}` : ''}`.padEnd(22),
    ];
    for (const p of pools) {
      const active = sim.metrics.gauge(`pool.${p.name}.active`);
      const pending = sim.metrics.gauge(`pool.${p.name}.pending`);
      const timeouts = poolTimeouts.filter((t) => t.fields?.pool === p.name && t.t >= from && t.t < to).length;
      cells.push(`${String(peakIn(active.timesUs, active.values, from, to)).padStart(20)} ${String(peakIn(pending.timesUs, pending.values, from, to)).padStart(7)} ${String(timeouts).padStart(8)}`);
    }
    const events = faults.filter((f) => f.t >= from && f.t < to).map((f) => faultLabel(f));
    lines.push(`${cells.join(' ')}${events.length > 0 ? `   ← ${events.join(', ')}` : ''}`.trimEnd());
  }
  return lines;
}

function faultLabel(f: TraceRecord): string {
  const fields = f.fields ?? {};
  if (f.kind === 'fault') return `${String(fields.kind)}${fields.a !== undefined ? ` ${JSON.stringify(fields.a)}` : ''}${fields.b !== undefined ? `→${JSON.stringify(fields.b)}` : ''}`;
  if (f.kind === 'db.slow') return `database slow ×${String(fields.factor)}`;
  return `${f.kind}${f.host ? ` ${f.host}` : ''}`;
}
