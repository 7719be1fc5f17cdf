/**
 * The hosts and actors a trace names, in order of first appearance (the sequence diagram's lanes), with
 * each host's address from its net.host record so packet addresses ('10.0.0.2:8080') resolve to names.
 *
 * API:
 *   HostTable   note(record) per record; noteActor(host, actor, tUs, kind) for a record not parsed;
 *               indexOf(name) (adding it); byIp(ip); hosts; actors; names()
 */
import type { TraceRecord } from 'faultline';
import type { ActorInfo, HostInfo } from './types.js';

export class HostTable {
  readonly hosts: HostInfo[] = [];
  readonly actors: ActorInfo[] = [];
  private readonly index = new Map<string, number>();
  private readonly ips = new Map<string, string>();
  /** host → actor name → actor: two lookups instead of building an address string per record. */
  private readonly actorIndex = new Map<string, Map<string, ActorInfo>>();

  /** Notes the host and actor a record names; called for every record. */
  note(r: TraceRecord): void {
    const host = r.host;
    if (host === undefined) return;
    this.indexOf(host);
    if (r.actor !== undefined) this.noteActor(host, r.actor, r.t, r.kind);
    if (r.kind === 'net.host') {
      const ip = r.fields?.ip;
      if (typeof ip === 'string') {
        this.ips.set(ip, host);
        this.hosts[this.indexOf(host)]!.ip = ip;
      }
    }
  }

  /** The lane of a host, made on first sight. */
  indexOf(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.hosts.length;
      this.index.set(name, i);
      this.hosts.push({ name, ip: null, index: i });
    }
    return i;
  }

  /** The host at an IPv4 address, if a net.host record named it. */
  byIp(ip: string): string | undefined {
    return this.ips.get(ip);
  }

  /** Hosts on the network (with an address), in creation order: what a link fault without `b` covers. */
  networkHosts(): string[] {
    const out: string[] = [];
    for (const h of this.hosts) if (h.ip !== null) out.push(h.name);
    return out;
  }

  /** The actor a record names (note() calls it; a record read without parsing calls it directly). */
  noteActor(host: string, name: string, tUs: number, kind: string): void {
    let onHost = this.actorIndex.get(host);
    if (onHost === undefined) {
      onHost = new Map();
      this.actorIndex.set(host, onHost);
    }
    let a = onHost.get(name);
    if (a === undefined) {
      a = { host, name, address: `${host}/${name}`, firstUs: tUs, crashes: 0 };
      onHost.set(name, a);
      this.actors.push(a);
    }
    if (kind === 'actor.crash') a.crashes++;
  }
}
