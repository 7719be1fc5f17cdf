/**
 * Messages between the page and the scenario worker. Plain data only: they cross postMessage's structured
 * clone, and the trace travels as JSONL text, the same bytes the CLI writes, so the page parses one format.
 */

/** Page → worker: run one scenario. */
export interface RunRequest {
  type: 'run';
  scenario: string;
  seed: number | string;
  /** Parameter values by name, as the CLI's --set takes them (strings or JSON values). */
  params: Record<string, unknown>;
  /** A fault schedule (JSON list with `at`), or undefined for none. */
  faults?: unknown;
  /** Virtual time to run, as --duration takes it; undefined: the scenario's default. */
  duration?: string;
}

/** Worker → page: a batch of trace lines, each followed by '\n'. */
export interface LinesMessage {
  type: 'lines';
  text: string;
  /** Records so far and the virtual time reached, for the progress indicator. */
  records: number;
  tUs: number;
}

/** Worker → page: the run is over; digest as runScenario (and the CLI) report it. */
export interface DoneMessage {
  type: 'done';
  digest: string;
  stop: string;
  message: string;
  records: number;
  wallMs: number;
}

/** Worker → page: the run could not start or threw; one line. */
export interface ErrorMessage {
  type: 'error';
  message: string;
}

export type WorkerMessage = LinesMessage | DoneMessage | ErrorMessage;
