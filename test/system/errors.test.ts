/**
 * A system file with a mistake gets one line naming the path, never a stack trace: by example, then for any
 * mutation of a valid file (fast-check), checked in-process and through the CLI (exit 2).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DistributionError, DurationError, ParamError, runScenario, SimError, systemScenario } from 'faultline';
import { cli } from '../helpers/cli.js';

/** A small valid system: a client, a gateway, two services (one calls the other), a database. */
const valid = () => ({
  name: 'shop',
  duration: '2s',
  params: { poolSize: { type: 'int', default: 4, min: 1 } },
  databases: { db: { maxConnections: 50, queryTime: '2ms' } },
  services: {
    api: { replicas: 2, database: 'db', pool: { maximumPoolSize: '${poolSize}', connectionTimeoutMs: 250 }, calls: [{ service: 'stock', path: '/stock', timeoutMs: 200 }] },
    stock: { cpuTime: '300us' },
  },
  gateways: { edge: { preset: 'nginx', upstream: 'api', readTimeoutMs: 1000 } },
  clients: { shoppers: { target: 'edge', ratePerS: 20, deadlineMs: 2000 } },
  faults: [{ at: '1s', kind: 'loss', a: 'db', loss: 0.1 }],
});

/** The one line a mistake gets: thrown as one of the user-error classes, without a newline. */
async function mistake(json: unknown, params: Record<string, unknown> = {}): Promise<string> {
  try {
    const scenario = systemScenario(json);
    await runScenario(scenario, { seed: 1, params, duration: '100ms' });
  } catch (err) {
    const known = err instanceof SimError || err instanceof ParamError || err instanceof DurationError || err instanceof DistributionError;
    expect(known, String(err)).toBe(true);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('no error');
}

const edit = (f: (s: ReturnType<typeof valid>) => void) => {
  const s = valid();
  f(s);
  return s;
};

describe('a system file', () => {
  it('runs when valid', async () => {
    const run = await runScenario(systemScenario(valid()), { seed: 1 });
    expect(run.result.stop).toBe('until');
    expect(run.requests.total).toBeGreaterThan(20);
    expect(Object.keys(run.pools)).toEqual(expect.arrayContaining(['api-1-db', 'api-2-db']));
  });

  it.each([
    ['a wrong type', edit((s) => ((s.services.api.pool as Record<string, unknown>).maximumPoolSize = 'ten')), 'services.api.pool.maximumPoolSize: expected an integer, got "ten"'],
    ['a number out of range', edit((s) => ((s.databases.db as Record<string, unknown>).maxConnections = 0)), 'databases.db.maxConnections: expected an integer >= 1, got 0'],
    ['an unknown key near a known one', edit((s) => ((s.services.api as Record<string, unknown>).pol = {})), 'services.api.pol: unknown key (did you mean pool?)'],
    ['an unknown top-level key', edit((s) => ((s as Record<string, unknown>).service = {})), 'service: unknown key (did you mean services?)'],
    ['an unknown preset', edit((s) => ((s.gateways.edge as Record<string, unknown>).preset = 'haproxy')), 'gateways.edge.preset: expected one of "nginx", "envoy", got "haproxy"'],
    ['a dangling upstream', edit((s) => (s.gateways.edge.upstream = 'cart')), "gateways.edge.upstream: no service 'cart' (services: api, stock)"],
    ['a dangling database', edit((s) => (s.services.api.database = 'pg')), "services.api.database: no database 'pg' (databases: db)"],
    ['a call cycle', edit((s) => ((s.services.stock as Record<string, unknown>).calls = [{ service: 'api' }])), 'services.api.calls: a call cycle: api → stock → api (a request would call itself for ever)'],
    ['a unit-less duration', edit((s) => (s.duration = '5')), "duration: '5' needs a unit"],
    ['a parameter the file does not declare', edit((s) => ((s.services.stock as Record<string, unknown>).workers = '${workers}')), 'services.stock.workers: ${workers} is not a parameter of this file (params: poolSize)'],
    ['a host name used twice', edit((s) => ((s.databases as Record<string, unknown>).stock = {})), 'services.stock: the name is taken by databases.stock (a host has one name)'],
    ['a fault on an unknown host', edit((s) => (s.faults[0]!.a = 'dbb')), "faults[0].a: unknown host 'dbb'"],
  ])('%s: one line naming the path', async (_name, json, message) => {
    expect(await mistake(json)).toContain(message);
  });

  it("a choice's meaning that is not there is named", async () => {
    const json = { ...valid(), params: { poolSize: { type: 'int', default: 4, min: 1 }, side: { type: 'choice', choices: ['a', 'b'], default: 'a', means: { a: { host: 'api-1' }, b: { host: 'api-2' } } } }, faults: [{ at: '1s', kind: 'pause', host: '${side.hots}' }] };
    expect(await mistake(json)).toBe("faults[0].host: ${side.hots}: parameter side has no meaning 'hots' for \"a\"");
    const ok = { ...json, faults: [{ at: '1s', kind: 'pause', host: '${side.host}' }, { at: '1s + 500ms', kind: 'resume', host: '${side.host}' }] };
    const run = await runScenario(systemScenario(ok), { seed: 1, params: { side: 'b' } });
    expect(run.result.stop).toBe('until');
  });

  it('a bad --set: a knob out of range, a path that is not in the file, a value the path refuses', async () => {
    expect(await mistake(valid(), { poolSize: '0' })).toMatch(/^parameter 'poolSize' of scenario shop: /);
    expect(await mistake(valid(), { 'services.cart.replicas': '2' })).toBe('--set services.cart.replicas: services.cart is not in the file (there: api, stock)');
    expect(await mistake(valid(), { 'services.api.replicas': '-1' })).toBe('services.api.replicas: expected an integer >= 1, got -1');
    expect(await mistake(valid(), { 'services.api.replica': '3' })).toBe('services.api.replica: unknown key (did you mean replicas?)');
  });

  // How fast (the 'within a second') is measured by `npm run bench` (bench/system-errors.ts), not here.
  it('any mutation of a valid file ends in one line', async () => {
    const paths: string[][] = [];
    const walk = (v: unknown, path: string[]) => {
      if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
      else paths.push(path);
    };
    walk(valid(), []);
    const junk = fc.oneof(fc.constant('ten'), fc.constant(-5), fc.constant(''), fc.constant(null), fc.constant([]), fc.constant({ x: 1 }), fc.constant('5'), fc.constant('-2s'), fc.constant(true));
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('value' as const), path: fc.constantFrom(...paths), value: junk }),
      fc.record({ kind: fc.constant('key' as const), path: fc.constantFrom(...paths), key: fc.constantFrom('replica', 'maxConnection', 'timeout', 'polls') }),
      fc.record({ kind: fc.constant('ref' as const), which: fc.constantFrom('upstream', 'target', 'database', 'call'), to: fc.constantFrom('nowhere', 'db', 'shoppers', 'api') }),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const s = valid() as Record<string, unknown>;
        if (m.kind === 'value' || m.kind === 'key') {
          let node = s as Record<string, unknown>;
          for (const k of m.path.slice(0, -1)) node = node[k] as Record<string, unknown>;
          if (m.kind === 'value') node[m.path[m.path.length - 1]!] = m.value;
          else node[m.key] = 1;
        } else {
          const v = s as ReturnType<typeof valid>;
          if (m.which === 'upstream') v.gateways.edge.upstream = m.to;
          else if (m.which === 'target') v.clients.shoppers.target = m.to;
          else if (m.which === 'database') v.services.api.database = m.to;
          else v.services.stock = { ...v.services.stock, calls: [{ service: m.to, path: '/', timeoutMs: 0 }] } as never;
        }
        let message: string | null = null;
        try {
          message = await mistake(s);
        } catch (err) {
          // Some mutations are still valid files (a replica count of true is not; a target of 'api' is): they run.
          if ((err as Error).message !== 'no error') throw err;
        }
        if (message !== null) expect(message.length).toBeGreaterThan(0);
      }),
      { numRuns: 150, seed: 12 },
    );
  });

  it('through the CLI: one line on stderr, exit 2 (YAML errors name the line)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-system-'));
    const bad = join(dir, 'shop.yaml');
    writeFileSync(bad, 'services:\n  api:\n    replicas: ten\n');
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'services:\n  api: [\n');
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'services:\n  api: { replicas: 1 }\nclients:\n  users: { target: api }\n');
    const [r1, r2, r3] = await Promise.all([cli(['run', bad]), cli(['check', broken]), cli(['run', good, '--set', 'services.api.replicas=2', '--duration', '100ms'])]);
    expect(r1.code).toBe(2);
    expect(r1.stderr.trim()).toBe(`faultline: ${bad}: services.api.replicas: expected an integer, got "ten"`);
    expect(r2.code).toBe(2);
    expect(r2.stderr.trim()).toMatch(new RegExp(`^faultline: ${broken}: not YAML \\(line \\d+, column \\d+\\): `));
    expect(r2.stderr.trim().split('\n')).toHaveLength(1);
    expect(r3.stderr).toBe('');
    expect(r3.code).toBe(0);
    expect(r3.stdout).toContain('faultline 0.1.0 · good · seed 1');
  });
});
