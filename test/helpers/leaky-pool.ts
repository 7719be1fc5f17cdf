/**
 * The canary's bug, for tests only: a pool that leaks its slot when a connection breaks mid-query. The
 * service evicts a connection whose query failed (ECONNRESET after the database is killed, or restarts);
 * with the bug, evict() marks the lease returned but never gives the slot back, as a driver that forgets its
 * error path would. The patch is installed once and acts only in simulations passed to `leakIn` (a
 * `beforeRun`), so every other run in the same worker keeps the real pool.
 */
import type { Simulation } from '../../sim/core/simulation.js';
import type { World } from '../../sim/world.js';
import { Lease } from '../../sim/pool/pool.js';

const leaky = new WeakSet<Simulation>();
let installed = false;

/** What the patch reads of a lease (private fields, reached on purpose: this is the bug). */
interface LeaseInternals {
  returned: boolean;
  pooled: { pool: { sim: Simulation; name: string } };
}

function install(): void {
  if (installed) return;
  installed = true;
  const evict = Lease.prototype.evict;
  Lease.prototype.evict = function (this: Lease<unknown>) {
    const lease = this as unknown as LeaseInternals;
    const pool = lease.pooled.pool;
    // Database pools only (the service's `<host>-db`): the gateway's and the clients' HTTP pools evict too.
    if (!leaky.has(pool.sim) || !pool.name.endsWith('-db')) return evict.call(this);
    lease.returned = true; // the bug: the broken connection's slot is never given back
  };
}

/** A `beforeRun` that makes the database pools of this simulation leak on evict. */
export function leakIn(world: World): void {
  install();
  leaky.add(world.sim);
}
