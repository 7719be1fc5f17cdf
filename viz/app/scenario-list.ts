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
