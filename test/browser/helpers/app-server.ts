/**
 * The built visualizer, served over HTTP on a free port. The build is shared: test files run in parallel
 * workers, so the first to get here builds into a folder named by a hash of the sources, under a lock, and
 * the others wait for it; an unchanged tree reuses the last build.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { build } from 'vite';

const ROOT = resolve(import.meta.dirname, '../../..');
const SOURCES = ['viz', 'sim', 'scenarios', 'vite.config.ts', 'package-lock.json'];
const CACHE = join(ROOT, 'node_modules/.cache/faultline-viz');
const LOCK_WAIT_MS = 180_000;

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (path: string) => {
    const full = join(ROOT, path);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full).sort()) if (name !== 'node_modules') walk(join(path, name));
    } else {
      hash.update(path).update(readFileSync(full));
    }
  };
  for (const path of SOURCES) walk(path);
  return hash.digest('hex').slice(0, 16);
}

/** Builds the app once per source tree; returns the folder with index.html. */
export async function builtApp(): Promise<string> {
  const dir = join(CACHE, sourceHash());
  const done = join(dir, '.built');
  if (existsSync(done)) return dir;
  mkdirSync(CACHE, { recursive: true });
  const lock = `${dir}.lock`;
  try {
    mkdirSync(lock);
  } catch {
    const deadline = Date.now() + LOCK_WAIT_MS; // a give-up bound on waiting for another test's build lock, not a measured duration
    while (!existsSync(done)) {
      if (Date.now() > deadline) throw new Error(`waited ${LOCK_WAIT_MS} ms for another test's build (${lock}); remove it if stale`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return dir;
  }
  try {
    await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir: dir, emptyOutDir: true, sourcemap: true } });
    writeFileSync(done, new Date().toISOString());
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return dir;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml' };

export interface AppServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `dir` as a static host would (any path under it, index.html for '/'). */
export async function serveApp(dir: string): Promise<AppServer> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(dir + sep) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}
