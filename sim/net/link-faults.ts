/**
 * The network's faults: partitions and their heal, clogs (hold, then release), and changes of a link's
 * latency, loss or any option. Each names its links with a selector (link-selector.ts). Registered when the
 * network loads.
 *
 *   { "at": "10s", "kind": "partition", "a": "db" }                       db cut off from everyone
 *   { "at": "10s", "kind": "partition", "a": ["a", "b"], "b": ["c"] }     {a, b} | {c}, both ways
 *   { "at": "12s", "kind": "partition", "a": "a", "b": "b", "oneWay": true } a's packets to b are lost
 *   { "at": "20s", "kind": "heal" }                                        every partition ends
 *   { "at": "21s", "kind": "hold", "a": "a", "b": "b" }                   packets wait (clog) …
 *   { "at": "22s", "kind": "release", "a": "a", "b": "b" }                … and leave, in order
 *   { "at": "30s", "kind": "loss", "a": "client", "loss": 0.05 }
 *   { "at": "30s", "kind": "latency", "a": "client", "latency": { "kind": "uniform", "min": "5ms", "max": "20ms" } }
 *   { "at": "40s", "kind": "link", "a": "a", "b": "b", "options": { "bandwidthBps": 1000000 } }
 */
import { z } from 'zod';
import { distribution, type DistributionSpec } from '../core/distribution.js';
import { numberOrText, registerFaultKind, type FaultKind, type FaultScope, type LinkBase } from '../core/fault-kinds.js';
import { expected } from '../core/fault-schedule.js';
import { showValue } from '../core/errors.js';
import type { LinkOptions } from './link.js';
import { resolveLinkOptions } from './link-options.js';
import type { Network } from './network.js';
import { checkSelector, optionalSelectorFields, selectorFields, selectorPairs, selectorText, type LinkSelector, type OptionalLinkSelector } from './link-selector.js';

/** A world with a network: what link faults apply to. */
export interface NetScope extends FaultScope {
  readonly net: Network;
}

export type PartitionFault = { kind: 'partition' } & LinkSelector;
export type HealFault = { kind: 'heal' } & OptionalLinkSelector;
export type HoldFault = { kind: 'hold' } & LinkSelector;
export type ReleaseFault = { kind: 'release' } & OptionalLinkSelector;
export type LatencyFault = { kind: 'latency'; latency: DistributionSpec } & LinkSelector;
export type LossFault = { kind: 'loss'; loss: number } & LinkSelector;
export type LinkFault = { kind: 'link'; options: Partial<LinkOptions> } & LinkSelector;

/** The ordered host pairs (from, to) a selector covers on `network` (link-selector.ts's selectorPairs). */
export function linkPairs(network: Network, sel: OptionalLinkSelector): [string, string][] {
  return selectorPairs(
    network.hosts().map((h) => h.name),
    sel,
  );
}

/** The selector of `f` as a fault that ends it carries it: `b` and `oneWay` only where `f` has them. */
function sameLinks(f: OptionalLinkSelector): OptionalLinkSelector {
  return { ...(f.a !== undefined ? { a: f.a } : {}), ...(f.b !== undefined ? { b: f.b } : {}), ...(f.oneWay ? { oneWay: true } : {}) };
}

/** A link fault: the selector fields and their check, then the kind's own. */
function linkFaultKind<F extends { kind: string } & OptionalLinkSelector>(
  kind: Omit<FaultKind<F, NetScope>, 'layer' | 'target' | 'fields' | 'check' | 'describe'> & {
    optional?: boolean;
    fields?: Record<string, z.ZodType>;
    check?: (fault: F, where: string, scope: NetScope) => void;
    detail?: (fault: F) => string;
  },
): FaultKind<F, NetScope> {
  const { optional, fields, check, detail, ...rest } = kind;
  return {
    ...rest,
    layer: 'net',
    target: optional ? 'links?' : 'links',
    fields: { ...(optional ? optionalSelectorFields : selectorFields), ...fields },
    check(fault, where, scope) {
      checkSelector(fault, where, scope);
      check?.(fault, where, scope);
    },
    describe: (f) => `${f.kind}${detail?.(f) ?? ''} ${selectorText(f)}`,
  };
}

const probability = z.number(expected('a probability from 0 to 1')).refine((p) => p >= 0 && p <= 1, { error: (iss) => `expected a probability from 0 to 1, got ${showValue(iss.input)}` });
/** Checked by compiling it (kind.check), which names the very field at fault ('latency.max: …'). */
const distributionField = z.custom<DistributionSpec>((v) => v !== undefined, { error: () => 'missing' });
const optionNames = ['latency', 'loss', 'duplicate', 'reorder', 'bandwidthBps', 'queuePackets', 'dropPolicy'];
const linkOptionsField = z.strictObject(
  {
    latency: z.custom<DistributionSpec>().optional(),
    loss: probability.optional(),
    duplicate: probability.optional(),
    reorder: probability.optional(),
    bandwidthBps: z.number(expected('bits per second above 0, or null')).positive({ error: (iss) => `expected bits per second above 0, or null, got ${showValue(iss.input)}` }).nullable().optional(),
    queuePackets: z.number(expected('a whole number of packets')).int(expected('a whole number of packets')).nonnegative(expected('a whole number of packets, 0 or more')).optional(),
    dropPolicy: z.enum(['tail', 'head'], expected("'tail' or 'head'")).optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `not a link option (options: ${optionNames.join(', ')})` : `expected an object of link options, got ${showValue(iss.input)}`) },
);

