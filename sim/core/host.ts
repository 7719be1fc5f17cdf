/**
 * A named machine that runs actors, and its life: crash (the machine vanishes), kill (its processes die, the
 * machine stays), stop (orderly shutdown), pause/resume (processes frozen), restart. The core only ends and
 * restarts actors; the network listens to these events for their socket consequences.
 */
import { Actor, type ActorMain, type SpawnOptions } from './actor.js';
import { SimError } from './errors.js';
import type { Simulation } from './simulation.js';

/** What happened to a host, as listeners (the network) hear it. */
export type HostEvent = 'crash' | 'kill' | 'stop' | 'pause' | 'resume' | 'restart';

/**
 * up: running. crashed: machine gone, silently. killed: processes dead, the OS still answers.
 * stopped: shut down in order.
 */
export type HostState = 'up' | 'crashed' | 'killed' | 'stopped';

export class Host {
  /** Actors by name, in spawn order. */
  readonly actors = new Map<string, Actor>();
  state: HostState = 'up';
  paused = false;
  /** Actors the host's last crash, kill or stop took down: the ones restart() brings back. */
  private downed = new Set<Actor>();
  /** How many times slower the host's slowable components run (1: normal). */
  slowFactor = 1;
  /**
   * What runs here, as the actors that started here say ('client' for a load generator, 'gateway', 'service',
   * 'database'): chaos and the visualizer read it to pick targets and lay hosts out. Never traced.
   */
  readonly roles = new Set<string>();
  private readonly slowListeners: ((factor: number) => void)[] = [];
  /**
   * Fault dials the host's components read when they do their work: the share of queries a database fails
   * ('query-errors') or resets mid-query ('query-resets'), the share of requests whose handler throws
   * ('handler-errors'). 0 (none) unless a fault turned one up; kept across restarts, as setSlow is.
   */
  private readonly dials = new Map<string, number>();

  /** @internal */
  constructor(
    private readonly sim: Simulation,
    readonly name: string,
  ) {}

  /** True while the host is up (not crashed, killed or stopped). */
  get up(): boolean {
    return this.state === 'up';
  }

  /** Says what runs on this host (see `roles`); saying it twice is harmless. */
  addRole(role: string): void {
    this.roles.add(role);
  }

  /** Adds an actor that starts at `options.at` (default now). Names are unique per host. */
  spawn(name: string, main: ActorMain, options: SpawnOptions = {}): Actor {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new SimError('ERR_NAME', `actor name '${name}': use letters, digits, '_', '.', '-'`);
    if (this.actors.has(name)) throw new SimError('ERR_NAME', `actor '${this.name}/${name}' already exists`);
    const actor = new Actor(this.sim, this.name, name, main, options.daemon ?? false);
    this.actors.set(name, actor);
    this.sim.registerActor(actor);
    this.sim.scheduler.at(options.at ?? this.sim.now, startIfUp, { host: this, actor });
    return actor;
  }

  /**
   * A slow-component fault: the components on this host that listen (a database's query execution, a
   * service's CPU time) run `factor` times slower from now; 1 is normal again. Kept across restarts.
   */
  setSlow(factor: number): void {
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor <= 0) throw new SimError('ERR_SLOW', `host ${this.name}: slow factor must be a positive number, got ${JSON.stringify(factor)}`);
    this.slowFactor = factor;
    for (const listener of this.slowListeners) listener(factor);
  }

  /** Sets a fault dial (see `dials`); 0 turns it off. */
  setDial(name: string, value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new SimError('ERR_DIAL', `host ${this.name}: ${name} must be a non-negative number, got ${JSON.stringify(value)}`);
    if (value === 0) this.dials.delete(name);
    else this.dials.set(name, value);
  }

  /** A fault dial's value (0 when no fault set it). */
  dial(name: string): number {
    return this.dials.get(name) ?? 0;
  }

  /** Hears setSlow (a component registers once, when it first starts). */
  onSlow(listener: (factor: number) => void): void {
    this.slowListeners.push(listener);
  }

  /** The machine vanishes: every actor crashes (no hooks, waits abandoned) and nothing answers for it. */
  crash(): void {
    this.down('crashed', 'crash', (a) => a.crash());
  }

  /** Its processes die (SIGKILL): every actor crashes, but the machine stays up to answer for them. */
  kill(): void {
    this.down('killed', 'kill', (a) => a.crash());
  }

  /** Orderly shutdown: every actor stops gracefully (its stop hooks run). */
  stop(): void {
    this.down('stopped', 'stop', (a) => a.stop());
  }

  /** Freezes every actor (SIGSTOP); the machine itself keeps running. */
  pause(): void {
    if (!this.up || this.paused) return;
    this.paused = true;
    this.event('pause');
    for (const actor of this.actors.values()) actor.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.event('resume');
    for (const actor of this.actors.values()) actor.resume();
  }

  /** The host comes back: the actors its crash(), kill() or stop() took down start a new incarnation. */
  restart(): void {
    if (this.up) return;
    this.state = 'up';
    this.event('restart');
    const downed = this.downed;
    this.downed = new Set();
    for (const actor of this.actors.values()) if (downed.has(actor)) actor.restart();
  }

  /** @internal An actor was due to start while the host was down: it starts when the host restarts. */
  missedStart(actor: Actor): void {
    this.downed.add(actor);
  }

  private down(state: HostState, event: HostEvent, end: (a: Actor) => void): void {
    if (!this.up) return;
    this.state = state;
    this.paused = false;
    this.event(event);
    for (const actor of this.actors.values()) {
      if (!actor.alive) continue;
      this.downed.add(actor);
      end(actor);
    }
  }

  private event(event: HostEvent): void {
    this.sim.trace.write({ t: this.sim.now, kind: `host.${event}`, host: this.name });
    this.sim.noteHostEvent(this, event);
  }
}

function startIfUp(arg: { host: Host; actor: Actor }): void {
  if (arg.actor.state !== 'pending') return;
  // An actor due to start on a host that is down starts when the host restarts.
  if (arg.host.up) arg.actor.start(arg.host.paused);
  else arg.host.missedStart(arg.actor);
}
