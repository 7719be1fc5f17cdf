/**
 * Traps on the real world while a simulation runs: Math.random, the real clock (Date.now, new Date(), Date(),
 * performance.now) and real timers (setTimeout, setInterval, setImmediate) throw NondeterminismError while
 * simulation code runs, so a scenario, a protocol or a pool that reaches them fails at once, naming what it
 * reached, instead of making a run that no seed reproduces. Outside a run (the harness, the test runner, the
 * CLI) they behave as always.
 *
 * Two kinds of trap, because code can reach these in two ways:
 * - Math.random, Date.now and performance.now are wrapped once, when this module loads (sim/index.ts loads it
 *   first): an alias taken at module load (`const jitter = Math.random`) holds the wrapper, which asks whether
 *   a run is under way. Outside a run the wrapper calls the original, so behaviour outside is unchanged.
 * - The Date constructor and the timer globals are swapped in when a run starts and back when it ends (also on
 *   a throw): replacing them for good would change what every other library sees.
 * queueMicrotask and promises are not trapped: the run loop itself resumes actors through microtasks, and a
 * microtask runs at the same virtual instant, so it cannot make a run depend on real time.
 *
 * Platform-neutral (Node, browsers, workers): it touches only globals that exist, and imports nothing.
 */
import { SimError } from './errors.js';

/** A run reached real randomness, the real clock or a real timer. Code ERR_NONDETERMINISM. */
export class NondeterminismError extends SimError {
  override name = 'NondeterminismError';
  constructor(
    /** What was reached: 'Math.random()', 'Date.now()', 'setTimeout()'… (names in a message; nothing is called) */
    readonly reached: string,
    instead: string,
  ) {
    super('ERR_NONDETERMINISM', `${reached} inside a simulation run: ${instead}`);
  }
}

const RANDOM = 'draw from a named stream (ctx.random(name), sim.random.stream(name)) so the seed decides it';
const CLOCK = 'read virtual time (ctx.now, sim.now, in µs) so the run does not depend on the machine';
const TIMER = 'use a virtual timer (ctx.timer, ctx.sleep, sim.after) so it fires in virtual time';

type AnyFn = (...args: unknown[]) => unknown;
interface Globals {
  Date: DateConstructor;
  performance?: { now?: () => number };
  setTimeout?: AnyFn; // the host's real timers, typed so the guard can swap in traps; never called by the simulation
  setInterval?: AnyFn; // (as setTimeout: trapped during a run, restored after)
  setImmediate?: AnyFn; // (as setTimeout: trapped during a run, restored after)
}
const g = globalThis as unknown as Globals;

/** One run under way: the first trap it hit, kept so a run whose code swallowed the throw still fails. */
export interface GuardSession {
  tripped: NondeterminismError | null;
}

/** Runs under way (several simulations may interleave their awaits in one thread); the traps are set while any is. */
const active = new Set<GuardSession>();

function trip(reached: string, instead: string): never {
  const error = new NondeterminismError(reached, instead);
  // Simulations share the globals, so a hit cannot be told apart by simulation: every run under way fails.
  for (const session of active) session.tripped ??= error;
  throw error;
}

// --- wrapped once, for aliases taken at module load ---
const realRandom = Math.random; // the guard's own copy: called only outside a run (the wrapper below throws inside one)
const realDateNow = g.Date.now; // the guard's own copy: called only outside a run, for the host's code (test runners, workers)
const realPerformanceNow = g.performance?.now;

Math.random = function random(): number {
  if (active.size > 0) trip('Math.random()', RANDOM);
  return realRandom();
};
g.Date.now = function now(): number {
  if (active.size > 0) trip('Date.now()', CLOCK);
  return realDateNow.call(g.Date);
};
if (g.performance && realPerformanceNow) {
  const perf = g.performance;
  perf.now = function now(): number {
    if (active.size > 0) trip('performance.now()', CLOCK);
    return realPerformanceNow.call(perf);
  };
}

// --- swapped in for the length of a run ---
const RealDate = g.Date;
/** Date with the clock taken out: a date from a given time is fine (formatting), the current one is not. */
const TrappedDate = function Date(this: unknown, ...args: unknown[]): unknown {
  if (new.target === undefined) trip('Date()', CLOCK);
  if (args.length === 0) trip('new Date()', CLOCK);
  return Reflect.construct(RealDate, args, new.target);
} as unknown as DateConstructor;
Object.setPrototypeOf(TrappedDate, RealDate); // Date.UTC, Date.parse and the wrapped Date.now come through
(TrappedDate as { prototype: Date }).prototype = RealDate.prototype; // so `x instanceof Date` holds either way

const TIMERS = ['setTimeout', 'setInterval', 'setImmediate'] as const;
const realTimers = Object.fromEntries(TIMERS.map((name) => [name, g[name]])) as Record<(typeof TIMERS)[number], AnyFn | undefined>;
const trappedTimers = Object.fromEntries(
  TIMERS.map((name) => [
    name,
    function trappedTimer(): never {
      return trip(`${name}()`, TIMER);
    },
  ]),
) as unknown as Record<(typeof TIMERS)[number], AnyFn>;

function swapIn(): void {
  g.Date = TrappedDate;
  for (const name of TIMERS) if (realTimers[name]) g[name] = trappedTimers[name];
}

function swapOut(): void {
  g.Date = RealDate;
  for (const name of TIMERS) if (realTimers[name]) g[name] = realTimers[name];
}

/** Sets the traps for a run (the first run under way swaps the globals in). Pair with leaveRun, in a finally. */
export function enterRun(): GuardSession {
  const session: GuardSession = { tripped: null };
  if (active.size === 0) swapIn();
  active.add(session);
  return session;
}

/** Ends a run's traps (the last run under way swaps the real globals back). */
export function leaveRun(session: GuardSession): void {
  if (!active.delete(session)) return;
  if (active.size === 0) swapOut();
}

/**
 * Lifts the traps while `wait` is pending: the run loop yields to the host loop (settle.ts), where the host's
 * own code (a test runner's timers, a worker's messages) runs and may read the clock. Set again after.
 */
export async function outsideRun<T>(session: GuardSession, wait: () => Promise<T>): Promise<T> {
  leaveRun(session);
  try {
    return await wait();
  } finally {
    if (active.size === 0) swapIn();
    active.add(session);
  }
}

/**
 * Lifts the traps while `fn` runs, synchronously: a run's progress hook (RunOptions.progress) is the host's
 * code, called between two events, and may read the real clock to decide whether to redraw a status line.
 */
export function outsideRunSync<T>(session: GuardSession, fn: () => T): T {
  leaveRun(session);
  try {
    return fn();
  } finally {
    if (active.size === 0) swapIn();
    active.add(session);
  }
}

/** The host's setImmediate, whatever the traps: settle.ts yields to the host loop with it. */
export const hostSetImmediate: AnyFn | undefined = realTimers.setImmediate;

/** True while some simulation is running (the traps are set). */
export function insideRun(): boolean {
  return active.size > 0;
}
