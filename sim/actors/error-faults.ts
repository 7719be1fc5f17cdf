/**
 * Faults that take a component down its error paths rather than slowing it: a database that fails a share of
 * its queries (ERROR 40001, a serialization failure a retry would clear) or resets the connection mid-query
 * (FATAL 57P01 then FIN, as pg_terminate_backend or a failover does), and a service whose handler throws for a
 * share of its requests (a bug in the application: the server must still answer, 500). Each sets a dial on
 * its host that the component reads as it works (Host.dial); `percent` 0 ends it.
 */
import { z } from 'zod';
import { showValue } from '../core/errors.js';
import { numberOrText, registerFaultKind } from '../core/fault-kinds.js';
import { expected } from '../core/fault-schedule.js';
import { hostFaultKind } from '../core/host-faults.js';
import type { ActorContext } from '../core/context.js';
import type { Host } from '../core/host.js';
import type { RandomStream } from '../core/random.js';

export type DialFault = { kind: string; host: string; percent: number };

/** The dials' names, as components read them. */
export const QUERY_ERRORS = 'query-errors';
export const QUERY_RESETS = 'query-resets';
export const HANDLER_ERRORS = 'handler-errors';

const percentField = z
  .number(expected('a percentage from 0 to 100'))
  .min(0, { error: (iss) => `expected a percentage from 0 to 100, got ${showValue(iss.input)}` })
  .max(100, { error: (iss) => `expected a percentage from 0 to 100, got ${showValue(iss.input)}` });

function dialFault(kind: string, rank: number, role: string, summary: string, what: string) {
  return registerFaultKind(
    hostFaultKind<DialFault>({
      kind,
      layer: role,
      rank,
      summary,
      fields: { percent: percentField },
      apply: (f, scope) => scope.sim.host(f.host).setDial(kind, f.percent / 100),
      describe: (f) => `${kind} ${f.host} ${f.percent}%`,
      end: (f) => ({ kind, host: f.host, percent: 0 }),
      period: { level: kind, value: (f) => Number(f.percent), neutral: 0 },
      // 5–50% of the work: enough that every run meets the error path, not so much that nothing else happens.
      episode: { rank: rank - 60, hosts: { own: { roles: [role] } }, value: { min: 5, max: 50 }, fields: (v) => ({ percent: v }), describeValue: (v) => ` ${v}% ${what}` },
      form: { value: { field: 'percent', label: '% of work', defaultText: '20', read: numberOrText } },
    }),
  );
}

export const queryErrorsFault = dialFault(QUERY_ERRORS, 150, 'database', 'the database fails `percent`% of its queries with ERROR 40001 (serialization failure); 0 ends it', 'of queries fail');
export const queryResetsFault = dialFault(QUERY_RESETS, 151, 'database', 'the database ends `percent`% of its sessions mid-query with FATAL 57P01 and closes them (pg_terminate_backend, a failover); 0 ends it', 'of queries reset');
export const handlerErrorsFault = dialFault(HANDLER_ERRORS, 152, 'service', "the service's handler throws for `percent`% of its requests (an application bug; the server answers 500); 0 ends it", 'of handlers throw');

/**
 * A component's draws against its host's dials: `hits(dial)` is true for that share of calls. The stream is
 * made on the first draw, so a run whose dials stay at 0 draws nothing (and its digest is unchanged).
 */
export class DialDraws {
  private readonly host: Host;
  private stream: RandomStream | null = null;

  constructor(private readonly ctx: ActorContext) {
    this.host = ctx.simulation.host(ctx.host);
  }

  hits(dial: string): boolean {
    const share = this.host.dial(dial);
    return share > 0 && (this.stream ??= this.ctx.random('faults')).next() < share;
  }
}
