/**
 * Fault episodes as data, and their expansion into the JSON fault list (`faultline run --faults`): each
 * episode is a start fault and the fault that ends it, both inside the fault window, so every episode is
 * over by the heal and the liveness phase judges a whole system.
 */
import type { DistributionSpec } from '../core/distribution.js';
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

export type Episode = EpisodeTime &
  (
    | ({ kind: 'partition' } & EpisodeLinks)
    | ({ kind: 'loss'; lossPercent: number } & EpisodeLinks)
    /** One-way latency drawn uniformly from [latencyMs, 2 × latencyMs] (jitter, as a congested path has). */
    | ({ kind: 'latency'; latencyMs: number } & EpisodeLinks)
    | ({ kind: 'clog' } & EpisodeLinks)
    | { kind: 'crash' | 'kill' | 'pause'; host: string }
    | { kind: 'slow'; host: string; factor: number }
  );

type Fault = Record<string, unknown>;

/** The fault that starts an episode and the one that ends it, as JSON with `at`. */
export function episodeFaults(e: Episode, topology: Pick<ChaosTopology, 'baseLoss' | 'baseLatency'>): [Fault, Fault] {
  const start = `${e.startMs}ms`;
  const end = `${e.startMs + e.durationMs}ms`;
  switch (e.kind) {
    case 'partition':
      return [{ at: start, kind: 'partition', ...selector(e) }, { at: end, kind: 'heal', ...selector(e) }];
    case 'loss':
      return [{ at: start, kind: 'loss', ...selector(e), loss: e.lossPercent / 100 }, { at: end, kind: 'loss', ...selector(e), loss: topology.baseLoss }];
    case 'latency': {
      const spike: DistributionSpec = { kind: 'uniform', min: `${e.latencyMs}ms`, max: `${2 * e.latencyMs}ms` };
      return [{ at: start, kind: 'latency', ...selector(e), latency: spike }, { at: end, kind: 'latency', ...selector(e), latency: topology.baseLatency }];
    }
    case 'clog':
      return [{ at: start, kind: 'hold', ...selector(e) }, { at: end, kind: 'release', ...selector(e) }];
    case 'crash':
    case 'kill':
      return [{ at: start, kind: e.kind, host: e.host }, { at: end, kind: 'restart', host: e.host }];
    case 'pause':
      return [{ at: start, kind: 'pause', host: e.host }, { at: end, kind: 'resume', host: e.host }];
    case 'slow':
      return [{ at: start, kind: 'slow', host: e.host, factor: e.factor }, { at: end, kind: 'slow', host: e.host, factor: 1 }];
  }
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

/** One line per episode, for reports: `partition db | rest 1200ms–3400ms`. */
export function describeEpisode(e: Episode): string {
  const when = `${e.startMs}–${e.startMs + e.durationMs} ms`;
  if ('host' in e) return `${e.kind} ${e.host}${e.kind === 'slow' ? ` ×${e.factor}` : ''} ${when}`;
  const links = `${e.a.join(',')} ${e.oneWay ? '→' : '↔'} ${e.b ? e.b.join(',') : 'rest'}`;
  const what = e.kind === 'loss' ? ` ${e.lossPercent}%` : e.kind === 'latency' ? ` ${e.latencyMs}–${2 * e.latencyMs} ms` : '';
  return `${e.kind}${what} ${links} ${when}`;
}

export type { ChaosEpisodeKind };
