/**
 * Behaviour of the core's lifecycle features: pausing actors and hosts, kill vs crash vs stop, suspend(),
 * hold()/release() and per-incarnation services. Every expectation is an exact virtual time or an exact
 * trace record. Tests marked `it.fails` document bugs found while writing these (see each one's comment).
 */
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../sim/core/actor.js';
import { canonicalJson } from '../../sim/core/canonical.js';
import type { ActorContext } from '../../sim/core/context.js';
import { SimError } from '../../sim/core/errors.js';
import type { HostEvent } from '../../sim/core/host.js';
import { Simulation } from '../../sim/core/simulation.js';
import { MemorySink, type TraceRecord } from '../../sim/core/trace.js';

/** A world with a trace kept in memory and in-core messages that take exactly 1 ms. */
function world() {
  const sink = new MemorySink();
  const sim = new Simulation({ seed: 1, sinks: [sink], messageLatency: '1ms' });
  return { sim, sink };
}

/** A record as one readable line, fields in canonical JSON (sorted keys): '2500 actor.start box/svc {"incarnation":2}'. */
function show(r: TraceRecord): string {
  const who = r.actor !== undefined ? ` ${r.host}/${r.actor}` : r.host !== undefined ? ` ${r.host}` : '';
  return `${r.t} ${r.kind}${who}${r.fields === undefined ? '' : ` ${canonicalJson(r.fields)}`}`;
}

/** Every record after the header and the host.add lines, as lines. */
function story(sink: MemorySink, keep: (r: TraceRecord) => boolean = () => true): string[] {
  return sink.records.filter((r) => r.kind !== 'header' && r.kind !== 'host.add' && r.kind !== 'run.stop' && keep(r)).map(show);
}

/** Writes a record from outside any actor (a test's own marker). */
function mark(sim: Simulation, kind: string, fields?: Record<string, number | string>): void {
  sim.trace.write({ t: sim.now, kind, fields });
}

