import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestHex } from '../../sim/core/digest.js';
import { cli, cliInProcess } from '../helpers/cli.js';
import { scenarios } from '../../scenarios/index.js';

const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

describe('faultline run', () => {
  it('gives the same digest and unseed in two processes for one seed, byte-identical traces, and another digest for another seed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-'));
    const [a, b, c] = await Promise.all([
      cli(['run', 'hello', '--seed', '7', '--json', '--trace', join(dir, 'a.jsonl')]),
      cli(['run', 'hello', '--seed', '7', '--json', '--trace', join(dir, 'b.jsonl')]),
      cli(['run', 'hello', '--seed', '8', '--json']),
    ]);
    for (const r of [a, b, c]) expect(r).toMatchObject({ code: 0, stderr: '' });
    const [ja, jb, jc] = [json(a.stdout), json(b.stdout), json(c.stdout)];
    for (const key of ['scenario', 'seed', 'params', 'digest', 'unseed', 'durationUs', 'events']) expect(ja).toHaveProperty(key);
    expect(jb.digest).toBe(ja.digest);
    expect(jb.unseed).toBe(ja.unseed);
    expect(jc.digest).not.toBe(ja.digest);
    const traceA = readFileSync(join(dir, 'a.jsonl'));
    const traceB = readFileSync(join(dir, 'b.jsonl'));
    expect(traceA.equals(traceB)).toBe(true);
    // The run's digest is the digest of its JSONL file, so a trace can be checked against the run that wrote it.
    expect(digestHex(traceA.toString('utf8'))).toBe(ja.digest);
    const header = JSON.parse(traceA.toString('utf8').split('\n')[0]!);
    expect(header).toMatchObject({ t: 0, kind: 'header', fields: { seed: 7, scenario: 'hello', faults: [] } });
  });

  it('ignores V8 hash seeds and Math.random seeds: iteration order never depends on hashing', async () => {
    const runs = await Promise.all([
      cli(['run', 'hello', '--seed', '3', '--json'], ['--hash-seed=1', '--random-seed=1']),
      cli(['run', 'hello', '--seed', '3', '--json'], ['--hash-seed=424242', '--random-seed=777']),
    ]);
    expect(json(runs[1].stdout).digest).toBe(json(runs[0].stdout).digest);
  });

  it('prints what happened, the digest, and a replay command that reproduces the run', async () => {
    const human = await cli(['run', 'hello', '--seed', 'abc', '--set', 'pings=2', '--duration', '10s', '--log', '40']);
    expect(human.code).toBe(0);
    const lines = human.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^faultline \d+\.\d+\.\d+ · hello · seed abc$/);
    expect(human.stdout).toContain('hello.pong');
    const digest = /^digest ([0-9a-f]{16})  unseed ([0-9a-f]{16})$/m.exec(human.stdout);
    expect(digest).not.toBeNull();
    const replay = lines.at(-1)!;
    expect(replay).toBe('replay: npx faultline run hello --seed abc --duration 10s --set pings=2');
    expect((await cli(['run', 'hello', '--seed', 'abc', '--set', 'pings=2', '--duration', '10s'])).stdout).not.toContain('hello.pong');
    const again = await cli([...replay.replace('replay: npx faultline ', '').split(' '), '--json']);
    expect(json(again.stdout).digest).toBe(digest![1]);
    expect(json(again.stdout).unseed).toBe(digest![2]);
  });

  it("tells a newcomer what happened: pool-exhaustion's timeline shows the pool's waiters, its timeouts and the gateway's 504s next to the fault", async () => {
    const r = await cli(['run', 'pool-exhaustion', '--duration', '20s']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toMatch(/^Slow queries drain/);
    const header = lines.findIndex((l) => l.startsWith('timeline (1s per row'));
    expect(lines[header + 1]).toMatch(/from\s+ok\s+failed\s+p99 ms\s+top error\s+service-db \(max 10\): active waiting timeouts/);
    const rows = lines.slice(header + 2, header + 22);
    expect(rows[10]).toMatch(/^\s+10s\s+\d+\s+0\s+[\d.]+\s+10\s+\d+\s+0\s+← database slow ×20$/);
    expect(rows.some((row) => /504 ×\d+\s+10\s+[1-9]\d+\s+[1-9]\d*$/.test(row))).toBe(true);
  });

  it('lists the scenarios', async () => {
    const r = await cli(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^hello\s+\S/m);
  });
});

