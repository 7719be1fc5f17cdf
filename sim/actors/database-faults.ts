/**
 * The database's fault: `slow`, a degraded disk or a noisy neighbour. The host's slowable components run
 * `factor` times slower: a database's query execution, a service's CPU time (1 is normal again). Registered
 * by the world (sim/world.ts), so every schedule knows it, whether or not the run has a database.
 */
import { z } from 'zod';
import { showValue } from '../core/errors.js';
import { numberOrText, registerFaultKind } from '../core/fault-kinds.js';
import { expected } from '../core/fault-schedule.js';
import { hostFaultKind } from '../core/host-faults.js';

export type SlowFault = { kind: 'slow'; host: string; factor: number };

const factorField = z.number(expected('a positive factor (1: normal)')).positive({ error: (iss) => `expected a positive factor (1: normal), got ${showValue(iss.input)}` });

export const slowFault = registerFaultKind(
  hostFaultKind<SlowFault>({
    kind: 'slow',
    layer: 'database',
    rank: 140,
    summary: "the host's database queries (and service CPU) take `factor` times longer; 1 is normal",
    fields: { factor: factorField },
    apply: (f, scope) => scope.sim.host(f.host).setSlow(f.factor),
    describe: (f) => `slow ${f.host} ×${f.factor}`,
    end: (f) => ({ kind: 'slow', host: f.host, factor: 1 }),
    period: { level: 'slow', value: (f) => Number(f.factor), neutral: 1 },
    // 2× (mild) to 50× (pool-exhaustion's incident is 20×); only a host with a slowable component feels it.
    episode: { rank: 80, hosts: { own: { roles: ['database', 'service'] } }, value: { min: 2, max: 50 }, fields: (v) => ({ factor: v }), describeValue: (v) => ` ×${v}` },
    form: { value: { field: 'factor', label: 'factor ×', defaultText: '20', read: numberOrText } },
  }),
);