describe('Actor.pause() and resume()', () => {
  it('timers and messages that come due while paused run at resume, in the order they came due, one event each', async () => {
    const { sim, sink } = world();
    const a = sim.host('h').spawn('a', (ctx) => {
      ctx.timer('2ms', () => ctx.trace('timer', { due: 2, event: sim.scheduler.firedCount }));
      ctx.timer('4ms', () => {
        ctx.trace('timer', { due: 4, event: sim.scheduler.firedCount });
        ctx.onMessage(null);
      });
      ctx.onMessage((m) => ctx.trace('message', { payload: m.payload as number, event: sim.scheduler.firedCount }));
    });
    sim.host('s').spawn('sender', (ctx) => {
      ctx.timer('2ms', () => ctx.send('h/a', 7)); // arrives at 3 ms
    });
    sim.at('1ms', () => a.pause());
    sim.at('5.5ms', () => {
      a.resume();
      mark(sim, 'resumed', { event: sim.scheduler.firedCount });
    });
    const result = await sim.run();
    const resumeEvent = sink.records.find((r) => r.kind === 'resumed')!.fields!.event as number;
    expect(story(sink, (r) => r.host === 'h' || r.kind === 'resumed')).toEqual([
      '0 actor.start h/a {"incarnation":1}',
      '1000 actor.pause h/a',
      '3000 msg.recv h/a {"from":"s/sender","id":1}', // the arrival is traced when it happens; the handler waits
      '5500 actor.resume h/a',
      `5500 resumed {"event":${resumeEvent}}`,
      `5500 timer h/a {"due":2,"event":${resumeEvent + 1}}`,
      `5500 message h/a {"event":${resumeEvent + 2},"payload":7}`,
      `5500 timer h/a {"due":4,"event":${resumeEvent + 3}}`,
      '5500 actor.exit h/a',
    ]);
    expect(result.stop).toBe('idle');
    expect(result.endUs).toBe(5500);
  });

  it('a paused async actor resumes from sleep and recv only after resume(), at the resume time', async () => {
    const { sim, sink } = world();
    const a = sim.host('h').spawn('a', async (ctx) => {
      await ctx.sleep('2ms');
      ctx.trace('woke');
      const m = await ctx.recv();
      ctx.trace('got', { payload: m.payload as number });
      await ctx.sleep('1ms');
      ctx.trace('slept');
    });
    sim.host('s').spawn('sender', (ctx) => void ctx.timer('2ms', () => ctx.send('h/a', 1))); // arrives at 3 ms
    sim.at('1ms', () => a.pause());
    sim.at('10ms', () => a.resume());
    const result = await sim.run();
    expect(story(sink, (r) => r.host === 'h')).toEqual([
      '0 actor.start h/a {"incarnation":1}',
      '1000 actor.pause h/a',
      '3000 msg.recv h/a {"from":"s/sender","id":1}',
      '10000 actor.resume h/a',
      '10000 woke h/a',
      '10000 got h/a {"payload":1}',
      '11000 slept h/a',
      '11000 actor.exit h/a',
    ]);
    expect(result.stop).toBe('idle');
  });

  it('waitingOn() names the pause and counts what came due; a pause never resumed is a deadlock that says so', async () => {
    const { sim } = world();
    const a = sim.host('h').spawn('a', async (ctx) => {
      await ctx.sleep('2ms');
      await ctx.recv();
    });
    sim.host('s').spawn('sender', (ctx) => void ctx.timer('2ms', () => ctx.send('h/a', 1))); // arrives at 3 ms
    sim.at('1ms', () => a.pause());
    sim.at('1s', () => {}); // keeps the runs below ending at their `until`

    const waitOfA = (r: { waiting: { actor: string }[] }) => r.waiting.filter((w) => w.actor === 'h/a');

    const before = await sim.run({ until: '1.5ms' });
    expect(waitOfA(before)).toEqual([{ actor: 'h/a', daemon: false, on: ['sleep until 0.002000s', 'resume (paused, 0 due)'] }]);
    expect(a.waitingOn()).toEqual(['sleep until 0.002000s', 'resume (paused, 0 due)']);

    const afterSleepDue = await sim.run({ until: '2.5ms' });
    expect(waitOfA(afterSleepDue)).toEqual([{ actor: 'h/a', daemon: false, on: ['resume (paused, 1 due)'] }]);

    const afterMessage = await sim.run({ until: '3.5ms' });
    expect(afterMessage.waiting).toEqual([{ actor: 'h/a', daemon: false, on: ['resume (paused, 2 due)'] }]); // the sender has exited

    const end = await sim.run();
    expect(end.stop).toBe('deadlock');
    expect(end.message).toBe('deadlock at 1.000000s: nothing is scheduled and h/a waits on resume (paused, 2 due)');
  });

  it('pause() and resume() trace once: a second pause, a resume of a running actor and a pause of an ended one do nothing', async () => {
    const { sim, sink } = world();
    const a = sim.host('h').spawn('a', (ctx) => void ctx.timer('3ms', () => ctx.trace('tick')));
    sim.at('1ms', () => {
      a.resume();
      a.pause();
      a.pause();
    });
    sim.at('2ms', () => {
      a.resume();
      a.resume();
    });
    sim.at('4ms', () => {
      a.pause();
      a.resume();
    });
    await sim.run();
    expect(story(sink)).toEqual([
      '0 actor.start h/a {"incarnation":1}',
      '1000 actor.pause h/a',
      '2000 actor.resume h/a',
      '3000 tick h/a',
      '3000 actor.exit h/a',
    ]);
    expect(a.paused).toBe(false);
  });

  it('a crash while paused drops what came due; the restarted incarnation is not paused', async () => {
    const { sim, sink } = world();
    let starts = 0;
    const a = sim.host('h').spawn('a', (ctx) => {
      const mine = ++starts;
      ctx.timer('1ms', () => ctx.trace('tick', { incarnation: mine }));
    });
    sim.at('0.5ms', () => a.pause());
    sim.at('2ms', () => a.crash());
    sim.at('3ms', () => a.restart());
    sim.at('3.5ms', () => a.resume()); // not paused any more: nothing
    const result = await sim.run();
    expect(story(sink)).toEqual([
      '0 actor.start h/a {"incarnation":1}',
      '500 actor.pause h/a',
      '2000 actor.crash h/a',
      '3000 actor.start h/a {"incarnation":2}',
      '4000 tick h/a {"incarnation":2}',
      '4000 actor.exit h/a',
    ]);
    expect(result.stop).toBe('idle');
  });

  // BUG (sim/core/actor.ts, Actor.resume): resume() clears `paused` at once and schedules each deferred item as
  // a new event after everything already due at the resume instant. Work of the same actor that comes due at
  // that instant (a timer, a message whose arrival event was scheduled earlier) runs before the older deferred
  // work: timers fire out of order and two messages from one sender are handled in the reverse of send order.
  it('work due at the resume instant runs after what came due during the pause (messages keep their order)', async () => {
    const { sim } = world();
    const handled: string[] = [];
    const a = sim.host('h').spawn('a', (ctx) => {
      ctx.timer('2ms', () => handled.push('timer due at 2ms'));
      ctx.timer('5ms', () => handled.push('timer due at 5ms'));
      ctx.onMessage((m) => void handled.push(`message ${m.payload as number}`));
    }, { daemon: true });
    sim.host('s').spawn('sender', (ctx) => {
      ctx.timer('2ms', () => ctx.send('h/a', 1)); // arrives at 3 ms, during the pause
      ctx.timer('4ms', () => ctx.send('h/a', 2)); // arrives at 5 ms, the resume instant
    });
    sim.at('1ms', () => a.pause());
    sim.at('5ms', () => a.resume());
    await sim.run();
    // Actual: ['timer due at 5ms', 'message 2', 'timer due at 2ms', 'message 1'].
    expect(handled).toEqual(['timer due at 2ms', 'message 1', 'timer due at 5ms', 'message 2']);
  });
});

