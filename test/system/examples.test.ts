/**
 * The example system files say what the built-in scenarios say: each gives its built-in's digest, with its
 * defaults and with a parameter set; a path in the file can be set like a parameter.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from 'faultline';
import { loadScenario } from 'faultline/node';
import { findScenario } from 'faultline/scenarios';
import { repoRoot } from '../helpers/cli.js';

const cases: [string, Record<string, string>, string][] = [
  ['pool-exhaustion', { poolSize: '20', slowFactor: '10' }, '20s'],
  ['db-max-connections', { replicas: '3' }, '10s'],
  ['retry-storm', { retryBudget: 'true' }, '20s'],
  ['keepalive-race', { clientIdleMs: '2000' }, '60s'],
  ['partition', { direction: 'to-gateway', retries: '1' }, '40s'],
];

describe('example system files', () => {
  it.each(cases)('examples/%s.yaml gives the built-in’s digest, with its defaults and with %o', async (name, params, duration) => {
    const { scenario: fromFile } = await loadScenario(join(repoRoot, 'examples', `${name}.yaml`));
    const builtin = findScenario(name)!;
    expect(fromFile.name).toBe(name);
    expect(fromFile.chaos).toEqual(JSON.parse(JSON.stringify(builtin.chaos)));
    for (const given of [{}, params]) {
      const [a, b] = await Promise.all([runScenario(fromFile, { seed: 3, params: given, duration, traceDetail: 'light' }), runScenario(builtin, { seed: 3, params: given, duration, traceDetail: 'light' })]);
      expect(a.digest, JSON.stringify(given)).toBe(b.digest);
    }
  });

  it('takes a path into the file as a parameter: services.service.pool.maximumPoolSize=20 is poolSize=20', async () => {
    const { scenario } = await loadScenario(join(repoRoot, 'examples/pool-exhaustion.yaml'));
    const byPath = await runScenario(scenario, { seed: 1, duration: '15s', params: { 'services.service.pool.maximumPoolSize': '20' }, traceDetail: 'light' });
    const byKnob = await runScenario(scenario, { seed: 1, duration: '15s', params: { poolSize: '20' }, traceDetail: 'light' });
    // The header names what was set, so the digests differ; the runs do not.
    expect(byPath.requests).toEqual(byKnob.requests);
    expect(byPath.pools['service-db']).toEqual(byKnob.pools['service-db']);
  });
});

describe('faultline schema', () => {
  it('prints the JSON Schema of a system file, every section and option named, for editors', async () => {
    const { cli } = await import('../helpers/cli.js');
    const r = await cli(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, { additionalProperties?: { properties?: Record<string, unknown> } }>; additionalProperties: boolean };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['params', 'network', 'databases', 'servers', 'services', 'gateways', 'clients', 'faults', 'chaos']));
    expect(Object.keys(schema.properties.services!.additionalProperties!.properties!)).toEqual(expect.arrayContaining(['replicas', 'database', 'pool', 'calls', 'honorDeadline']));
    expect(schema.additionalProperties).toBe(false);
  });
});
