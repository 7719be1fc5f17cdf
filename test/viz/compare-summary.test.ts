/**
 * The compare section's figures and differences: counted from hand-made runs where every number is known,
 * and from a real pool-exhaustion trace against the simulator's own request ledger.
 */
import { describe, expect, it } from 'vitest';
import { parseTraceText } from '../../viz/model/index.js';
import { faultText, runDifferences, summarizeRun, summaryRows, type SummaryInput } from '../../viz/app/compare-summary.js';
import { poolExhaustion } from './model-helpers.js';

const req = (startUs: number, endUs: number | null, outcome: string | null) => ({ startUs, endUs, outcome });

const runA: SummaryInput = {
  header: { scenario: 'pool-exhaustion', seed: 1, params: { ratePerS: 150, poolSize: 10 }, faults: [] },
  digest: 'aaaa',
  endUs: 40_000_000,
  // ok latencies 1..100 ms: p50 is the 50th, p99 the 99th (nearest rank).
  requests: [...Array.from({ length: 100 }, (_, i) => req(0, (i + 1) * 1000, 'ok')), req(0, 5_000, '504'), req(0, 6_000, '504'), req(0, 7_000, 'ECONNRESET'), req(0, null, null)],
  pools: [{ timeouts: [1, 2, 3] }, { timeouts: [] }],
};

const runB: SummaryInput = {
  header: { scenario: 'pool-exhaustion', seed: 1, params: { poolSize: 10, ratePerS: 100 }, faults: [{ at: '15.392165s', kind: 'partition', a: 'db' }, { at: '18.392165s', kind: 'heal', a: 'db' }] },
  digest: 'bbbb',
  endUs: 40_000_000,
  requests: [req(0, 2_000, 'ok'), req(0, 3_000, '503')],
  pools: [{ timeouts: [] }],
};

describe('a run summary', () => {
  it('counts requests, outcomes, latency percentiles and pool timeouts', () => {
    expect(summarizeRun(runA)).toEqual({
      scenario: 'pool-exhaustion',
      seed: '1',
      digest: 'aaaa',
      endUs: 40_000_000,
      requests: 104,
      ok: 100,
      failed: 3,
      failedByKind: [['504', 2], ['ECONNRESET', 1]],
      inFlight: 1,
      p50Us: 50_000,
      p99Us: 99_000,
      acquireTimeouts: 3,
    });
    expect(summarizeRun({ ...runA, requests: [] })).toMatchObject({ requests: 0, p50Us: null, p99Us: null });
  });

  it('sets A and B side by side, every failure kind in both columns, the differing rows marked', () => {
    const rows = summaryRows(summarizeRun(runA), summarizeRun(runB));
    const byLabel = Object.fromEntries(rows.map((r) => [r.label, [r.a, r.b, r.differs]]));
    expect(byLabel['seed']).toEqual(['1', '1', false]);
    expect(byLabel['requests']).toEqual(['104', '2', true]);
    expect(byLabel['failed: 504']).toEqual(['2', '0', true]);
    expect(byLabel['failed: 503']).toEqual(['0', '1', true]);
    expect(byLabel['failed: ECONNRESET']).toEqual(['1', '0', true]);
    expect(byLabel['latency p50 (ok)']).toEqual(['50.0 ms', '2.0 ms', true]);
    expect(byLabel['pool acquire timeouts']).toEqual(['3', '0', true]);
    expect(byLabel['virtual time']).toEqual(['40.000 s', '40.000 s', false]);
    expect(byLabel['digest']).toEqual(['aaaa', 'bbbb', true]);
  });
});

describe('what differs between two runs', () => {
  it('lists changed parameters and added or removed faults, whatever the key order', () => {
    expect(runDifferences(runA.header, runB.header)).toEqual(['params.ratePerS: 150 → 100', '+ fault at 15.392165s: partition a=db', '+ fault at 18.392165s: heal a=db']);
    expect(runDifferences(runB.header, { ...runB.header, seed: '2', faults: [] })).toEqual(['seed: 1 → 2', '− fault at 15.392165s: partition a=db', '− fault at 18.392165s: heal a=db']);
    expect(runDifferences(runA.header, { ...runA.header, params: { poolSize: 10, ratePerS: 150 } })).toEqual([]);
  });

  it('writes a fault for people, µs as a duration', () => {
    expect(faultText({ at: 2_500_000, kind: 'loss', a: ['client', 'gateway'], loss: 0.1 })).toBe('at 2.5s: loss a=["client","gateway"] loss=0.1');
    expect(faultText({ kind: 'latency', at: '1s', latency: { kind: 'uniform', max: '9ms', min: '1ms' }, a: 'db' })).toBe('at 1s: latency latency={"kind":"uniform","max":"9ms","min":"1ms"} a=db');
  });
});

describe('the summary of a real run', async () => {
  const { run, text } = await poolExhaustion();
  const model = parseTraceText(text);
  const ledger = run.world.requests;

  it('agrees with the ledger and the pool.timeout records', () => {
    const s = summarizeRun(model);
    const l = ledger.summary();
    expect([s.requests, s.ok, s.failed, s.inFlight]).toEqual([l.total, l.ok, l.failed, l.inFlight]);
    expect(Object.fromEntries(s.failedByKind)).toEqual(l.byError);
    expect(s.failed).toBeGreaterThan(0);
    expect(s.acquireTimeouts).toBe(model.ofKind('pool.timeout').length);
    expect(s.acquireTimeouts).toBeGreaterThan(0);
    expect(s.digest).toBe(run.result.digest);
    expect(runDifferences(model.header, model.header)).toEqual([]);
  });
});
