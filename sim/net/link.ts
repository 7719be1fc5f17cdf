/**
 * One direction of the path between two hosts: what happens to a packet between the sender's stack and the
 * receiver's. The network builds one per ordered pair of hosts, so every fault can be one-way.
 *
 * A packet sent at time t goes through, in order:
 *  1. partition: dropped ('partition') while the link is partitioned;
 *  2. loss: dropped ('loss') with probability `loss`;
 *  3. the transmit queue: it waits while the link is held or another packet is being serialised; the queue
 *     holds at most `queuePackets` (Linux txqueuelen), and a full queue drops ('queue') the arriving packet
 *     (tail) or the oldest waiting one (head);
 *  4. serialisation: ceil(wire bits / bandwidthBps) µs, one packet after another;
 *  5. propagation: a latency drawn per packet; delivery keeps FIFO order (a packet never lands before one
 *     that left earlier) unless the reorder draw hits, when it keeps its own latency and may overtake;
 *     the duplicate draw adds a second copy (same id) with its own latency;
 *  6. arrival: a packet in flight when a partition began is lost ('partition'), even if the partition has
 *     healed by the time it would have landed: it was on the wire that was cut.
 *
 * Each random decision has its own stream (`net/link/<from>><to>/<loss|latency|reorder|duplicate>`), and
 * every packet offered to the link takes its draws when it is sent, whatever then becomes of it: the n-th
 * packet on a link always gets the n-th latency draw, so a partition, a loss burst or a hold never shifts the
 * latencies (or reorder and duplicate decisions) of the packets after it, and turning one fault on never
 * shifts another's draws. A probability of 0 (or 1) draws nothing; a constant latency draws nothing.
 */
import { distribution, type Distribution, type DistributionSpec } from '../core/distribution.js';
import type { RandomStream } from '../core/random.js';
import type { Simulation } from '../core/simulation.js';
import type { Micros } from '../core/time.js';
import { Fifo } from '../core/fifo.js';
import { resolveLinkOptions } from './link-options.js';
import { wireBytes, type Packet } from './packet.js';

export interface LinkOptions {
  /** One-way propagation delay. */
  latency: DistributionSpec;
  /** Probability that a packet is lost, 0–1. */
  loss: number;
  /** Probability that a packet is delivered twice, 0–1. */
  duplicate: number;
  /** Probability that a packet ignores FIFO order and may overtake earlier ones, 0–1. */
  reorder: number;
  /** Serialisation rate in bits per second; null: unlimited. */
  bandwidthBps: number | null;
  /** Queue bound in packets (waiting for serialisation, or held). Linux txqueuelen default: 1000. */
  queuePackets: number;
  /** Which packet a full queue drops: the arriving one (tail) or the oldest waiting (head). */
  dropPolicy: 'tail' | 'head';
}

/** Why the network dropped a packet (counted as net.drop.<reason>). */
export type DropReason = 'loss' | 'partition' | 'queue' | 'host-down' | 'no-route';

export interface LinkEvents {
  /** The packet reaches the far end now. */
  deliver(packet: Packet): void;
  /** The link dropped it. */
  drop(packet: Packet, reason: DropReason): void;
}

/** A packet waiting in the transmit queue, with the fate drawn when it was sent. */
interface Waiting {
  packet: Packet;
  latencyUs: Micros;
  /** Reorder draw hit: it ignores FIFO order. */
  free: boolean;
  /** Latency of its duplicate, or -1 for none. */
  dupLatencyUs: Micros;
}

/** A packet on the wire: what its arrival timer carries. */
interface InFlight {
  link: Link;
  packet: Packet;
  /** The link's partition epoch when it left: a partition that began since cut it. */
  epoch: number;
}

export class Link {
  readonly from: string;
  readonly to: string;
  /** @internal Incremented each time a partition begins. */
  epoch = 0;
  private opts: LinkOptions;
  private latencyDist: Distribution;
  private isPartitioned = false;
  private isHeld = false;
  /** Packets waiting to be serialised (or held), oldest first. */
  private readonly queue = new Fifo<Waiting>();
  /** True while a packet is being serialised: the next one waits for txDone. */
  private busy = false;
  /** When the last FIFO packet lands: none that left later may land before it. */
  private lastDeliveryUs: Micros = 0;
  private readonly streamPrefix: string;
  private lossStream: RandomStream | null = null;
  private latencyStream: RandomStream | null = null;
  private reorderStream: RandomStream | null = null;
  private duplicateStream: RandomStream | null = null;

  /** `options` must already be resolved (resolveLinkOptions); the network does that. */
  constructor(
    private readonly sim: Simulation,
    from: string,
    to: string,
    options: LinkOptions,
    private readonly events: LinkEvents,
  ) {
    this.from = from;
    this.to = to;
    this.opts = options;
    this.latencyDist = distribution(options.latency, `link ${from}->${to}.latency`);
    this.streamPrefix = `net/link/${from}>${to}/`;
  }

  /** The options in force. Assigning replaces them all (checked); set() changes some. */
  get options(): LinkOptions {
    return this.opts;
  }
  set options(options: LinkOptions) {
    const resolved = resolveLinkOptions(options, `link ${this.from}->${this.to}`);
    this.latencyDist = distribution(resolved.latency, `link ${this.from}->${this.to}.latency`);
    this.opts = resolved;
  }

