/** Process entry: runs the CLI with real stdout/stderr and exits with its status. */
import { main } from './main.js';

const code = await main(
  process.argv.slice(2),
  (line) => process.stdout.write(`${line}\n`),
  (line) => process.stderr.write(`${line}\n`),
  { isTTY: process.stdout.isTTY === true, write: (text) => process.stdout.write(text) },
);
process.exitCode = code;
