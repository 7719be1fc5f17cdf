/**
 * The one place the view state lives: the loaded run, the baseline run pinned to compare it with, the time
 * cursor, the brushed range, the selected request and the log's filter. Views read it and ask for changes through `set`; nothing else holds state,
 * so every view shows the same instant and the URL can be written from here alone.
 */
import type { RunModel } from '../model/run-model.js';

export interface LogFilter {
  host: string;
  kind: string;
  req: string;
  conn: string;
}

export interface ViewState {
  /** The time cursor, µs. */
  cursorUs: number;
  /** The brushed time range [from, to) in µs; null: the whole run. */
  range: readonly [number, number] | null;
  /** The request the waterfall shows. */
  requestId: string | null;
  logFilter: LogFilter;
  playing: boolean;
  /** Virtual seconds per wall second while playing. */
  speed: number;
}

export type Change = 'model' | 'baseline' | 'state';

export class Store {
  model: RunModel | null = null;
  /** Run A of the compare section (pinned, or the run before a fork); the model on show is run B. */
  baseline: RunModel | null = null;
  state: ViewState = { cursorUs: 0, range: null, requestId: null, logFilter: { host: '', kind: '', req: '', conn: '' }, playing: false, speed: 1 };
  private readonly listeners = new Set<(change: Change) => void>();

  subscribe(listener: (change: Change) => void): void {
    this.listeners.add(listener);
  }

  setModel(model: RunModel | null, cursorUs = 0): void {
    this.model = model;
    this.state = { ...this.state, cursorUs: this.clampTime(cursorUs), range: null, requestId: null, playing: false };
    this.emit('model');
  }

  setBaseline(model: RunModel | null): void {
    this.baseline = model;
    this.emit('baseline');
  }

  /** A baseline to compare with: pinned, and another run on show. */
  comparing(): boolean {
    return this.baseline !== null && this.model !== null && this.baseline !== this.model;
  }

  set(patch: Partial<ViewState>): void {
    const next = { ...this.state, ...patch };
    if (patch.cursorUs !== undefined) next.cursorUs = this.clampTime(patch.cursorUs);
    this.state = next;
    this.emit('state');
  }

  /** The time domain the time charts show: the brushed range, else the whole run. */
  domain(): [number, number] {
    if (this.state.range) return [this.state.range[0], this.state.range[1]];
    return [0, Math.max(1, this.model?.endUs ?? 1)];
  }

  /** The compare charts' domain: the brushed range, else the longer of the two runs, so both share one axis. */
  compareDomain(): [number, number] {
    if (this.state.range) return [this.state.range[0], this.state.range[1]];
    return [0, Math.max(1, this.model?.endUs ?? 1, this.baseline?.endUs ?? 1)];
  }

  private clampTime(tUs: number): number {
    const end = this.model?.endUs ?? 0;
    return Math.max(0, Math.min(end, Math.round(tUs)));
  }

  private emit(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }
}
