import { World } from '../../sim/world.js';
import { describe, expect, it } from 'vitest';
import { SimError } from '../../sim/core/errors.js';
import { Simulation } from '../../sim/core/simulation.js';
import { MemorySink } from '../../sim/core/trace.js';
import { netOf } from '../../sim/net/api.js';
import { faultKind } from '../../sim/core/fault-kinds.js';
import { applyFault, faultSchemaOf, parseFaults, scheduleFaults, type ScheduledFault } from '../../sim/core/fault-schedule.js';
import { linkPairs } from '../../sim/net/link-faults.js';
import { Network } from '../../sim/net/network.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/**
 * Hosts that each, every `everyMs` from 0 until `untilMs` (exclusive), send one datagram to every other host
 * on port 9; every arrival is logged as 'from:sentMs>to@arrivedMs'.
 */
function mesh(names: string[], options: { everyMs?: number; untilMs?: number } = {}) {
  const sink = new MemorySink();
  const world = new World({ seed: 1, sinks: [sink] });
  const sim = world.sim;
  const net = world.createNetwork({ link: { latency: '1ms' } });
  const arrivals: string[] = [];
  const everyMs = options.everyMs ?? 10;
  const untilMs = options.untilMs ?? 10;
  for (const name of names) net.host(name);
  for (const name of names) {
    net.host(name).spawn('peer', async (ctx) => {
      const sock = netOf(ctx).createSocket().bind(9);
      sock.on('message', (m) => arrivals.push(`${text(m)}>${name}@${ctx.now / 1000}`));
      for (let t = 0; t < untilMs; t += everyMs) {
        for (const other of names) if (other !== name) sock.send(`${name}:${ctx.now / 1000}`, 9, other);
        await ctx.sleep(`${everyMs}ms`);
      }
    }, { daemon: true });
  }
  const faultRecords = () => sink.records.filter((r) => r.kind === 'fault').map((r) => ({ t: r.t, fields: r.fields }));
  return { sim, net, arrivals, faultRecords };
}