describe('Host.pause() and resume()', () => {
  it('freezes every actor on the host and thaws them, host record first', async () => {
    const { sim, sink } = world();
    const host = sim.host('box');
    host.spawn('a', (ctx) => void ctx.timer('2ms', () => ctx.trace('tick')));
    host.spawn('b', async (ctx) => {
      await ctx.sleep('3ms');
      ctx.trace('woke');
    });
    sim.host('other').spawn('c', (ctx) => void ctx.timer('2.5ms', () => ctx.trace('tick')));
    sim.at('1ms', () => host.pause());
    sim.at('1.5ms', () => host.pause()); // already paused: nothing
    sim.at('4ms', () => host.resume());
    sim.at('4.5ms', () => host.resume()); // not paused: nothing
    const result = await sim.run();
    expect(story(sink)).toEqual([
      '0 actor.start box/a {"incarnation":1}',
      '0 actor.start box/b {"incarnation":1}',
      '0 actor.start other/c {"incarnation":1}',
      '1000 host.pause box',
      '1000 actor.pause box/a',
      '1000 actor.pause box/b',
      '2500 tick other/c', // another host runs on
      '2500 actor.exit other/c',
      '4000 host.resume box',
      '4000 actor.resume box/a',
      '4000 actor.resume box/b',
      '4000 tick box/a',
      '4000 actor.exit box/a',
      '4000 woke box/b',
      '4000 actor.exit box/b',
    ]);
    expect(host.paused).toBe(false);
    expect(result.stop).toBe('idle');
  });
});

