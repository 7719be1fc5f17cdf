/**
 * A vite plugin (Node only) that hands the visualizer the user's scenario: `virtual:faultline-user-scenarios`
 * is a list holding the scenario the module at `modulePath` exports (its default export, or its one named
 * scenario, as `faultline run` picks it) or the system file at that path describes, or an empty list without one.
 */
import type { Plugin } from 'vite';

const ID = 'virtual:faultline-user-scenarios';
const RESOLVED = `\0${ID}`;

/** Reads a system file to its JSON and name (faultline/node's readSystemFile; passed in so the vite configs that load this plugin import nothing else). */
export type SystemFileReader = { isSystemFile(path: string): boolean; readSystemFile(path: string): { json: unknown; name: string } };

export function userScenarios(modulePath: string | null, systemFiles?: SystemFileReader): Plugin {
  return {
    name: 'faultline-user-scenarios',
    resolveId: (id) => (id === ID ? RESOLVED : undefined),
    load(id) {
      if (id !== RESOLVED) return undefined;
      if (modulePath === null) return 'export default [];';
      // A system file is data: read here (in Node) and made a scenario in the page, as the CLI makes it.
      if (systemFiles?.isSystemFile(modulePath)) {
        const { json, name } = systemFiles.readSystemFile(modulePath);
        return `import { systemScenario } from 'faultline';\nexport default [systemScenario(${JSON.stringify(json)}, ${JSON.stringify({ name, path: modulePath })})];`;
      }
      return [
        `import * as m from ${JSON.stringify(modulePath)};`,
        `import { isScenario } from 'faultline';`,
        'const named = Object.values(m).filter(isScenario);',
        'export default isScenario(m.default) ? [m.default] : named.length === 1 ? named : [];',
      ].join('\n');
    },
  };
}
