/**
 * The simulated network: hosts with IPv4 addresses, one link per direction between every pair, and the
 * glue that carries packets from a host's stack over a link to another host's stack. It reacts to host
 * events (a crashed host's sockets vanish; a killed process's sockets are closed by the kernel) and offers the
 * fault primitives (partition, hold, link changes) that fault schedules are made of.
 */
import type { Actor } from '../core/actor.js';
import type { Host, HostEvent } from '../core/host.js';
import type { Simulation } from '../core/simulation.js';
import { jsonNumber, quotedName } from '../core/canonical.js';
import { defaultAddress, EPHEMERAL_PORT_MAX, EPHEMERAL_PORT_MIN, isIPv4 } from './address.js';
import type { RandomStream } from '../core/random.js';
import { Link, type DropReason, type LinkOptions } from './link.js';
import { defaultLinkOptions, resolveLinkOptions } from './link-options.js';
import { flagNames, type Packet } from './packet.js';
import { NetApi } from './api.js';
import { TcpStack } from './tcp/stack.js';
import { resolveTcpOptions, type TcpOptions } from './tcp/options.js';
import { StreamChecker } from './tcp/stream-check.js';
import { UdpStack } from './udp.js';
import { resolveUdpOptions, type UdpOptions } from './udp-options.js';
import { SimError } from '../core/errors.js';
import { NeighbourTable, resolveNeighbourOptions, type NeighbourOptions } from './neighbour.js';
// The network's fault kinds (partition, hold, latency, …) register when the network loads.
import './link-faults.js';

export interface NetworkOptions {
  /** Options of every link unless overridden per pair. */
  link?: Partial<LinkOptions>;
  /** TCP options of every host (each a Linux default unless set). */
  tcp?: Partial<TcpOptions>;
  udp?: Partial<UdpOptions>;
  /** ARP's timing for an address no host answers for (each a Linux default unless set; see neighbour.ts). */
  neighbour?: Partial<NeighbourOptions>;
  /** Write a trace record for every packet sent and received (the sequence diagram needs them). Default true. */
  tracePackets?: boolean;
  /**
   * Check that every TCP connection's byte stream reaches the application intact and in order, or the
   * connection fails (tcp/stream-check.ts). Default false.
   */
  checkStreams?: boolean;
}

export interface NetHostOptions {
  /** IPv4 address; default 10.0.0.n in creation order. */
  ip?: string;
  /** TCP options for this host, over the network's. */
  tcp?: Partial<TcpOptions>;
}

/** A host as the network sees it: its core host, its address and its protocol stacks. */
export class NetHost {
  tcp: TcpStack;
  udp: UdpStack;
  /** ARP resolutions under way for addresses no host has. */
  neighbours: NeighbourTable;
  private bootPorts: RandomStream | undefined;

  /** @internal */
  constructor(
    readonly net: Network,
    readonly host: Host,
    readonly ip: string,
    readonly tcpOptions: TcpOptions,
  ) {
    this.tcp = new TcpStack(net, this);
    this.udp = new UdpStack(net, this);
    this.neighbours = new NeighbourTable(net.neighbourDefaults);
  }

  get name(): string {
    return this.host.name;
  }

  /** Spawns an actor on this host (the core's Host.spawn). */
  get spawn(): Host['spawn'] {
    return this.host.spawn.bind(this.host);
  }

  /**
   * @internal The machine vanished: every socket is gone without a word. The next boot's TCP starts its
   * ephemeral port search at a port drawn from this host's own stream: Linux offsets the search by a hash keyed
   * with a secret drawn at boot (RFC 6056, algorithm 3), so a rebooted client rarely reconnects from the ports
   * its last life used, where a peer may still hold their half-open connections. The first boot starts at
   * 32768, so runs without reboots read simply.
   */
  wipe(): void {
    this.tcp.vanish();
    this.udp.vanish();
    this.bootPorts ??= this.net.sim.random.stream(`net/${this.name}/tcp-boot-ports`);
    this.tcp = new TcpStack(this.net, this, this.bootPorts.int(EPHEMERAL_PORT_MIN, EPHEMERAL_PORT_MAX));
    this.udp = new UdpStack(this.net, this);
    this.neighbours = new NeighbourTable(this.net.neighbourDefaults);
  }
}

export class Network {
  readonly tracePackets: boolean;
  readonly linkDefaults: LinkOptions;
  readonly tcpDefaults: TcpOptions;
  readonly udpDefaults: UdpOptions;
  readonly neighbourDefaults: NeighbourOptions;
  /** The TCP stream check, when on (options.checkStreams). */
  readonly streamChecker: StreamChecker | null;
  private readonly hostsByName = new Map<string, NetHost>();
  private readonly hostsByIp = new Map<string, NetHost>();
  private readonly links = new Map<string, Link>();
  private readonly linkOverrides = new Map<string, Partial<LinkOptions>>();
  private packetSeq = 0;

