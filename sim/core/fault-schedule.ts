/**
 * Fault schedules: JSON lists of faults, each with `at`, checked against the registered kinds (fault-kinds.ts)
 * and applied at their virtual times. Each applied fault writes a trace record {kind: 'fault', fields: <it>}.
 * A bad fault gets one line naming the field: `faults[2].loss: expected a probability from 0 to 1, got 1.5`.
 */
import { z } from 'zod';
import { SimError, showValue } from './errors.js';
import { faultKind, faultKindNames, type FaultData, type FaultKind, type FaultScope } from './fault-kinds.js';
import { pathText, valueAt } from './json-path.js';
import type { Timer } from './scheduler.js';
import { parseDuration, type Duration } from './time.js';
import type { Fields } from './trace.js';

/** A fault with the virtual time it applies at (from the start of the run): µs, or a string like '10s'. */
export type ScheduledFault = FaultData & { at: Duration };

/** A zod error option: 'missing' for an absent field, else what was expected and what came. */
export const expected = (what: string) => ({ error: (iss: { input?: unknown }) => (iss.input === undefined ? 'missing' : `expected ${what}, got ${showValue(iss.input)}`) });

/**
 * Reads a fault schedule: a list of faults, each with `at`. Throws SimError with one line naming the field
 * at fault. Host names are checked against the scope's hosts, so build the hosts first.
 */
export function parseFaults(json: unknown, scope: FaultScope): ScheduledFault[] {
  if (!Array.isArray(json)) throw bad(`faults: expected a list of faults, got ${showValue(json)}`);
  return json.map((item, i) => {
    const what = `faults[${i}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw bad(`${what}: expected a fault object, got ${showValue(item)}`);
    const { at, ...rest } = item as Record<string, unknown>;
    kindOf(rest, what);
    if (at === undefined) throw bad(`${what}.at: missing (when to apply it: µs, or a string like '10s')`);
    try {
      parseDuration(at as Duration, `${what}.at`);
    } catch (err) {
      throw bad(firstLine(err));
    }
    return { ...checkFault(rest, scope, what, true), at: at as Duration };
  });
}

/** Checks `fault` and applies it now, writing its trace record. Throws SimError (one line) for a bad fault. */
export function applyFault(scope: FaultScope, fault: unknown): void {
  fire(scope, checkFault(fault, scope, 'fault', false));
}

/**
 * Schedules each fault at its `at` (faults at the same time apply in list order). `faults` is JSON read as
 * parseFaults reads it, checked first: a bad schedule schedules nothing. Returns the timers (cancel one to
 * call that fault off).
 */
export function scheduleFaults(scope: FaultScope, faults: unknown): Timer<FaultTimer>[] {
  const parsed = parseFaults(faults, scope);
  const scheduler = scope.sim.scheduler;
  const times = parsed.map((scheduled, i) => {
    const atUs = parseDuration(scheduled.at, `faults[${i}].at`);
    if (atUs < scheduler.now) throw bad(`faults[${i}].at: ${showValue(scheduled.at)} is before now (${scheduler.now} µs)`);
    return atUs;
  });
  return parsed.map((scheduled, i) => {
    const { at: _at, ...fault } = scheduled;
    return scheduler.at(times[i]!, fireTimer, { scope, fault: fault as FaultData });
  });
}

/** What a scheduled fault's timer carries. */
export interface FaultTimer {
  scope: FaultScope;
  fault: FaultData;
}

function fireTimer(arg: FaultTimer): void {
  fire(arg.scope, arg.fault);
}

function fire(scope: FaultScope, fault: FaultData): void {
  scope.sim.trace.write({ t: scope.sim.now, kind: 'fault', fields: fault as unknown as Fields });
  faultKind(fault.kind)!.apply(fault, scope);
}

/** The whole shape of one kind's fault (without `at`), as the kind declares it. */
export function faultSchemaOf(kind: FaultKind): z.ZodType<FaultData> {
  let schema = schemas.get(kind);
  if (!schema) schemas.set(kind, (schema = z.strictObject({ kind: z.literal(kind.kind), ...kind.fields }) as unknown as z.ZodType<FaultData>));
  return schema;
}
const schemas = new Map<FaultKind, z.ZodType<FaultData>>();

/** Checks a fault's shape (zod), then what zod cannot (the kind's own check: hosts, distributions). */
export function checkFault(raw: unknown, scope: FaultScope, what: string, scheduled: boolean): FaultData {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(`${what}: expected a fault object, got ${showValue(raw)}`);
  const kind = kindOf(raw as Record<string, unknown>, what);
  const result = faultSchemaOf(kind).safeParse(raw);
  if (!result.success) throw bad(formatIssue(result.error.issues[0]!, raw as Record<string, unknown>, what, scheduled, kind));
  const fault = result.data;
  try {
    kind.check?.(fault, what, scope);
  } catch (err) {
    throw err instanceof SimError ? err : bad(firstLine(err));
  }
  return fault;
}

function kindOf(raw: Record<string, unknown>, what: string): FaultKind {
  const name = raw.kind;
  const kinds = () => faultKindNames().join(', ');
  if (name === undefined) throw bad(`${what}.kind: missing (kinds: ${kinds()})`);
  const kind = typeof name === 'string' ? faultKind(name) : undefined;
  if (!kind) throw bad(`${what}.kind: unknown fault ${showValue(name)} (kinds: ${kinds()})`);
  return kind;
}

/** One zod issue as `faults[2].field: problem`, with messages written for people. */
function formatIssue(issue: z.core.$ZodIssue, raw: Record<string, unknown>, what: string, scheduled: boolean, kind: FaultKind): string {
  const where = pathText(issue.path, what);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    if (issue.path.length === 0) return `${where}.${key}: not a field of a ${kind.kind} fault (fields: ${[...(scheduled ? ['at'] : []), 'kind', ...Object.keys(kind.fields)].join(', ')})`;
    // A nested object says what it is in its own message ('not a link option (options: …)').
    return `${where}.${key}: ${issue.message.startsWith('Unrecognized') ? `not a field of ${where}` : issue.message}`;
  }
  const value = valueAt(raw, issue.path);
  if (value === undefined && issue.path.length > 0) return `${where}: missing`;
  if ((issue.code === 'invalid_value' || issue.code === 'invalid_union') && !issue.message.startsWith('expected')) {
    return `${where}: expected one of the allowed values, got ${showValue(value)}`;
  }
  return `${where}: ${issue.message}`;
}

function firstLine(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

function bad(message: string): SimError {
  return new SimError('ERR_FAULT', message);
}
