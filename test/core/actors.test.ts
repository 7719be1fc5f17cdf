import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../../sim/core/context.js';
import { DurationError } from '../../sim/core/time.js';
import { MemorySink, type TraceRecord } from '../../sim/core/trace.js';
import { Simulation } from '../../sim/core/simulation.js';

/** An echo server both variants talk to: a daemon, so it may wait forever. */
function addEcho(sim: Simulation) {
  sim.host('srv').spawn(
    'echo',
    async (ctx) => {
      for (;;) {
        const m = await ctx.recv();
        await ctx.sleep(ctx.sample({ kind: 'uniform', min: '1ms', max: '3ms' }, 'work'));
        ctx.send(m.from, m.payload);
      }
    },
    { daemon: true },
  );
}

const ROUNDS = 5;

/** sleep, draw, send, wait for the echo, record: written with async/await. */
async function asyncWorker(ctx: ActorContext) {
  for (let i = 0; i < ROUNDS; i++) {
    await ctx.sleep(ctx.sample({ kind: 'exponential', mean: '10ms' }, 'think'));
    ctx.trace('worker.send', { i });
    ctx.send('srv/echo', { i });
    const reply = await ctx.recv();
    ctx.trace('worker.got', { i: (reply.payload as { i: number }).i });
  }
}

/** The same steps as callbacks: a timer per think time and a message handler. */
function callbackWorker(ctx: ActorContext) {
  let i = 0;
  const think = () => {
    ctx.timer(ctx.sample({ kind: 'exponential', mean: '10ms' }, 'think'), () => {
      ctx.trace('worker.send', { i });
      ctx.send('srv/echo', { i });
    });
  };
  ctx.onMessage((reply) => {
    ctx.trace('worker.got', { i: (reply.payload as { i: number }).i });
    i++;
    if (i < ROUNDS) think();
    else ctx.onMessage(null);
  });
  think();
}

async function runWorker(seed: number, worker: (ctx: ActorContext) => void | Promise<void>) {
  const sink = new MemorySink();
  const sim = new Simulation({ seed, sinks: [sink] });
  addEcho(sim);
  sim.host('cli').spawn('worker', worker);
  const result = await sim.run();
  return { result, sink };
}

describe('async and callback actors', () => {
  it('produce identical traces for the same steps, on every seed', async () => {
    for (const seed of [1, 2, 3, 42, 1234]) {
      const a = await runWorker(seed, asyncWorker);
      const c = await runWorker(seed, callbackWorker);
      expect(c.sink.jsonl()).toBe(a.sink.jsonl());
      expect(c.result.digest).toBe(a.result.digest);
      expect(a.result.stop).toBe('idle');
      expect(a.sink.records.filter((r) => r.kind === 'worker.got')).toHaveLength(ROUNDS);
      expect(a.sink.records.at(-2)?.kind).toBe('actor.exit');
    }
  });

  it('give the same digest on every run of a seed and a different one for another seed', async () => {
    const first = await runWorker(9, asyncWorker);
    const again = await runWorker(9, asyncWorker);
    const other = await runWorker(10, asyncWorker);
    expect(again.result.digest).toBe(first.result.digest);
    expect(again.result.unseed).toBe(first.result.unseed);
    expect(other.result.digest).not.toBe(first.result.digest);
  });

  it('an actor that calls Math.random ends the run with NondeterminismError (real-world-guard.ts)', async () => {
    const sim = new Simulation({ seed: 5 });
    sim.host('h').spawn('sloppy', async (ctx) => {
      // The bug under test: real randomness inside the simulation.
      await ctx.sleep(Math.round(Math.random() * 1_000_000));
      ctx.trace('tick');
    });
    await expect(sim.run()).rejects.toMatchObject({ name: 'NondeterminismError', code: 'ERR_NONDETERMINISM', reached: 'Math.random()' });
  });
});

