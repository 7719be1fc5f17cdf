/**
 * A named machine that runs actors. Crashing a host crashes every actor on it; restarting brings back the
 * ones the crash took down. (The network gives hosts addresses and sockets; the core only knows names.)
 */
import { Actor, type ActorMain, type SpawnOptions } from './actor.js';
import { SimError } from './errors.js';
import type { Simulation } from './simulation.js';

export class Host {
  /** Actors by name, in spawn order. */
  readonly actors = new Map<string, Actor>();
  /** False between crash() and restart(). */
  up = true;

  /** @internal */
  constructor(
    private readonly sim: Simulation,
    readonly name: string,
  ) {}

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

  /** Every actor on the host crashes (no hooks, waits abandoned). */
  crash(): void {
    if (!this.up) return;
    this.up = false;
    this.sim.trace.write({ t: this.sim.now, kind: 'host.crash', host: this.name });
    for (const actor of this.actors.values()) actor.crash();
  }

  /** Every actor on the host stops gracefully. */
  stop(): void {
    if (!this.up) return;
    this.up = false;
    this.sim.trace.write({ t: this.sim.now, kind: 'host.stop', host: this.name });
    for (const actor of this.actors.values()) actor.stop();
  }

  /** The host comes back: actors taken down by crash() or stop() start a new incarnation. */
  restart(): void {
    if (this.up) return;
    this.up = true;
    this.sim.trace.write({ t: this.sim.now, kind: 'host.restart', host: this.name });
    for (const actor of this.actors.values()) if (actor.state === 'crashed' || actor.state === 'stopped') actor.restart();
  }
}

function startIfUp(arg: { host: Host; actor: Actor }): void {
  // An actor due to start on a host that is down starts when the host restarts.
  if (arg.host.up && arg.actor.state === 'pending') arg.actor.start();
  else if (!arg.host.up && arg.actor.state === 'pending') arg.actor.state = 'crashed';
}