const pairsOf = (scope: NetScope, f: OptionalLinkSelector) => linkPairs(scope.net, f);
const shortJson = (v: unknown) => {
  const text = JSON.stringify(v) ?? '';
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
};

export const partitionFault = registerFaultKind(
  linkFaultKind<PartitionFault>({
    kind: 'partition',
    rank: 10,
    summary: 'every packet on the links is dropped, those in flight when it begins included',
    apply: (f, scope) => {
      for (const [x, y] of pairsOf(scope, f)) scope.net.link(x, y).partitioned = true;
    },
    end: (f) => ({ kind: 'heal', ...sameLinks(f) }),
    period: { opens: 'partition' },
    episode: { rank: 10 },
    form: { value: null },
  }),
);

export const healFault = registerFaultKind(
  linkFaultKind<HealFault>({
    kind: 'heal',
    rank: 20,
    optional: true,
    summary: 'ends partitions on the links (every link without a selector)',
    apply: (f, scope) => {
      for (const [x, y] of pairsOf(scope, f)) scope.net.link(x, y).partitioned = false;
    },
    period: { closes: 'partition' },
  }),
);

export const holdFault = registerFaultKind(
  linkFaultKind<HoldFault>({
    kind: 'hold',
    rank: 30,
    summary: 'clog: packets on the links wait (bounded by the queue) until released',
    apply: (f, scope) => {
      for (const [x, y] of pairsOf(scope, f)) scope.net.link(x, y).hold();
    },
    end: (f) => ({ kind: 'release', ...sameLinks(f) }),
    period: { opens: 'hold' },
    episode: { name: 'clog', rank: 40 },
    form: { value: null },
  }),
);

export const releaseFault = registerFaultKind(
  linkFaultKind<ReleaseFault>({
    kind: 'release',
    rank: 40,
    optional: true,
    summary: 'held packets leave, in order (every link without a selector)',
    apply: (f, scope) => {
      for (const [x, y] of pairsOf(scope, f)) scope.net.link(x, y).release();
    },
    period: { closes: 'hold' },
  }),
);

export const latencyFault = registerFaultKind(
  linkFaultKind<LatencyFault>({
    kind: 'latency',
    rank: 50,
    summary: 'sets the one-way latency of the links',
    fields: { latency: distributionField },
    check: (f, where) => void distribution(f.latency, `${where}.latency`),
    apply: (f, scope) => {
      for (const [x, y] of pairsOf(scope, f)) scope.net.configureLink(x, y, { latency: f.latency });
    },
    detail: (f) => ` ${shortJson(f.latency)}`,
    end: (f, base) => (base ? { kind: 'latency', ...sameLinks(f), latency: base.latency } : null),
    period: { sets: 'latency' },
    // One-way latency drawn uniformly from [v, 2v] ms: jitter, as a congested path has; 1 ms up to 2 s
    // one way (2–4 s round trips, past most timeouts).
    episode: { rank: 30, value: { min: 1, max: 2000 }, fields: (v) => ({ latency: { kind: 'uniform', min: `${v}ms`, max: `${2 * v}ms` } }), describeValue: (v) => ` ${v}–${2 * v} ms` },
    form: {
      value: {
        field: 'latency',
        label: 'latency ms',
        defaultText: '200',
        // A number is milliseconds, '1.5s' a constant duration, '{…}' a distribution.
        read: (text) => {
          const trimmed = text.trim();
          if (trimmed !== '' && Number.isFinite(Number(trimmed))) return `${trimmed}ms`;
          if (trimmed.startsWith('{')) {
            try {
              return JSON.parse(trimmed) as unknown;
            } catch {
              // Left as text: the check names the field and quotes it.
            }
          }
          return trimmed;
        },
      },
    },
  }),
);

export const lossFault = registerFaultKind(
  linkFaultKind<LossFault>({
    kind: 'loss',
    rank: 60,
    summary: 'sets the probability that the links lose a packet',
    fields: { loss: probability },
    apply: (f, scope) => {
      for (const [x, y] of pairsOf(scope, f)) scope.net.configureLink(x, y, { loss: f.loss });
    },
    detail: (f) => ` ${Math.round(f.loss * 1000) / 10}%`,
    end: (f, base: LinkBase | null) => ({ kind: 'loss', ...sameLinks(f), loss: base?.loss ?? 0 }),
    period: { sets: 'loss', neutral: (f) => f.loss === 0 },
    // A burst from 1% (mild) to 100% (a silent partition by another name).
    episode: { rank: 20, value: { min: 1, max: 100 }, fields: (v) => ({ loss: v / 100 }), describeValue: (v) => ` ${v}%` },
    form: { value: { field: 'loss', label: 'loss (0–1)', defaultText: '0.2', read: numberOrText } },
  }),
);

export const linkFault = registerFaultKind(
  linkFaultKind<LinkFault>({
    kind: 'link',
    rank: 70,
    summary: 'sets any link options of the links (latency, loss, duplicate, reorder, bandwidthBps, queuePackets, dropPolicy)',
    fields: { options: linkOptionsField },
    check: (f, where, scope) => void resolveLinkOptions({ ...scope.net.linkDefaults, ...f.options }, `${where}.options`),
    apply: (f, scope) => {
      for (const [x, y] of pairsOf(scope, f)) scope.net.configureLink(x, y, f.options);
    },
    detail: (f) => ` ${shortJson(f.options)}`,
    period: { sets: 'link' },
  }),
);
