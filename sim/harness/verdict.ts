/** A case's verdict: the one finding that classes it (nondeterminism, else the first safety violation, else liveness). */
import { DETERMINISM, type CaseFile } from './case-file.js';
import type { Violation } from './invariants.js';
import type { Divergence } from './self-check.js';

export type Finding = NonNullable<CaseFile['failure']>;

/** Null: the case passed. */
export function verdictOf(violations: readonly Violation[], divergence: Divergence | null): Finding | null {
  if (divergence) {
    const times = divergence.tUs.filter((t): t is number => t !== null);
    return {
      class: 'nondeterminism',
      invariant: DETERMINISM,
      message: `two runs parted at trace record #${divergence.index} (${divergence.kinds.map((k) => k ?? 'end of trace').join(' vs ')}); digests ${divergence.digests.join(' and ')}`,
      ...(times.length > 0 ? { atUs: Math.min(...times) } : {}),
    };
  }
  const v = violations.find((x) => x.class === 'safety') ?? violations[0];
  if (!v) return null;
  return { class: v.class, invariant: v.invariant, message: v.message, ...(v.atUs !== undefined ? { atUs: v.atUs } : {}) };
}
