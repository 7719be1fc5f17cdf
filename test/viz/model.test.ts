import { describe, expect, it } from 'vitest';
import { ModelBuilder, parseTraceStream, parseTraceText, RunModel, type RunModelData } from '../../viz/model/index.js';
import { partition, poolExhaustion } from './model-helpers.js';

/** A stream of the text's UTF-8 bytes in small chunks, so lines (and characters) straddle chunk ends. */
function streamOf(text: string, chunkBytes: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) controller.close();
      else {
        controller.enqueue(bytes.slice(at, at + chunkBytes));
        at += chunkBytes;
      }
    },
  });
}

describe('the run model of pool-exhaustion', async () => {
  const { run, sink, text } = await poolExhaustion();
  const model = parseTraceText(text);
  const ledger = run.world.requests;

  it('holds every record, and its digest equals the run digest', () => {
    expect(model.records.length).toBe(sink.records.length);
    expect(model.digest).toBe(run.result.digest);
    expect(model.bytes).toBe(new TextEncoder().encode(text).length);
    expect(model.endUs).toBe(sink.records[sink.records.length - 1]!.t);
    for (const i of [0, 1, 500, 12_345, sink.records.length - 1]) {
      expect(JSON.stringify(model.records.get(i))).toBe(JSON.stringify(JSON.parse(sink.lines[i]!)));
      expect(model.records.line(i)).toBe(sink.lines[i]);
      expect(model.records.kind(i)).toBe(sink.records[i]!.kind);
    }
    expect(model.header.scenario).toBe('pool-exhaustion');
    expect(model.stop?.reason).toBe('until');
  });

  it('has the ledger requests, with their outcomes and spans', () => {
    const all = ledger.all();
    expect(model.requests.length).toBe(all.length);
    for (const rec of all) {
      const r = model.request(rec.id)!;
      expect([r.origin, r.startUs, r.endUs, r.outcome]).toEqual([rec.origin, rec.startUs, rec.endUs, rec.outcome]);
      if (rec.outcome !== null) expect(r.attempts).toBe(rec.attempts);
    }
    const slow = all.find((r) => r.outcome === '504')!;
    expect(model.spans(model.request(slow.id)!).map((s) => [s.phase, s.host, s.startUs, s.endUs, s.attempt])).toEqual(slow.spans.map((s) => [s.phase, s.host, s.startUs, s.endUs, s.attempt]));
    const failed = all.filter((r) => r.outcome !== null && r.outcome !== 'ok');
    expect(model.failedRequests().map((r) => r.id)).toEqual(failed.map((r) => r.id));
    const finished = all.filter((r) => r.endUs !== null);
    const longest = Math.max(...finished.map((r) => r.endUs! - r.startUs));
    const slowest = model.slowestRequest()!;
    expect(slowest.endUs! - slowest.startUs).toBe(longest);
  });

  it('buckets throughput and latency by end time', () => {
    const tp = model.throughputSeries(1_000_000);
    const ok = ledger.all().filter((r) => r.outcome === 'ok');
    expect(tp.reduce((n, b) => n + b.ok, 0)).toBe(ok.length);
    expect(tp.reduce((n, b) => n + b.failed, 0)).toBe(model.failedRequests().length);
    expect(tp[14]!.byOutcome.get('504')).toBeGreaterThan(0);
    const lat = model.latencySeries(1_000_000);
    const second8 = ok.filter((r) => r.endUs! >= 8e6 && r.endUs! < 9e6).map((r) => r.endUs! - r.startUs);
    expect(lat[8]!.count).toBe(second8.length);
    expect(lat[8]!.maxUs).toBe(Math.max(...second8));
    for (const b of lat) if (b.count > 0) expect(b.p50Us!).toBeLessThanOrEqual(b.p99Us!);
  });

  it("rebuilds every gauge: exact where it held, within the window's extremes where it changed", () => {
    expect(model.gauges.size).toBeGreaterThan(5);
    let inside = 0;
    for (const g of model.gauges.values()) {
      const truth = run.sim.metrics.gauge(g.name);
      for (let i = 0; i < g.count; i++) {
        // The window's last value held at its last µs (every change in it happened before its end).
        expect(g.valueAt(g.toUs[i]! - 1)).toBe(truth.valueAt(g.toUs[i]! - 1));
        expect(g.last[i]).toBe(truth.valueAt(g.toUs[i]! - 1));
        // (Before the gauge existed its first step can have been replaced at the same instant: no earlier value.)
        if (g.fromUs[i]! - 1 >= truth.timesUs[0]!) expect(g.first[i]).toBe(truth.valueAt(g.fromUs[i]! - 1));
      }
      for (let t = 0; t < model.endUs; t += 7_919) {
        const w = g.windowAt(t);
        const v = truth.valueAt(t);
        if (w < 0) expect(g.valueAt(t), `${g.name} at ${t}`).toBe(v);
        else {
          inside++;
          expect(v).toBeGreaterThanOrEqual(g.min[w]!);
          expect(v).toBeLessThanOrEqual(g.max[w]!);
        }
      }
      const { min, max } = g.extremesIn(0, model.endUs);
      expect(max).toBe(truth.max);
      expect(min).toBeLessThanOrEqual(truth.valueAt(0));
    }
    expect(inside).toBeGreaterThan(100);
  });

  it('finds the pool, its maximum, its waiters and its timeouts', () => {
    const pool = model.pools.find((p) => p.name === 'service-db')!;
    expect(pool).toMatchObject({ host: 'service', maxSize: 10 });
    expect(pool.timeouts.length).toBe(model.ofKind('pool.timeout').length);
    expect(pool.timeouts.length).toBeGreaterThan(0);
    expect(pool.pending!.peak).toBeGreaterThan(100);
    expect(pool.active!.extremesIn(12e6, 15e6).max).toBe(10);
    expect(model.nextOfKind('pool.timeout', 0)).toBe(pool.timeouts[0]);
    expect(model.nextOfKind('pool.timeout', model.timesUs[pool.timeouts[0]!]!)).toBe(pool.timeouts.find((i) => model.timesUs[i]! > model.timesUs[pool.timeouts[0]!]!) ?? -1);
    expect(model.prevOfKind('pool.timeout', model.endUs + 1)).toBe(pool.timeouts[pool.timeouts.length - 1]);
  });

  it('joins each packet sent to its arrival or drop', () => {
    const p = model.packets;
    expect(p.count).toBe(model.ofKind('pkt.send').length);
    const received = new Set<number>();
    for (const i of model.ofKind('pkt.recv')) received.add(model.records.get(i).fields!.id as number);
    let joined = 0;
    for (let row = 0; row < p.count; row++) {
      if (received.has(p.id[row]!)) {
        joined++;
        expect(p.recvUs[row]).toBeGreaterThanOrEqual(p.sendUs[row]!);
      } else expect(p.recvUs[row]).toBeNaN();
    }
    expect(joined).toBe(received.size);
    const first = p.packet(0);
    expect(first).toMatchObject({ fromHost: 'service', toHost: 'db', flags: 'SYN', len: 0, dropUs: null });
    const range = p.rowsSentIn(1e6, 2e6);
    expect(p.sendUs[range.start]).toBeGreaterThanOrEqual(1e6);
    expect(p.sendUs[range.start - 1]).toBeLessThan(1e6);
  });

  it('finds every packet on the wire at a window’s top edge, and no other', () => {
    const p = model.packets;
    let crossing = 0;
    // Packets spend 250 µs on the wire here: edges 100 µs after some sends are sure to cut through a few.
    for (const tUs of [0, 1e6, 10_400_123, ...[100, 5000, 20_000].map((row) => p.sendUs[row]! + 100)]) {
      const start = p.rowsSentIn(tUs, Infinity).start;
      const found: number[] = [];
      for (let row = p.firstInFlightAt(tUs); row < start; row++) if (p.endUs(row) >= tUs) found.push(row);
      const expected: number[] = [];
      for (let row = 0; row < p.count; row++) if (p.sendUs[row]! < tUs && p.endUs(row) >= tUs) expected.push(row);
      expect(found, `t ${tUs}`).toEqual(expected);
      crossing += expected.length;
    }
    expect(crossing).toBeGreaterThan(0);
  });

  it('reads connections and hosts', () => {
    expect(model.hosts.map((h) => [h.name, h.ip])).toEqual(expect.arrayContaining([['db', '10.0.0.1'], ['service', '10.0.0.2']]));
    const c = model.connections[0]!;
    expect(c).toMatchObject({ fromHost: 'service', toHost: 'db', toPort: 5432 });
    const load = model.linkLoadAt(5e6);
    expect(load.get('service>db')!.open).toBe(10);
    expect(load.get('gateway>service')!.open).toBeGreaterThan(0);
    // In the slowdown the gateway abandons upstream connections at its 1 s read timeout: they linger closing
    // (TIME_WAIT) while the pool opens new ones, so established, not open, is what the pool holds.
    const slow = model.linkLoadAt(15.5e6).get('gateway>service')!;
    const pooled = model.pools.find((p) => p.name === 'gateway->service')!.total!.valueAt(15.5e6);
    expect(slow.closing).toBeGreaterThan(50);
    expect(slow.open).toBe(slow.connecting + slow.established + slow.closing);
    expect(Math.abs(slow.established - pooled)).toBeLessThanOrEqual(10);
    expect(model.actors.map((a) => a.address)).toContain('service/api');
  });

  it('finds records by time', () => {
    const { start, end } = model.recordsInRange(10e6, 11e6);
    expect(model.timesUs[start]).toBeGreaterThanOrEqual(10e6);
    expect(model.timesUs[start - 1]).toBeLessThan(10e6);
    expect(model.timesUs[end - 1]).toBeLessThan(11e6);
    expect(model.timesUs[end]).toBeGreaterThanOrEqual(11e6);
  });

  it('shades the slowdown from 10 s, still on when the trace ends', () => {
    expect(model.faults).toEqual([{ kind: 'slow', label: 'slow db ×20', targets: ['db'], fromUs: 10e6, toUs: null, record: expect.any(Number) }]);
  });

  it('is the same model built from live records, from a stream, and after postMessage', async () => {
    const live = new ModelBuilder();
    for (const r of sink.records) live.add(r);
    const fromRecords = live.finish();
    const streamed = await parseTraceStream(streamOf(text, 4093), undefined, { yieldMs: 0 });
    const cloned = RunModel.revive(structuredClone({ ...model } as RunModelData));
    for (const m of [fromRecords, streamed, cloned]) {
      expect(m.requests.length).toBe(model.requests.length);
      expect(m.packets.count).toBe(model.packets.count);
      expect([...m.packets.recvUs]).toEqual([...model.packets.recvUs]);
      expect(m.connections.length).toBe(model.connections.length);
      expect(m.pools.find((p) => p.name === 'service-db')!.pending!.valueAt(14e6)).toBe(model.pools.find((p) => p.name === 'service-db')!.pending!.valueAt(14e6));
      expect(m.records.get(777)).toEqual(model.records.get(777));
      expect(m.slowestRequest()!.id).toBe(model.slowestRequest()!.id);
    }
    expect(streamed.digest).toBe(run.result.digest);
    expect(cloned.digest).toBe(run.result.digest);
  });
});

