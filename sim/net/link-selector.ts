/**
 * Which links a link fault touches: `a` (a host or a list of hosts) against `b` (likewise; default every
 * other host known when the fault applies), both directions unless `oneWay`, when only packets from a to b
 * are affected. Pure host-name arithmetic, so a trace reader with no Network expands selectors the same way.
 */
import { z } from 'zod';
import { SimError } from '../core/errors.js';
import { expected } from '../core/fault-schedule.js';
import { checkHostName, hostNameField } from '../core/host-faults.js';
import type { FaultScope } from '../core/fault-kinds.js';

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

const hostSelector = z.union([hostNameField, z.array(hostNameField).min(1, 'expected at least one host')], expected('a host name or a list of host names'));
const oneWay = z.boolean(expected('true or false'));

/** The selector's fields, for a kind that needs one (partition) and one that may go without (heal). */
export const selectorFields = { a: hostSelector, b: hostSelector.optional(), oneWay: oneWay.optional() };
export const optionalSelectorFields = { a: hostSelector.optional(), b: hostSelector.optional(), oneWay: oneWay.optional() };

/** Host names in the selector are the scope's; `b` needs `a`; a selection must cover some link. */
export function checkSelector(sel: OptionalLinkSelector, where: string, scope: FaultScope): void {
  for (const field of ['a', 'b'] as const) for (const name of hostList(sel[field])) checkHostName(name, `${where}.${field}`, scope);
  if (sel.a === undefined && sel.b !== undefined) throw new SimError('ERR_FAULT', `${where}.b: needs a (b is what a is cut from)`);
  if (sel.a !== undefined && selectorPairs(scope.hostNames(), sel).length === 0) {
    throw new SimError('ERR_FAULT', `${where}.b: the selection covers no link (${sel.b === undefined ? 'a names every host, so the rest is empty' : 'a and b name the same single host'})`);
  }
}

/**
 * The ordered host pairs (from, to) a selector covers, in a stable order: a's hosts as listed, each against
 * b's as listed (or the other hosts in `all`'s order), a → b before b → a; no pair twice, none to itself.
 * No `a`: every pair of distinct hosts.
 */
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
  const as = hostList(sel.a);
  const bs = sel.b === undefined ? all.filter((h) => !as.includes(h)) : hostList(sel.b);
  for (const x of as) {
    for (const y of bs) {
      add(x, y);
      if (!sel.oneWay) add(y, x);
    }
  }
  return out;
}

/** A selector's hosts as a list. */
export function hostList(sel: HostSelector | undefined): string[] {
  return sel === undefined ? [] : typeof sel === 'string' ? [sel] : sel;
}

/** 'gw → svc-1', 'db | svc-1,svc-2', 'db | rest', 'all links': a selector in a label. */
export function selectorText(sel: { a?: unknown; b?: unknown; oneWay?: unknown }): string {
  const names = (s: unknown) => (typeof s === 'string' ? [s] : Array.isArray(s) ? s.map(String) : []);
  if (sel.a === undefined) return 'all links';
  return `${names(sel.a).join(',')} ${sel.oneWay === true ? '→' : '|'} ${sel.b === undefined ? 'rest' : names(sel.b).join(',')}`;
}
