/**
 * Faults as data: plain JSON objects, validated, applied now (applyFault) or at virtual times from a
 * schedule (scheduleFaults). Each applied fault writes a trace record {kind: 'fault', fields: <the fault>}.
 *
 * Link faults name the links they touch with a selector: `a` (a host or a list of hosts) against `b`
 * (likewise; default: every other host known when the fault applies), both directions unless `oneWay`,
 * when only packets from a to b are affected. Examples:
 *
 *   [{ "at": "10s", "kind": "partition", "a": "db" },                       db cut off from everyone
 *    { "at": "10s", "kind": "partition", "a": ["a", "b"], "b": ["c"] },     {a, b} | {c}, both ways
 *    { "at": "12s", "kind": "partition", "a": "a", "b": "b", "oneWay": true }, a's packets to b are lost
 *    { "at": "20s", "kind": "heal" },                                        every partition ends
 *    { "at": "21s", "kind": "hold", "a": "a", "b": "b" },                   packets wait (clog)
 *    { "at": "22s", "kind": "release", "a": "a", "b": "b" },
 *    { "at": "30s", "kind": "loss", "a": "client", "loss": 0.05 },
 *    { "at": "30s", "kind": "latency", "a": "client", "latency": { "kind": "uniform", "min": "5ms", "max": "20ms" } },
 *    { "at": "40s", "kind": "link", "a": "a", "b": "b", "options": { "bandwidthBps": 1000000 } },
 *    { "at": "50s", "kind": "crash", "host": "db" },
 *    { "at": "60s", "kind": "restart", "host": "db" }]
 */
import { z } from 'zod';
import type { JsonValue } from '../core/canonical.js';
import { distribution, distributionSchema, type DistributionSpec } from '../core/distribution.js';
import { SimError } from '../core/errors.js';
import type { Timer } from '../core/scheduler.js';
import { parseDuration, type Duration } from '../core/time.js';
import type { Fields } from '../core/trace.js';
import type { LinkOptions } from './link.js';
import { resolveLinkOptions } from './link-options.js';
import type { Network } from './network.js';

/** One host by name, or several. */
export type HostSelector = string | string[];

/** Which links a link fault touches: a against b (default: every other host), both ways unless oneWay. */
export interface LinkSelector {
  a: HostSelector;
  b?: HostSelector;
  /** Only the direction a → b. Default false. */
  oneWay?: boolean;
}

/** A selector that may be left out: no `a` means every link. */
export type OptionalLinkSelector = Partial<LinkSelector>;

export type HostFaultKind = 'crash' | 'kill' | 'stop' | 'pause' | 'resume' | 'restart';

export type Fault =
  /** Every packet on the selected links is dropped, including those in flight when it begins. */
  | ({ kind: 'partition' } & LinkSelector)
  /** Ends partitions on the selected links (all links without a selector). */
  | ({ kind: 'heal' } & OptionalLinkSelector)
  /** Clog: packets on the selected links wait (bounded by the queue) until release. */
  | ({ kind: 'hold' } & LinkSelector)
  /** Held packets leave, in order (all links without a selector). */
  | ({ kind: 'release' } & OptionalLinkSelector)
  /** Sets the one-way latency of the selected links. */
  | ({ kind: 'latency'; latency: DistributionSpec } & LinkSelector)
  /** Sets the loss probability of the selected links. */
  | ({ kind: 'loss'; loss: number } & LinkSelector)
  /** Sets any link options of the selected links. */
  | ({ kind: 'link'; options: Partial<LinkOptions> } & LinkSelector)
  /**
   * A host event: crash (machine gone silently), kill (processes die, the OS resets their connections),
   * stop (orderly shutdown), pause / resume (processes frozen), restart (back after crash, kill or stop).
   */
  | { kind: HostFaultKind; host: string }
  /** A slow component: the host's database queries (and service CPU) take `factor` times longer; 1 is normal. */
  | { kind: 'slow'; host: string; factor: number }
  /** Load generators start no new requests from now on (a chaos run's drain phase); under way ones finish. */
  | { kind: 'drain' };

/** A fault with the virtual time it applies at (from the start of the run): µs, or a string like '10s'. */
export type ScheduledFault = Fault & { at: Duration };

