/**
 * Link options: their defaults, written once, and the one check every link's options pass before use
 * (network defaults, per-pair overrides, fault data), so a bad value is refused with a line naming it.
 */
import { distribution, fdbLatency } from '../core/distribution.js';
import { SimError, showValue as show } from '../core/errors.js';
import type { LinkOptions } from './link.js';

/**
 * What a link does unless told otherwise: FoundationDB's latency shape (99.9% 0.1–0.8 ms, 0.1% up to
 * 100 ms), nothing lost, duplicated or reordered, unlimited bandwidth, and Linux's default txqueuelen
 * (1000 packets) dropping at the tail, as the kernel's default pfifo_fast qdisc does.
 */
export const defaultLinkOptions: Readonly<LinkOptions> = Object.freeze({
  latency: fdbLatency,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  bandwidthBps: null,
  queuePackets: 1000,
  dropPolicy: 'tail',
});

const optionNames = Object.keys(defaultLinkOptions);

/**
 * Checks every field of `o` and returns a copy holding exactly the link options. `what` names the options in
 * messages ('link a->b', 'network.link', 'faults[2].options'); the message is one line naming the field.
 */
export function resolveLinkOptions(o: LinkOptions, what: string): LinkOptions {
  if (o === null || typeof o !== 'object') throw bad(`${what}: expected an object of link options, got ${show(o)}`);
  for (const key of Object.keys(o)) {
    if (!optionNames.includes(key)) throw bad(`${what}.${key}: not a link option (options: ${optionNames.join(', ')})`);
  }
  try {
    distribution(o.latency, `${what}.latency`);
  } catch (err) {
    throw bad(err instanceof Error ? err.message.split('\n')[0]! : String(err));
  }
  for (const key of ['loss', 'duplicate', 'reorder'] as const) {
    const p = o[key];
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw bad(`${what}.${key}: expected a probability from 0 to 1, got ${show(p)}`);
  }
  const bw = o.bandwidthBps;
  if (bw !== null && (typeof bw !== 'number' || !Number.isFinite(bw) || bw <= 0)) {
    throw bad(`${what}.bandwidthBps: expected bits per second above 0, or null for unlimited, got ${show(bw)}`);
  }
  const q = o.queuePackets;
  if (typeof q !== 'number' || !Number.isSafeInteger(q) || q < 0) throw bad(`${what}.queuePackets: expected a whole number of packets, 0 or more, got ${show(q)}`);
  if (o.dropPolicy !== 'tail' && o.dropPolicy !== 'head') throw bad(`${what}.dropPolicy: expected 'tail' or 'head', got ${show(o.dropPolicy)}`);
  return {
    latency: o.latency,
    loss: o.loss,
    duplicate: o.duplicate,
    reorder: o.reorder,
    bandwidthBps: bw,
    queuePackets: q,
    dropPolicy: o.dropPolicy,
  };
}

function bad(message: string): SimError {
  return new SimError('ERR_LINK_OPTION', message);
}