describe('continuations', () => {
  it('run at the virtual time they were resumed, before the clock advances, through nested awaits', async () => {
    const sink = new MemorySink();
    const sim = new Simulation({ seed: 1, sinks: [sink] });
    const helper = async (ctx: ActorContext) => {
      await ctx.sleep('10ms');
      for (let i = 0; i < 20; i++) await Promise.resolve();
      return ctx.now;
    };
    sim.host('h').spawn('a', async (ctx) => {
      const resumedAt = await helper(ctx);
      ctx.trace('a.after', { resumedAt });
    });
    sim.host('h').spawn('b', async (ctx) => {
      await ctx.sleep(10_001);
      ctx.trace('b.after');
    });
    await sim.run();
    const a = sink.records.find((r) => r.kind === 'a.after')!;
    const b = sink.records.find((r) => r.kind === 'b.after')!;
    expect(a.t).toBe(10_000);
    expect(a.fields).toEqual({ resumedAt: 10_000 });
    expect(b.t).toBe(10_001);
    expect(sink.records.indexOf(a)).toBeLessThan(sink.records.indexOf(b));
  });

  it('of actors resumed at the same instant run in the order their timers were set', async () => {
    const sink = new MemorySink();
    const sim = new Simulation({ seed: 1, sinks: [sink] });
    for (const name of ['c', 'a', 'b']) {
      sim.host('h').spawn(name, async (ctx) => {
        await ctx.sleep('5ms');
        ctx.trace('woke');
      });
    }
    await sim.run();
    expect(sink.records.filter((r) => r.kind === 'woke').map((r) => r.actor)).toEqual(['c', 'a', 'b']);
  });

  it('refuse a duration that is not a whole number of microseconds', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.host('h').spawn('a', async (ctx) => {
      await ctx.sleep(1.5);
    });
    const result = await sim.run();
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.error).toMatch(/DurationError: sleep: 1.5 µs is not a whole number/);
    expect(() => new Simulation({ seed: 1 }).at(0.5, () => {})).toThrow(DurationError);
  });
});

describe('promises the simulator did not make', () => {
  it('an actor awaiting a plain promise resolved from an event handler resumes at that virtual time', async () => {
    const sink = new MemorySink();
    const sim = new Simulation({ seed: 1, sinks: [sink], messageLatency: '3ms' });
    sim.host('h').spawn('server', (ctx) => ctx.onMessage((m) => ctx.send(m.from, 'pong')), { daemon: true });
    sim.host('h').spawn('client', async (ctx) => {
      let answer!: (v: unknown) => void;
      const replied = new Promise((r) => (answer = r)); // a plain Promise, as Node code writes with events
      ctx.onMessage((m) => answer(m.payload));
      ctx.send('h/server', 'ping');
      const payload = await replied;
      ctx.trace('got', { payload: payload as string });
      ctx.onMessage(null);
    });
    const result = await sim.run();
    const got = sink.records.find((r) => r.kind === 'got')!;
    expect([got.t, got.fields]).toEqual([6_000, { payload: 'pong' }]);
    expect(result.stop).toBe('idle');
  });
});

describe('a run that can make no progress', () => {
  it('ends with a deadlock that names the actor and what it waits on, instead of hanging', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.host('db').spawn('replica', async (ctx) => {
      await ctx.sleep('1s');
      await ctx.recv();
    });
    const result = await sim.run();
    expect(result.stop).toBe('deadlock');
    expect(result.endUs).toBe(1_000_000);
    expect(result.message).toBe('deadlock at 1.000000s: nothing is scheduled and db/replica waits on a message (recv)');
  });

  it('names an actor awaiting a promise the simulator did not create', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.host('h').spawn('lost', async () => {
      await new Promise(() => {});
    });
    const result = await sim.run();
    expect(result.stop).toBe('deadlock');
    expect(result.message).toContain('h/lost waits on a promise the simulator did not create');
  });

  it('names a callback actor whose handler no message will ever reach', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.host('h').spawn('listener', (ctx) => ctx.onMessage(() => {}));
    const result = await sim.run();
    expect(result.stop).toBe('deadlock');
    expect(result.message).toContain('h/listener waits on a message (onMessage)');
  });

  it('is idle, not deadlocked, when only daemons wait', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.host('h').spawn('server', async (ctx) => void (await ctx.recv()), { daemon: true });
    const result = await sim.run();
    expect(result.stop).toBe('idle');
    expect(result.waiting).toEqual([{ actor: 'h/server', daemon: true, on: ['a message (recv)'] }]);
  });
});

