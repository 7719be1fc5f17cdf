/**
 * What a fork adds to a run's fault schedule: one fault at the cursor, as the fork form describes it, and the
 * fault that ends it `duration` later. Plain data in, schedule entries out (no DOM), so the rules are tested in
 * Node. Values are passed on as typed when they are not numbers: the schedule's own checker (checkRun) then
 * names the field at fault in the CLI's words ('faults[2].loss: expected a probability from 0 to 1, got 'x'').
 */
import type { DistributionSpec } from '../../sim/core/distribution.js';
import type { ScheduledFault } from '../../sim/net/faults.js';
import { formatDuration, parseDuration } from '../../sim/core/time.js';
import { oneLine } from './errors.js';

export type ForkKind = 'partition' | 'hold' | 'loss' | 'latency' | 'crash' | 'kill' | 'stop' | 'pause' | 'slow';

export interface ForkKindInfo {
  kind: ForkKind;
  /** Link faults take a and b; host faults one host. */
  target: 'link' | 'host';
  /** The kind's own value, where it has one: what the form's field is called and starts at. */
  value: { label: string; defaultText: string } | null;
  /** What ends it, for the form's hint. */
  ends: string;
}

/** The kinds a person adds by hand; heal, release, resume, restart and slow 1 are the ends the form adds. */
export const FORK_KINDS: readonly ForkKindInfo[] = [
  { kind: 'partition', target: 'link', value: null, ends: 'heal' },
  { kind: 'hold', target: 'link', value: null, ends: 'release' },
  { kind: 'loss', target: 'link', value: { label: 'loss (0–1)', defaultText: '0.2' }, ends: "loss back to the network's" },
  { kind: 'latency', target: 'link', value: { label: 'latency ms', defaultText: '200' }, ends: "latency back to the network's" },
  { kind: 'crash', target: 'host', value: null, ends: 'restart' },
  { kind: 'kill', target: 'host', value: null, ends: 'restart' },
  { kind: 'stop', target: 'host', value: null, ends: 'restart' },
  { kind: 'pause', target: 'host', value: null, ends: 'resume' },
  { kind: 'slow', target: 'host', value: { label: 'factor ×', defaultText: '20' }, ends: 'slow ×1' },
];

export function forkKind(kind: string): ForkKindInfo | undefined {
  return FORK_KINDS.find((k) => k.kind === kind);
}

export interface ForkInput {
  kind: ForkKind;
  /** Link faults: one side; host faults: the host. */
  a: string;
  /** Link faults: the other side; '' for every other host. */
  b: string;
  /** The kind's value as typed (loss probability, latency ms, slow factor); ignored by kinds without one. */
  value: string;
  /** How long until the closing fault ('5s'); '' for none: the fault lasts to the end of the run. */
  duration: string;
  cursorUs: number;
}

/**
 * The network's own link latency and loss: what a loss or latency fork restores when it ends. Links the
 * scenario configured one by one are restored to the network's value too; the trace does not say theirs.
 */
export interface LinkBase {
  latency: DistributionSpec;
  loss: number;
}

export type Forked = { ok: true; entries: ScheduledFault[] } | { ok: false; field: string; message: string };

/** Text that reads as a number becomes one; anything else is kept for the checker to name. */
function numberOrText(text: string): number | string {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

/** Latency as typed: a number is milliseconds, '1.5s' a constant duration, '{…}' a distribution. */
function latencyOf(text: string): DistributionSpec {
  const trimmed = text.trim();
  if (trimmed !== '' && Number.isFinite(Number(trimmed))) return `${trimmed}ms`;
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed) as DistributionSpec;
    } catch {
      // Left as text: the checker names the field and quotes it.
    }
  }
  return trimmed;
}

