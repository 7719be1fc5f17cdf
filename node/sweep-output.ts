/** A sweep's result as CSV: one row per point, its varied values, then each metric's mean and 95% half-width. */
import type { Estimate, SweepResult } from 'faultline';

/** A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
function field(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const number = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

/** The CSV text, header first; an empty field where a point has no value (latency without an ok request). */
export function sweepCsv(result: SweepResult): string {
  const keys = result.vary.map((a) => a.key);
  const header = [...keys, 'runs', ...result.metrics.flatMap((m) => [`${m.key}.mean`, `${m.key}.ci95`])];
  const rows = result.points.map((p) => {
    const cells = [...keys.map((k) => p.assignments[k]!), String(p.runs.length)];
    for (const m of result.metrics) {
      const e: Estimate | null | undefined = p.estimates[m.key];
      cells.push(number(e?.mean), number(e?.ci95));
    }
    return cells;
  });
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}
