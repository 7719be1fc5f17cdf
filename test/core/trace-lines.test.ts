/**
 * The fixed-shape encoders of the hottest record kinds (pkt.send, pkt.recv, req.span: sim/net/network.ts,
 * sim/requests/ledger.ts) and the records written with a FieldShape (http.request, gateway.try, db.query.*, req.end)
 * write lines byte for byte as encodeRecord would: the digest covers the lines, so one
 * byte off would change every digest and split the browser's from the CLI's. Checked on every record of real
 * runs (TCP and UDP packets, spans of every phase) and on request spans with awkward names.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { netOf, runScenario, World } from 'faultline';
import { findScenario } from 'faultline/scenarios';
import { encodeRecord, encodeShaped, FieldShape, type Fields, type TraceRecord, type TraceSink } from '../../sim/core/trace.js';

/** Counts records by kind and keeps the first few whose line is not encodeRecord's. */
class LineCheck implements TraceSink {
  readonly kinds = new Map<string, number>();
  readonly wrong: string[] = [];
  write(record: TraceRecord, line: string): void {
    this.kinds.set(record.kind, (this.kinds.get(record.kind) ?? 0) + 1);
    const expected = encodeRecord(record);
    if (line !== expected && this.wrong.length < 3) this.wrong.push(`${line}\n  expected ${expected}`);
  }
}

describe('fixed-shape trace lines', () => {
  const hot = ['pkt.send', 'pkt.recv', 'req.span', 'http.request', 'req.end'];
  it.each([
    ['pool-exhaustion', '3s', [...hot, 'gateway.try', 'db.query.start', 'db.query.end']],
    ['http2-hol', '3s', hot],
    ['partition', '4s', [...hot, 'gateway.try']],
  ])('%s: every line equals encodeRecord of its record', async (name, duration, kinds) => {
    const check = new LineCheck();
    await runScenario(findScenario(name)!, { seed: 1, duration, sinks: [check] });
    expect(check.wrong).toEqual([]);
    for (const kind of kinds) expect(check.kinds.get(kind) ?? 0, kind).toBeGreaterThan(100);
  });

  const names = ['b', 'a', 'zeta', 'Alpha', 'é', '_', 'a1', '10', '2'];
  const value = fc.oneof(fc.constant(undefined), fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
  test.prop([fc.uniqueArray(fc.constantFrom(...names), { minLength: 1 }), fc.array(value, { minLength: names.length, maxLength: names.length }), fc.nat(), fc.option(fc.string(), { nil: undefined })], { numRuns: 300 })(
    'a FieldShape encodes any subset of its names, in any order, as encodeRecord',
    (present, values, conn, req) => {
      const fields: Fields = {};
      present.forEach((n, i) => (fields[n] = values[i]));
      const record: TraceRecord = { t: 5, kind: 'k', host: 'h', conn, req, fields };
      expect(encodeShaped(record, new FieldShape(names))).toBe(encodeRecord(record));
    },
  );

  it('UDP datagrams too', async () => {
    const check = new LineCheck();
    const world = new World({ seed: 1, sinks: [check] });
    const net = world.createNetwork();
    net.host('b').spawn('echo', (ctx) => {
      const s = netOf(ctx).createSocket();
      s.bind(53);
      s.on('message', (msg, from) => s.send(msg, from.port, from.address));
    }, { daemon: true });
    net.host('a').spawn('ask', async (ctx) => {
      const s = netOf(ctx).createSocket();
      s.bind(4000);
      for (let i = 0; i < 5; i++) {
        s.send(new Uint8Array(i + 1), 53, 'b');
        await s.recv();
      }
    });
    await world.sim.run();
    expect(check.wrong).toEqual([]);
    expect(check.kinds.get('pkt.send')).toBe(10);
  });

  test.prop([fc.string(), fc.string(), fc.nat(), fc.nat(), fc.option(fc.nat(), { nil: undefined })], { numRuns: 200 })(
    'request spans with any host and phase name, any times',
    async (host, phase, attempt, startUs, endUs) => {
      const check = new LineCheck();
      const world = new World({ seed: 1, sinks: [check] });
      const rec = world.requests.start('origin');
      world.requests.span(rec, phase, host, startUs, attempt, endUs ?? world.sim.now);
      expect(check.wrong).toEqual([]);
    },
  );
});
