/**
 * Yielding to the host event loop, so that every queued promise continuation runs.
 *
 * The run loop calls this only when an async actor was resumed and has neither blocked again on the
 * simulator nor finished after many microtask turns: it is waiting on a promise the simulator did not make.
 * No virtual time passes and nothing outside the simulation can change its state, so this does not make a run
 * depend on real time; it only lets the JS engine drain its microtask queue completely.
 */
import { hostSetImmediate } from './real-world-guard.js';

type Resolve = () => void;

const g = globalThis as { MessageChannel?: typeof MessageChannel };
// The host's own setImmediate, taken before the run's traps replace the global (real-world-guard.ts).
const setImmediateOfHost = hostSetImmediate as ((fn: Resolve) => unknown) | undefined;

export const yieldToHost: () => Promise<void> =
  setImmediateOfHost !== undefined // Node's cheapest macrotask; reads no clock, no randomness
    ? () => new Promise<void>((resolve) => setImmediateOfHost(resolve)) // only drains microtasks; no clock, no randomness, no event fires
    : () =>
        new Promise<void>((resolve) => {
          // Browsers and workers: a MessageChannel round trip is a macrotask without setTimeout's 4 ms clamp.
          const channel = new g.MessageChannel!();
          channel.port1.onmessage = () => {
            channel.port1.close();
            resolve();
          };
          channel.port2.postMessage(0);
        });