export function forkEntries(input: ForkInput, base: LinkBase | null): Forked {
  const info = forkKind(input.kind);
  if (!info) return { ok: false, field: 'kind', message: `kind: not a fault the fork adds: '${input.kind}'` };
  if (input.a === '') return { ok: false, field: 'host', message: `${info.target === 'host' ? 'host' : 'a'}: pick a host` };
  let durationUs: number | null = null;
  if (input.duration.trim() !== '') {
    try {
      durationUs = parseDuration(input.duration.trim(), 'duration');
    } catch (err) {
      return { ok: false, field: 'duration', message: oneLine(err) };
    }
  }
  const at = formatDuration(input.cursorUs);
  const endAt = durationUs === null ? null : formatDuration(input.cursorUs + durationUs);

  if (info.target === 'host') {
    const host = input.a;
    const begin: ScheduledFault =
      input.kind === 'slow' ? { at, kind: 'slow', host, factor: numberOrText(input.value) as number } : { at, kind: input.kind as 'crash' | 'kill' | 'stop' | 'pause', host };
    if (endAt === null) return { ok: true, entries: [begin] };
    const end: ScheduledFault = input.kind === 'slow' ? { at: endAt, kind: 'slow', host, factor: 1 } : { at: endAt, kind: input.kind === 'pause' ? 'resume' : 'restart', host };
    return { ok: true, entries: [begin, end] };
  }

  const sel = input.b === '' ? { a: input.a } : { a: input.a, b: input.b };
  let begin: ScheduledFault;
  let end: ScheduledFault | null = null;
  switch (input.kind) {
    case 'partition':
      begin = { at, kind: 'partition', ...sel };
      if (endAt !== null) end = { at: endAt, kind: 'heal', ...sel };
      break;
    case 'hold':
      begin = { at, kind: 'hold', ...sel };
      if (endAt !== null) end = { at: endAt, kind: 'release', ...sel };
      break;
    case 'loss':
      begin = { at, kind: 'loss', ...sel, loss: numberOrText(input.value) as number };
      if (endAt !== null) end = { at: endAt, kind: 'loss', ...sel, loss: base?.loss ?? 0 };
      break;
    default:
      begin = { at, kind: 'latency', ...sel, latency: latencyOf(input.value) };
      if (endAt !== null) {
        if (!base) return { ok: false, field: 'duration', message: "duration: the network's own latency is unknown, so the fork cannot restore it (leave duration empty)" };
        end = { at: endAt, kind: 'latency', ...sel, latency: base.latency };
      }
  }
  return { ok: true, entries: end === null ? [begin] : [begin, end] };
}

/** A schedule's JSON text with entries appended; '' is the empty schedule. */
export function appendFaults(scheduleText: string, entries: readonly ScheduledFault[]): { ok: true; text: string } | { ok: false; field: string; message: string } {
  let list: unknown = [];
  if (scheduleText.trim() !== '') {
    try {
      list = JSON.parse(scheduleText);
    } catch (err) {
      return { ok: false, field: 'faults', message: `faults: not JSON (${oneLine(err)})` };
    }
  }
  if (!Array.isArray(list)) return { ok: false, field: 'faults', message: 'faults: expected a list of faults' };
  return { ok: true, text: JSON.stringify([...list, ...entries]) };
}

/**
 * The schedule editor's add: the fault starting at `at` (as typed: '12s') and what ends it, appended to the
 * schedule's text. Errors name the field ('at: …', 'duration: …', 'faults: not JSON …').
 */
export function addToSchedule(
  scheduleText: string,
  input: Omit<ForkInput, 'cursorUs'> & { at: string },
  base: LinkBase | null,
): { ok: true; text: string } | { ok: false; field: string; message: string } {
  let atUs: number;
  try {
    atUs = parseDuration(input.at.trim(), 'at');
  } catch (err) {
    return { ok: false, field: 'at', message: oneLine(err) };
  }
  const built = forkEntries({ ...input, cursorUs: atUs }, base);
  return built.ok ? appendFaults(scheduleText, built.entries) : built;
}
