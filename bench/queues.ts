/**
 * Queueing workloads run as scenarios (runScenario, as `faultline run` does), each counting the requests its
 * ledger saw per wall second, and the same queues in SimPy (bench/mmc_simpy.py, run by Debian's
 * /usr/bin/python3 with its python3-simpy package) for a ratio between the two.
 *
 * - mmc: scenarios/mmc.ts, a pool-only model: a Pool and timers on one host, no network, no per-request trace.
 * - full stack: scenarios/pool-exhaustion.ts made an M/D/c queue (no slowdown, no timeouts, a constant query
 *   time of 1/mu): each request goes client → HTTP/1.1 over TCP (through the scenario's gateway, if it has one) →
 *   service workers → HikariCP pool → PostgreSQL protocol over TCP → database, with packets traced and digested. The database's query time is constant,
 *   so its SimPy counterpart serves in constant time too.
 * - pool-exhaustion as its scenario defines it (40 s, seed 1), counting every request (ok and failed).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { mmc, poolExhaustion } from 'faultline/scenarios';
import { parseDuration, runScenario, type Duration, type RequestSummary, type Scenario, type ScenarioRunOptions } from 'faultline';
import { incomplete } from './workloads.js';

const run = promisify(execFile);

/** What a queueing workload did: requests counted, the wall seconds of the simulation alone, and its waits. */
export interface QueueMeasured {
  count: number;
  seconds: number;
  /** Share of acquires that found no free server (connection). */
  waitProbability: number;
  /** Mean wait for a server, ms (zero waits included). */
  meanWaitMs: number;
}

/** An M/M/c (or M/D/c) queue: c servers, lambda arrivals per second, service rate mu per server. */
export interface QueueParams {
  c: number;
  lambda: number;
  mu: number;
}

const SIMPY_PYTHON = '/usr/bin/python3';
const SIMPY_SCRIPT = fileURLToPath(new URL('./mmc_simpy.py', import.meta.url));
export const SIMPY_INSTALL = 'apt-get install python3-simpy';

/** Runs a scenario, timing the simulation only (from after build to the end of the run), and reads its ledger and one pool. */
async function timedScenario(scenario: Scenario, pool: string, options: ScenarioRunOptions, count: (s: RequestSummary) => number): Promise<QueueMeasured> {
  let start = 0;
  const { result, pools, requests } = await runScenario(scenario, { ...options, beforeRun: () => (start = performance.now()) });
  const seconds = (performance.now() - start) / 1000;
  if (result.stop !== 'until' || result.failures.length > 0) throw incomplete(scenario.name, 'did not run its full duration', result);
  const p = pools[pool];
  if (!p) throw new Error(`${scenario.name}: no pool named '${pool}'`);
  return { count: count(requests), seconds, waitProbability: p.waitProbability, meanWaitMs: p.meanWaitMs };
}

/** scenarios/mmc with these parameters: requests completed per wall second. */
export function mmcScenario(q: QueueParams, duration: Duration, warmUp: Duration): Promise<QueueMeasured> {
  return timedScenario(mmc, 'mmc', { seed: 1, params: { ...q, warmUp }, duration }, (s) => s.ok);
}

/**
 * pool-exhaustion as an M/D/c queue through the full stack: Poisson arrivals at lambda, c pooled database
 * connections, each query a constant 1/mu, no slowdown, no pool or client timeouts. Requests completed per
 * wall second; the pool's hold time is the query plus the network and database around it (about a millisecond).
 */
export function fullStackMdc(q: QueueParams, duration: Duration): Promise<QueueMeasured> {
  const params: Record<string, unknown> = { ratePerS: q.lambda, poolSize: q.c, queryMs: 1000 / q.mu, slowFactor: 1, connectionTimeoutMs: 0, deadlineMs: 0 };
  // A gateway in front, where the scenario has one, must not time out requests that take a second or more.
  if ('gatewayReadTimeoutMs' in poolExhaustion.params.shape) params.gatewayReadTimeoutMs = 3_600_000;
  return timedScenario(poolExhaustion, 'service-db', { seed: 1, params, duration }, (s) => {
    if (s.failed > 0) throw new Error(`pool-exhaustion as M/D/c: ${s.failed} of ${s.total} requests failed (${JSON.stringify(s.byError)}); a queue without timeouts should serve them all`);
    return s.ok;
  });
}

/** pool-exhaustion with its defaults (40 s, seed 1): every request the ledger started, ok or failed, per wall second. */
export function poolExhaustionDefault(): Promise<QueueMeasured> {
  return timedScenario(poolExhaustion, 'service-db', { seed: 1 }, (s) => s.total);
}

/** The installed SimPy's version, or null when Debian's python3 or its python3-simpy package is missing. */
export async function simpyVersion(): Promise<string | null> {
  try {
    const { stdout } = await run(SIMPY_PYTHON, ['-c', 'import SimPy.Simulation, SimPy; print(SimPy.__version__)']);
    return stdout.trim();
  } catch {
    return null;
  }
}

/** bench/mmc_simpy.py: the same queue in SimPy for the same virtual time, customers completed per wall second of simulate(). */
export async function simpyQueue(q: QueueParams, duration: Duration, warmUp: Duration, service: 'exponential' | 'constant'): Promise<QueueMeasured> {
  const seconds = (d: Duration) => String(parseDuration(d, 'duration') / 1e6);
  const args = [SIMPY_SCRIPT, '--c', String(q.c), '--lambda', String(q.lambda), '--mu', String(q.mu), '--duration', seconds(duration), '--warmup', seconds(warmUp), '--service', service];
  const { stdout } = await run(SIMPY_PYTHON, args);
  const out = JSON.parse(stdout) as { completed: number; wallSeconds: number; waitProbability: number; meanWaitMs: number };
  return { count: out.completed, seconds: out.wallSeconds, waitProbability: out.waitProbability, meanWaitMs: out.meanWaitMs };
}
