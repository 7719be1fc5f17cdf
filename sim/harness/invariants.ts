/**
 * Invariants: laws a run must keep, each a small named check over a finished run. Safety invariants must
 * hold whatever the faults (nothing lost, bounds kept, time forward, no request past its deadline, no slot
 * leaked); liveness ones say the system came back once the faults were over. Compose them as lists.
 */
import type { Micros } from '../core/time.js';
import type { SimRun } from './simulate.js';

/**
 * safety: a law broken whatever the faults; liveness: no recovery after them; runaway: the case went over its
 * budget of events or memory (case-budget.ts), so no invariant could judge it.
 */
export type FailureClass = 'safety' | 'liveness' | 'runaway';

export interface Violation {
  invariant: string;
  class: FailureClass;
  /** One line with the numbers. */
  message: string;
  /** When it showed, if it has a time. */
  atUs?: Micros;
}

/** What a check knows of the run's phases (the chaos runner's; plain runs have none). */
export interface Phases {
  /** Every fault healed at this time. */
  healedAtUs?: Micros;
  /** Load stopped (drain) at this time: what was under way had until the end of the run to finish. */
  drainAtUs?: Micros;
}

export interface Invariant {
  name: string;
  class: FailureClass;
  /** Null when the law holds. */
  check(run: SimRun, phases: Phases): Violation | null;
}

const violation = (inv: Pick<Invariant, 'name' | 'class'>, message: string, atUs?: Micros): Violation => ({ invariant: inv.name, class: inv.class, message, ...(atUs !== undefined ? { atUs } : {}) });

/** Every request ends as ok, a named error, or in flight: total = ok + failed + in flight, record by record. */
export const conservation: Invariant = {
  name: 'conservation',
  class: 'safety',
  check(run) {
    const s = run.requests;
    if (s.total !== s.ok + s.failed + s.inFlight) return violation(this, `${s.total} requests ≠ ${s.ok} ok + ${s.failed} failed + ${s.inFlight} in flight`);
    if (run.records.length > 0) {
      const open = run.records.filter((r) => r.outcome === null).length;
      if (open !== s.inFlight) return violation(this, `${open} request records have no outcome but the ledger counts ${s.inFlight} in flight`);
      const failedNamed = run.records.filter((r) => r.outcome !== null && r.outcome !== 'ok' && r.outcome.length === 0).length;
      if (failedNamed > 0) return violation(this, `${failedNamed} failed requests have no error name`);
    }
    return null;
  },
};

/** No pool ever held more connections (or lent more) than its maximumPoolSize. */
export const poolBounds: Invariant = {
  name: 'pool-bounds',
  class: 'safety',
  check(run) {
    for (const pool of run.world.pools.all()) {
      const max = pool.options.maximumPoolSize;
      for (const what of ['total', 'active'] as const) {
        const gauge = run.sim.metrics.gauge(`pool.${pool.name}.${what}`);
        if (gauge.max > max) {
          return violation(this, `pool ${pool.name}: ${what} reached ${gauge.max} of maximumPoolSize ${max}`, gauge.maxAtUs);
        }
      }
    }
    return null;
  },
};

/** A request with a deadline ends by it: no request outlives its deadline by more than one timer step (1 µs). */
export const deadlines: Invariant = {
  name: 'deadlines',
  class: 'safety',
  check(run) {
    const now = run.result.endUs;
    for (const r of run.records) {
      if (r.deadlineUs === null) continue;
      const endUs = r.endUs ?? now;
      if (endUs > r.deadlineUs + 1) return violation(this, `request ${r.id} (from ${r.origin} at ${r.startUs} µs) ${r.endUs === null ? 'was still in flight' : `ended ${r.outcome}`} at ${endUs} µs, ${endUs - r.deadlineUs} µs past its deadline ${r.deadlineUs} µs`, r.deadlineUs);
    }
    return null;
  },
};

/**
 * Every pool waiter is served, or leaves, by its acquire time + connectionTimeout (HikariCP's promise): no
 * wait longer than that, and nobody still in line longer than that when the run ends. Pools without a
 * timeout (0) are left out.
 */
export const poolWaits: Invariant = {
  name: 'pool-waits',
  class: 'safety',
  check(run) {
    for (const pool of run.world.pools.all()) {
      const timeoutUs = pool.options.connectionTimeoutMs * 1000;
      if (timeoutUs <= 0) continue;
      if (pool.stats.maxWaitUs > timeoutUs + 1) return violation(this, `pool ${pool.name}: a waiter waited ${pool.stats.maxWaitUs} µs, past connectionTimeout ${pool.options.connectionTimeoutMs} ms`);
      const since = pool.gone ? null : pool.oldestWaiterSinceUs;
      if (since !== null && run.result.endUs - since > timeoutUs + 1) return violation(this, `pool ${pool.name}: a waiter in line since ${since} µs was still there at the end (${run.result.endUs} µs), past connectionTimeout ${pool.options.connectionTimeoutMs} ms`, since + timeoutUs);
    }
    return null;
  },
};