  constructor(
    readonly sim: Simulation,
    options: NetworkOptions = {},
  ) {
    this.tracePackets = options.tracePackets ?? sim.traceDetail === 'full';
    this.linkDefaults = resolveLinkOptions({ ...defaultLinkOptions, ...options.link }, 'network.link');
    this.tcpDefaults = resolveTcpOptions(options.tcp ?? {}, 'network.tcp');
    this.udpDefaults = resolveUdpOptions(options.udp ?? {}, 'network.udp');
    this.neighbourDefaults = resolveNeighbourOptions(options.neighbour ?? {}, 'network.neighbour');
    this.streamChecker = options.checkStreams === true ? new StreamChecker(sim) : null;
    sim.provide('net', (actor) => new NetApi(this, this.hostOf(actor), actor));
    sim.onHostEvent((host, event) => this.onHostEvent(host, event));
    sim.onActorEnd((actor) => this.onActorEnd(actor));
  }

  /** The network host of this name, made (with its core host) on first use. */
  host(name: string, options: NetHostOptions = {}): NetHost {
    const existing = this.hostsByName.get(name);
    if (existing) {
      if (options.ip !== undefined && options.ip !== existing.ip) throw new SimError('ERR_NET_HOST', `host ${name} already has address ${existing.ip}`);
      return existing;
    }
    const ip = options.ip ?? this.nextFreeAddress();
    if (!isIPv4(ip)) throw new SimError('ERR_NET_HOST', `host ${name}: '${ip}' is not an IPv4 address`);
    if (this.hostsByIp.has(ip)) throw new SimError('ERR_NET_HOST', `host ${name}: address ${ip} is taken by ${this.hostsByIp.get(ip)!.name}`);
    const tcp = resolveTcpOptions({ ...this.tcpDefaults, ...options.tcp }, `host ${name}.tcp`);
    const netHost = new NetHost(this, this.sim.host(name), ip, tcp);
    this.hostsByName.set(name, netHost);
    this.hostsByIp.set(ip, netHost);
    this.sim.trace.write({ t: this.sim.now, kind: 'net.host', host: name, fields: { ip } });
    return netHost;
  }

  /** Hosts in creation order. */
  hosts(): NetHost[] {
    return [...this.hostsByName.values()];
  }

  /** Host names in creation order: what faults on this network may name. */
  hostNames(): string[] {
    return [...this.hostsByName.keys()];
  }

  /** A network is a fault scope of its own (applyFault(network, …)), as a World with a network is. */
  get net(): Network {
    return this;
  }

  /** A host by name or address. */
  find(nameOrIp: string): NetHost | undefined {
    return this.hostsByName.get(nameOrIp) ?? this.hostsByIp.get(nameOrIp);
  }

  /** Name lookup, as DNS would answer: the address of a host name (an address answers itself). */
  lookup(nameOrIp: string): string | undefined {
    if (isIPv4(nameOrIp)) return nameOrIp;
    return this.hostsByName.get(nameOrIp)?.ip;
  }

  /** The link carrying packets from host `from` to host `to` (names), made on first use. */
  link(from: string, to: string): Link {
    const key = `${from}>${to}`;
    let link = this.links.get(key);
    if (!link) {
      this.requireHost(from);
      this.requireHost(to);
      const override = this.linkOverrides.get(key) ?? {};
      const base = from === to ? { ...this.linkDefaults, latency: 0, loss: 0, duplicate: 0, reorder: 0, bandwidthBps: null } : this.linkDefaults;
      link = new Link(this.sim, from, to, resolveLinkOptions({ ...base, ...override }, `link ${from}->${to}`), {
        deliver: (p) => this.arrive(p),
        drop: (p, reason) => this.dropped(p, reason),
      });
      this.links.set(key, link);
    }
    return link;
  }

  /** Changes the options of the link from → to (both names), now and for a link not made yet. */
  configureLink(from: string, to: string, options: Partial<LinkOptions>): void {
    const key = `${from}>${to}`;
    const merged = { ...this.linkOverrides.get(key), ...options };
    resolveLinkOptions({ ...this.linkDefaults, ...merged }, `link ${from}->${to}`);
    this.linkOverrides.set(key, merged);
    this.links.get(key)?.set(options);
  }

  /** Packets sent so far (a duplicate keeps its original's id and is not counted). */
  get packetsSent(): number {
    return this.packetSeq;
  }

  /** A fresh packet id (links keep the id when they duplicate). */
  nextPacketId(): number {
    return ++this.packetSeq;
  }

