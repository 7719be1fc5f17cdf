/**
 * A small typed event emitter for sockets and servers (Node's EventEmitter is not available in the browser
 * build of sim/). Listeners run through the owning actor's dispatch, so a paused process hears nothing until
 * it resumes, and an exception in a listener fails that actor rather than the simulator.
 */
import type { Actor } from '../core/actor.js';

type Listener = (...args: any[]) => void;

export class Emitter<Events extends Record<string, Listener>> {
  private listeners: { [K in keyof Events]?: { fn: Events[K]; once: boolean }[] } = {};

  /** @internal */
  constructor(protected readonly owner: Actor) {}

  on<K extends keyof Events>(event: K, fn: Events[K]): this {
    (this.listeners[event] ??= []).push({ fn, once: false });
    return this;
  }

  once<K extends keyof Events>(event: K, fn: Events[K]): this {
    (this.listeners[event] ??= []).push({ fn, once: true });
    return this;
  }

  off<K extends keyof Events>(event: K, fn: Events[K]): this {
    const list = this.listeners[event];
    if (list) this.listeners[event] = list.filter((l) => l.fn !== fn);
    return this;
  }

  /**
   * The next `event`, as a promise (Node's events.once): resolves with the event's arguments. Made by the
   * simulator, so the awaiting actor resumes at the virtual time the event fires.
   */
  wait<K extends keyof Events>(event: K): Promise<Parameters<Events[K]>> {
    return this.owner.suspend<Parameters<Events[K]>>(`the '${String(event)}' event`, (resolve) => {
      this.once(event, ((...args: Parameters<Events[K]>) => resolve(args)) as Events[K]);
    });
  }

  listenerCount<K extends keyof Events>(event: K): number {
    return this.listeners[event]?.length ?? 0;
  }

  /** @internal Calls the listeners of `event` as the owner's work; returns whether there were any. */
  emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): boolean {
    const list = this.listeners[event];
    if (!list || list.length === 0) return false;
    const owner = this.owner;
    owner.dispatch(() => {
      const current = this.listeners[event];
      if (!current) return;
      for (const l of [...current]) {
        if (l.once) this.off(event, l.fn);
        try {
          const result: unknown = l.fn(...args);
          // An async listener is a task of its own (a connection handler): follow it.
          if (result && typeof (result as Promise<unknown>).then === 'function') owner.trackTask(result as Promise<unknown>);
        } catch (err) {
          owner.fail(err);
          return;
        }
      }
    });
    return true;
  }
}
