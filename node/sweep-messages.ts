/** What `faultline sweep` and its workers say to each other: structured-clone-safe plain data. */
import type { RunFigures } from 'faultline';

export interface SweepJob {
  /** point × seeds + seed index: the order the answers are put back in. */
  index: number;
  /** The scenario as loadScenario takes it: a built-in's name or a module's absolute path. */
  scenario: string;
  seed: number;
  /** The point's parameters as text, `--set` and the varied keys together. */
  params: Record<string, string>;
  duration: string | undefined;
  faults: unknown;
}

export interface SweepReport {
  index: number;
  /** The run's figures; null when it could not run. */
  figures: RunFigures | null;
  /** The run could not run at all: its one-line message and SimError code (a code: the user's input). */
  error?: { message: string; code: string | undefined };
}
