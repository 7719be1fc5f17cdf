/**
 * The faults the core owns: what happens to a host (crash, kill, stop, pause, resume, restart; host.ts says
 * what each means) and the drain (load generators start no new work). Registered when the core loads.
 */
import { z } from 'zod';
import { SimError } from './errors.js';
import { registerFaultKind, type FaultKind, type FaultScope } from './fault-kinds.js';
import { expected } from './fault-schedule.js';

/** One host, by name. */
export const hostNameField = z.string(expected('a host name'));

/** A host fault's `host` must be one of the scope's hosts. */
export function checkHostName(host: string, where: string, scope: FaultScope): void {
  const hosts = scope.hostNames();
  if (!hosts.includes(host)) throw new SimError('ERR_FAULT', `${where}: unknown host '${host}' (hosts: ${hosts.join(', ') || 'none'})`);
}

export type HostEventFault = { kind: 'crash' | 'kill' | 'stop' | 'pause' | 'resume' | 'restart'; host: string };

/** A fault on one host, declared with what is common to them all: the `host` field and its check. */
export function hostFaultKind<F extends { kind: string; host: string }, S extends FaultScope = FaultScope>(
  kind: Omit<FaultKind<F, S>, 'target' | 'fields' | 'check'> & { fields?: Record<string, z.ZodType>; check?: (fault: F, where: string, scope: S) => void },
): FaultKind<F, S> {
  const { check, fields, ...rest } = kind;
  return {
    ...rest,
    target: 'host',
    fields: { host: hostNameField, ...fields },
    check(fault, where, scope) {
      checkHostName(fault.host, `${where}.host`, scope);
      check?.(fault, where, scope);
    },
  };
}

const restart = (f: { host: string }) => ({ kind: 'restart', host: f.host });

/** The host events, one declaration each; their periods come from the host.<event> records the core writes. */
const hostEvent = (
  kind: HostEventFault['kind'],
  rank: number,
  summary: string,
  more: Pick<FaultKind<HostEventFault>, 'end' | 'episode' | 'form'> = {},
): FaultKind<HostEventFault> =>
  hostFaultKind<HostEventFault>({
    kind,
    layer: 'host',
    rank,
    summary,
    apply: (f, scope) => scope.sim.host(f.host)[f.kind](),
    period: { hostEvent: true },
    ...more,
  });

export const crashFault = registerFaultKind(
  hostEvent('crash', 80, 'the machine vanishes: its processes and sockets are gone without a word (no FIN, no RST)', {
    end: restart,
    episode: { rank: 50, hosts: { own: 'targets' } },
    form: { value: null },
  }),
);
export const killFault = registerFaultKind(
  hostEvent('kill', 90, 'its processes die (SIGKILL); the machine stays up and its kernel answers for their sockets', {
    end: restart,
    episode: { rank: 60, hosts: { own: 'targets' } },
    form: { value: null },
  }),
);
export const stopFault = registerFaultKind(hostEvent('stop', 100, 'orderly shutdown: processes run their stop hooks and close their sockets', { end: restart, form: { value: null } }));
export const pauseFault = registerFaultKind(
  hostEvent('pause', 110, 'its processes freeze (SIGSTOP, a long GC pause); the machine and its kernel keep running', {
    end: (f) => ({ kind: 'resume', host: f.host }),
    episode: { rank: 70, hosts: 'targets' },
    form: { value: null },
  }),
);
export const resumeFault = registerFaultKind(hostEvent('resume', 120, 'paused processes go on'));
export const restartFault = registerFaultKind(hostEvent('restart', 130, 'a crashed, killed or stopped host comes back; its processes start again'));

export const drainFault = registerFaultKind<{ kind: 'drain' }, FaultScope>({
  kind: 'drain',
  layer: 'host',
  rank: 150,
  summary: "load generators start no new requests from now on (a chaos run's drain phase); those under way finish",
  target: 'none',
  fields: {},
  apply: (_f, scope) => scope.sim.drain(),
  period: { opens: 'drain' },
});
