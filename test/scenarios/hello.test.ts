import { describe, expect, it } from 'vitest';
import { hello } from '../../scenarios/hello.js';
import { MemorySink } from '../../sim/core/trace.js';
import { ParamError } from '../../sim/params.js';
import { runScenario } from '../../sim/run-scenario.js';

describe('hello', () => {
  it('on a clean link with constant latency and service time, every round trip is exactly 2 × latency + service time', async () => {
    const sink = new MemorySink();
    const { result, sim } = await runScenario(hello, { seed: 1, params: { pings: 10, latency: '5ms', loss: 0, serviceTime: '2ms', interval: '1s' }, sinks: [sink] });
    const pongs = sink.records.filter((r) => r.kind === 'hello.pong');
    expect(pongs.map((r) => r.fields!.rttUs)).toEqual(Array(10).fill(12_000));
    // Connected after one round trip (10 ms); ping n leaves after n sleeps of 1 s and n − 1 round trips of 12 ms.
    expect(pongs.map((r) => r.t)).toEqual(Array.from({ length: 10 }, (_, i) => 10_000 + (i + 1) * 1_000_000 + (i + 1) * 12_000));
    expect(sim.metrics.histogram('hello.rttUs').summary()).toMatchObject({ count: 10, min: 12_000, max: 12_000 });
    expect(sim.metrics.counter('tcp.segments.retransmitted').value).toBe(0);
    expect(result.failures).toEqual([]);
  });

  it('loss turns into tail latency: round trips that meet a lost segment wait out the retransmission timeout (≥ 200 ms)', async () => {
    const sink = new MemorySink();
    const { sim } = await runScenario(hello, { seed: 2, params: { pings: 500, loss: 0.05, interval: '10ms' }, duration: '2m', sinks: [sink] });
    const rtts = sink.records.filter((r) => r.kind === 'hello.pong').map((r) => r.fields!.rttUs as number);
    expect(rtts).toHaveLength(500);
    const slow = rtts.filter((rtt) => rtt >= 200_000);
    const fast = rtts.filter((rtt) => rtt < 200_000);
    // Two one-way latencies of 0.1–100 ms plus 1–5 ms of service time, unless a segment was lost.
    for (const rtt of fast) expect(rtt).toBeGreaterThanOrEqual(1_200);
    // A ping or pong is lost about 2 × 5% of the time (ACK losses mostly cost nothing).
    expect(slow.length / rtts.length).toBeGreaterThan(0.05);
    expect(slow.length / rtts.length).toBeLessThan(0.2);
    expect(sim.metrics.counter('tcp.segments.retransmitted').value).toBeGreaterThanOrEqual(slow.length);
  });

  it('stops at the duration limit with the client still in flight', async () => {
    const { result } = await runScenario(hello, { seed: 3, params: { pings: 100 }, duration: '1s' });
    expect(result.stop).toBe('until');
    expect(result.endUs).toBe(1_000_000);
    expect(result.waiting.map((w) => w.actor)).toEqual(['server/server', 'client/client']);
  });

  it('refuses bad parameters with a message naming the parameter', async () => {
    await expect(runScenario(hello, { seed: 1, params: { pings: 'x' } })).rejects.toThrow(ParamError);
    await expect(runScenario(hello, { seed: 1, params: { interval: '-1s' } })).rejects.toThrow(/parameter 'interval' of scenario hello: '-1s' is negative/);
    await expect(runScenario(hello, { seed: 1, params: { loss: 1.5 } })).rejects.toThrow(/parameter 'loss' of scenario hello: .*<=1/);
    await expect(runScenario(hello, { seed: 1, params: { nope: 1 } })).rejects.toThrow(/unknown parameter 'nope'/);
  });
});
