/**
 * Adapters from the model (viz/model's RunModel) to what each view reads. The views take narrow interfaces,
 * so each can be drawn from a hand-made source in a test, and the model can grow without touching them.
 */
import { flowLayers, flowOrder } from '../model/flow-order.js';
import type { RunModel } from '../model/run-model.js';
import type { FaultPeriod, PoolInfo, RequestInfo, ThroughputBucket, LatencyBucket } from '../model/types.js';
import type { ControlsSource } from './controls.js';
import type { LogSource } from './views/event-log.js';
import type { PoolsSource } from './views/pools.js';
import type { RequestsSource } from './views/requests.js';
import type { PoolFigures, TopologySource } from './views/topology.js';
import type { WaterfallSource } from './views/waterfall.js';

export function logSource(m: RunModel): LogSource {
  const r = m.records;
  return { count: r.length, record: (i) => r.get(i), time: (i) => r.timesUs[i]!, kind: (i) => r.kind(i), host: (i) => r.host(i), hosts: m.hosts.map((h) => h.name), kinds: [...m.kinds.keys()].sort() };
}

export function controlsSource(m: RunModel): ControlsSource {
  return {
    endUs: m.endUs,
    kinds: [...m.kinds.keys()].sort(),
    faults: m.faults,
    nextOfKind(kind, afterUs) {
      const i = m.nextOfKind(kind, afterUs);
      return i < 0 ? null : m.timesUs[i]!;
    },
  };
}

export function poolsSource(m: RunModel): PoolsSource {
  return { endUs: m.endUs, pools: m.pools, faults: m.faults, timeoutTimes: (p) => p.timeouts.map((i) => m.timesUs[i]!) };
}

export function requestsSource(m: RunModel): RequestsSource {
  // The model buckets the whole run; the charts ask for the same width again and again while scrubbing.
  const throughput = new Map<number, ThroughputBucket[]>();
  const latency = new Map<number, LatencyBucket[]>();
  const inRange = <B extends { fromUs: number; toUs: number }>(all: B[], fromUs: number, toUs: number) => all.filter((b) => b.toUs > fromUs && b.fromUs < toUs);
  return {
    endUs: m.endUs,
    faults: m.faults,
    throughput(fromUs, toUs, bucketUs) {
      if (!throughput.has(bucketUs)) throughput.set(bucketUs, m.throughputSeries(bucketUs));
      return inRange(throughput.get(bucketUs)!, fromUs, toUs);
    },
    latency(fromUs, toUs, bucketUs) {
      if (!latency.has(bucketUs)) latency.set(bucketUs, m.latencySeries(bucketUs));
      return inRange(latency.get(bucketUs)!, fromUs, toUs);
    },
  };
}

export function waterfallSource(m: RunModel): WaterfallSource {
  return {
    request: (id) => m.request(id),
    spans: (r) => m.spans(r),
    slowest: () => m.slowestRequest() ?? undefined,
    failedFrom: (tUs) => m.requests.find((r) => r.startUs >= tUs && r.outcome !== null && r.outcome !== 'ok'),
    inFlightAt(tUs) {
      // Requests are in start order: walk back from the last one started by t to one still open at t.
      let i = upperBound(m.requests, tUs) - 1;
      for (; i >= 0; i--) {
        const r = m.requests[i]!;
        if (r.endUs === null || r.endUs >= tUs) return r;
      }
      return undefined;
    },
  };
}

export function topologySource(m: RunModel): TopologySource {
  const onNetwork = m.hosts.filter((h) => h.ip !== null).map((h) => h.name);
  const hosts = onNetwork.length > 0 ? onNetwork : m.hosts.map((h) => h.name);
  const links = hostLinks(m);
  return {
    layers: flowLayers(hosts, links),
    links,
    connectionsAt: (tUs) => m.linkLoadAt(tUs),
    faultsAt: (tUs) => m.faults.filter((f: FaultPeriod) => f.fromUs <= tUs && (f.toUs === null || f.toUs > tUs)),
    pools: m.pools.map((p) => poolFigures(p, hostOfPool(p, hosts))),
  };
}

/** The sequence diagram's lanes: every host in the trace, in the direction requests flow. */
export function sequenceLanes(m: RunModel): string[] {
  return flowOrder(m.packets.hostNames, hostLinks(m));
}

/** Host pairs that ever held a TCP connection, initiator first, once each in first-open order. */
function hostLinks(m: RunModel): (readonly [string, string])[] {
  const links = new Map<string, readonly [string, string]>();
  for (const c of m.connections) if (c.fromHost !== c.toHost) links.set(`${c.fromHost}>${c.toHost}`, [c.fromHost, c.toHost]);
  return [...links.values()];
}

/**
 * A pool's host: from its timeout records, else the host its name starts with ('service-db' → service);
 * null when neither says (a pool a user named freely): the view lists it apart rather than guess.
 */
function hostOfPool(p: PoolInfo, hosts: readonly string[]): string | null {
  if (p.host !== null) return p.host;
  return [...hosts].sort((a, b) => b.length - a.length).find((h) => p.name.startsWith(h)) ?? null;
}

function poolFigures(p: PoolInfo, host: string | null): PoolFigures {
  return {
    name: p.name,
    host,
    at(tUs) {
      const parts: string[] = [];
      if (p.active) parts.push(`act ${p.active.valueAt(tUs)}`);
      if (p.idle) parts.push(`idle ${p.idle.valueAt(tUs)}`);
      if (p.pending) parts.push(`pend ${p.pending.valueAt(tUs)}`);
      return parts.join(' · ');
    },
  };
}

function upperBound(requests: readonly RequestInfo[], tUs: number): number {
  let lo = 0;
  let hi = requests.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (requests[mid]!.startUs <= tUs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
