/**
 * `npm run bench [-- --json]`: the core's event rate on a timer-only workload, as a ratio to a bare binary-heap
 * loop timed in the same process (ratios survive a slower or busier machine; absolute rates do not).
 */
import { parseArgs } from 'node:util';
import { asyncSleeps, bareHeapLoop, coreTimers, makeDelays, type Measured } from './workloads.js';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, rounds: { type: 'string' } }, strict: true });
const rounds = Number(values.rounds ?? 5);
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(`bench: --rounds must be a positive integer, got '${values.rounds}'\n`);
  process.exit(2);
}

const TIMER_EVENTS = 2_000_000;
const SLEEP_EVENTS = 300_000;
const delays = makeDelays();
const rate = (m: Measured) => m.events / m.seconds;

// Warm up the JIT on every path, then alternate the workloads and keep each one's best round.
bareHeapLoop(200_000, delays);
await coreTimers(200_000, delays);
await asyncSleeps(20_000, delays);
let bare = 0;
let core = 0;
let sleeps = 0;
for (let r = 0; r < rounds; r++) {
  bare = Math.max(bare, rate(bareHeapLoop(TIMER_EVENTS, delays)));
  core = Math.max(core, rate(await coreTimers(TIMER_EVENTS, delays)));
  sleeps = Math.max(sleeps, rate(await asyncSleeps(SLEEP_EVENTS, delays)));
}

const figures = {
  node: process.version,
  rounds,
  bareHeap: { eventsPerSec: Math.round(bare) },
  coreTimers: { eventsPerSec: Math.round(core), ratio: round3(core / bare) },
  asyncSleeps: { eventsPerSec: Math.round(sleeps), ratio: round3(sleeps / bare) },
};

if (values.json) {
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} else {
  const line = (name: string, eps: number, ratio?: number) =>
    `${name.padEnd(34)} ${(eps / 1e6).toFixed(2).padStart(7)} M events/s${ratio === undefined ? '' : `   ${ratio.toFixed(3)}× bare heap`}`;
  console.log(`faultline bench · node ${process.version} · best of ${rounds} rounds`);
  console.log(line('bare binary-heap loop (baseline)', bare));
  console.log(line('core: timer-only workload', core, core / bare));
  console.log(line('core: async actors sleeping', sleeps, sleeps / bare));
  console.log(`target: core timer-only ≥ 0.5× bare heap: ${core / bare >= 0.5 ? 'met' : 'NOT MET'}`);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
