/** The human summary of a run: what happened, the metrics, the digest and the command that replays it. */
import type { JsonValue } from '../sim/core/canonical.js';
import type { MetricsSnapshot } from '../sim/core/metrics.js';
import type { RunResult } from '../sim/core/simulation.js';
import { formatDuration, formatTimestamp } from '../sim/core/time.js';
import type { TraceRecord } from '../sim/core/trace.js';
import type { PoolSummary } from '../sim/pool/summary.js';

/** One trace record as a log line: time, where, kind, fields. */
export function formatRecord(r: TraceRecord): string {
  const where = r.actor !== undefined ? `${r.host}/${r.actor}` : (r.host ?? '-');
  const ids = [r.conn !== undefined ? `conn=${r.conn}` : '', r.req !== undefined ? `req=${r.req}` : ''].filter(Boolean);
  const fields = r.fields ? Object.entries(r.fields).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${compact(v as JsonValue)}`) : [];
  return `${formatTimestamp(r.t).padStart(12)}s  ${where.padEnd(16)} ${r.kind.padEnd(14)} ${[...ids, ...fields].join(' ')}`.trimEnd();
}

function compact(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The lines after the log: how it ended, metrics, digest, replay. */
export function formatSummary(result: RunResult, metrics: MetricsSnapshot, pools: Record<string, PoolSummary>, replay: string): string[] {
  const lines = [
    '',
    `${result.message}`,
    `${result.events} events, ${result.records} trace records, ${formatDuration(result.endUs)} of virtual time`,
  ];
  for (const w of result.waiting) lines.push(`  still waiting: ${w.actor}${w.daemon ? ' (daemon)' : ''} on ${w.on.join(', ')}`);
  for (const f of result.failures) lines.push(`  failed: ${f.actor} at ${formatTimestamp(f.atUs)}s: ${f.error}`);
  for (const h of metrics.histograms) {
    if (h.count === 0) continue;
    lines.push(`  ${h.name}: n=${h.count} p50=${formatDuration(h.p50)} p99=${formatDuration(h.p99)} max=${formatDuration(h.max)}`);
  }
  for (const [name, p] of Object.entries(pools)) {
    lines.push(
      `  pool ${name}: max ${p.max}, peak active ${p.peakActive}, peak waiting ${p.peakPending}, ${p.acquires} acquires, ${(100 * p.waitProbability).toFixed(2)}% waited, mean wait ${p.meanWaitMs.toFixed(1)} ms, ${p.acquireTimeouts} timeouts`,
    );
  }
  for (const c of metrics.counters) if (!c.name.startsWith('pool.')) lines.push(`  ${c.name}: ${c.value}`);
  lines.push(`digest ${result.digest}  unseed ${result.unseed}`);
  lines.push(`replay: ${replay}`);
  return lines;
}

/** Quotes a shell word only when it needs it. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
