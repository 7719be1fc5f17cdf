/**
 * A vite plugin (Node only) that hands the visualizer the user's scenario: `virtual:faultline-user-scenarios`
 * is a list holding the scenario the module at `modulePath` exports (its default export, or its one named
 * scenario, as `faultline run` picks it), or an empty list without a module.
 */
import type { Plugin } from 'vite';

const ID = 'virtual:faultline-user-scenarios';
const RESOLVED = `\0${ID}`;

export function userScenarios(modulePath: string | null): Plugin {
  return {
    name: 'faultline-user-scenarios',
    resolveId: (id) => (id === ID ? RESOLVED : undefined),
    load(id) {
      if (id !== RESOLVED) return undefined;
      if (modulePath === null) return 'export default [];';
      return [
        `import * as m from ${JSON.stringify(modulePath)};`,
        `import { isScenario } from 'faultline';`,
        'const named = Object.values(m).filter(isScenario);',
        'export default isScenario(m.default) ? [m.default] : named.length === 1 ? named : [];',
      ].join('\n');
    },
  };
}
