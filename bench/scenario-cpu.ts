/**
 * The bound every scenario's test once asserted ("runs with seed 1 in under 10 s" of CPU), measured here rather
 * than in test/scenarios/all.test.ts (tests assert no wall-clock or CPU time: under load the test's bound failed
 * at 29 s on an unchanged tree). Each built-in scenario with seed 1 and its defaults, CPU seconds of this process.
 */
import { runScenario } from 'faultline';
import { scenarios } from 'faultline/scenarios';

/** The bound the scenario test held each default run to, CPU seconds. */
export const SCENARIO_CPU_S_TARGET = 10;

/** CPU seconds of each scenario's default run, in list order. */
export async function scenarioCpuSeconds(): Promise<Record<string, number>> {
  const seconds: Record<string, number> = {};
  for (const scenario of scenarios) {
    const before = process.cpuUsage();
    await runScenario(scenario, { seed: 1 });
    const used = process.cpuUsage(before);
    seconds[scenario.name] = (used.user + used.system) / 1e6;
  }
  return seconds;
}