describe('actor lifecycle', () => {
  function ticker(sink: TraceRecord[]) {
    return async (ctx: ActorContext) => {
      for (let i = 0; ; i++) {
        await ctx.sleep('1ms');
        ctx.trace('tick', { i });
        sink.push({ t: ctx.now, kind: 'seen' });
      }
    };
  }

  it('a crashed actor stops mid-sleep, runs no hook, and a restart begins a new incarnation from main', async () => {
    const sink = new MemorySink();
    const sim = new Simulation({ seed: 1, sinks: [sink] });
    const seen: TraceRecord[] = [];
    let hookRan = false;
    const actor = sim.host('h').spawn('t', async (ctx) => {
      ctx.onStop(() => (hookRan = true));
      await ticker(seen)(ctx);
    });
    sim.at(3_500, () => actor.crash());
    sim.at(10_000, () => actor.restart());
    sim.at(12_500, () => actor.stop());
    const result = await sim.run();
    expect(hookRan).toBe(true); // from the stop at 12.5 ms, not the crash
    const ticks = sink.records.filter((r) => r.kind === 'tick').map((r) => [r.t, r.fields!.i]);
    expect(ticks).toEqual([
      [1000, 0],
      [2000, 1],
      [3000, 2],
      [11000, 0],
      [12000, 1],
    ]);
    const life = sink.records.filter((r) => r.kind.startsWith('actor.')).map((r) => [r.t, r.kind, r.fields?.incarnation]);
    expect(life).toEqual([
      [0, 'actor.start', 1],
      [3500, 'actor.crash', undefined],
      [10000, 'actor.start', 2],
      [12500, 'actor.stop', undefined],
    ]);
    expect(result.stop).toBe('idle');
  });

  it('a host crash takes down every actor on it and its restart brings them back', async () => {
    const sink = new MemorySink();
    const sim = new Simulation({ seed: 1, sinks: [sink] });
    const host = sim.host('box');
    host.spawn('a', ticker([]), { daemon: true });
    host.spawn('b', ticker([]), { daemon: true });
    sim.at(1_500, () => host.crash());
    sim.at(5_000, () => host.restart());
    await sim.run({ until: '6ms' });
    const kinds = sink.records.filter((r) => r.t === 1_500 || r.t === 5_000).map((r) => `${r.kind}${r.actor ? `:${r.actor}` : ''}`);
    expect(kinds).toEqual(['host.crash', 'actor.crash:a', 'actor.crash:b', 'host.restart', 'actor.start:a', 'actor.start:b']);
  });

  it('an exception in an actor ends it as failed, and the run reports it', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.host('h').spawn('bad', (ctx) => {
      ctx.timer('2ms', () => {
        throw new Error('boom');
      });
    });
    const result = await sim.run();
    expect(result.failures).toEqual([{ actor: 'h/bad', atUs: 2000, error: 'boom' }]);
    expect(result.stop).toBe('idle');
  });

  it('messages to an actor that is down are dropped and traced', async () => {
    const sink = new MemorySink();
    const sim = new Simulation({ seed: 1, sinks: [sink], messageLatency: '1ms' });
    const target = sim.host('b').spawn('t', (ctx) => ctx.onMessage(() => ctx.trace('got')), { daemon: true });
    sim.host('a').spawn('s', (ctx) => {
      ctx.send('b/t', 1);
      ctx.timer('5ms', () => ctx.send('b/t', 2));
    });
    sim.at('3ms', () => target.crash());
    await sim.run();
    expect(sink.records.filter((r) => r.kind.startsWith('msg.') || r.kind === 'got').map((r) => [r.t, r.kind])).toEqual([
      [0, 'msg.send'],
      [1000, 'msg.recv'],
      [1000, 'got'],
      [5000, 'msg.send'],
      [6000, 'msg.drop'],
    ]);
  });
});

describe('run limits', () => {
  it('until stops at exactly that time and a later run goes on from there', async () => {
    const sink = new MemorySink();
    const sim = new Simulation({ seed: 1, sinks: [sink] });
    sim.host('h').spawn('t', async (ctx) => {
      for (let i = 0; i < 10; i++) {
        await ctx.sleep('100ms');
        ctx.trace('tick');
      }
    });
    const first = await sim.run({ until: '350ms' });
    expect(first.stop).toBe('until');
    expect(first.endUs).toBe(350_000);
    expect(sink.records.filter((r) => r.kind === 'tick')).toHaveLength(3);
    expect(first.waiting[0]!.on).toEqual(['sleep until 0.400000s']);
    const second = await sim.run();
    expect(second.stop).toBe('idle');
    expect(second.endUs).toBe(1_000_000);
    expect(sink.records.filter((r) => r.kind === 'tick')).toHaveLength(10);
  });

  it('maxEvents stops after that many events', async () => {
    const sim = new Simulation({ seed: 1 });
    let fired = 0;
    const tick = () => {
      fired++;
      sim.after('1ms', tick);
    };
    sim.after(0, tick);
    const result = await sim.run({ maxEvents: 1000 });
    expect(result.stop).toBe('maxEvents');
    expect(fired).toBe(1000);
    expect(result.endUs).toBe(999_000);
  });
});
