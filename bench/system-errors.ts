/**
 * The bound the issue puts on a system file's mistakes ("one line and exit 2, within a second"), measured
 * here rather than asserted in a test (tests assert no wall-clock time): a valid file mutated in each way the
 * property test mutates it, the slowest time from reading it to its one-line error.
 */
import { runScenario, systemScenario } from 'faultline';

const valid = () => ({
  name: 'shop',
  duration: '2s',
  params: { poolSize: { type: 'int', default: 4, min: 1 } },
  databases: { db: { maxConnections: 50, queryTime: '2ms' } },
  services: { api: { replicas: 2, database: 'db', pool: { maximumPoolSize: '${poolSize}' }, calls: [{ service: 'stock', path: '/stock' }] }, stock: { cpuTime: '300us' } },
  gateways: { edge: { upstream: 'api', readTimeoutMs: 1000 } },
  clients: { shoppers: { target: 'edge', ratePerS: 20, deadlineMs: 2000 } },
});

type Mutate = (s: ReturnType<typeof valid>) => void;
const MUTATIONS: Mutate[] = [
  (s) => ((s.services.api.pool as Record<string, unknown>).maximumPoolSize = 'ten'),
  (s) => ((s.services.api as Record<string, unknown>).pol = {}),
  (s) => (s.duration = '5'),
  (s) => ((s.gateways.edge as Record<string, unknown>).preset = 'haproxy'),
  (s) => (s.gateways.edge.upstream = 'cart'),
  (s) => ((s.services.stock as Record<string, unknown>).calls = [{ service: 'api' }]),
  (s) => ((s.databases as Record<string, unknown>).stock = {}),
  (s) => ((s.services.stock as Record<string, unknown>).workers = '${workers}'),
];

/** The slowest mutation's time to its error, ms, over every mutation (each must fail). */
export async function slowestSystemErrorMs(): Promise<number> {
  let slowest = 0;
  for (const mutate of MUTATIONS) {
    const json = valid();
    mutate(json);
    const started = performance.now();
    let failed = false;
    try {
      await runScenario(systemScenario(json), { seed: 1, duration: '100ms' });
    } catch {
      failed = true;
    }
    if (!failed) throw new Error('a mutated system file ran instead of failing');
    slowest = Math.max(slowest, performance.now() - started);
  }
  return slowest;
}