describe('Host.kill(), crash() and stop()', () => {
  /** A host with a ticking async actor, a callback actor and an actor that has already exited; both live ones have stop hooks. */
  function box() {
    const { sim, sink } = world();
    const host = sim.host('box');
    let starts = 0;
    const svc = host.spawn('svc', async (ctx) => {
      const mine = ++starts;
      ctx.onStop(() => ctx.trace('hook'));
      for (let i = 0; ; i++) {
        await ctx.sleep('1ms');
        ctx.trace('tick', { incarnation: mine, i });
      }
    }, { daemon: true });
    const cb = host.spawn('cb', (ctx) => {
      ctx.onStop(() => ctx.trace('hook'));
      ctx.onMessage(() => {});
    }, { daemon: true });
    const once = host.spawn('once', (ctx) => ctx.trace('done'));
    return { sim, sink, host, svc, cb, once };
  }

  const cases: { how: 'kill' | 'crash' | 'stop'; hostState: string; actorState: string; down: string[] }[] = [
    { how: 'kill', hostState: 'killed', actorState: 'crashed', down: ['2500 host.kill box', '2500 actor.crash box/svc', '2500 actor.crash box/cb'] },
    { how: 'crash', hostState: 'crashed', actorState: 'crashed', down: ['2500 host.crash box', '2500 actor.crash box/svc', '2500 actor.crash box/cb'] },
    {
      how: 'stop',
      hostState: 'stopped',
      actorState: 'stopped',
      down: ['2500 host.stop box', '2500 hook box/svc', '2500 actor.stop box/svc', '2500 hook box/cb', '2500 actor.stop box/cb'],
    },
  ];

  for (const c of cases) {
    it(`${c.how}(): traces host.${c.how}, leaves the actors ${c.actorState}${c.how === 'stop' ? ' after their stop hooks' : ' without running stop hooks'}; restart() brings them back as incarnation 2`, async () => {
      const { sim, sink, host, svc, cb, once } = box();
      const states: string[] = [];
      sim.at('2.5ms', () => {
        host[c.how]();
        states.push(host.state, host.up ? 'up' : 'down', svc.state, cb.state, once.state);
      });
      sim.at('5ms', () => host.restart());
      sim.at('6.5ms', () => host.stop());
      await sim.run();
      expect(states).toEqual([c.hostState, 'down', c.actorState, c.actorState, 'exited']);
      expect(story(sink)).toEqual([
        '0 actor.start box/svc {"incarnation":1}',
        '0 actor.start box/cb {"incarnation":1}',
        '0 actor.start box/once {"incarnation":1}',
        '0 done box/once',
        '0 actor.exit box/once',
        '1000 tick box/svc {"i":0,"incarnation":1}',
        '2000 tick box/svc {"i":1,"incarnation":1}',
        ...c.down,
        // The first incarnation's sleep (due at 3 ms) never resumes. The exited actor does not come back.
        '5000 host.restart box',
        '5000 actor.start box/svc {"incarnation":2}',
        '5000 actor.start box/cb {"incarnation":2}',
        '6000 tick box/svc {"i":0,"incarnation":2}',
        '6500 host.stop box',
        '6500 hook box/svc',
        '6500 actor.stop box/svc',
        '6500 hook box/cb',
        '6500 actor.stop box/cb',
      ]);
      expect([svc.incarnation, cb.incarnation, once.incarnation]).toEqual([2, 2, 1]);
    });
  }

  it('a second kill, crash or stop of a host that is down does nothing', async () => {
    const { sim, sink, host } = box();
    sim.at('1.5ms', () => {
      host.kill();
      host.crash();
      host.stop();
      host.kill();
    });
    await sim.run();
    expect(story(sink, (r) => r.kind.startsWith('host.'))).toEqual(['1500 host.kill box']);
    expect(host.state).toBe('killed');
  });

  it('the old incarnation\'s context is inert after a restart: not alive, no trace, no timer, no send', async () => {
    const { sim, sink } = world();
    const contexts: ActorContext[] = [];
    const host = sim.host('h');
    host.spawn('a', (ctx) => {
      contexts.push(ctx);
      ctx.onMessage(() => {});
    }, { daemon: true });
    host.spawn('peer', (ctx) => ctx.onMessage((m) => ctx.trace('got', { payload: m.payload as string })), { daemon: true });
    sim.at('1ms', () => host.kill());
    sim.at('2ms', () => host.restart());
    sim.at('3ms', () => {
      const [old, current] = contexts;
      expect([old!.alive, current!.alive]).toEqual([false, true]);
      old!.trace('from-old');
      expect(old!.timer('1ms', () => mark(sim, 'old-timer'))).toBeNull();
      old!.send('h/peer', 'old');
      current!.send('h/peer', 'new');
    });
    const result = await sim.run();
    expect(story(sink)).toEqual([
      '0 actor.start h/a {"incarnation":1}',
      '0 actor.start h/peer {"incarnation":1}',
      '1000 host.kill h',
      '1000 actor.crash h/a',
      '1000 actor.crash h/peer',
      '2000 host.restart h',
      '2000 actor.start h/a {"incarnation":2}',
      '2000 actor.start h/peer {"incarnation":2}',
      '3000 msg.send h/a {"id":1,"latencyUs":1000,"payload":"new","to":"h/peer"}',
      '4000 msg.recv h/peer {"from":"h/a","id":1}',
      '4000 got h/peer {"payload":"new"}',
    ]);
    expect(result.stop).toBe('idle');
  });

  it('sim.onHostEvent listeners hear every host event in order, in registration order, after its trace record', async () => {
    const { sim, sink } = world();
    const host = sim.host('box');
    host.spawn('d', async (ctx) => void (await ctx.recv()), { daemon: true });
    const heard: string[] = [];
    const listen = (name: string) => (h: { name: string; state: string }, event: HostEvent) => {
      const last = sink.records.at(-1)!;
      heard.push(`${sim.now} ${name} ${h.name} ${event} state=${h.state} last=${last.kind}`);
    };
    sim.onHostEvent(listen('first'));
    sim.onHostEvent(listen('second'));
    sim.at('1ms', () => host.pause());
    sim.at('2ms', () => host.resume());
    sim.at('3ms', () => host.kill());
    sim.at('3.5ms', () => host.kill()); // down already: no event
    sim.at('4ms', () => host.restart());
    sim.at('4.5ms', () => host.restart()); // up already: no event
    sim.at('5ms', () => host.stop());
    sim.at('6ms', () => host.restart());
    sim.at('7ms', () => host.crash());
    sim.at('8ms', () => host.restart());
    await sim.run();
    const expected: string[] = [];
    for (const [t, event, state] of [
      [1000, 'pause', 'up'],
      [2000, 'resume', 'up'],
      [3000, 'kill', 'killed'],
      [4000, 'restart', 'up'],
      [5000, 'stop', 'stopped'],
      [6000, 'restart', 'up'],
      [7000, 'crash', 'crashed'],
      [8000, 'restart', 'up'],
    ] as const) {
      for (const name of ['first', 'second']) expected.push(`${t} ${name} box ${event} state=${state} last=host.${event}`);
    }
    expect(heard).toEqual(expected);
  });

  it('an actor due to start while its host is down starts, as incarnation 1, when the host restarts', async () => {
    const { sim, sink } = world();
    const host = sim.host('h');
    const late = host.spawn('late', (ctx) => ctx.trace('main'), { at: 2000 });
    sim.at('1ms', () => host.crash());
    sim.at('3ms', () => host.restart());
    await sim.run();
    expect(story(sink)).toEqual([
      '1000 host.crash h',
      '3000 host.restart h',
      '3000 actor.start h/late {"incarnation":1}',
      '3000 main h/late',
      '3000 actor.exit h/late',
    ]);
    expect(late.incarnation).toBe(1);
  });
});