describe('fault schedules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-faults-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('a partition and heal from a file shows in the trace and the replay command reproduces it', async () => {
    const faults = file('ok.json', JSON.stringify([{ at: '2s', kind: 'partition', a: 'client' }, { at: '4s', kind: 'heal' }]));
    const r = await cli(['run', 'hello', '--seed', '3', '--faults', faults]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2\.000000s\s+-\s+fault\s+kind=partition a=client/);
    expect(r.stdout).toContain(`--faults ${faults}`);
    const [a, b] = await Promise.all([cli(['run', 'hello', '--seed', '3', '--faults', faults, '--json']), cli(['run', 'hello', '--seed', '3', '--json'])]);
    expect(json(a.stdout).digest).not.toBe(json(b.stdout).digest);
    expect((json(a.stdout).metrics as { counters: { name: string; value: number }[] }).counters).toContainEqual({ name: 'net.drop.partition', value: expect.any(Number) });
  });

  const bad: [string, string, RegExp][] = [
    ['a probability out of range', JSON.stringify([{ at: '1s', kind: 'loss', a: 'client', loss: 1.5 }]), /^faultline: faults\[0\]\.loss: expected a probability from 0 to 1, got 1\.5$/],
    ['an unknown kind', JSON.stringify([{ at: '1s', kind: 'explode' }]), /^faultline: faults\[0\]\.kind: unknown fault 'explode'/],
    ['an unknown host', JSON.stringify([{ at: '1s', kind: 'crash', host: 'nope' }]), /^faultline: faults\[0\]\.host: unknown host 'nope'/],
    ['a negative time', JSON.stringify([{ at: '-5s', kind: 'heal' }]), /^faultline: faults\[0\]\.at: '-5s' is negative$/],
    ['not a list', JSON.stringify({ kind: 'heal' }), /^faultline: faults: expected a list of faults/],
    ['not JSON', '[{"at":', /^faultline: --faults \S+: not JSON/],
  ];
  it.concurrent.for(bad)('%s: one line naming the field, exit status 2', async ([name, text, message], { expect }) => {
    const r = await cliInProcess(['run', 'hello', '--faults', file(`${name.replace(/ /g, '-')}.json`, text)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(message);
  });
});

describe('bad input', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown scenario', ['run', 'nope'], new RegExp(`^faultline: unknown scenario 'nope' \\(scenarios: ${scenarios.map((x) => x.name).join(', ')}; or a path to a module exporting one, e\\.g\\. \\./my-scenario\\.ts\\)$`)],
    ['unknown parameter', ['run', 'hello', '--set', 'bogus=1'], /^faultline: unknown parameter 'bogus' for scenario hello \(its parameters: pings, interval, latency, loss, serviceTime\)$/],
    ['malformed value', ['run', 'hello', '--set', 'pings=many'], /^faultline: parameter 'pings' of scenario hello: .*expected number.* \(got "many"\)$/],
    ['value out of range', ['run', 'hello', '--set', 'pings=-1'], /^faultline: parameter 'pings' of scenario hello: .*>=0/],
    ['malformed duration parameter', ['run', 'hello', '--set', 'interval=10'], /^faultline: parameter 'interval' of scenario hello: '10' needs a unit/],
    ['malformed distribution', ['run', 'hello', '--set', 'latency={"kind":"uniform","min":"5ms","max":"1ms"}'], /^faultline: parameter 'latency' of scenario hello: .*max/],
    ['negative duration', ['run', 'hello', '--duration=-5s'], /^faultline: --duration: '-5s' is negative$/],
    ['duration without unit', ['run', 'hello', '--duration', '30'], /^faultline: --duration: '30' needs a unit/],
    ['a --log that is not a count', ['run', 'hello', '--log', 'all'], /^faultline: --log: expected a whole number of records from 0 to 10000, got 'all'$/],
    ['missing option value', ['run', 'hello', '--seed'], /^faultline: Option '--seed <value>' argument missing$/],
    ['unknown option', ['run', 'hello', '--frobnicate'], /^faultline: Unknown option '--frobnicate'$/],
    ['--set without =', ['run', 'hello', '--set', 'pings'], /^faultline: --set 'pings': expected key=value$/],
    ['no scenario', ['run'], /^faultline: run needs a scenario \(a built-in \(hello, /],
    ['unknown command', ['fly'], /^faultline: unknown command 'fly'/],
    ['unwritable trace file', ['run', 'hello', '--trace', '/nonexistent-dir/x.jsonl'], /^faultline: --trace \/nonexistent-dir\/x.jsonl: ENOENT/],
  ];

  it.concurrent.for(cases)('%s: one line naming the problem, exit status 2, no stack trace', async ([, args, message], { expect }) => {
    const r = await cliInProcess(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
