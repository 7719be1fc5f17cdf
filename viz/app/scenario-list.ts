/**
 * The scenarios the page and its worker offer: the user's (`faultline viz ./my-scenario.ts` puts it first)
 * and the built-ins. The user's module arrives through a virtual module the dev server's plugin writes
 * (faultline/node's vite-user-scenarios.ts); without one it is an empty list.
 */
import type { Scenario } from 'faultline';
import { scenarios as builtins } from 'faultline/scenarios';
import userScenarios from 'virtual:faultline-user-scenarios';

const mine = userScenarios as readonly Scenario[];
/** The user's first; a built-in of the same name gives way (the user asked for theirs). */
export const scenarios: readonly Scenario[] = [...mine, ...builtins.filter((b) => !mine.some((s) => s.name === b.name))];

export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((s) => s.name === name);
}

/** The scenario of this name from the module or system file the page was started with (`faultline viz <path>`). */
export function userScenario(name: string): Scenario | undefined {
  return mine.find((s) => s.name === name);
}

/** True for one of faultline's built-in scenarios (not a user's of the same name). */
export function isBuiltin(scenario: Scenario): boolean {
  return builtins.includes(scenario);
}
