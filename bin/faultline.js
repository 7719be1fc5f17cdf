#!/usr/bin/env node
// The faultline CLI. faultline ships TypeScript sources; tsx compiles them on load.
import { register } from 'tsx/esm/api';

register();
await import('../cli/bin.ts');
