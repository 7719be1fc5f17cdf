/**
 * Dial faults: a fault that sets a share of a host's work to go down an error path (a database failing a
 * share of its queries, a handler throwing, a server aborting responses), read by the component as it works
 * (Host.dial). Each layer declares its own dials with `dialFault`; `percent` 0 ends one.
 */
import { z } from 'zod';
import type { ActorContext } from './context.js';
import { showValue } from './errors.js';
import { numberOrText, registerFaultKind } from './fault-kinds.js';
import { expected } from './fault-schedule.js';
import { hostFaultKind } from './host-faults.js';
import type { Host } from './host.js';
import type { RandomStream } from './random.js';

export type DialFault = { kind: string; host: string; percent: number };

const percentField = z
  .number(expected('a percentage from 0 to 100'))
  .min(0, { error: (iss) => `expected a percentage from 0 to 100, got ${showValue(iss.input)}` })
  .max(100, { error: (iss) => `expected a percentage from 0 to 100, got ${showValue(iss.input)}` });

/**
 * Registers the dial fault `kind` for hosts whose components say they are `role` (Host.addRole). `rank` orders
 * it among the kinds (and its chaos episode among the episodes); `what` ends the episode's description.
 */
export function dialFault(kind: string, rank: number, role: string, summary: string, what: string) {
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

/**
 * A component's draws against its host's dials: `hits(dial)` is true for that share of calls. The stream
 * (the actor's `streamName`) is made on the first draw, so a run whose dials stay at 0 draws nothing (and its
 * digest is unchanged).
 */
export class DialDraws {
  private readonly host: Host;
  private stream: RandomStream | null = null;

  constructor(
    private readonly ctx: ActorContext,
    private readonly streamName = 'faults',
  ) {
    this.host = ctx.simulation.host(ctx.host);
  }

  hits(dial: string): boolean {
    const share = this.host.dial(dial);
    return share > 0 && (this.stream ??= this.ctx.random(this.streamName)).next() < share;
  }
}