describe('the run model of a partition', async () => {
  const { run, text } = await partition();
  const model = parseTraceText(text);

  it('has one partition period from 2 s to 5 s, one way, gw to svc-1', () => {
    expect(model.digest).toBe(run.result.digest);
    expect(model.faults).toEqual([
      { kind: 'partition', label: 'partition gw → svc-1', targets: ['gw', 'svc-1'], links: [['gw', 'svc-1']], fromUs: 2e6, toUs: 5e6, record: expect.any(Number) },
    ]);
  });

  it('marks packets dropped by the partition', () => {
    const p = model.packets;
    let dropped = 0;
    for (let row = 0; row < p.count; row++) {
      if (Number.isNaN(p.dropUs[row]!)) continue;
      dropped++;
      const packet = p.packet(row);
      expect(packet).toMatchObject({ fromHost: 'gw', toHost: 'svc-1', dropReason: 'partition', recvUs: null });
      expect(packet.dropUs!).toBeGreaterThanOrEqual(2e6);
      expect(packet.dropUs!).toBeLessThan(5e6);
    }
    expect(dropped).toBe(model.ofKind('pkt.drop').length);
    expect(dropped).toBeGreaterThan(0);
  });
});

describe('fault periods from a schedule', () => {
  const header = '{"t":0,"kind":"header","fields":{"faultline":"0.1.0","faults":[],"params":{},"scenario":"x","seed":1}}';
  const lines = (...rest: string[]) => `${[header, ...rest].join('\n')}\n`;
  const net = ['a', 'b', 'c'].map((h, i) => `{"t":0,"kind":"net.host","host":"${h}","fields":{"ip":"10.0.0.${i + 1}"}}`);

  it('ends a partition when every link it cut is healed, and takes a second latency change as the restore', () => {
    const m = parseTraceText(
      lines(
        ...net,
        '{"t":10,"kind":"fault","fields":{"a":"a","kind":"partition"}}',
        '{"t":20,"kind":"fault","fields":{"a":"a","b":"b","kind":"heal"}}',
        '{"t":30,"kind":"fault","fields":{"kind":"heal"}}',
        '{"t":40,"kind":"fault","fields":{"a":"b","kind":"loss","loss":0.05}}',
        '{"t":50,"kind":"fault","fields":{"a":"b","kind":"loss","loss":0}}',
        '{"t":60,"kind":"host.pause","host":"c"}',
        '{"t":70,"kind":"host.crash","host":"c"}',
        '{"t":80,"kind":"fault","fields":{"factor":3,"host":"b","kind":"slow"}}',
        '{"t":80,"kind":"db.slow","host":"b","fields":{"db":"pg","factor":3}}',
        '{"t":90,"kind":"host.restart","host":"c"}',
        '{"t":95,"kind":"fault","fields":{"kind":"drain"}}',
      ),
    );
    expect(m.faults.map((f) => [f.label, f.fromUs, f.toUs])).toEqual([
      ['partition a | rest', 10, 30],
      ['loss 5% b | rest', 40, 50],
      ['pause c', 60, 70],
      ['crash c', 70, 90],
      ['slow b ×3', 80, null],
      ['drain', 95, null],
    ]);
  });
});

