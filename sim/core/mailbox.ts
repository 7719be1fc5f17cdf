/**
 * In-core messages between actors: sent with a latency drawn from a distribution, delivered to the
 * receiver's pending recv(), its handler, or its inbox. A stand-in for the network for scenarios (and tests)
 * that need no sockets.
 */
import type { Actor } from './actor.js';
import type { JsonValue } from './canonical.js';
import type { Micros } from './time.js';

export interface Message {
  /** Unique within the run, in send order. */
  id: number;
  /** Sender's address, 'host/actor'. */
  from: string;
  /** Receiver's address. */
  to: string;
  payload: JsonValue;
  sentAtUs: Micros;
}

/** Hands a message that has arrived to a live actor. Returns false when the actor is not there to take it. */
export function deliver(actor: Actor, message: Message): boolean {
  if (!actor.alive) return false;
  actor.dispatch(() => hand(actor, message));
  return true;
}

function hand(actor: Actor, message: Message): void {
  const receiver = actor.receiver;
  if (receiver) {
    actor.receiver = null;
    actor.wake();
    receiver(message);
  } else if (actor.handler) {
    try {
      actor.handler(message);
    } catch (err) {
      actor.fail(err);
    }
    actor.endIfNothingLeft();
  } else {
    actor.inbox.push(message);
  }
}
