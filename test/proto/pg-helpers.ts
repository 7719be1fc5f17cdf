/** A small world for database tests: a simulation, a network with a constant 1 ms link, a database host and an app host. */
import { startDatabase } from '../../sim/actors/database.js';
import type { DatabaseOptions } from '../../sim/actors/database-options.js';
import { Simulation } from '../../sim/core/simulation.js';
import { MemorySink, type TraceRecord } from '../../sim/core/trace.js';
import { Network } from '../../sim/net/network.js';
import type { TcpOptions } from '../../sim/net/tcp/options.js';

export function dbWorld(options: { seed?: number; db?: Partial<DatabaseOptions>; tcp?: Partial<TcpOptions> } = {}) {
  const sink = new MemorySink();
  const sim = new Simulation({ seed: options.seed ?? 1, sinks: [sink] });
  const net = new Network(sim, { link: { latency: '1ms' }, tcp: options.tcp });
  // Constant costs, so every time in a test is exact.
  const db = startDatabase(net.host('db'), { backendStartup: '2ms', queryTime: '10ms', ...options.db });
  const app = net.host('app');
  return { sim, net, sink, db, app };
}

/** Trace records of one kind. */
export const records = (sink: MemorySink, kind: string): TraceRecord[] => sink.records.filter((r) => r.kind === kind);

/** Data segments (payload > 0) a host sent, in [fromUs, toUs]. */
export function dataSegments(sink: MemorySink, host: string, fromUs = 0, toUs = Infinity): number[] {
  return sink.records
    .filter((r) => r.kind === 'pkt.send' && r.host === host && r.t >= fromUs && r.t <= toUs && (r.fields?.len as number) > 0)
    .map((r) => r.fields!.len as number);
}
