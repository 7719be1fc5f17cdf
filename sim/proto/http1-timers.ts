/**
 * Protocol timers (keep-alive, headers, connect and request timeouts) that run as the actor's work when they
 * fire, but do not count as something the actor waits on: they are armed and cancelled on most requests, and
 * what keeps the actor alive meanwhile is the socket or the awaited request, not the timer. (A cancelled
 * ActorContext.timer stays in the actor's wait set, so an actor that had cancelled one would never end.)
 */
import type { ActorContext } from '../core/context.js';
import type { Timer } from '../core/scheduler.js';

/** What a protocol timer carries. */
export interface Armed {
  ctx: ActorContext;
  fn: () => void;
}

/** A protocol timer: cancel() it when what it guards is over. */
export type ProtocolTimer = Timer<Armed>;

function fire(armed: Armed): void {
  armed.ctx.dispatch(armed.fn);
}

/** Runs `fn` as `ctx`'s work after `delayMs` (a whole number of ms; now or when a pause is over; never once the actor has ended). */
export function protocolTimer(ctx: ActorContext, delayMs: number, fn: () => void): ProtocolTimer {
  return ctx.simulation.scheduler.after(delayMs * 1000, fire, { ctx, fn });
}
