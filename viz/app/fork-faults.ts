/**
 * What a fork adds to a run's fault schedule: one fault at the cursor, as the fork form describes it, and the
 * fault that ends it `duration` later. Plain data in, schedule entries out (no DOM), so the rules are tested in
 * Node. Values are passed on as typed when they are not numbers: the schedule's own checker (checkRun) then
 * names the field at fault in the CLI's words ('faults[2].loss: expected a probability from 0 to 1, got 'x'').
 */
import { faultKind, faultKindList, formatDuration, parseDuration, type FaultData, type FaultKind, type LinkBase, type ScheduledFault } from 'faultline';
import { oneLine } from './errors.js';

export type { LinkBase };

/** A fault kind a person may add by hand (its registry entry has a form), as the form shows it. */
export interface ForkKindInfo {
  kind: string;
  /** Link faults take a and b; host faults one host. */
  target: 'link' | 'host';
  /** The kind's own value, where it has one: what the form's field is called and starts at. */
  value: { label: string; defaultText: string } | null;
  /** What ends it, for the form's hint. */
  ends: string;
}

/** The kinds a form offers, in registry order: every registered kind with a form (a user's too). */
export function forkKinds(): ForkKindInfo[] {
  return faultKindList().flatMap((k) => (formKind(k) ? [infoOf(k)] : []));
}

export function forkKind(kind: string): ForkKindInfo | undefined {
  const k = faultKind(kind);
  return k && formKind(k) ? infoOf(k) : undefined;
}

function formKind(k: FaultKind): boolean {
  return k.form !== undefined && (k.target === 'host' || k.target === 'links');
}

function infoOf(k: FaultKind): ForkKindInfo {
  const value = k.form?.value ?? null;
  return { kind: k.kind, target: k.target === 'host' ? 'host' : 'link', value: value && { label: value.label, defaultText: value.defaultText }, ends: endsText(k) };
}

/** 'heal', 'restart', or for a kind that ends by setting its value back: 'loss back to normal'. */
function endsText(k: FaultKind): string {
  const sample: FaultData = k.target === 'host' ? { kind: k.kind, host: 'h' } : { kind: k.kind, a: 'a' };
  const end = k.end?.(sample, { latency: '0ms', loss: 0 }) ?? null;
  if (end === null) return 'nothing (it lasts to the end of the run)';
  return end.kind === k.kind ? `${k.kind} back to normal` : end.kind;
}

export interface ForkInput {
  kind: string;
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

export type Forked = { ok: true; entries: ScheduledFault[] } | { ok: false; field: string; message: string };

/**
 * The fault at the cursor and, `duration` later, the one its kind says ends it. Values are passed on as
 * typed when they cannot be read: the schedule's own check (checkRun) then names the field in the CLI's words.
 */
export function forkEntries(input: ForkInput, base: LinkBase | null): Forked {
  const k = faultKind(input.kind);
  if (!k || !formKind(k)) return { ok: false, field: 'kind', message: `kind: not a fault the fork adds: '${input.kind}'` };
  if (input.a === '') return { ok: false, field: 'host', message: `${k.target === 'host' ? 'host' : 'a'}: pick a host` };
  let durationUs: number | null = null;
  if (input.duration.trim() !== '') {
    try {
      durationUs = parseDuration(input.duration.trim(), 'duration');
    } catch (err) {
      return { ok: false, field: 'duration', message: oneLine(err) };
    }
  }
  const target = k.target === 'host' ? { host: input.a } : input.b === '' ? { a: input.a } : { a: input.a, b: input.b };
  const valueField = k.form?.value;
  const fault: FaultData = { kind: k.kind, ...target, ...(valueField ? { [valueField.field]: valueField.read(input.value) } : {}) };
  const begin: ScheduledFault = { at: formatDuration(input.cursorUs), ...fault };
  if (durationUs === null || !k.end) return { ok: true, entries: [begin] };
  const end = k.end(fault, base);
  if (end === null) return { ok: false, field: 'duration', message: `duration: what ends a ${k.kind} fault here is unknown (the network's own value is not known), so the fork cannot end it (leave duration empty)` };
  return { ok: true, entries: [begin, { at: formatDuration(input.cursorUs + durationUs), ...end }] };
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
