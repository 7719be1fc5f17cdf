/**
 * `faultline viz [scenario|module]`: the visualizer on a local dev server, with the user's scenario in its
 * list (a built-in's name works too), opened at that scenario and seed. Needs vite (an optional peer
 * dependency: the visualizer is served from the package's viz/ sources).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isSystemFile, loadScenario, readSystemFile, userScenarios } from 'faultline/node';
import { parseCount, parseSeed, UsageError } from './args.js';
import { EXIT_OK } from './exit-codes.js';

export const vizUsage = `  faultline viz [scenario|module] [options]  the visualizer, with that scenario (default pool-exhaustion)
    --seed <n|text>      the seed it opens at (default 1)
    --port <n>           the port to serve on (default 5173, or the next free one)`;

const fromSource = import.meta.url.endsWith('.ts');

/** The faultline package's root: where its package.json is, above this file (cli/ or dist/cli/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'faultline') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('faultline viz: cannot find the faultline package root');
    dir = up;
  }
}

/** Serves until the process is stopped; `started` hears the page's URL (tests stop it there). */
export async function viz(args: string[], out: (line: string) => void, started: (url: string) => void = () => {}): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { seed: { type: 'string' }, port: { type: 'string' } } });
  if (positionals.length > 1) throw new UsageError(`viz takes one scenario, got '${positionals.join(' ')}'`);
  const { scenario, modulePath } = await loadScenario(positionals[0] ?? 'pool-exhaustion');
  const seed = parseSeed(values.seed ?? '1');
  const port = parseCount(values.port, '--port', 5173, 1, 65_535);
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new UsageError('viz needs vite to serve the visualizer: npm i -D vite');
  }
  const root = packageRoot();
  const plugins = () => [userScenarios(modulePath, { isSystemFile, readSystemFile })];
  const conditions = fromSource ? ['faultline-source', ...vite.defaultClientConditions] : [...vite.defaultClientConditions];
  const server = await vite.createServer({
    configFile: false,
    root: join(root, 'viz'),
    base: '/',
    logLevel: 'warn',
    plugins: plugins(),
    resolve: { conditions },
    worker: { format: 'es', plugins },
    server: { port, fs: { allow: [root, process.cwd(), ...(modulePath ? [dirname(modulePath)] : [])] } },
  });
  await server.listen();
  const base = server.resolvedUrls?.local[0] ?? `http://localhost:${port}/`;
  const url = new URL(`?scenario=${encodeURIComponent(scenario.name)}&seed=${encodeURIComponent(String(seed))}`, base).href;
  out(`faultline viz · ${scenario.name}${modulePath ? ` (${modulePath})` : ''} → ${url}`);
  out('(Ctrl-C stops it)');
  started(url);
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT_OK;
}
