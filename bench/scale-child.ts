/**
 * One pool-exhaustion run in a process of its own, so its peak RSS is its own: prints one JSON line with the
 * CPU the run took (not the process's start), its wall time, the process's peak RSS, and the counts per
 * request. Run by bench/scale.ts as `node … bench/scale-child.ts <ratePerS> <duration> <full|light>`.
 */
import { runScenario, type TraceDetail } from 'faultline';
import { poolExhaustion } from 'faultline/scenarios';

const [ratePerS, duration, detail] = process.argv.slice(2);
const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();
const run = await runScenario(poolExhaustion, { seed: 1, params: { ratePerS, slowFor: '0s' }, duration, traceDetail: detail as TraceDetail });
const cpu = process.cpuUsage(cpuBefore);
const wallMs = performance.now() - wallBefore;
process.stdout.write(
  `${JSON.stringify({
    requests: run.requests.total,
    ok: run.requests.ok,
    events: run.result.events,
    packets: run.world.net.packetsSent,
    cpuUs: cpu.user + cpu.system,
    wallMs,
    maxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
