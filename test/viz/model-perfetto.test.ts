import { describe, expect, it } from 'vitest';
import { parseTraceText, toChromeTrace, type ChromeTrace } from '../../viz/model/index.js';
import type { ChromeEvent } from '../../viz/model/perfetto.js';
import { partition, poolExhaustion } from './model-helpers.js';

/** The checks the issue asks of the export; returns the problems found (none: valid). */
function problems(trace: ChromeTrace): string[] {
  const out: string[] = [];
  const events = trace.traceEvents;
  // Timestamps: finite, non-negative, and the array in time order (how it is written).
  events.forEach((e, i) => {
    if (!Number.isFinite(e.ts) || e.ts < 0) out.push(`event ${i} (${e.name}): ts ${e.ts}`);
    if (i > 0 && e.ts < events[i - 1]!.ts) out.push(`event ${i}: out of order`);
    if (e.dur !== undefined && !(e.dur >= 0)) out.push(`event ${i}: dur ${e.dur}`);
  });
  // Async slices: per (cat, id) track, every 'e' closes the innermost open 'b' of its name.
  const tracks = new Map<string, ChromeEvent[]>();
  for (const e of events) {
    if (e.ph !== 'b' && e.ph !== 'e') continue;
    const key = `${e.cat}/${e.id}`;
    const open = tracks.get(key) ?? [];
    if (e.ph === 'b') open.push(e);
    else {
      const top = open.pop();
      if (top === undefined || top.name !== e.name || top.pid !== e.pid) out.push(`track ${key}: 'e' ${e.name} at ${e.ts} closes ${top?.name ?? 'nothing'}`);
    }
    tracks.set(key, open);
  }
  for (const [key, open] of tracks) if (open.length > 0) out.push(`track ${key}: ${open.length} slices never end`);
  // Complete slices: per thread, each inside the one enclosing it or after it.
  const threads = new Map<string, number[]>();
  const xs: ChromeEvent[] = events.filter((e) => e.ph === 'X');
  for (const e of xs) {
    const key = `${e.pid}/${e.tid}`;
    const ends = threads.get(key) ?? [];
    while (ends.length > 0 && ends[ends.length - 1]! <= e.ts) ends.pop();
    if (ends.length > 0 && e.ts + e.dur! > ends[ends.length - 1]!) out.push(`thread ${key}: ${e.name} at ${e.ts} overlaps its parent`);
    ends.push(e.ts + e.dur!);
    threads.set(key, ends);
  }
  // Flows: each id starts once and ends once, later, and both ends sit inside a slice of their thread.
  const starts = new Map<number, ChromeEvent>();
  const ends = new Map<number, ChromeEvent>();
  for (const e of events) {
    if (e.ph === 's') (starts.has(e.id!) ? out.push(`flow ${e.id} starts twice`) : starts.set(e.id!, e));
    if (e.ph === 'f') (ends.has(e.id!) ? out.push(`flow ${e.id} ends twice`) : ends.set(e.id!, e));
  }
  const bySlot = new Map<string, ChromeEvent[]>();
  for (const x of xs) {
    const key = `${x.pid}/${x.tid}/${x.ts}`;
    bySlot.set(key, [...(bySlot.get(key) ?? []), x]);
  }
  for (const [id, s] of starts) {
    const f = ends.get(id);
    if (f === undefined) out.push(`flow ${id} never ends`);
    else if (f.ts < s.ts) out.push(`flow ${id} ends before it starts`);
    for (const e of [s, f]) if (e !== undefined && !bySlot.has(`${e.pid}/${e.tid}/${e.ts}`)) out.push(`flow ${id}: no slice to bind to at ${e.ts}`);
  }
  for (const id of ends.keys()) if (!starts.has(id)) out.push(`flow ${id} ends without a start`);
  return out;
}

describe('the Perfetto export', () => {
  it.each([
    ['pool-exhaustion', poolExhaustion],
    ['partition', partition],
  ])('of %s is valid Chrome trace JSON', async (_name, traced) => {
    const { text } = await traced();
    const model = parseTraceText(text);
    const trace = toChromeTrace(model);
    expect(trace.displayTimeUnit).toBe('ms');
    expect(problems(trace).slice(0, 10)).toEqual([]);
    const names = trace.traceEvents.filter((e) => e.name === 'process_name').map((e) => e.args!.name);
    for (const h of model.hosts) expect(names).toContain(`${h.name} (${h.ip})`);
    const kinds = new Set(trace.traceEvents.map((e) => e.ph));
    for (const ph of ['M', 'X', 'b', 'e', 's', 'f', 'C']) expect(kinds).toContain(ph);
    // A string that round-trips through JSON: what a user saves and Perfetto opens.
    expect(JSON.parse(JSON.stringify(trace)).traceEvents.length).toBe(trace.traceEvents.length);
    // Every packet that arrived or was dropped is a flow; one still in flight at the end is not.
    const p = model.packets;
    let ended = 0;
    for (let row = 0; row < p.count; row++) if (!Number.isNaN(p.recvUs[row]!) || !Number.isNaN(p.dropUs[row]!)) ended++;
    expect(trace.traceEvents.filter((e) => e.ph === 's').length).toBe(ended);
  });

  it('puts the pool on its host as counters, and the faults on the run', async () => {
    const trace = toChromeTrace(parseTraceText((await partition()).text));
    const fault = trace.traceEvents.find((e) => e.cat === 'fault' && e.ph === 'b')!;
    expect(fault).toMatchObject({ name: 'partition gw → svc-1', ts: 2e6 });
    const pe = parseTraceText((await poolExhaustion()).text);
    const pet = toChromeTrace(pe);
    const service = pe.hosts.find((h) => h.name === 'service')!.index + 1;
    const pending = pet.traceEvents.filter((e) => e.ph === 'C' && e.name === 'pool.service-db.pending');
    expect(pending.every((e) => e.pid === service)).toBe(true);
    expect(Math.max(...pending.map((e) => e.args!.value as number))).toBe(pe.gauges.get('pool.service-db.pending')!.peak);
  });

  it('catches what it checks for', () => {
    const bad: ChromeTrace = {
      displayTimeUnit: 'ms',
      traceEvents: [
        { name: 'a', ph: 'b', ts: 0, pid: 1, cat: 'c', id: 1 },
        { name: 'b', ph: 'b', ts: 1, pid: 1, cat: 'c', id: 1 },
        { name: 'a', ph: 'e', ts: 2, pid: 1, cat: 'c', id: 1 },
        { name: 'p', ph: 's', ts: 3, pid: 1, tid: 1, id: 9 },
        { name: 'x', ph: 'X', ts: -1, dur: 1, pid: 1, tid: 1 },
      ],
    };
    expect(problems(bad).length).toBeGreaterThanOrEqual(4);
  });
});
