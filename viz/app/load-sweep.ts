/**
 * Telling a sweep's JSON from a trace, by shape: a trace is JSONL whose first line is its header record; a
 * sweep (`faultline sweep --json`) is one JSON object. A file whose first line is a trace header is a trace
 * and is left to the streaming trace loader (only its head is read here, so a 150 MB trace costs nothing
 * more). Anything else that parses whole as one object is held to the sweep's schema, and when it is not a
 * sweep the error names the field; what does not parse whole is a trace again, for the trace loader's
 * line-numbered errors.
 */
import { parseSweepFile, type SweepResult } from 'faultline';

/** Enough of the file for a trace's header line (its parameters and fault schedule). */
const HEAD_BYTES = 64 * 1024;
/** A sweep of thousands of points and seeds is a few MB; a larger file is a trace whatever its first line. */
const SWEEP_BYTES_MAX = 64 * 1024 * 1024;

/** The sweep in `file`, or null when it is a trace; throws a one-line SimError when it is JSON but no sweep. */
export async function readSweep(file: File): Promise<SweepResult | null> {
  if (file.size > SWEEP_BYTES_MAX) return null;
  const head = await file.slice(0, HEAD_BYTES).text();
  if (!head.trimStart().startsWith('{') || startsWithTraceHeader(head)) return null;
  let json: unknown;
  try {
    json = JSON.parse(await file.text());
  } catch {
    return null;
  }
  return parseSweepFile(json, file.name);
}

function startsWithTraceHeader(head: string): boolean {
  const end = head.indexOf('\n');
  if (end < 0 && head.length === HEAD_BYTES) return false; // a first line longer than the head: decided by parsing the whole
  try {
    const first = JSON.parse(end < 0 ? head : head.slice(0, end)) as { kind?: unknown } | null;
    return first !== null && typeof first === 'object' && first.kind === 'header';
  } catch {
    return false;
  }
}