/** The message of what `fn` throws; fails the test if it throws nothing or not a SimError. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SimError);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('fault data', () => {
  const { net } = mesh(['a', 'b', 'c']);
  const at = (fault: Record<string, unknown>, i = 0) => [...Array.from({ length: i }, () => ({ at: 0, kind: 'heal' })), { at: '1s', ...fault }];

  it.each<[string, unknown, string]>([
    ['not a list', { kind: 'heal' }, `faults: expected a list of faults, got {"kind":"heal"}`],
    ['not an object', [42], 'faults[0]: expected a fault object, got 42'],
    ['unknown kind', at({ kind: 'explode' }), "faults[0].kind: unknown fault 'explode' (kinds: partition, heal, hold, release, latency, loss, link, crash, kill, stop, pause, resume, restart, slow, drain, query-errors, query-resets, handler-errors, response-aborts)"],
    ['missing kind', [{ at: 0 }], 'faults[0].kind: missing (kinds: partition, heal, hold, release, latency, loss, link, crash, kill, stop, pause, resume, restart, slow, drain, query-errors, query-resets, handler-errors, response-aborts)'],
    ['unknown host', at({ kind: 'partition', a: 'a', b: ['b', 'nope'] }, 1), "faults[1].b: unknown host 'nope' (hosts: a, b, c)"],
    ['unknown host in a', at({ kind: 'partition', a: 'nope' }, 1), "faults[1].a: unknown host 'nope' (hosts: a, b, c)"],
    ['unknown host of a host fault', at({ kind: 'crash', host: 'd' }), "faults[0].host: unknown host 'd' (hosts: a, b, c)"],
    ['loss 1.5', at({ kind: 'loss', a: 'a', loss: 1.5 }, 2), 'faults[2].loss: expected a probability from 0 to 1, got 1.5'],
    ['loss as text', at({ kind: 'loss', a: 'a', loss: '5%' }), "faults[0].loss: expected a probability from 0 to 1, got '5%'"],
    ['negative at', at({ kind: 'heal', at: '-5s' }, 3), "faults[3].at: '-5s' is negative"],
    ['negative at in µs', [{ kind: 'heal', at: -5 }], 'faults[0].at: -5 µs is negative'],
    ['at without a unit', [{ kind: 'heal', at: '10' }], "faults[0].at: '10' needs a unit (us, ms, s, m, h), e.g. '10ms'"],
    ['missing at', [{ kind: 'heal' }], "faults[0].at: missing (when to apply it: µs, or a string like '10s')"],
    ['missing selector', at({ kind: 'partition' }), 'faults[0].a: missing'],
    ['empty selector', at({ kind: 'hold', a: [] }), 'faults[0].a: expected at least one host'],
    ['selector of the wrong type', at({ kind: 'partition', a: 5 }), 'faults[0].a: expected a host name or a list of host names, got 5'],
    ['host name of the wrong type in a list', at({ kind: 'partition', a: ['a', 7] }), 'faults[0].a: expected a host name or a list of host names, got ["a",7]'],
    ['oneWay not a boolean', at({ kind: 'partition', a: 'a', oneWay: 'yes' }), "faults[0].oneWay: expected true or false, got 'yes'"],
    ['b without a', at({ kind: 'heal', b: 'a' }), 'faults[0].b: needs a (b is what a is cut from)'],
    ['a selection of no link', at({ kind: 'partition', a: ['a', 'b', 'c'] }), 'faults[0].b: the selection covers no link (a names every host, so the rest is empty)'],
    ['unknown field', at({ kind: 'loss', a: 'a', loss: 0.1, lose: 0.2 }), 'faults[0].lose: not a field of a loss fault (fields: at, kind, a, b, oneWay, loss)'],
    ['a field of another kind', at({ kind: 'crash', host: 'a', a: 'b' }), 'faults[0].a: not a field of a crash fault (fields: at, kind, host)'],
    ['bad latency', at({ kind: 'latency', a: 'a', latency: { kind: 'uniform', min: '5ms', max: '1ms' } }), 'faults[0].latency.max: 1000 µs is below min 5000 µs'],
    ['latency of an unknown kind', at({ kind: 'latency', a: 'a', latency: { kind: 'gamma' } }), "faults[0].latency.kind: unknown distribution 'gamma' (kinds: constant, uniform, exponential, normal, lognormal, pareto, mixture)"],
    ['negative latency', at({ kind: 'latency', a: 'a', latency: '-1ms' }), "faults[0].latency: '-1ms' is negative"],
    ['missing latency', at({ kind: 'latency', a: 'a' }), 'faults[0].latency: missing'],
    ['bad link option', at({ kind: 'link', a: 'a', options: { duplicate: 2 } }), 'faults[0].options.duplicate: expected a probability from 0 to 1, got 2'],
    ['unknown link option', at({ kind: 'link', a: 'a', options: { jitter: '1ms' } }), 'faults[0].options.jitter: not a link option (options: latency, loss, duplicate, reorder, bandwidthBps, queuePackets, dropPolicy)'],
    ['bad link latency', at({ kind: 'link', a: 'a', options: { latency: { kind: 'normal', mean: '1ms' } } }), 'faults[0].options.latency.stddev: missing'],
    ['bad drop policy', at({ kind: 'link', a: 'a', options: { dropPolicy: 'random' } }), "faults[0].options.dropPolicy: expected 'tail' or 'head', got 'random'"],
    ['bad queue bound', at({ kind: 'link', a: 'a', options: { queuePackets: -1 } }), 'faults[0].options.queuePackets: expected a whole number of packets, 0 or more, got -1'],
  ])('%s: one line naming the field', (_name, json, message) => {
    const got = errorOf(() => parseFaults(json, net));
    expect(got).toBe(message);
    expect(got).not.toContain('\n');
  });

  it('reads a good schedule as given', () => {
    const json = [
      { at: '1s', kind: 'partition', a: ['a', 'b'], b: 'c', oneWay: true },
      { at: 2_000_000, kind: 'heal' },
      { at: '3s', kind: 'link', a: 'a', options: { bandwidthBps: 1_000_000, dropPolicy: 'head' } },
      { at: '4s', kind: 'crash', host: 'b' },
    ];
    expect(parseFaults(json, net)).toEqual(json);
  });

  it("a kind's schema is the shape on its own (no `at`, no network); an unknown kind has none", () => {
    const loss = faultSchemaOf(faultKind('loss')!);
    expect(loss.safeParse({ kind: 'loss', a: 'x', loss: 0.5 }).success).toBe(true);
    expect(loss.safeParse({ kind: 'loss', a: 'x', loss: 1.5 }).success).toBe(false);
    expect(faultKind('explode')).toBeUndefined();
  });

  it('applyFault checks its fault the same way', () => {
    expect(errorOf(() => applyFault(net, { kind: 'loss', a: 'a', loss: 1.5 }))).toBe('fault.loss: expected a probability from 0 to 1, got 1.5');
    expect(errorOf(() => applyFault(net, { kind: 'kill', host: 'zz' }))).toBe("fault.host: unknown host 'zz' (hosts: a, b, c)");
  });
});

describe('link selectors', () => {
  const { net } = mesh(['a', 'b', 'c', 'd']);
  const pairs = (sel: Parameters<typeof linkPairs>[1]) => linkPairs(net, sel).map(([x, y]) => `${x}${y}`);

  it('a set of hosts against the rest, both ways', () => {
    expect(pairs({ a: ['a', 'b'] })).toEqual(['ac', 'ca', 'ad', 'da', 'bc', 'cb', 'bd', 'db']);
  });
  it('one host against the rest, one way', () => {
    expect(pairs({ a: 'c', oneWay: true })).toEqual(['ca', 'cb', 'cd']);
  });
  it('a against b, overlaps and self-pairs left out', () => {
    expect(pairs({ a: ['a', 'b'], b: ['b', 'c'] })).toEqual(['ab', 'ba', 'ac', 'ca', 'bc', 'cb']);
  });
  it('no selector: every link', () => {
    expect(pairs({})).toHaveLength(12);
  });
});

describe('fault schedules', () => {
  it('apply at their exact times, each writing a trace record with the fault', async () => {
    const { sim, net, faultRecords } = mesh(['a', 'b']);
    const schedule: ScheduledFault[] = [
      { at: '2ms', kind: 'loss', a: 'a', loss: 0.5 },
      { at: 2_500, kind: 'partition', a: 'a', b: 'b', oneWay: true },
      { at: '2.5ms', kind: 'hold', a: 'b' },
      { at: '1s', kind: 'heal' },
      { at: '1s', kind: 'release' },
      { at: '1.000001s', kind: 'pause', host: 'b' },
    ];
    scheduleFaults(net, schedule);
    const seen: string[] = [];
    sim.at('2.5ms', () => seen.push(`2.5ms ${net.link('a', 'b').partitioned} ${net.link('b', 'a').partitioned} ${net.link('b', 'a').held}`));
    sim.at('1s', () => seen.push(`1s ${net.link('a', 'b').partitioned} ${net.link('b', 'a').held}`));
    await sim.run({ until: '2s' });
    expect(faultRecords()).toEqual([
      { t: 2_000, fields: { kind: 'loss', a: 'a', loss: 0.5 } },
      { t: 2_500, fields: { kind: 'partition', a: 'a', b: 'b', oneWay: true } },
      { t: 2_500, fields: { kind: 'hold', a: 'b' } },
      { t: 1_000_000, fields: { kind: 'heal' } },
      { t: 1_000_000, fields: { kind: 'release' } },
      { t: 1_000_001, fields: { kind: 'pause', host: 'b' } },
    ]);
    // Faults at one time apply in list order, before what was scheduled at that time later.
    expect(seen).toEqual(['2.5ms true false true', '1s false false']);
    expect(net.link('a', 'b').options.loss).toBe(0.5);
    expect(net.link('b', 'a').options.loss).toBe(0.5);
    expect(net.find('b')!.host.paused).toBe(true);
  });

  it('a fault time already past is refused', async () => {
    const { sim, net } = mesh(['a', 'b']);
    await sim.run({ until: '5ms' });
    expect(errorOf(() => scheduleFaults(net, [{ at: '1ms', kind: 'heal' }]))).toBe("faults[0].at: '1ms' is before now (5000 µs)");
  });

  it('applyFault applies now and writes its record', async () => {
    const { sim, net, faultRecords } = mesh(['a', 'b']);
    sim.at('3ms', () => applyFault(net, { kind: 'partition', a: 'b' }));
    await sim.run({ until: '4ms' });
    expect(faultRecords()).toEqual([{ t: 3_000, fields: { kind: 'partition', a: 'b' } }]);
    expect(net.link('a', 'b').partitioned).toBe(true);
    expect(net.link('b', 'a').partitioned).toBe(true);
  });
});

describe('faults on traffic', () => {
  it("one-way partition a→b: b's datagrams reach a, a's do not reach b", async () => {
    const { sim, net, arrivals } = mesh(['a', 'b'], { untilMs: 30 });
    scheduleFaults(net, [{ at: 0, kind: 'partition', a: 'a', b: 'b', oneWay: true }]);
    await sim.run();
    expect(arrivals).toEqual(['b:0>a@1', 'b:10>a@11', 'b:20>a@21']);
    expect(sim.metrics.counter('net.drop.partition').value).toBe(3);
  });

  it('a set of hosts against the rest: traffic inside each side flows, across is cut both ways', async () => {
    const { sim, net, arrivals } = mesh(['a', 'b', 'c', 'd']);
    scheduleFaults(net, [{ at: 0, kind: 'partition', a: ['a', 'c'] }]);
    await sim.run();
    expect(arrivals.sort()).toEqual(['a:0>c@1', 'b:0>d@1', 'c:0>a@1', 'd:0>b@1']);
    expect(sim.metrics.counter('net.drop.partition').value).toBe(8);
  });

  it('heal: traffic flows again; packets in flight when the partition began stay lost', async () => {
    const { sim, net, arrivals } = mesh(['a', 'b'], { untilMs: 40 });
    scheduleFaults(net, [
      { at: '10.5ms', kind: 'partition', a: 'a' }, // the 10 ms datagrams are in flight: lost
      { at: '10.9ms', kind: 'heal' }, // healed before they would land: still lost
      { at: '20ms', kind: 'partition', a: 'b' },
      { at: '30ms', kind: 'heal', a: 'a', b: 'b' },
    ]);
    await sim.run();
    expect(arrivals).toEqual(['a:0>b@1', 'b:0>a@1', 'a:30>b@31', 'b:30>a@31']);
  });

  it('hold then release: nothing lost, delivery resumes in order', async () => {
    const { sim, net, arrivals } = mesh(['a', 'b'], { everyMs: 5, untilMs: 20 });
    scheduleFaults(net, [
      { at: '2ms', kind: 'hold', a: 'a', b: 'b', oneWay: true },
      { at: '30ms', kind: 'release', a: 'a', b: 'b', oneWay: true },
    ]);
    await sim.run();
    expect(arrivals.filter((x) => x.startsWith('a:'))).toEqual(['a:0>b@1', 'a:5>b@31', 'a:10>b@31', 'a:15>b@31']);
    expect(arrivals.filter((x) => x.startsWith('b:'))).toEqual(['b:0>a@1', 'b:5>a@6', 'b:10>a@11', 'b:15>a@16']);
    expect(sim.metrics.counter('net.drop.queue').value).toBe(0);
  });

  it('latency, loss and link faults change the links from then on', async () => {
    const { sim, net, arrivals } = mesh(['a', 'b'], { untilMs: 40 });
    scheduleFaults(net, [
      { at: '5ms', kind: 'latency', a: 'a', b: 'b', latency: '3ms', oneWay: true },
      { at: '15ms', kind: 'loss', a: 'b', loss: 1 },
      { at: '25ms', kind: 'link', a: 'a', options: { latency: '2ms', loss: 0 } },
    ]);
    await sim.run();
    expect(arrivals).toEqual(['a:0>b@1', 'b:0>a@1', 'b:10>a@11', 'a:10>b@13', 'a:30>b@32', 'b:30>a@32']);
  });

  it('host faults call the host: crash, restart, kill, stop, pause, resume', async () => {
    const { sim, net } = mesh(['a', 'b']);
    const states: string[] = [];
    const b = net.find('b')!.host;
    const note = () => states.push(`${sim.now / 1000}:${b.state}${b.paused ? '+paused' : ''}`);
    const kinds: string[] = ['crash', 'restart', 'kill', 'restart', 'stop', 'restart', 'pause', 'resume'];
    scheduleFaults(net, kinds.map((kind, i) => ({ at: `${i + 1}ms`, kind, host: 'b' }) as ScheduledFault));
    for (let i = 1; i <= kinds.length; i++) sim.at(`${i}ms`, note);
    await sim.run();
    expect(states).toEqual(['1:crashed', '2:up', '3:killed', '4:up', '5:stopped', '6:up', '7:up+paused', '8:up']);
  });
});