/**
 * The rules components audit as they run (sim/core/audits.ts): a gateway's tries per request (maxRetries + 1,
 * nginx each replica once, Envoy's retry budget and caps), a client's retries and retry budget, an HTTP
 * server answering every request whose handler finished on a live connection. Reported under the rule's name.
 */
export const hopRules: Invariant = {
  name: 'hop-rules',
  class: 'safety',
  check(run) {
    for (const audit of run.world.audits.all()) {
      if (audit.first) return { invariant: audit.rule, class: 'safety', message: `${audit.who}: ${audit.first.message}${audit.breaches > 1 ? ` (${audit.breaches} times)` : ''}`, atUs: audit.first.atUs };
    }
    return null;
  },
};

/** TCP states a close passes through on the way out, waiting for the peer's ACK or FIN. */
const CLOSING_STATES = ['FIN_WAIT_1', 'CLOSING', 'LAST_ACK'] as const;
/** How long a close may take at rest: several retransmissions of a lost FIN (200 ms RTO, doubling) and then some. */
const CLOSE_AT_REST_US = 5_000_000;

/**
 * TCP at rest after the drain: no connection of a live host is still closing (FIN_WAIT_1, CLOSING, LAST_ACK)
 * more than 5 s after it began to, while its peer lives: a FIN that is lost is sent again until it is
 * answered. Only meaningful when the run drained (the chaos runner's phases).
 */
export const tcpAtRest: Invariant = {
  name: 'tcp-at-rest',
  class: 'liveness',
  check(run, phases) {
    if (phases.drainAtUs === undefined || !run.world.hasNetwork) return null;
    const net = run.world.net;
    for (const h of net.hosts()) {
      if (!h.host.up) continue;
      for (const c of h.tcp.connectionsIn(CLOSING_STATES)) {
        const peer = net.find(c.remoteIp);
        if (!peer || !peer.host.up) continue;
        if (run.result.endUs - c.sinceUs > CLOSE_AT_REST_US) return violation(this, `connection ${c.id} on ${h.name} in ${c.state} since ${c.sinceUs} µs, ${((run.result.endUs - c.sinceUs) / 1e6).toFixed(1)} s at the end, while its peer ${peer.name} is up`, c.sinceUs);
      }
    }
    return null;
  },
};

/** Timers fire in (time, sequence) order: never back in time, and same-instant ones in the order they were set. */
export const eventOrder: Invariant = {
  name: 'event-order',
  class: 'safety',
  check(run) {
    const b = run.sim.scheduler.orderBreach;
    return b ? violation(this, `timer #${b.seq} due at ${b.atUs} µs fired after timer #${b.afterSeq} at ${b.afterUs} µs`, b.atUs) : null;
  },
};

/**
 * A run that reached real randomness, the real clock or a real timer (the run-time traps of
 * sim/core/real-world-guard.ts end it with NondeterminismError): a safety failure of its own, with its seed,
 * so a check saves it as a case instead of stopping. There is no run to judge further: it is not shrunk.
 */
export function realWorldViolation(message: string): Violation {
  return { invariant: 'real-world', class: 'safety', message };
}

/** TCP's retransmission timer backs off: after a second data timeout in a row the RTO at least doubles (RFC 6298 §5.5), up to the maximum. */
export const tcpBackoff: Invariant = {
  name: 'tcp-backoff',
  class: 'safety',
  check(run) {
    if (!run.world.hasNetwork) return null;
    for (const h of run.world.net.hosts()) {
      const b = h.tcp.backoffBreach;
      if (b) return violation(this, `${h.name}: ${b.message}`, b.atUs);
    }
    return null;
  },
};

/** Trace time never goes backwards. */
export const timeForward: Invariant = {
  name: 'time-forward',
  class: 'safety',
  check(run) {
    const r = run.timeRegression;
    return r ? violation(this, `trace record ${r.index} (${r.kind}) at ${r.tUs} µs comes after one at ${r.previousUs} µs`, r.tUs) : null;
  },
};