describe('Actor.suspend()', () => {
  it('resumes the awaiting actor at the virtual time resolve is called, before events scheduled after it', async () => {
    const { sim, sink } = world();
    const a: Actor = sim.host('h').spawn('a', async (ctx) => {
      await ctx.sleep('1ms');
      const value = await a.suspend<string>('an answer from the oracle', (resolve) => {
        sim.at('3ms', () => {
          mark(sim, 'resolving');
          resolve('yes');
          mark(sim, 'resolved');
        });
        sim.at('3ms', () => mark(sim, 'later at 3ms'));
      });
      ctx.trace('resumed', { value });
      await ctx.sleep('1ms');
      ctx.trace('slept');
    });
    sim.at('2ms', () => {
      expect(a.waitingOn()).toEqual(['an answer from the oracle']);
      expect(a.phase).toBe('blocked');
    });
    const result = await sim.run();
    expect(story(sink)).toEqual([
      '0 actor.start h/a {"incarnation":1}',
      '3000 resolving',
      '3000 resolved', // the continuation runs once the resolving event is done, and before the next event
      '3000 resumed h/a {"value":"yes"}',
      '3000 later at 3ms',
      '4000 slept h/a',
      '4000 actor.exit h/a',
    ]);
    expect(result.stop).toBe('idle');
  });

  it('a rejection is thrown at the await; uncaught, it fails the actor at that time', async () => {
    const { sim } = world();
    const a: Actor = sim.host('h').spawn('a', async () => {
      await a.suspend('a doomed wait', (_resolve, reject) => void sim.at('2ms', () => reject(new Error('refused'))));
    });
    const result = await sim.run();
    expect(result.failures).toEqual([{ actor: 'h/a', atUs: 2000, error: 'refused' }]);
    expect(a.state).toBe('failed');
  });

  it('its label is what the deadlock message says the actor waits on', async () => {
    const { sim } = world();
    const a: Actor = sim.host('db').spawn('replica', async (ctx) => {
      await ctx.sleep('1ms');
      await a.suspend('a quorum of votes', () => {});
    });
    const result = await sim.run();
    expect(result.stop).toBe('deadlock');
    expect(result.message).toBe('deadlock at 0.001000s: nothing is scheduled and db/replica waits on a quorum of votes');
    expect(result.waiting).toEqual([{ actor: 'db/replica', daemon: false, on: ['a quorum of votes'] }]);
  });

  it('resolve or reject after the actor crashed does nothing, and does not wake a later incarnation', async () => {
    const { sim, sink } = world();
    const settlers: { resolve: (v: string) => void; reject: (e: unknown) => void }[] = [];
    const woke: string[] = [];
    let starts = 0;
    const a: Actor = sim.host('h').spawn('a', async (ctx) => {
      const mine = ++starts;
      let value: string;
      try {
        value = await a.suspend<string>(`wait ${mine}`, (resolve, reject) => void settlers.push({ resolve, reject }));
      } catch (err) {
        value = `rejected: ${(err as Error).message}`;
      }
      woke.push(`${sim.now} incarnation ${mine}: ${value}`); // seen even if a dead incarnation's code ran
      ctx.trace('resumed', { incarnation: mine, value });
    }, { daemon: true });
    sim.at('1ms', () => a.crash());
    sim.at('2ms', () => settlers[0]!.resolve('too late'));
    sim.at('2ms', () => settlers[0]!.reject(new Error('too late')));
    sim.at('3ms', () => a.restart());
    sim.at('4ms', () => settlers[0]!.resolve('wrong incarnation'));
    sim.at('5ms', () => expect(a.waitingOn()).toEqual(['wait 2']));
    sim.at('6ms', () => settlers[1]!.resolve('right one'));
    const result = await sim.run();
    expect(story(sink)).toEqual([
      '0 actor.start h/a {"incarnation":1}',
      '1000 actor.crash h/a',
      '3000 actor.start h/a {"incarnation":2}',
      '6000 resumed h/a {"incarnation":2,"value":"right one"}',
      '6000 actor.exit h/a',
    ]);
    expect(woke).toEqual(['6000 incarnation 2: right one']);
    expect(result.failures).toEqual([]);
    expect(result.stop).toBe('idle');
  });

  // BUG (sim/core/actor.ts, Actor.suspend): when the executor throws, the Promise constructor turns the throw into
  // a rejection, but the suspension token added before the executor ran is never removed (only settle() removes
  // it). The actor catches the error, goes on and returns, yet it never ends: the run reports a deadlock on
  // 'the flaky wait', which no longer exists.
  it('an executor that throws rejects the await and leaves nothing to wait on', async () => {
    const { sim, sink } = world();
    const a: Actor = sim.host('h').spawn('a', async (ctx) => {
      try {
        await a.suspend('the flaky wait', () => {
          throw new Error('executor broke');
        });
      } catch (err) {
        ctx.trace('caught', { error: (err as Error).message });
      }
      await ctx.sleep('1ms');
    });
    const result = await sim.run();
    expect(story(sink)).toEqual(['0 actor.start h/a {"incarnation":1}', '0 caught h/a {"error":"executor broke"}', '1000 actor.exit h/a']);
    // Actual: deadlock at 0.001000s: nothing is scheduled and h/a waits on the flaky wait.
    expect(result.stop).toBe('idle');
  });
});

