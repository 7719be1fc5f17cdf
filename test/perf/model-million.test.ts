/**
 * A million-record trace parsed and modelled in Node (npm run test:perf): the model and digest hold at that
 * scale, and how long it takes is printed for the report, never asserted. test/viz/model.test.ts checks the
 * same model on ordinary traces in npm test.
 */
import { describe, expect, it } from 'vitest';
import { digestHex } from '../../sim/core/digest.js';
import { encodeRecord, type TraceRecord } from '../../sim/core/trace.js';
import { parseTraceText } from '../../viz/model/index.js';

const RECORDS = 1_000_000;

/**
 * A million records shaped like pool-exhaustion's (packets about 45%, spans 22%, TCP states 8%, HTTP 9%,
 * requests, gauges), written by the simulator's own encoder so the lines are canonical.
 */
function syntheticTrace(): { text: string; requests: number } {
  const lines: string[] = [];
  const push = (r: TraceRecord) => lines.push(encodeRecord(r));
  push({ t: 0, kind: 'header', fields: { faultline: '0.1.0', faults: [], params: {}, scenario: 'synthetic', seed: 1 } });
  const hosts = ['client', 'gateway', 'service', 'db'];
  hosts.forEach((h, i) => push({ t: 0, kind: 'net.host', host: h, fields: { ip: `10.0.0.${i + 1}` } }));
  let t = 0;
  let packet = 0;
  let requests = 0;
  while (lines.length < RECORDS) {
    const req = `r${++requests}`;
    const conn = `client:${32768 + (requests % 28000)}>gateway:80`;
    push({ t, kind: 'req.start', host: 'client', req });
    push({ t, kind: 'tcp.state', host: 'client', conn, fields: { from: 'CLOSED', to: 'SYN_SENT' } });
    for (let hop = 0; hop < 3; hop++) {
      for (let k = 0; k < 4; k++) {
        const id = ++packet;
        const from = hosts[hop]!;
        push({ t, kind: 'pkt.send', host: from, fields: { ack: 1000 + k, dst: `10.0.0.${hop + 2}:80`, flags: k === 0 ? 'SYN' : 'ACK|PSH', id, len: k * 120, proto: 'tcp', seq: 5000 + k, src: `10.0.0.${hop + 1}:${32768 + k}`, win: 131072 } });
        t += 50;
        if (id % 97 === 0) push({ t, kind: 'pkt.drop', host: from, fields: { id, reason: 'loss', to: hosts[hop + 1]! } });
        else push({ t, kind: 'pkt.recv', host: hosts[hop + 1]!, fields: { id, len: k * 120 } });
      }
      push({ t, kind: 'req.span', host: hosts[hop + 1]!, req, fields: { attempt: 1, phase: 'queue', startUs: t - 150 } });
      push({ t, kind: 'req.span', host: hosts[hop + 1]!, req, fields: { attempt: 1, endUs: t - 10, phase: 'connect', startUs: t - 100 } });
      push({ t, kind: 'tcp.state', host: hosts[hop + 1]!, conn, fields: { from: 'SYN_RECV', to: 'ESTABLISHED' } });
    }
    push({ t, kind: 'http.request', host: 'gateway', actor: 'nginx', conn, req, fields: { bodyBytes: 512, durationUs: 600, method: 'GET', path: '/orders', requestId: req, side: 'client', status: 200 } });
    push({ t, kind: 'http.request', host: 'service', actor: 'api', conn, req, fields: { bodyBytes: 512, durationUs: 500, method: 'GET', path: '/orders', requestId: req, side: 'server', status: 200 } });
    push({ t, kind: 'req.span', host: 'client', req, fields: { attempt: 1, phase: 'attempt', startUs: t - 600 } });
    push({ t, kind: 'req.end', host: 'client', req, fields: { attempts: 1, durationUs: 600, outcome: requests % 50 === 0 ? '504' : 'ok' } });
    if (requests % 10 === 0) push({ t, kind: 'gauge', fields: { first: 0, fromUs: Math.floor(t / 1e5) * 1e5 - 1e5, last: 3, max: 7, min: 0, name: 'pool.service-db.active', toUs: Math.floor(t / 1e5) * 1e5 } });
    t += 400;
  }
  return { text: `${lines.join('\n')}\n`, requests };
}

describe('a million-record trace', () => {
  it('parses and models in Node, timed', () => {
    const { text, requests } = syntheticTrace();
    // Warm the code paths on a small slice first, as a page would have run them before a big file.
    parseTraceText(text.slice(0, text.indexOf('\n', 2_000_000) + 1));
    const t0 = performance.now(); // printed for the report, never asserted
    const model = parseTraceText(text);
    const parseMs = performance.now() - t0;
    const t1 = performance.now();
    const digest = digestHex(text);
    const digestMs = performance.now() - t1;
    const mb = text.length / 1e6;
    console.log(`1M records (${mb.toFixed(0)} MB): parse + model ${parseMs.toFixed(0)} ms, of which the digest alone takes about ${digestMs.toFixed(0)} ms`);
    expect(model.records.length).toBeGreaterThanOrEqual(RECORDS);
    expect(model.digest).toBe(digest);
    expect(model.requests.length).toBe(requests);
    expect(model.packets.count).toBeGreaterThan(RECORDS / 4);
    // No wall-clock bound here (tests never assert one): the figure to watch is the one logged above.
  });
});
