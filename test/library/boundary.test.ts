/**
 * Outside code goes through the public entry points only: cli/, viz/, bench/, mutants/, scenarios/, node/ and vitest/
 * may import `faultline`, `faultline/vitest`, `faultline/scenarios`, `faultline/node`, Node's `node:`
 * modules, third-party packages, and files of their own folder; never a path into sim/ or into another
 * folder. Imports are read from the syntax tree (vite's parser), so a dynamic import or an `export … from`
 * counts, and a path in a comment or a string does not.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseAst } from 'vite';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const OUTSIDE = ['cli', 'viz', 'bench', 'mutants', 'scenarios', 'node', 'vitest'];
const ENTRIES = new Set(['faultline', 'faultline/vitest', 'faultline/scenarios', 'faultline/node']);

/** Every module specifier a source imports or re-exports, statically or dynamically. */
export function importsOf(source: string, lang: 'ts' | 'js' = 'ts'): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const n = node as { type?: string; source?: { value?: unknown } };
    if ((n.type === 'ImportDeclaration' || n.type === 'ExportNamedDeclaration' || n.type === 'ExportAllDeclaration' || n.type === 'ImportExpression') && typeof n.source?.value === 'string') found.push(n.source.value);
    for (const value of Object.values(node)) if (value !== null && typeof value === 'object') walk(value);
  };
  walk(parseAst(source, { lang }));
  return found;
}

/** Why `specifier`, imported by the file at `file` (relative to the repository) breaks the rule; null if it does not. */
export function boundaryBreach(file: string, specifier: string): string | null {
  if (ENTRIES.has(specifier) || specifier.startsWith('node:') || specifier.startsWith('virtual:')) return null;
  if (specifier.startsWith('faultline/')) return `'${specifier}' is not an entry point (entries: ${[...ENTRIES].join(', ')})`;
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return null; // a package
  const folder = file.split('/')[0]!;
  const target = relative(repoRoot, resolve(repoRoot, dirname(file), specifier)).split(sep).join('/');
  return target.split('/')[0] === folder ? null : `'${specifier}' reaches into ${target.split('/')[0]}/ (import it from an entry point)`;
}

function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(relative(repoRoot, path).split(sep).join('/'));
    }
  };
  walk(join(repoRoot, folder));
  return out;
}

describe('the public entry points are the only way in', () => {
  it.each(OUTSIDE)('%s/ imports only faultline entries, node:, packages and its own files', (folder) => {
    const breaches: string[] = [];
    const files = sources(folder);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      for (const specifier of importsOf(readFileSync(join(repoRoot, file), 'utf8'), file.endsWith('ts') ? 'ts' : 'js')) {
        const why = boundaryBreach(file, specifier);
        if (why) breaches.push(`${file}: ${why}`);
      }
    }
    expect(breaches).toEqual([]);
  });

  it('catches a deep import however it is written (the check can fail)', () => {
    const planted = [
      "import { Pool } from '../sim/pool/pool.js';",
      "import type { Pool } from '../sim/pool/pool.js';",
      "export { Pool } from '../sim/pool/pool.js';",
      "export * from '../sim/index.js';",
      "const m = await import('../sim/net/network.js');",
      "import { x } from 'faultline/sim/net/network.js';",
      "import { y } from '../scenarios/hello.js';",
    ];
    for (const source of planted) {
      const [specifier] = importsOf(source);
      expect(boundaryBreach('cli/main.ts', specifier!), source).not.toBeNull();
    }
    // Comments and strings are not imports; the entries, node:, packages and the folder's own files are fine.
    expect(importsOf("// import '../sim/x.js'\nconst s = \"from '../sim/y.js'\";")).toEqual([]);
    for (const ok of ['faultline', 'faultline/node', 'node:fs', 'zod', './args.js']) expect(boundaryBreach('cli/main.ts', ok)).toBeNull();
    expect(boundaryBreach('viz/app/main.ts', '../model/parse.js')).toBeNull();
  });
});