describe('Actor.hold() and release()', () => {
  it('a callback actor whose main returned stays alive while held and exits when the last hold is released', async () => {
    const { sim, sink } = world();
    const a: Actor = sim.host('h').spawn('a', () => {
      a.hold();
      a.hold();
    });
    sim.at('1s', () => {}); // keeps the first run ending at its `until`
    const held = await sim.run({ until: '2ms' });
    expect(held.waiting).toEqual([{ actor: 'h/a', daemon: false, on: ['events from 2 open handles (sockets, servers)'] }]);
    sim.at('3ms', () => a.release());
    sim.at('4ms', () => expect(a.waitingOn()).toEqual(['events from 1 open handle (sockets, servers)']));
    sim.at('5ms', () => a.release());
    sim.at('6ms', () => a.release()); // nothing left to release: no effect
    const result = await sim.run();
    expect(story(sink)).toEqual(['0 actor.start h/a {"incarnation":1}', '5000 actor.exit h/a']);
    expect(a.holds).toBe(0);
    expect(result.stop).toBe('idle');
    expect(result.endUs).toBe(1_000_000);
  });

  it('a hold never released is a deadlock naming the open handle (idle for a daemon)', async () => {
    for (const daemon of [false, true]) {
      const { sim } = world();
      const a: Actor = sim.host('h').spawn('a', () => a.hold(), { daemon });
      const result = await sim.run();
      expect(result.stop).toBe(daemon ? 'idle' : 'deadlock');
      if (!daemon) expect(result.message).toBe('deadlock at 0.000000s: nothing is scheduled and h/a waits on events from 1 open handle (sockets, servers)');
      expect(result.waiting).toEqual([{ actor: 'h/a', daemon, on: ['events from 1 open handle (sockets, servers)'] }]);
    }
  });

  it('a hold does not keep an actor alive past exit(), and a restart starts with no holds', async () => {
    const { sim, sink } = world();
    const a: Actor = sim.host('h').spawn('a', (ctx) => {
      a.hold();
      ctx.timer('1ms', () => ctx.exit());
    });
    sim.at('2ms', () => {
      expect(a.holds).toBe(0);
      a.restart();
    });
    await sim.run();
    expect(story(sink)).toEqual([
      '0 actor.start h/a {"incarnation":1}',
      '1000 actor.exit h/a',
      '2000 actor.start h/a {"incarnation":2}',
      '3000 actor.exit h/a',
    ]);
  });

  // BUG (sim/core/actor.ts, Actor.endIfNothingLeft): it does not look at `deferred`. A callback actor paused
  // with a timer that came due during the pause (the timer has left `timers` for `deferred`) ends as soon as
  // its last hold is released, still paused: the due timer never runs. It should stay alive until resume()
  // runs the deferred timer, and exit then. (The same check ends an actor at resume; see the next test.)
  it('releasing the last hold of a paused actor with work due does not end it before that work runs', async () => {
    const { sim, sink } = world();
    const a: Actor = sim.host('h').spawn('a', (ctx) => {
      a.hold();
      ctx.timer('2ms', () => ctx.trace('timer'));
    });
    sim.at('1ms', () => a.pause());
    sim.at('3ms', () => a.release());
    sim.at('5ms', () => a.resume());
    await sim.run();
    // Actual: '3000 actor.exit h/a' right after the release, and the timer never runs.
    expect(story(sink)).toEqual([
      '0 actor.start h/a {"incarnation":1}',
      '1000 actor.pause h/a',
      '5000 actor.resume h/a',
      '5000 timer h/a',
      '5000 actor.exit h/a',
    ]);
  });
});

