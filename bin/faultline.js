#!/usr/bin/env node
// The faultline CLI: the compiled package (npm builds it on install from git and before packing).
try {
  await import('../dist/cli/bin.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli/bin.js')) throw err;
  process.stderr.write('faultline: not built (dist/ is missing): run `npm run build` in the faultline package\n');
  process.exitCode = 1;
}
