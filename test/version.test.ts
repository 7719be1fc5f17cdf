import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { FAULTLINE_VERSION } from '../sim/version.js';
import { repoRoot } from './helpers/cli.js';

it('the version in trace headers is the package version', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  expect(FAULTLINE_VERSION).toBe(pkg.version);
});
