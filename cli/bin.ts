/** Process entry: runs the CLI with real stdout/stderr and exits with its status. */
import { main } from './main.js';
import { runProgressOptions } from './run-progress.js';

const code = await main(
  process.argv.slice(2),
  (line) => process.stdout.write(`${line}\n`),
  (line) => process.stderr.write(`${line}\n`),
  { isTTY: process.stdout.isTTY === true, write: (text) => process.stdout.write(text) },
  runProgressOptions(process.env.FAULTLINE_PROGRESS, process.stderr.isTTY === true, (text) => process.stderr.write(text)),
);
process.exitCode = code;
