/**
 * The figures the compare section sets side by side (requests, outcomes, latency, pool timeouts, digest) and
 * what differs between the two runs' inputs (scenario, seed, parameters, faults), from each run's model. Plain
 * functions over plain data, so the numbers are tested in Node; the view only lays them out.
 */
import { formatDuration } from 'faultline';

/** The part of a RunModel a summary reads. */
export interface SummaryInput {
  header: { scenario?: unknown; seed?: unknown; params?: unknown; faults?: unknown };
  digest: string | null;
  endUs: number;
  requests: readonly { startUs: number; endUs: number | null; outcome: string | null }[];
  pools: readonly { timeouts: readonly number[] }[];
}

export interface RunSummary {
  scenario: string;
  seed: string;
  digest: string;
  endUs: number;
  /** Every request started. */
  requests: number;
  ok: number;
  failed: number;
  /** Failed requests by outcome, most first (ties by name). */
  failedByKind: [string, number][];
  /** Still open when the trace ends. */
  inFlight: number;
  /** Latency of the ok requests, nearest rank (as the latency chart computes it); null without any. */
  p50Us: number | null;
  p99Us: number | null;
  /** pool.timeout records over every pool. */
  acquireTimeouts: number;
}

export function summarizeRun(m: SummaryInput): RunSummary {
  let ok = 0;
  let inFlight = 0;
  const byKind = new Map<string, number>();
  const latenciesUs: number[] = [];
  for (const r of m.requests) {
    if (r.endUs === null || r.outcome === null) inFlight++;
    else if (r.outcome === 'ok') {
      ok++;
      latenciesUs.push(r.endUs - r.startUs);
    } else byKind.set(r.outcome, (byKind.get(r.outcome) ?? 0) + 1);
  }
  latenciesUs.sort((a, b) => a - b);
  const failedByKind = [...byKind].sort((p, q) => q[1] - p[1] || (p[0] < q[0] ? -1 : 1));
  return {
    scenario: String(m.header.scenario ?? '?'),
    seed: String(m.header.seed ?? '?'),
    digest: m.digest ?? '?',
    endUs: m.endUs,
    requests: m.requests.length,
    ok,
    failed: failedByKind.reduce((n, [, k]) => n + k, 0),
    failedByKind,
    inFlight,
    p50Us: nearestRank(latenciesUs, 50),
    p99Us: nearestRank(latenciesUs, 99),
    acquireTimeouts: m.pools.reduce((n, p) => n + p.timeouts.length, 0),
  };
}

function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface SummaryRow {
  label: string;
  a: string;
  b: string;
  differs: boolean;
}

const count = (n: number) => n.toLocaleString('en');
const ms = (us: number | null) => (us === null ? '–' : `${(us / 1000).toFixed(1)} ms`);

/** The table's rows, A against B; a failure kind only one run had shows 0 in the other. */
export function summaryRows(a: RunSummary, b: RunSummary): SummaryRow[] {
  const row = (label: string, x: string, y: string): SummaryRow => ({ label, a: x, b: y, differs: x !== y });
  const kinds = new Map<string, number>();
  for (const [kind, n] of [...a.failedByKind, ...b.failedByKind]) kinds.set(kind, Math.max(kinds.get(kind) ?? 0, n));
  const failedOf = (s: RunSummary, kind: string) => count(s.failedByKind.find(([k]) => k === kind)?.[1] ?? 0);
  return [
    row('scenario', a.scenario, b.scenario),
    row('seed', a.seed, b.seed),
    row('requests', count(a.requests), count(b.requests)),
    row('ok', count(a.ok), count(b.ok)),
    row('failed', count(a.failed), count(b.failed)),
    ...[...kinds].sort((p, q) => q[1] - p[1] || (p[0] < q[0] ? -1 : 1)).map(([kind]) => row(`failed: ${kind}`, failedOf(a, kind), failedOf(b, kind))),
    row('in flight at the end', count(a.inFlight), count(b.inFlight)),
    row('latency p50 (ok)', ms(a.p50Us), ms(b.p50Us)),
    row('latency p99 (ok)', ms(a.p99Us), ms(b.p99Us)),
    row('pool acquire timeouts', count(a.acquireTimeouts), count(b.acquireTimeouts)),
    row('virtual time', `${(a.endUs / 1e6).toFixed(3)} s`, `${(b.endUs / 1e6).toFixed(3)} s`),
    row('digest', a.digest, b.digest),
  ];
}

/**
 * What B's inputs change from A's, one line each: 'seed: 1 → 2', 'params.ratePerS: 150 → 100',
 * '+ fault at 15.392165s: partition a=db', '− fault …'. Empty when the inputs are the same.
 */
export function runDifferences(a: SummaryInput['header'], b: SummaryInput['header']): string[] {
  const out: string[] = [];
  if (a.scenario !== b.scenario) out.push(`scenario: ${String(a.scenario)} → ${String(b.scenario)}`);
  if (String(a.seed) !== String(b.seed)) out.push(`seed: ${String(a.seed)} → ${String(b.seed)}`);
  const pa = record(a.params);
  const pb = record(b.params);
  for (const name of [...new Set([...Object.keys(pa), ...Object.keys(pb)])]) {
    const x = stable(pa[name]);
    const y = stable(pb[name]);
    if (x !== y) out.push(`params.${name}: ${x ?? '(none)'} → ${y ?? '(none)'}`);
  }
  // Faults are matched as whole entries: a schedule is a list, and a fork appends to it.
  const fa = list(a.faults).map(stable);
  const fb = list(b.faults).map(stable);
  list(a.faults).forEach((f, i) => {
    if (!fb.includes(fa[i])) out.push(`− fault ${faultText(f)}`);
  });
  list(b.faults).forEach((f, i) => {
    if (!fa.includes(fb[i])) out.push(`+ fault ${faultText(f)}`);
  });
  return out;
}

/** A schedule entry for people: 'at 15.392165s: partition a=db b=service'. */
export function faultText(f: unknown): string {
  if (f === null || typeof f !== 'object' || Array.isArray(f)) return stable(f) ?? String(f);
  const { at, kind, ...rest } = f as Record<string, unknown>;
  const when = typeof at === 'number' && Number.isSafeInteger(at) && at >= 0 ? formatDuration(at) : String(at);
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : stable(v)}`);
  return `at ${when}: ${[String(kind), ...fields].join(' ')}`;
}

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** JSON with object keys sorted, so two spellings of one value compare equal; undefined stays undefined. */
function stable(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  return JSON.stringify(v, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)))
      : value,
  );
}