describe('hostile names', () => {
  it('keeps a host named <script>alert(1)</script> as plain text', () => {
    const evil = '<script>alert(1)</script>';
    const text = [
      '{"t":0,"kind":"header","fields":{"faultline":"0.1.0","faults":[],"params":{},"scenario":"<img src=x onerror=alert(1)>","seed":1}}',
      `{"t":0,"kind":"net.host","host":"${evil}","fields":{"ip":"10.0.0.1"}}`,
      '{"t":0,"kind":"net.host","host":"__proto__","fields":{"ip":"10.0.0.2"}}',
      `{"t":5,"kind":"pkt.send","host":"${evil}","fields":{"ack":0,"dst":"10.0.0.2:80","flags":"SYN","id":1,"len":0,"proto":"tcp","seq":1,"src":"10.0.0.1:1","win":1}}`,
      '{"t":9,"kind":"pkt.recv","host":"__proto__","fields":{"id":1,"len":0}}',
      `{"t":9,"kind":"req.start","host":"${evil}","req":"constructor"}`,
    ].join('\n');
    const m = parseTraceText(`${text}\n`);
    expect(m.hosts.map((h) => h.name)).toEqual([evil, '__proto__']);
    expect(m.packets.packet(0)).toMatchObject({ fromHost: evil, toHost: '__proto__', recvUs: 9 });
    expect(m.request('constructor')!.origin).toBe(evil);
    expect(m.header.scenario).toBe('<img src=x onerror=alert(1)>');
  });
});
