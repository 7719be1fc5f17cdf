/**
 * Fault episodes as data, and their expansion into the JSON fault list (`faultline run --faults`): each
 * episode is a registered kind's start fault and the fault that ends it (FaultKind.end), both inside the fault
 * window, so every episode is over by the heal and the liveness phase judges a whole system.
 */
import { SimError } from '../core/errors.js';
import { kindOfEpisode, type FaultData, type FaultKind } from '../core/fault-kinds.js';
import type { ChaosEpisodeKind } from '../scenario.js';
import type { ChaosTopology } from './chaos-topology.js';

/** Which links: hosts `a` against `b` (null: every other host), both ways unless `oneWay`. */
export interface EpisodeLinks {
  a: string[];
  b: string[] | null;
  oneWay: boolean;
}

/** When, in whole ms from the start of the run (whole ms keep schedules short to read and to shrink). */
export interface EpisodeTime {
  startMs: number;
  /** Already clamped: startMs + durationMs never passes the fault window. */
  durationMs: number;
}

/**
 * One episode: its kind's episode name, when, what it targets (links for a link kind, a host for a host
 * kind, nothing for one without a target) and the value drawn for a kind that takes one (loss %, latency ms,
 * slow factor).
 */
export interface Episode extends EpisodeTime, Partial<EpisodeLinks> {
  kind: ChaosEpisodeKind;
  /** The host of a host kind's episode. */
  host?: string;
  value?: number;
}

type Fault = Record<string, unknown>;

/** The registered kind behind an episode name; a name nothing registered is the caller's mistake. */
export function episodeKind(name: string): FaultKind {
  const kind = kindOfEpisode(name);
  if (!kind) throw new SimError('ERR_CHAOS', `episode '${name}': no registered fault kind draws it`);
  return kind;
}

/** The fault that starts an episode (without `at`). */
export function startFault(e: Episode): FaultData {
  const kind = episodeKind(e.kind);
  const rule = kind.episode!;
  const target = e.host !== undefined ? { host: e.host } : e.a !== undefined ? selector({ a: e.a, b: e.b ?? null, oneWay: e.oneWay ?? false }) : {};
  return { kind: kind.kind, ...target, ...(rule.fields && e.value !== undefined ? rule.fields(e.value) : {}) };
}

/** The fault that starts an episode and the one that ends it, as JSON with `at`. */
export function episodeFaults(e: Episode, topology: Pick<ChaosTopology, 'baseLoss' | 'baseLatency'>): [Fault, Fault] {
  const start = startFault(e);
  const end = episodeKind(e.kind).end?.(start, { loss: topology.baseLoss, latency: topology.baseLatency });
  if (!end) throw new SimError('ERR_CHAOS', `episode '${e.kind}': its fault kind '${start.kind}' declares no fault that ends it`);
  return [
    { at: `${e.startMs}ms`, ...start },
    { at: `${e.startMs + e.durationMs}ms`, ...end },
  ];
}

/** Every episode's faults, episode by episode (a start next to its end reads best); the closing faults are makeCase's. */
export function scheduleOf(episodes: readonly Episode[], topology: Pick<ChaosTopology, 'baseLoss' | 'baseLatency'>): Fault[] {
  return episodes.flatMap((e) => episodeFaults(e, topology));
}

/** The selector fields of a link fault: a single host stays a string, and `b` and `oneWay` only when they say something. */
function selector(e: EpisodeLinks): Fault {
  const hosts = (names: string[]) => (names.length === 1 ? names[0] : names);
  return { a: hosts(e.a), ...(e.b ? { b: hosts(e.b) } : {}), ...(e.oneWay ? { oneWay: true } : {}) };
}

/** One line per episode, for reports: `partition db ↔ rest 1200–3400 ms`, `slow db ×20 0–800 ms`. */
export function describeEpisode(e: Episode): string {
  const when = `${e.startMs}–${e.startMs + e.durationMs} ms`;
  const value = e.value !== undefined ? (kindOfEpisode(e.kind)?.episode?.describeValue?.(e.value) ?? ` ${e.value}`) : '';
  if (e.host !== undefined) return `${e.kind} ${e.host}${value} ${when}`;
  if (e.a !== undefined) return `${e.kind}${value} ${e.a.join(',')} ${e.oneWay ? '→' : '↔'} ${e.b ? e.b.join(',') : 'rest'} ${when}`;
  return `${e.kind}${value} ${when}`;
}

export type { ChaosEpisodeKind };
