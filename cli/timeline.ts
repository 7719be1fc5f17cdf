/**
 * The run as a table over time, for a reader who has not seen the scenario before: per row, requests that
 * ended ok or failed (and how), the p99 of the successes, the busiest pools' active and waiting peaks and
 * acquire timeouts, and the faults that began in it. About twenty rows, whatever the run's length.
 */
import { formatDuration, Histogram, type Micros, type TraceRecord, type TraceSink, type World } from 'faultline';

const ROWS_TARGET = 20;
/** Pools shown: the ones that made callers wait, most waiting first, at most this many. */
const POOLS_MAX = 2;

/** A row length of 1, 2 or 5 × 10^k µs giving about ROWS_TARGET rows. */
function stepUs(endUs: number): number {
  const raw = Math.max(1, endUs / ROWS_TARGET);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

/** One row's requests (by when they ended) and pool timeouts. */
interface Row {
  ok: number;
  failed: number;
  okLatencyUs: Histogram;
  errors: Map<string, number>;
  poolTimeouts: Map<string, number>;
}

/**
 * Folds the run's req.end and pool.timeout records into rows as they are written, so the timeline costs the
 * same memory for a million requests as for ten. Rows are laid out over the run's limit (known before it runs).
 */
export class TimelineSink implements TraceSink {
  readonly stepUs: Micros;
  private readonly rows: Row[] = [];
  private requests = 0;

  constructor(limitUs: Micros) {
    this.stepUs = stepUs(limitUs);
  }

  write(record: TraceRecord): void {
    if (record.kind === 'req.end') {
      const row = this.row(record.t);
      const outcome = String(record.fields?.outcome);
      this.requests++;
      if (outcome === 'ok') {
        row.ok++;
        row.okLatencyUs.record(Number(record.fields?.durationUs));
      } else {
        row.failed++;
        row.errors.set(outcome, (row.errors.get(outcome) ?? 0) + 1);
      }
    } else if (record.kind === 'pool.timeout') {
      const row = this.row(record.t);
      const pool = String(record.fields?.pool);
      row.poolTimeouts.set(pool, (row.poolTimeouts.get(pool) ?? 0) + 1);
    }
  }

  private row(tUs: Micros): Row {
    const r = Math.floor(tUs / this.stepUs);
    while (this.rows.length <= r) this.rows.push({ ok: 0, failed: 0, okLatencyUs: new Histogram('row'), errors: new Map(), poolTimeouts: new Map() });
    return this.rows[r]!;
  }

  /** The table, with the busiest pools' peaks read off their gauges and `faults` (fault records) on their rows. */
  format(world: World, endUs: Micros, faults: readonly TraceRecord[]): string[] {
    const { sim } = world;
    if (endUs <= 0 || (this.requests === 0 && world.pools.all().length === 0)) return [];
    const step = this.stepUs;
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
      const row = this.rows[r];
      const top = row ? [...row.errors].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0] : undefined;
      const okCount = row?.ok ?? 0;
      const cells = [
        `${formatDuration(from)}`.padStart(10),
        String(okCount).padStart(7),
        String(row?.failed ?? 0).padStart(7),
        (okCount === 0 ? '-' : (row!.okLatencyUs.percentile(99) / 1000).toFixed(1)).padStart(9),
        ` ${top ? `${top[0]} ×${top[1]}` : ''}`.padEnd(22),
      ];
      for (const p of pools) {
        const active = sim.metrics.gauge(`pool.${p.name}.active`).maxIn(from, to);
        const pending = sim.metrics.gauge(`pool.${p.name}.pending`).maxIn(from, to);
        const timeouts = row?.poolTimeouts.get(p.name) ?? 0;
        cells.push(`${String(Math.max(0, active)).padStart(20)} ${String(Math.max(0, pending)).padStart(7)} ${String(timeouts).padStart(8)}`);
      }
      const events = faults.filter((f) => f.t >= from && f.t < to).map((f) => faultLabel(f));
      lines.push(`${cells.join(' ')}${events.length > 0 ? `   ← ${events.join(', ')}` : ''}`.trimEnd());
    }
    return lines;
  }
}

function faultLabel(f: TraceRecord): string {
  const fields = f.fields ?? {};
  if (f.kind === 'fault') return `${String(fields.kind)}${fields.a !== undefined ? ` ${JSON.stringify(fields.a)}` : ''}${fields.b !== undefined ? `→${JSON.stringify(fields.b)}` : ''}`;
  if (f.kind === 'db.slow') return `database slow ×${String(fields.factor)}`;
  return `${f.kind}${f.host ? ` ${f.host}` : ''}`;
}
