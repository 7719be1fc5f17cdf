/**
 * Benchmark workloads, each returning events fired and the seconds they took. The bare heap loop is the
 * baseline: the same timer pattern on the core's binary heap with nothing else around it, so the ratio
 * measures what the simulator adds (cancel checks, clock, limits, actors) per event. The network workloads
 * (TCP bulk transfer, connection storm) count their own unit of work and are compared to the same baseline.
 */
import { TimeHeap } from 'faultline';
import { RandomStream } from 'faultline';
import { Simulation } from 'faultline';
import { netOf } from 'faultline';
import { Network } from 'faultline';

export interface Measured {
  events: number;
  seconds: number;
}

/** Timers outstanding at once: a busy simulation keeps thousands of connection timers armed. */
const CONCURRENT_TIMERS = 4096;

/** Pre-drawn delays (1–1000 µs), so no workload pays for randomness inside the timed loop. */
export function makeDelays(count = 1 << 16): Uint32Array {
  const stream = new RandomStream('bench/delays', 'bench');
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = stream.int(1, 1000);
  return out;
}

interface BareEvent {
  at: number;
  seq: number;
  fn: (e: BareEvent) => void;
}

export function bareHeapLoop(events: number, delays: Uint32Array): Measured {
  const heap = new TimeHeap<BareEvent>();
  const mask = delays.length - 1;
  let seq = 0;
  let now = 0;
  let d = 0;
  const fire = (_e: BareEvent) => {
    heap.push({ at: now + delays[d++ & mask]!, seq: seq++, fn: fire });
  };
  for (let i = 0; i < CONCURRENT_TIMERS; i++) heap.push({ at: delays[d++ & mask]!, seq: seq++, fn: fire });
  const start = performance.now();
  for (let fired = 0; fired < events; fired++) {
    const e = heap.pop()!;
    now = e.at;
    e.fn(e);
  }
  return { events, seconds: (performance.now() - start) / 1000 };
}

export async function coreTimers(events: number, delays: Uint32Array): Promise<Measured> {
  const sim = new Simulation({ seed: 1, scenario: 'bench' });
  const scheduler = sim.scheduler;
  const mask = delays.length - 1;
  let d = 0;
  const fire = (_: null) => {
    scheduler.after(delays[d++ & mask]!, fire, null);
  };
  for (let i = 0; i < CONCURRENT_TIMERS; i++) scheduler.after(delays[d++ & mask]!, fire, null);
  const start = performance.now();
  const result = await sim.run({ maxEvents: events });
  return { events: result.events, seconds: (performance.now() - start) / 1000 };
}

/** Async actors that only sleep: what awaiting costs on top of a timer. */
export async function asyncSleeps(events: number, delays: Uint32Array): Promise<Measured> {
  const sim = new Simulation({ seed: 1, scenario: 'bench' });
  const mask = delays.length - 1;
  const actors = 64;
  let d = 0;
  for (let a = 0; a < actors; a++) {
    sim.host('h').spawn(`a${a}`, async (ctx) => {
      for (;;) await ctx.sleep(delays[d++ & mask]!);
    }, { daemon: true });
  }
  const start = performance.now();
  const result = await sim.run({ maxEvents: events });
  return { events: result.events, seconds: (performance.now() - start) / 1000 };
}

/** What a network workload did: its unit of work (segments, connections) counted, and the seconds it took. */
export interface NetMeasured {
  /** Units of work done (data segments delivered, connections completed). */
  count: number;
  seconds: number;
  /** Events the scheduler fired, for reference. */
  events: number;
}

/** Ends a workload that did not finish its work with the run's own words, so the bench says what went wrong. */
export function incomplete(workload: string, what: string, result: { stop: string; message: string; failures: { actor: string; error: string }[] }): Error {
  const failures = result.failures.map((f) => `${f.actor}: ${f.error}`).join('; ');
  return new Error(`${workload}: ${what}; run ended '${result.stop}': ${result.message}${failures ? `; failures: ${failures}` : ''}`);
}

/**
 * One TCP connection between two hosts on a 1 ms constant-latency link, no packet trace: the client writes
 * `totalBytes` in `writeBytes` writes, waiting for 'drain' whenever write() returns false; the server reads
 * everything. Counts the data segments the server received as totalBytes / MSS rounded up (the stack's
 * `tcp.segments.received` counter also counts ACKs and both hosts, so it is not this number).
 */
export async function tcpBulk(totalBytes: number, writeBytes = 64 * 1024): Promise<NetMeasured> {
  const sim = new Simulation({ seed: 1, scenario: 'bench' });
  const net = new Network(sim, { link: { latency: '1ms' }, tracePackets: false });
  const server = net.host('server');
  const client = net.host('client');
  let received = 0;
  server.spawn('sink', (ctx) => {
    netOf(ctx)
      .createServer((socket) => {
        socket.on('data', (chunk) => {
          received += chunk.byteLength;
        });
      })
      .listen(80);
  }, { daemon: true });
  client.spawn('writer', (ctx) => {
    const socket = netOf(ctx).connect({ host: 'server', port: 80 });
    const chunk = new Uint8Array(writeBytes);
    let written = 0;
    const pump = () => {
      while (written < totalBytes) {
        const n = Math.min(writeBytes, totalBytes - written);
        written += n;
        if (!socket.write(n === writeBytes ? chunk : chunk.subarray(0, n))) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    socket.on('connect', pump);
    socket.on('data', () => {}); // reads the server's FIN, so the socket closes and the actor can end
  });
  const start = performance.now();
  const result = await sim.run({ until: '1h' });
  const seconds = (performance.now() - start) / 1000;
  if (received !== totalBytes || result.stop !== 'idle' || result.failures.length > 0) {
    throw incomplete('tcpBulk', `server received ${received} of ${totalBytes} bytes`, result);
  }
  return { count: Math.ceil(totalBytes / client.tcpOptions.mssBytes), seconds, events: result.events };
}

/**
 * A client that opens `connections` short connections one after another against an echo server: connect,
 * write 4 bytes, read the echo, end, read the server's end of stream. Counts completed connections.
 */
export async function tcpConnStorm(connections: number): Promise<NetMeasured> {
  const sim = new Simulation({ seed: 1, scenario: 'bench' });
  const net = new Network(sim, { link: { latency: '1ms' }, tracePackets: false });
  let completed = 0;
  net.host('server').spawn('echo', (ctx) => {
    netOf(ctx)
      .createServer((socket) => {
        socket.on('data', (chunk) => socket.write(chunk));
      })
      .listen(7);
  }, { daemon: true });
  net.host('client').spawn('storm', async (ctx) => {
    const api = netOf(ctx);
    for (let i = 0; i < connections; i++) {
      const socket = await api.connectAsync({ host: 'server', port: 7 });
      socket.write('ping');
      const reply = await socket.read();
      if (reply === null || reply.byteLength !== 4) throw new Error(`connection ${i}: expected a 4-byte echo, got ${reply === null ? 'end of stream' : `${reply.byteLength} bytes`}`);
      socket.end();
      const eof = await socket.read();
      if (eof !== null) throw new Error(`connection ${i}: expected end of stream, got ${eof.byteLength} bytes`);
      completed++;
    }
  });
  const start = performance.now();
  const result = await sim.run({ until: '1h' });
  const seconds = (performance.now() - start) / 1000;
  if (completed !== connections || result.stop !== 'idle' || result.failures.length > 0) {
    throw incomplete('tcpConnStorm', `${completed} of ${connections} connections completed`, result);
  }
  return { count: completed, seconds, events: result.events };
}