export const faultKinds = ['partition', 'heal', 'hold', 'release', 'latency', 'loss', 'link', 'crash', 'kill', 'stop', 'pause', 'resume', 'restart', 'slow', 'drain'] as const;
const hostFaultKinds = ['crash', 'kill', 'stop', 'pause', 'resume', 'restart'] as const;

/** A zod error option: 'missing' for an absent field, else what was expected and what came. */
const expected = (what: string) => ({ error: (iss: { input?: unknown }) => (iss.input === undefined ? 'missing' : `expected ${what}, got ${show(iss.input)}`) });

const hostName = z.string(expected('a host name'));
const hostSelector = z.union([hostName, z.array(hostName).min(1, 'expected at least one host')], expected('a host name or a list of host names'));
const oneWay = z.boolean(expected('true or false'));
const probability = z.number(expected('a probability from 0 to 1')).refine((p) => p >= 0 && p <= 1, { error: (iss) => `expected a probability from 0 to 1, got ${show(iss.input)}` });

const selector = { a: hostSelector, b: hostSelector.optional(), oneWay: oneWay.optional() };
const optionalSelector = { a: hostSelector.optional(), b: hostSelector.optional(), oneWay: oneWay.optional() };

const linkOptionsSchema = z.strictObject({
  latency: distributionSchema.optional(),
  loss: probability.optional(),
  duplicate: probability.optional(),
  reorder: probability.optional(),
  bandwidthBps: z.number(expected('bits per second above 0, or null')).positive({ error: (iss) => `expected bits per second above 0, or null, got ${show(iss.input)}` }).nullable().optional(),
  queuePackets: z.number(expected('a whole number of packets')).int(expected('a whole number of packets')).nonnegative(expected('a whole number of packets, 0 or more')).optional(),
  dropPolicy: z.enum(['tail', 'head'], expected("'tail' or 'head'")).optional(),
});

/** The shape of a fault (without `at`). Durations and distributions are checked when the fault is parsed. */
export const faultSchema: z.ZodType<Fault> = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('partition'), ...selector }),
  z.strictObject({ kind: z.literal('heal'), ...optionalSelector }),
  z.strictObject({ kind: z.literal('hold'), ...selector }),
  z.strictObject({ kind: z.literal('release'), ...optionalSelector }),
  z.strictObject({ kind: z.literal('latency'), ...selector, latency: distributionSchema }),
  z.strictObject({ kind: z.literal('loss'), ...selector, loss: probability }),
  z.strictObject({ kind: z.literal('link'), ...selector, options: linkOptionsSchema }),
  z.strictObject({ kind: z.enum(hostFaultKinds), host: hostName }),
  z.strictObject({
    kind: z.literal('slow'),
    host: hostName,
    factor: z.number(expected('a positive factor (1: normal)')).positive({ error: (iss) => `expected a positive factor (1: normal), got ${show(iss.input)}` }),
  }),
  z.strictObject({ kind: z.literal('drain') }),
]);

/** The fields each kind takes, for error messages. */
const fieldsOf = (kind: string): string[] => {
  if (kind === 'drain') return [];
  if (kind === 'slow') return ['host', 'factor'];
  if ((hostFaultKinds as readonly string[]).includes(kind)) return ['host'];
  return ['a', 'b', 'oneWay', ...(kind === 'latency' ? ['latency'] : kind === 'loss' ? ['loss'] : kind === 'link' ? ['options'] : [])];
};

/**
 * Reads a fault schedule: an array of faults, each with `at`. Throws SimError with one line naming the
 * field at fault: `faults[2].loss: expected a probability from 0 to 1, got 1.5`. Host names are checked
 * against the network's hosts, so build the hosts first.
 */