  /**
   * Drops everything while true. Setting it true starts a partition: packets already on the wire are lost
   * too when they would land. Packets waiting in the queue are dropped when they would leave.
   */
  get partitioned(): boolean {
    return this.isPartitioned;
  }
  set partitioned(value: boolean) {
    if (value && !this.isPartitioned) this.epoch++;
    this.isPartitioned = value;
  }

  /**
   * Changes options from now on: packets already on the wire keep their times, packets already queued stay
   * queued (a lowered queue bound applies to arrivals).
   */
  set(options: Partial<LinkOptions>): void {
    this.options = { ...this.opts, ...options };
  }

  /** True between hold() and release(). */
  get held(): boolean {
    return this.isHeld;
  }

  /**
   * Packets wait (bounded by queuePackets, the drop policy applies) instead of leaving, until release().
   * A packet being serialised when the hold begins finishes and leaves.
   */
  hold(): void {
    this.isHeld = true;
  }

  /** Held packets leave now, in order (one after another when the bandwidth is limited). */
  release(): void {
    if (!this.isHeld) return;
    this.isHeld = false;
    this.pump();
  }

  /** Packets waiting in the queue (held or waiting for serialisation). */
  get queued(): number {
    return this.queue.length;
  }

  /** Sends a packet now. */
  send(packet: Packet): void {
    const o = this.opts;
    const lost = o.loss > 0 && (o.loss >= 1 || (this.lossStream ??= this.stream('loss')).next() < o.loss);
    const latencyUs = this.latencyDist.sample((this.latencyStream ??= this.stream('latency')));
    const free = o.reorder > 0 && (o.reorder >= 1 || (this.reorderStream ??= this.stream('reorder')).next() < o.reorder);
    let dupLatencyUs = -1;
    if (o.duplicate > 0) {
      const ds = (this.duplicateStream ??= this.stream('duplicate'));
      // The copy's latency comes from the duplicate stream too, so duplication leaves the latency stream alone.
      if (o.duplicate >= 1 || ds.next() < o.duplicate) dupLatencyUs = this.latencyDist.sample(ds);
    }
    if (this.isPartitioned) {
      this.events.drop(packet, 'partition');
      return;
    }
    if (lost) {
      this.events.drop(packet, 'loss');
      return;
    }
    if (!this.isHeld && !this.busy && this.queue.length === 0) {
      this.transmit(packet, latencyUs, free, dupLatencyUs);
      return;
    }
    if (this.queue.length >= o.queuePackets) {
      if (o.dropPolicy === 'tail' || this.queue.length === 0) {
        this.events.drop(packet, 'queue');
        return;
      }
      this.events.drop(this.queue.shift()!.packet, 'queue');
    }
    this.queue.push({ packet, latencyUs, free, dupLatencyUs });
  }

  /** @internal The packet being serialised has left: the next may start. */
  serialised(): void {
    this.busy = false;
    this.pump();
  }

  /** @internal A packet on the wire reaches the far end (or a partition begun meanwhile took it). */
  land(f: InFlight): void {
    if (this.isPartitioned || f.epoch !== this.epoch) this.events.drop(f.packet, 'partition');
    else this.events.deliver(f.packet);
  }

  /** Starts what may start: queued packets, in order, while the link is neither held nor busy. */
  private pump(): void {
    while (!this.isHeld && !this.busy && this.queue.length > 0) {
      const w = this.queue.shift()!;
      this.transmit(w.packet, w.latencyUs, w.free, w.dupLatencyUs);
    }
  }

  /** Serialises `packet` from now and puts it (and its duplicate, if drawn) on the wire. */
  private transmit(packet: Packet, latencyUs: Micros, free: boolean, dupLatencyUs: Micros): void {
    if (this.isPartitioned) {
      this.events.drop(packet, 'partition');
      return;
    }
    const scheduler = this.sim.scheduler;
    const bandwidthBps = this.opts.bandwidthBps;
    let departUs = scheduler.now;
    if (bandwidthBps !== null) {
      const serialiseUs = Math.ceil((wireBytes(packet) * 8 * 1e6) / bandwidthBps);
      if (serialiseUs > 0) {
        this.busy = true;
        departUs += serialiseUs;
        scheduler.at(departUs, txDone, this);
      }
    }
    this.launch(packet, departUs + latencyUs, free);
    // The copy is made in the network, after the sender's interface: it costs no serialisation time.
    if (dupLatencyUs >= 0) this.launch({ ...packet }, departUs + dupLatencyUs, free);
  }

  private launch(packet: Packet, arriveUs: Micros, free: boolean): void {
    if (!free) {
      if (arriveUs < this.lastDeliveryUs) arriveUs = this.lastDeliveryUs;
      this.lastDeliveryUs = arriveUs;
    }
    const f: InFlight = { link: this, packet, epoch: this.epoch };
    this.sim.scheduler.at(arriveUs, arrive, f);
  }

  private stream(name: string): RandomStream {
    return this.sim.random.stream(this.streamPrefix + name);
  }
}

function txDone(link: Link): void {
  link.serialised();
}

function arrive(f: InFlight): void {
  f.link.land(f);
}
