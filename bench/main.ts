/**
 * `npm run bench [-- --json]`: the core's event rate on a timer-only workload, as a ratio to a bare binary-heap
 * loop timed in the same process (ratios survive a slower or busier machine; absolute rates do not). The TCP
 * workloads (bulk transfer, connection storm) report their own unit per second and the same kind of ratio.
 */
import { parseArgs } from 'node:util';
import { describeError } from '../sim/core/errors.js';
import { asyncSleeps, bareHeapLoop, coreTimers, makeDelays, tcpBulk, tcpConnStorm, type Measured, type NetMeasured } from './workloads.js';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, rounds: { type: 'string' } }, strict: true });
const rounds = Number(values.rounds ?? 5);
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(`bench: --rounds must be a positive integer, got '${values.rounds}'\n`);
  process.exit(2);
}

const TIMER_EVENTS = 2_000_000;
const SLEEP_EVENTS = 300_000;
/** 20 MiB in 64 KiB writes over one connection. */
const BULK_BYTES = 20 * 1024 * 1024;
const BULK_WRITE_BYTES = 64 * 1024;
const STORM_CONNECTIONS = 5_000;
const delays = makeDelays();
const rate = (m: Measured) => m.events / m.seconds;
const netRate = (m: NetMeasured) => m.count / m.seconds;

/**
 * A network workload's best rate over the rounds, or the error that stopped it: TCP is young, and one
 * workload that cannot finish should say why without hiding the other figures.
 */
class NetFigure {
  best = 0;
  error: string | null = null;
  constructor(private readonly run: () => Promise<NetMeasured>) {}
  async round(): Promise<void> {
    if (this.error !== null) return;
    try {
      this.best = Math.max(this.best, netRate(await this.run()));
    } catch (err) {
      this.error = describeError(err);
    }
  }
}

const bulk = new NetFigure(() => tcpBulk(BULK_BYTES, BULK_WRITE_BYTES));
const storm = new NetFigure(() => tcpConnStorm(STORM_CONNECTIONS));

// Warm up the JIT on every path, then alternate the workloads and keep each one's best round.
bareHeapLoop(200_000, delays);
await coreTimers(200_000, delays);
await asyncSleeps(20_000, delays);
await new NetFigure(() => tcpBulk(BULK_BYTES / 10, BULK_WRITE_BYTES)).round();
await new NetFigure(() => tcpConnStorm(STORM_CONNECTIONS / 10)).round();
let bare = 0;
let core = 0;
let sleeps = 0;
for (let r = 0; r < rounds; r++) {
  bare = Math.max(bare, rate(bareHeapLoop(TIMER_EVENTS, delays)));
  core = Math.max(core, rate(await coreTimers(TIMER_EVENTS, delays)));
  sleeps = Math.max(sleeps, rate(await asyncSleeps(SLEEP_EVENTS, delays)));
  await bulk.round();
  await storm.round();
}

const netJson = (figure: NetFigure, key: string) =>
  figure.error === null ? { [key]: Math.round(figure.best), ratio: roundSig3(figure.best / bare) } : { error: figure.error };

const figures = {
  node: process.version,
  rounds,
  bareHeap: { eventsPerSec: Math.round(bare) },
  coreTimers: { eventsPerSec: Math.round(core), ratio: round3(core / bare) },
  asyncSleeps: { eventsPerSec: Math.round(sleeps), ratio: round3(sleeps / bare) },
  tcpBulk: netJson(bulk, 'segmentsPerSec'),
  tcpConnStorm: netJson(storm, 'connectionsPerSec'),
};

if (values.json) {
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} else {
  const line = (name: string, eps: number, ratio?: number) =>
    `${name.padEnd(34)} ${(eps / 1e6).toFixed(2).padStart(7)} M events/s${ratio === undefined ? '' : `   ${ratio.toFixed(3)}× bare heap`}`;
  // Network rates are in thousands, their ratios small: three significant digits rather than three decimals.
  const netLine = (name: string, figure: NetFigure, unit: string) =>
    figure.error === null
      ? `${name.padEnd(34)} ${(figure.best / 1e3).toFixed(2).padStart(7)} ${unit}   ${roundSig3(figure.best / bare)}× bare heap`
      : `${name.padEnd(34)} FAILED: ${figure.error}`;
  console.log(`faultline bench · node ${process.version} · best of ${rounds} rounds`);
  console.log(line('bare binary-heap loop (baseline)', bare));
  console.log(line('core: timer-only workload', core, core / bare));
  console.log(line('core: async actors sleeping', sleeps, sleeps / bare));
  console.log(netLine('tcp bulk transfer (20 MiB)', bulk, 'k segments/s'));
  console.log(netLine('tcp connection storm (5,000)', storm, 'k connections/s'));
  console.log(`target: core timer-only ≥ 0.5× bare heap: ${core / bare >= 0.5 ? 'met' : 'NOT MET'}`);
}
if (bulk.error !== null || storm.error !== null) process.exitCode = 1;

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function roundSig3(x: number): number {
  return Number(x.toPrecision(3));
}