export function parseFaults(json: unknown, network: Network): ScheduledFault[] {
  if (!Array.isArray(json)) throw bad(`faults: expected a list of faults, got ${show(json)}`);
  return json.map((item, i) => {
    const what = `faults[${i}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw bad(`${what}: expected a fault object, got ${show(item)}`);
    const { at, ...rest } = item as Record<string, unknown>;
    checkKind(rest, what);
    if (at === undefined) throw bad(`${what}.at: missing (when to apply it: µs, or a string like '10s')`);
    try {
      parseDuration(at as Duration, `${what}.at`);
    } catch (err) {
      throw bad(messageOf(err));
    }
    return { ...checkFault(rest, network, what, true), at: at as Duration };
  });
}

/** Applies `fault` now and writes its trace record. Throws SimError (one line) for a bad fault. */
export function applyFault(network: Network, fault: Fault): void {
  apply(network, checkFault(fault, network, 'fault', false));
}

/**
 * Schedules each fault at its `at` (virtual time from the start of the run; faults at the same time apply in
 * list order). `faults` is a ScheduledFault[] or JSON read as parseFaults reads it, and is checked first (a
 * bad schedule schedules nothing). Returns the timers (cancel one to call that fault off).
 */
export function scheduleFaults(network: Network, faults: readonly ScheduledFault[] | unknown): Timer<FaultTimer>[] {
  const parsed = parseFaults(faults, network);
  const scheduler = network.sim.scheduler;
  const times = parsed.map((scheduled, i) => {
    const atUs = parseDuration(scheduled.at, `faults[${i}].at`);
    if (atUs < scheduler.now) throw bad(`faults[${i}].at: ${show(scheduled.at)} is before now (${scheduler.now} µs)`);
    return atUs;
  });
  // Every time is checked before any is scheduled: a bad schedule schedules nothing.
  return parsed.map((scheduled, i) => {
    const { at: _at, ...fault } = scheduled;
    return scheduler.at(times[i]!, fireFault, { network, fault: fault as Fault });
  });
}

/** What a scheduled fault's timer carries. */
export interface FaultTimer {
  network: Network;
  fault: Fault;
}

function fireFault(arg: FaultTimer): void {
  apply(arg.network, arg.fault);
}

/** Checks shape (zod), then what zod cannot: host names, durations, distributions, empty selections. */
function checkFault(raw: unknown, network: Network, what: string, scheduled: boolean): Fault {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(`${what}: expected a fault object, got ${show(raw)}`);
  checkKind(raw as Record<string, unknown>, what);
  const result = faultSchema.safeParse(raw);
  if (!result.success) throw bad(formatIssue(result.error.issues[0]!, raw as Record<string, unknown>, what, scheduled));
  const fault = result.data;
  const hosts = network.hosts().map((h) => h.name);
  const known = (name: string, field: string) => {
    if (!hosts.includes(name)) throw bad(`${what}.${field}: unknown host '${name}' (hosts: ${hosts.join(', ') || 'none'})`);
  };
  if (fault.kind === 'drain') return fault;
  if ('host' in fault) {
    known(fault.host, 'host');
    return fault;
  }
  const sel = fault as OptionalLinkSelector;
  for (const field of ['a', 'b'] as const) for (const name of list(sel[field])) known(name, field);
  if (sel.a === undefined && sel.b !== undefined) throw bad(`${what}.b: needs a (b is what a is cut from)`);
  if (sel.a !== undefined && linkPairs(network, sel).length === 0) {
    throw bad(`${what}.b: the selection covers no link (${sel.b === undefined ? 'a names every host, so the rest is empty' : 'a and b name the same single host'})`);
  }
  try {
    if (fault.kind === 'latency') distribution(fault.latency, `${what}.latency`);
    if (fault.kind === 'link') resolveLinkOptions({ ...network.linkDefaults, ...fault.options }, `${what}.options`);
  } catch (err) {
    throw bad(messageOf(err));
  }
  return fault;
}

function checkKind(raw: Record<string, unknown>, what: string): void {
  const kind = raw.kind;
  if (kind === undefined) throw bad(`${what}.kind: missing (kinds: ${faultKinds.join(', ')})`);
  if (typeof kind !== 'string' || !(faultKinds as readonly string[]).includes(kind)) {
    throw bad(`${what}.kind: unknown fault ${show(kind)} (kinds: ${faultKinds.join(', ')})`);
  }
}

function apply(network: Network, fault: Fault): void {
  const sim = network.sim;
  sim.trace.write({ t: sim.now, kind: 'fault', fields: fault as unknown as Fields });
  switch (fault.kind) {
    case 'partition':
      for (const [x, y] of linkPairs(network, fault)) network.link(x, y).partitioned = true;
      return;
    case 'heal':
      for (const [x, y] of linkPairs(network, fault)) network.link(x, y).partitioned = false;
      return;
    case 'hold':
      for (const [x, y] of linkPairs(network, fault)) network.link(x, y).hold();
      return;
    case 'release':
      for (const [x, y] of linkPairs(network, fault)) network.link(x, y).release();
      return;
    case 'latency':
      for (const [x, y] of linkPairs(network, fault)) network.configureLink(x, y, { latency: fault.latency });
      return;
    case 'loss':
      for (const [x, y] of linkPairs(network, fault)) network.configureLink(x, y, { loss: fault.loss });
      return;
    case 'link':
      for (const [x, y] of linkPairs(network, fault)) network.configureLink(x, y, fault.options);
      return;
    case 'slow':
      network.find(fault.host)!.host.setSlow(fault.factor);
      return;
    case 'drain':
      sim.drain();
      return;
    default: {
      const host = network.find(fault.host)!.host;
      host[fault.kind]();
    }
  }
}

/**
 * The ordered host pairs (from, to) a selector covers, in a stable order: a's hosts as listed, each against
 * b's as listed (or the other hosts in creation order), a → b before b → a; no pair twice, none to itself.
 * No `a`: every pair of distinct hosts.
 */
export function linkPairs(network: Network, sel: OptionalLinkSelector): [string, string][] {
  return selectorPairs(
    network.hosts().map((h) => h.name),
    sel,
  );
}

/** linkPairs over a list of host names (in creation order): what a trace reader uses, having no Network. */
export function selectorPairs(all: readonly string[], sel: OptionalLinkSelector): [string, string][] {
  const seen = new Set<string>();
  const out: [string, string][] = [];
  const add = (x: string, y: string) => {
    const key = `${x}>${y}`;
    if (x === y || seen.has(key)) return;
    seen.add(key);
    out.push([x, y]);
  };
  if (sel.a === undefined) {
    for (const x of all) for (const y of all) add(x, y);
    return out;
  }
  const as = list(sel.a);
  const bs = sel.b === undefined ? all.filter((h) => !as.includes(h)) : list(sel.b);
  for (const x of as) {
    for (const y of bs) {
      add(x, y);
      if (!sel.oneWay) add(y, x);
    }
  }
  return out;
}

function list(sel: HostSelector | undefined): string[] {
  return sel === undefined ? [] : typeof sel === 'string' ? [sel] : sel;
}

/** One zod issue as `faults[2].field: problem`, with messages written for people. */
function formatIssue(issue: z.core.$ZodIssue, raw: Record<string, unknown>, what: string, scheduled: boolean): string {
  const kind = String(raw.kind);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const where = pathText(what, issue.path);
    if (issue.path.length === 0) return `${where}.${key}: not a field of a ${kind} fault (fields: ${scheduled ? 'at, ' : ''}kind, ${fieldsOf(kind).join(', ')})`;
    return `${where}.${key}: not a link option (options: latency, loss, duplicate, reorder, bandwidthBps, queuePackets, dropPolicy)`;
  }
  const where = pathText(what, issue.path);
  const value = valueAt(raw, issue.path);
  if (value === undefined && issue.path.length > 0) return `${where}: missing`;
  const last = issue.path[issue.path.length - 1];
  if (last === 'latency') {
    // The distribution's own compiler says which of its fields is wrong; zod's union can only say "invalid".
    try {
      distribution(value as DistributionSpec, where);
    } catch (err) {
      return messageOf(err);
    }
  }
  if ((issue.code === 'invalid_value' || issue.code === 'invalid_union') && !issue.message.startsWith('expected')) {
    return `${where}: expected one of the allowed values, got ${show(value)}`;
  }
  return `${where}: ${issue.message}`;
}

function pathText(what: string, path: readonly PropertyKey[]): string {
  return what + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

function bad(message: string): SimError {
  return new SimError('ERR_FAULT', message);
}

/** A value as an error message quotes it: strings in single quotes, the rest as JSON. */
function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === undefined) return 'nothing';
  return JSON.stringify(v as JsonValue) ?? String(v);
}
