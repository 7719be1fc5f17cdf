import { describe, expect, it } from 'vitest';
import { runService, type ServiceOptions } from '../../sim/actors/service.js';
import { applyFault } from '../../sim/core/fault-schedule.js';
import type { Network } from '../../sim/net/network.js';
import { HttpAgent } from '../../sim/proto/http1.js';
import { World } from '../../sim/world.js';

/** A client 'c' sending requests at the given times to service 'svc' (and 'other' as a second service), 1 ms apart. */
async function service(options: Partial<ServiceOptions>, sendAtUs: number[], extra: { headers?: Record<string, string>; other?: Partial<ServiceOptions>; setup?: (net: Network) => void } = {}) {
  const world = new World({ seed: 1 });
  const sim = world.sim;
  const net = world.createNetwork({ link: { latency: '1ms' } });
  net.host('svc').spawn('api', (ctx) => void runService(ctx, { database: null, ...options }), { daemon: true });
  if (extra.other) net.host('other').spawn('api', (ctx) => void runService(ctx, { database: null, ...extra.other }), { daemon: true });
  extra.setup?.(net);
  const ledger = world.requests;
  const seen: { sentUs: number; doneUs: number; status: number; error: string | undefined; id: string }[] = [];
  net.host('c').spawn('client', (ctx) => {
    const agent = new HttpAgent(ctx, { host: 'svc', port: 8080 });
    for (const at of sendAtUs) {
      ctx.timer(at, () =>
        ctx.go(async () => {
          const rec = ledger.start('c');
          const sentUs = ctx.now;
          const r = await agent.request({ path: '/', headers: { 'x-request-id': rec.id, ...extra.headers } });
          ledger.finish(rec, r.status === 200 ? 'ok' : String(r.status));
          seen.push({ sentUs, doneUs: ctx.now, status: r.status, error: r.headers['x-error'], id: rec.id });
        }),
      );
    }
  }, { daemon: true });
  await sim.run({ until: '60s' });
  return { seen: seen.sort((a, b) => a.sentUs - b.sentUs), ledger };
}

describe('service', () => {
  it('one worker: requests queue for it, each taking its CPU time in turn', async () => {
    const { seen } = await service({ workers: 1, cpuTime: '100ms' }, [0, 0, 0]);
    // Connect 2 ms, request 1 ms, then 100 ms each one after another, answer 1 ms back.
    expect(seen.map((s) => s.doneUs)).toEqual([104_000, 204_000, 304_000]);
  });

  it('a slow fault on its host stretches CPU time by the factor, and back', async () => {
    const { seen } = await service({ cpuTime: '10ms' }, [0, 1_000_000, 3_000_000], {
      setup: (net) => {
        net.sim.at('500ms', () => applyFault(net, { kind: 'slow', host: 'svc', factor: 5 }));
        net.sim.at('2s', () => applyFault(net, { kind: 'slow', host: 'svc', factor: 1 }));
      },
    });
    expect(seen.map((s) => s.doneUs - s.sentUs)).toEqual([14_000, 52_000, 12_000]);
  });

  it('calls other services with the request id, and a failed call fails the request with the callee’s root cause', async () => {
    const ok = await service({ cpuTime: '1ms', calls: [{ host: 'other', port: 8080, path: '/inventory', timeoutMs: 0 }] }, [0], { other: { cpuTime: '20ms' } });
    expect(ok.seen[0]!.status).toBe(200);
    const spans = ok.ledger.all()[0]!.spans.map((s) => `${s.phase}@${s.host}`);
    expect(spans).toContain('call other@svc');
    expect(spans).toContain('service@other');
    // The callee's host is down: the call's own timeout fires, and the caller says why.
    const failing = await service({ cpuTime: '1ms', calls: [{ host: 'other', port: 8080, path: '/inventory', timeoutMs: 300 }] }, [0], {
      other: { cpuTime: '1ms' },
      setup: (net) => net.sim.at(0, () => applyFault(net, { kind: 'partition', a: 'other' })),
    });
    expect([failing.seen[0]!.status, failing.seen[0]!.error]).toEqual([500, 'ERR_HTTP_REQUEST_TIMEOUT']);
  });

  it('honorDeadline drops work whose caller has gone: 504 DEADLINE_EXCEEDED instead of running it', async () => {
    const { seen } = await service({ workers: 1, cpuTime: '100ms', honorDeadline: true }, [0, 0, 0], { headers: { 'x-timeout-ms': '150' } });
    // The first runs (104 ms); the second gets the worker at 103 ms, in time (deadline 153 ms after arrival at 3 ms);
    // the third gets it at 203 ms, past its deadline, and is dropped at once.
    expect(seen.map((s) => [s.status, s.error])).toEqual([
      [200, undefined],
      [200, undefined],
      [504, 'DEADLINE_EXCEEDED'],
    ]);
    expect(seen[2]!.doneUs).toBe(204_000);
  });

  it('bad options name the field', () => {
    const sim = new World({ seed: 1 }).sim;
    const errors: string[] = [];
    sim.host('x').spawn('a', (ctx) => {
      for (const bad of [{ workers: 0 }, { database: null, calls: [{ host: 'y', port: 80, path: 'nope', timeoutMs: 0 }] }, { retries: 3 }] as Partial<ServiceOptions>[]) {
        try {
          runService(ctx, bad);
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    });
    return sim.run().then(() => {
      expect(errors[0]).toBe('service.workers: expected a positive integer, got 0');
      expect(errors[1]).toMatch(/^service\.calls\[0\]: expected \{ host, port, path: '\/…', timeoutMs \}/);
      expect(errors[2]).toMatch(/^service\.retries: not a service option/);
    });
  });
});