describe('work deferred by a pause and the end of an actor', () => {
  // BUG (sim/core/actor.ts, Actor.endIfNothingLeft), the same as the hold test above, by an ordinary path: at
  // resume each deferred item runs as its own event; when the first one (the message, which arrived at 1 ms)
  // unregisters the handler, endIfNothingLeft sees no timer (the one due at 4 ms sits in `deferred`, no longer
  // in `timers`) and ends the actor, so that timer never runs.
  it('a handler that unregisters itself at resume does not end the actor before its other due work runs', async () => {
    const { sim, sink } = world();
    const a = sim.host('h').spawn('a', (ctx) => {
      ctx.onMessage(() => {
        ctx.trace('message');
        ctx.onMessage(null);
      });
      ctx.timer('4ms', () => ctx.trace('timer'));
    });
    sim.host('s').spawn('sender', (ctx) => ctx.send('h/a', 1)); // arrives at 1 ms
    sim.at('0.5ms', () => a.pause());
    sim.at('5ms', () => a.resume());
    await sim.run();
    // Actual: the message runs, then '5000 actor.exit h/a'; the timer due at 4 ms never runs.
    expect(story(sink, (r) => r.host === 'h')).toEqual([
      '0 actor.start h/a {"incarnation":1}',
      '500 actor.pause h/a',
      '1000 msg.recv h/a {"from":"s/sender","id":1}',
      '5000 actor.resume h/a',
      '5000 message h/a',
      '5000 timer h/a',
      '5000 actor.exit h/a',
    ]);
  });
});