  /** Sends a packet from the host that owns `packet.src`. */
  transmit(packet: Packet): void {
    const from = this.hostsByIp.get(packet.src);
    const to = this.hostsByIp.get(packet.dst);
    if (!from) throw new SimError('ERR_NET_ROUTE', `packet from unknown address ${packet.src}`);
    if (this.tracePackets) this.tracePacket('pkt.send', from.name, packet);
    if (!to) {
      this.dropped(packet, 'no-route');
      return;
    }
    this.link(from.name, to.name).send(packet);
  }

  /** @internal A packet reaches the far end of its link. */
  arrive(packet: Packet): void {
    const to = this.hostsByIp.get(packet.dst);
    if (!to || to.host.state === 'crashed' || to.host.state === 'stopped') {
      this.dropped(packet, 'host-down');
      return;
    }
    if (this.tracePackets) this.tracePacket('pkt.recv', to.name, packet);
    if (packet.proto === 'tcp') to.tcp.receive(packet);
    else to.udp.receive(packet);
  }

  /** @internal */
  dropped(packet: Packet, reason: DropReason): void {
    this.sim.metrics.counter(`net.drop.${reason}`).inc();
    const from = this.hostsByIp.get(packet.src);
    this.sim.trace.write({
      t: this.sim.now,
      kind: 'pkt.drop',
      host: from?.name,
      fields: { id: packet.id, reason, to: this.hostsByIp.get(packet.dst)?.name ?? packet.dst },
    });
  }

  private tracePacket(kind: 'pkt.send' | 'pkt.recv', hostName: string, p: Packet): void {
    const len = p.data?.byteLength ?? 0;
    // A packet's arrival names only its id (and size): the pkt.send with that id has the rest. Half the
    // records of a run are arrivals, so this keeps traces smaller and runs faster.
    // Keys in canonical (sorted) order, so encoding the hottest record kinds never sorts.
    const t = this.sim.now;
    const head = `{"t":${t},"kind":"${kind}","host":${quotedName(hostName)},"fields":{`;
    if (kind === 'pkt.recv') {
      this.sim.trace.writeEncoded({ t, kind, host: hostName, fields: { id: p.id, len } }, `${head}"id":${jsonNumber(p.id)},"len":${jsonNumber(len)}}}`);
      return;
    }
    // Addresses are dotted quads and ports integers: nothing in them JSON escapes.
    const dst = `${p.dst}:${p.dstPort}`;
    const src = `${p.src}:${p.srcPort}`;
    if (p.proto === 'tcp') {
      const flags = flagNames(p.flags);
      const fields = { ack: p.ack, dst, flags, id: p.id, len, proto: 'tcp', seq: p.seq, src, win: p.window };
      this.sim.trace.writeEncoded(
        { t, kind, host: hostName, fields },
        `${head}"ack":${jsonNumber(p.ack)},"dst":"${dst}","flags":${quotedName(flags)},"id":${jsonNumber(p.id)},"len":${jsonNumber(len)},"proto":"tcp","seq":${jsonNumber(p.seq)},"src":"${src}","win":${jsonNumber(p.window)}}}`,
      );
    } else {
      this.sim.trace.writeEncoded({ t, kind, host: hostName, fields: { dst, id: p.id, len, proto: 'udp', src } }, `${head}"dst":"${dst}","id":${jsonNumber(p.id)},"len":${jsonNumber(len)},"proto":"udp","src":"${src}"}}`);
    }
  }

  private requireHost(name: string): NetHost {
    const h = this.hostsByName.get(name);
    if (!h) throw new SimError('ERR_NET_HOST', `unknown host '${name}' (hosts: ${[...this.hostsByName.keys()].join(', ') || 'none'})`);
    return h;
  }

  private hostOf(actor: Actor): NetHost {
    const h = this.hostsByName.get(actor.hostName);
    if (!h) throw new SimError('ERR_NET_HOST', `actor ${actor.address} is on host ${actor.hostName}, which is not on the network (make it with network.host('${actor.hostName}'))`);
    return h;
  }

  private nextFreeAddress(): string {
    for (let n = this.hostsByName.size + 1; ; n++) {
      const ip = defaultAddress(n);
      if (!this.hostsByIp.has(ip)) return ip;
    }
  }

  private onHostEvent(host: Host, event: HostEvent): void {
    const netHost = this.hostsByName.get(host.name);
    if (!netHost) return;
    if (event === 'crash') netHost.wipe();
    // kill and stop reach sockets through their owners' ends (onActorEnd).
  }

  private onActorEnd(actor: Actor): void {
    const netHost = this.hostsByName.get(actor.hostName);
    if (!netHost) return;
    // However a process ends (exit, stop, kill -9, an uncaught error), the kernel closes its descriptors as
    // close(2) does: FIN after the data it holds, RST where received data was left unread; listeners close, so
    // queued connections are reset and new SYNs refused. Only a crash (the machine gone, wipe) is silent.
    netHost.tcp.closeOwnedBy(actor);
    netHost.udp.closeOwnedBy(actor);
  }
}
