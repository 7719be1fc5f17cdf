/**
 * A world: one simulation and what a scenario builds in it — the network (when it has one), the request
 * ledger every hop writes to, the pools its actors make, the TCP stream check. A scenario's build gets the
 * world; the run hands it back with the results. Actors reach the parts they use through their context
 * (`netOf(ctx)`, `requestsOf(ctx)`), which the world and its network provide to the simulation: nothing is
 * kept per simulation anywhere else.
 */
import { AUDITS_SERVICE, AuditRegistry } from './core/audits.js';
import { SimError } from './core/errors.js';
import { Simulation, type SimulationOptions } from './core/simulation.js';
import { Network, type NetworkOptions } from './net/network.js';
import type { StreamChecker } from './net/tcp/stream-check.js';
import { POOLS_SERVICE, PoolRegistry } from './pool/registry.js';
import { checkKeepRequests, KEEP_REQUESTS_DEFAULT, REQUESTS_SERVICE, RequestLedger, type KeepRequests } from './requests/ledger.js';
// The built-in layers' fault kinds, registered wherever a world can be made: the network's come with it,
// the host faults with the core's schedule, and `slow` and the error dials (query-errors, handler-errors,
// response-aborts) with these imports, so every world lists the same kinds in the same order.
import './actors/database-faults.js';
import './actors/error-faults.js';
import './proto/http-faults.js';

export interface WorldOptions extends SimulationOptions {
  /**
   * Check that every TCP byte stream reaches its application intact and in order, or its connection fails
   * (the stream-integrity invariant; chaos runs turn it on). Applies to the network the build makes, whatever
   * that network's own options say. Default false.
   */
  checkStreams?: boolean;
  /**
   * Which ended requests the ledger keeps whole, with their spans: 'all' (what simulate() asks for: tests and
   * chaos invariants read them), 'none', or the last n. Default the last 1000: memory flat in the run's length.
   */
  keepRequests?: KeepRequests;
}

export class World {
  readonly sim: Simulation;
  /** The pools the world's actors made, in creation order. */
  readonly pools = new PoolRegistry();
  /** The rules the world's components audit as they run (gateway tries, HTTP answers, client retries). */
  readonly audits = new AuditRegistry();
  readonly checkStreams: boolean;
  private network: Network | null = null;
  private ledger: RequestLedger | null = null;
  private readonly keepRequests: KeepRequests;

  constructor(options: WorldOptions) {
    this.sim = new Simulation(options);
    this.checkStreams = options.checkStreams ?? false;
    this.keepRequests = checkKeepRequests(options.keepRequests ?? KEEP_REQUESTS_DEFAULT, 'keepRequests');
    this.sim.provide(REQUESTS_SERVICE, () => this.requests);
    this.sim.provide(POOLS_SERVICE, () => this.pools);
    this.sim.provide(AUDITS_SERVICE, () => this.audits);
  }

  /**
   * The request ledger. Made on first use, not with the world: it registers its gauge then, and gauges write
   * their windows in the order they were made, so a world that never counts a request traces no request gauge.
   */
  get requests(): RequestLedger {
    return (this.ledger ??= new RequestLedger(this.sim, this.keepRequests));
  }

  /** Makes the world's network (one per world): hosts with addresses, links, TCP and UDP. */
  createNetwork(options: NetworkOptions = {}): Network {
    if (this.network) throw new SimError('ERR_NET', 'this world already has a network (createNetwork was called before)');
    this.network = new Network(this.sim, { ...options, checkStreams: this.checkStreams || options.checkStreams === true });
    return this.network;
  }

  /** The world's network; throws when the build made none. */
  get net(): Network {
    if (!this.network) throw new SimError('ERR_NET', `scenario ${this.sim.scenario} has no network (a build makes one with world.createNetwork())`);
    return this.network;
  }

  /** True once the build made a network. */
  get hasNetwork(): boolean {
    return this.network !== null;
  }

  /** The TCP stream check, when on and there is a network. */
  get streams(): StreamChecker | null {
    return this.network?.streamChecker ?? null;
  }

  /** Host names in creation order: the network's when there is one (what faults may name), else the simulation's. */
  hostNames(): string[] {
    return this.network ? this.network.hosts().map((h) => h.name) : this.sim.hostList().map((h) => h.name);
  }
}
