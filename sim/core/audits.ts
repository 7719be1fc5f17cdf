/**
 * Audits: components hold their configuration to its word as they run — a gateway tries a request at most
 * maxRetries + 1 times, an HTTP server answers every request whose handler finished on a live connection — and
 * note each time they break it. The chaos invariants read the notes after the run. The check sits beside the
 * code it watches, not inside the branch a bug would change: a gateway that forgets its retry limit still
 * counts its tries.
 */
import type { ActorContext } from './context.js';
import type { Micros } from './time.js';

/** The name a World provides its registry under, for components to reach it from their actor's context. */
export const AUDITS_SERVICE = 'audits';

export class Audit {
  /** The first breach: one line with the numbers, and when. */
  first: { message: string; atUs: Micros } | null = null;
  breaches = 0;

  constructor(
    /** Who keeps the rule: 'gateway gw', 'http server api:8080'. */
    readonly who: string,
    /** The rule's name, as invariants report it: 'gateway-tries', 'http-answers', 'client-retries'. */
    readonly rule: string,
  ) {}

  /** The rule broke now. */
  breach(atUs: Micros, message: string): void {
    this.breaches++;
    this.first ??= { message, atUs };
  }
}

/** Every audit the world's components opened, in the order they opened them. */
export class AuditRegistry {
  private readonly list: Audit[] = [];

  open(who: string, rule: string): Audit {
    const audit = new Audit(who, rule);
    this.list.push(audit);
    return audit;
  }

  all(): readonly Audit[] {
    return this.list;
  }
}

/** An audit for `rule`, kept by the world `ctx` lives in; a throwaway one in a bare simulation (nobody reads it). */
export function openAudit(ctx: ActorContext, who: string, rule: string): Audit {
  return ctx.simulation.provides(AUDITS_SERVICE) ? ctx.service<AuditRegistry>(AUDITS_SERVICE).open(who, rule) : new Audit(who, rule);
}