describe('ActorContext.service() and Simulation.provide()', () => {
  it('makes one instance per actor incarnation, on first use, and a new one after a restart', async () => {
    const { sim } = world();
    const made: string[] = [];
    sim.provide('clock', (actor) => {
      made.push(`${actor.address}#${actor.incarnation}@${sim.now}`);
      return { owner: actor.address, incarnation: actor.incarnation };
    });
    const seen: { incarnation: number; same: boolean; value: unknown }[] = [];
    const a = sim.host('h').spawn('a', async (ctx) => {
      await ctx.sleep('1ms');
      const first = ctx.service<{ incarnation: number }>('clock');
      const second = ctx.service<{ incarnation: number }>('clock');
      seen.push({ incarnation: first.incarnation, same: first === second, value: first });
    });
    sim.host('h').spawn('b', (ctx) => void ctx.service('clock'));
    sim.at('3ms', () => a.restart());
    const result = await sim.run();
    expect(made).toEqual(['h/b#1@0', 'h/a#1@1000', 'h/a#2@4000']);
    expect(seen.map((s) => [s.incarnation, s.same])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(seen[0]!.value).not.toBe(seen[1]!.value);
    expect(result.failures).toEqual([]);
  });

  it('an unknown service throws a one-line SimError naming the services provided', async () => {
    const { sim } = world();
    const errors: unknown[] = [];
    sim.host('h').spawn('early', (ctx) => {
      try {
        ctx.service('db');
      } catch (err) {
        errors.push(err);
      }
    });
    sim.at('1ms', () => {
      sim.provide('clock', () => ({}));
      sim.provide('net', () => ({}));
    });
    sim.host('h').spawn('late', (ctx) => void ctx.service('db'), { at: 2000 });
    const result = await sim.run();
    expect(errors).toHaveLength(1);
    const err = errors[0] as SimError;
    expect(err).toBeInstanceOf(SimError);
    expect(err.code).toBe('ERR_SERVICE');
    expect(err.message).toBe("no service 'db' in this simulation (provided: none)");
    // Uncaught, it fails the actor with the same one line, now naming what is provided.
    expect(result.failures).toEqual([{ actor: 'h/late', atUs: 2000, error: "SimError: no service 'db' in this simulation (provided: clock, net)" }]);
    expect(result.failures[0]!.error).not.toContain('\n');
  });

  it('providing a name twice throws', () => {
    const sim = new Simulation({ seed: 1 });
    sim.provide('net', () => ({}));
    expect(() => sim.provide('net', () => ({}))).toThrow(new SimError('ERR_SERVICE', "service 'net' is already provided"));
  });

  // BUG (sim/core/context.ts, ActorContext.service): unlike every other context method it does not check that
  // its incarnation is alive, and it reads `actor.services`, which start() replaces for each incarnation. A
  // context of an ended incarnation therefore gets (or makes) the *current* incarnation's service: with 'net',
  // code holding a dead context can open sockets owned by the live actor. Expected: an inert answer (a throw,
  // or anything but the live incarnation's instance), and no factory call for a dead incarnation.
  it('a context of an ended incarnation does not reach the new incarnation\'s service', async () => {
    const { sim } = world();
    let made = 0;
    sim.provide('svc', (actor) => ({ n: ++made, incarnation: actor.incarnation }));
    const contexts: ActorContext[] = [];
    const a = sim.host('h').spawn('a', (ctx) => {
      contexts.push(ctx);
      ctx.service('svc');
      ctx.onMessage(() => {});
    }, { daemon: true });
    sim.at('1ms', () => a.crash());
    sim.at('2ms', () => a.restart());
    let fromOld: unknown = 'not asked';
    let current: unknown;
    sim.at('3ms', () => {
      current = contexts[1]!.service('svc');
      try {
        fromOld = contexts[0]!.service('svc');
      } catch {
        fromOld = 'threw';
      }
    });
    await sim.run();
    expect(made).toBe(2);
    expect(current).toEqual({ n: 2, incarnation: 2 });
    // Actual: the old context gets { n: 2, incarnation: 2 }, the live incarnation's instance.
    expect(fromOld).not.toBe(current);
  });
});
