/** The human summary of a run: what happened, the metrics, the digest and the command that replays it. */
import { formatDuration, formatTimestamp, type JsonValue, type MetricsSnapshot, type PoolSummary, type RequestSummary, type RunResult, type TraceRecord } from 'faultline';

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
export function formatSummary(result: RunResult, metrics: MetricsSnapshot, pools: Record<string, PoolSummary>, requests: RequestSummary, replay: string): string[] {
  const lines = [
    '',
    `${result.message}`,
    `${result.events} events, ${result.records} trace records, ${formatDuration(result.endUs)} of virtual time`,
  ];
  if (requests.total > 0) {
    const errors = Object.entries(requests.byError).map(([name, n]) => `${name} ${n}`).join(', ');
    lines.push(`requests: ${requests.total} total, ${requests.ok} ok, ${requests.failed} failed${errors ? ` (${errors})` : ''}, ${requests.inFlight} in flight`);
    const l = requests.latencyMs;
    if (requests.ok > 0) lines.push(`latency of successes: p50 ${l.p50.toFixed(1)} ms, p90 ${l.p90.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms`);
    const ll = requests.littlesLaw;
    lines.push(`Little's law: λ ${ll.arrivalRatePerS.toFixed(2)}/s × W ${(ll.meanTimeInSystemS * 1000).toFixed(1)} ms = ${(ll.arrivalRatePerS * ll.meanTimeInSystemS).toFixed(3)}; L measured ${ll.meanInSystem.toFixed(3)}`);
  }
  // At the time limit, daemons waiting is how servers look; only a deadlock needs them named.
  for (const w of result.stop === 'deadlock' ? result.waiting.slice(0, 10) : []) {
    const on = w.on.length > 4 ? [...w.on.slice(0, 4), `${w.on.length - 4} more`] : w.on;
    lines.push(`  still waiting: ${w.actor}${w.daemon ? ' (daemon)' : ''} on ${on.join(', ')}`);
  }
  if (result.stop === 'deadlock' && result.waiting.length > 10) lines.push(`  … and ${result.waiting.length - 10} more actors`);
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
  for (const c of metrics.counters) if (!c.name.startsWith('pool.') && !c.name.startsWith('requests.')) lines.push(`  ${c.name}: ${c.value}`);
  lines.push(`digest ${result.digest}  unseed ${result.unseed}`);
  lines.push(`replay: ${replay}`);
  return lines;
}
