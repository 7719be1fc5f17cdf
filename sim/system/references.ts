/**
 * What the schema cannot see: names that refer to each other. A service's database and calls, a gateway's
 * upstream, a client's target and a link's hosts must exist; a host name is used once across the file; calls
 * between services have no cycle (a request would call itself for ever).
 */
import { SystemFileError } from './issues.js';
import type { SystemFile } from './schema.js';

/** The hosts a component with `replicas` runs on: its name, or name-1 … name-n. */
export function replicaHosts(name: string, replicas: number): string[] {
  return replicas === 1 ? [name] : Array.from({ length: replicas }, (_, i) => `${name}-${i + 1}`);
}

/** Every host the file makes, in the order it makes them (databases, servers, services, gateways, clients). */
export function systemHosts(sys: SystemFile): string[] {
  return [
    ...Object.keys(sys.databases),
    ...Object.keys(sys.servers),
    ...Object.entries(sys.services).flatMap(([name, s]) => replicaHosts(name, s.replicas)),
    ...Object.entries(sys.gateways).flatMap(([name, g]) => replicaHosts(name, g.replicas)),
    ...Object.keys(sys.clients),
  ];
}

export function checkReferences(sys: SystemFile): void {
  const fail = (where: string, msg: string) => {
    throw new SystemFileError(`${where}: ${msg}`);
  };
  const names = (o: object) => Object.keys(o).join(', ') || 'none';
  const seen = new Map<string, string>();
  for (const [section, entries] of [['databases', sys.databases], ['servers', sys.servers], ['services', sys.services], ['gateways', sys.gateways], ['clients', sys.clients]] as const) {
    for (const name of Object.keys(entries)) {
      const other = seen.get(name);
      if (other) fail(`${section}.${name}`, `the name is taken by ${other}.${name} (a host has one name)`);
      seen.set(name, section);
    }
  }
  const hosts = systemHosts(sys);
  const hostSet = new Set(hosts);
  if (hostSet.size !== hosts.length) {
    const dup = hosts.find((h, i) => hosts.indexOf(h) !== i)!;
    fail('(hosts)', `two hosts would be named '${dup}' (a name-N replica and another component)`);
  }
  for (const [name, s] of Object.entries(sys.services)) {
    if (s.database !== undefined && !(s.database in sys.databases)) fail(`services.${name}.database`, `no database '${s.database}' (databases: ${names(sys.databases)})`);
    if (s.database === undefined && (s.pool !== undefined || s.queries !== undefined)) fail(`services.${name}.database`, 'missing (the service has a pool or queries, so it needs a database)');
    s.calls.forEach((c, i) => {
      if (!(c.service in sys.services)) fail(`services.${name}.calls[${i}].service`, `no service '${c.service}' (services: ${names(sys.services)})`);
    });
  }
  for (const [name, g] of Object.entries(sys.gateways)) {
    if (!(g.upstream in sys.services)) fail(`gateways.${name}.upstream`, `no service '${g.upstream}' (services: ${names(sys.services)})`);
  }
  for (const [name, c] of Object.entries(sys.clients)) {
    if (!(c.target in sys.gateways) && !(c.target in sys.services) && !(c.target in sys.servers)) fail(`clients.${name}.target`, `no gateway, service or server '${c.target}' (gateways: ${names(sys.gateways)}; services: ${names(sys.services)}; servers: ${names(sys.servers)})`);
  }
  sys.network.links.forEach((l, i) => {
    for (const side of ['a', 'b'] as const) if (!hostSet.has(l[side])) fail(`network.links[${i}].${side}`, `no host '${l[side]}' (hosts: ${hosts.join(', ')})`);
  });
  checkCallCycles(sys, fail);
}

/** Depth-first over the call graph; the first cycle found is named with its path. */
function checkCallCycles(sys: SystemFile, fail: (where: string, msg: string) => never): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      fail(`services.${cycle[0]}.calls`, `a call cycle: ${cycle.join(' → ')} (a request would call itself for ever)`);
    }
    state.set(name, 'visiting');
    for (const c of sys.services[name]?.calls ?? []) visit(c.service, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of Object.keys(sys.services)) visit(name, []);
}
