/**
 * Yielding to the host event loop, so that every queued promise continuation runs.
 *
 * The run loop calls this only when an async actor was resumed and has neither blocked again on the
 * simulator nor finished after many microtask turns: it is waiting on a promise the simulator did not make.
 * No virtual time passes and nothing outside the simulation can change its state, so this does not make a run
 * depend on real time; it only lets the JS engine drain its microtask queue completely.
 */
type Resolve = () => void;

const g = globalThis as { setImmediate?: (fn: Resolve) => unknown; MessageChannel?: typeof MessageChannel }; // host-loop yield only, never a clock

export const yieldToHost: () => Promise<void> =
  typeof g.setImmediate === 'function' // Node: the cheapest macrotask; reads no time
    ? () => new Promise<void>((resolve) => g.setImmediate!(resolve)) // drains microtasks; no virtual or real time is read
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