/** Every TCP connection's byte stream arrived intact and in order, or the connection failed (when the run checked streams). */
export const streamIntegrity: Invariant = {
  name: 'stream-integrity',
  class: 'safety',
  check(run) {
    const summary = run.world.streams?.summary();
    const v = summary?.violations[0];
    if (!summary || !v) return null;
    const what = v.kind === 'mismatch' ? `byte ${v.offset} is ${v.gotByte}, sent ${v.expectedByte}` : v.kind === 'extra' ? `${v.bytes ?? '?'} bytes delivered past the end of what was sent, from offset ${v.offset}` : `${v.bytes ?? '?'} bytes missing at a clean end of stream, from offset ${v.offset}`;
    return violation(this, `connection ${v.conn} (${v.direction}): ${what}${summary.violationCount > 1 ? ` (${summary.violationCount} violations in all)` : ''}`, v.t);
  },
};

/** No actor threw, and the run did not deadlock. */
export const noCrashes: Invariant = {
  name: 'no-actor-failures',
  class: 'safety',
  check(run) {
    const f = run.result.failures[0];
    if (f) return violation(this, `actor ${f.actor} failed at ${f.atUs} µs: ${f.error}`, f.atUs);
    if (run.result.stop === 'deadlock') return violation(this, run.result.message, run.result.endUs);
    return null;
  },
};

/**
 * After the drain: no request is left in flight, no pool has a waiter, and no pool lends a connection
 * (a lease nobody returns is a leak); pools of crashed, killed or stopped processes are left out. Only meaningful when the run drained (the chaos runner's phases).
 */
export const quiescence: Invariant = {
  name: 'quiescence',
  class: 'liveness',
  check(run, phases) {
    if (phases.drainAtUs === undefined) return null;
    if (run.requests.inFlight > 0) {
      const oldest = run.records.find((r) => r.outcome === null);
      return violation(this, `${run.requests.inFlight} requests still in flight ${run.result.endUs - phases.drainAtUs} µs after the drain${oldest ? ` (oldest ${oldest.id}, started at ${oldest.startUs} µs)` : ''}`, run.result.endUs);
    }
    // A pool whose process died (a crash or kill the chaos drew) is not a leak: its leases died with it, and
    // the restarted process made a new pool under the same name.
    for (const pool of run.world.pools.all().filter((p) => !p.gone)) {
      if (pool.pendingAcquires > 0) return violation(this, `pool ${pool.name}: ${pool.pendingAcquires} waiters after the drain`, run.result.endUs);
      if (pool.activeConnections > 0) return violation(this, `pool ${pool.name}: ${pool.activeConnections} connections still lent out with no request in flight (a leaked lease)`, run.result.endUs);
    }
    return null;
  },
};

/**
 * Liveness after the faults: of the requests that started in [healedAt + settleUs, drainAt), at least
 * `minOkShare` succeeded.
 */
export function recovers(options: { settleMs: number; minOkShare: number }): Invariant {
  return {
    name: 'recovers',
    class: 'liveness',
    check(run, phases) {
      if (phases.healedAtUs === undefined || run.records.length === 0) return null;
      const fromUs = phases.healedAtUs + options.settleMs * 1000;
      const toUs = phases.drainAtUs ?? run.result.endUs;
      const window = run.records.filter((r) => r.startUs >= fromUs && r.startUs < toUs);
      if (window.length === 0) return null;
      const ok = window.filter((r) => r.outcome === 'ok').length;
      if (ok < options.minOkShare * window.length) {
        const errors = new Map<string, number>();
        for (const r of window) if (r.outcome !== 'ok') errors.set(String(r.outcome), (errors.get(String(r.outcome)) ?? 0) + 1);
        const top = [...errors].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([e, n]) => `${e} ×${n}`).join(', ');
        return violation(this, `only ${ok} of ${window.length} requests started ${options.settleMs} ms or more after the heal succeeded (${((100 * ok) / window.length).toFixed(1)}%, needed ${(100 * options.minOkShare).toFixed(0)}%; ${top})`, fromUs);
      }
      return null;
    },
  };
}

/** The safety laws every scenario keeps under any faults. */
export const safetyInvariants: readonly Invariant[] = [conservation, poolBounds, poolWaits, hopRules, deadlines, eventOrder, tcpBackoff, timeForward, streamIntegrity, noCrashes];

/** Runs each invariant; the violations in list order (safety first if the list puts them first). */
export function checkInvariants(run: SimRun, invariants: readonly Invariant[], phases: Phases = {}): Violation[] {
  const out: Violation[] = [];
  for (const inv of invariants) {
    const v = inv.check(run, phases);
    if (v) out.push(v);
  }
  return out;
}
