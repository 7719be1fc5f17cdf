/**
 * The visualizer's build: viz/ is the page's root; `npm run build:viz` writes static files to dist/viz with
 * relative URLs, so the folder works from any static host (or a subpath of one) without a server of ours.
 *
 * `npm start` runs the dev server in mode 'start': it prints the URL that reruns pool-exhaustion in the
 * browser (the page runs a scenario its URL names) and opens it only where there is a display to open on.
 */
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { userScenarios } from './node/vite-user-scenarios.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The page the README's main command shows: the default scenario, seed 1, as the CLI ran it just before. */
export const START_PATH = '/?scenario=pool-exhaustion&seed=1';

const hasDisplay = () => process.platform === 'darwin' || process.platform === 'win32' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

function printStartUrl(): Plugin {
  return {
    name: 'faultline-start-url',
    configureServer(server) {
      server.httpServer?.once('listening', () => {
        const base = server.resolvedUrls?.local[0] ?? 'http://localhost:5173/';
        const url = new URL(START_PATH, base).href;
        server.config.logger.info(`\n  faultline: pool-exhaustion in the visualizer → ${url}${hasDisplay() ? '' : '\n  (no display here: open that URL in a browser)'}\n`);
      });
    },
  };
}

export default defineConfig(({ mode }) => ({
  root: here('./viz'),
  base: './',
  plugins: [userScenarios(null), ...(mode === 'start' ? [printStartUrl()] : [])],
  // In this repository `faultline` resolves to its sources (package.json's custom condition), not dist/.
  resolve: { conditions: ['faultline-source', ...defaultClientConditions] },
  // The app imports sim/ and scenarios/ from the repository root, one level above the root.
  server: { fs: { allow: [here('.')] }, open: mode === 'start' && hasDisplay() ? START_PATH : false },
  build: {
    outDir: here('./dist/viz'),
    emptyOutDir: true,
    // A deterministic simulator and d3 are one bundle of a few hundred kB; the warning would only be noise.
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      // hdr-histogram-js ships an emscripten build with a direct eval; the simulator never takes that path.
      onwarn(warning, warn) {
        if (warning.code === 'EVAL' && warning.id?.includes('hdr-histogram-js')) return;
        warn(warning);
      },
    },
  },
  // The scenario runner is an ES module worker: it imports the simulator like the page does.
  worker: { format: 'es', plugins: () => [userScenarios(null)] },
}));
