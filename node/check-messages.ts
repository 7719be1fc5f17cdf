/** What `faultline check` and its workers say to each other: structured-clone-safe plain data. */
import type { ChaosCase, Divergence, Violation } from 'faultline';

export interface CaseJob {
  /** Run number within the check, 0-based. */
  index: number;
  /** Its scenario is found by `case.module` (a path) or else by its built-in name. */
  case: ChaosCase;
  /** Run it twice and compare digests. */
  selfCheck: boolean;
}

export interface CaseReport {
  index: number;
  violations: Violation[];
  /** The (first) run's digest; null when the case could not run. */
  digest: string | null;
  divergence: Divergence | null;
  /** Wall time for the case (both runs when self-checked), ms. */
  wallMs: number;
  /** The case could not run at all (a bad case, a simulator bug): its one-line message and SimError code. */
  error?: { message: string; code: string | undefined };
}
