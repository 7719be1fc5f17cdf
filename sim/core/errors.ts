/**
 * Errors the simulator throws at its users: each has a code and a one-line message that names the field
 * or the actor at fault, so the CLI can print it as is.
 */
export class SimError extends Error {
  override name = 'SimError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The caller's deadline passed before the work was done (Go's context.DeadlineExceeded): a pool waiter that
 * left the line, a query a deadline cut short. Requests end with its code.
 */
export class DeadlineExceededError extends Error {
  override name = 'DeadlineExceededError';
  readonly code = 'DEADLINE_EXCEEDED';
}

/** A value's one-line description for error messages. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`.split('\n')[0]!;
  return String(err).split('\n')[0]!;
}

/** A value as an error message quotes it: strings in single quotes, the rest as JSON ('nothing' for undefined). */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
