/**
 * The status line under the header: what is shown or loading, a progress bar, the one-line error box, and
 * the data attributes (digest, records, load time) that tests and scripts read.
 */
import { byId } from './dom.js';

export interface StatusLine {
  /** The text, with a progress bar at `fraction` (0–1), or none for null. */
  show(text: string, fraction?: number | null): void;
  error(message: string | null): void;
  /** Sets a data attribute on #status (data-digest, data-records, …). */
  data(key: string, value: string): void;
  /** A new load starts the data attributes afresh. */
  clearData(): void;
  /** Where buttons beside the status go. */
  readonly root: HTMLElement;
}

export function createStatusLine(): StatusLine {
  const root = byId('status');
  const text = byId('status-text');
  const progress = byId<HTMLProgressElement>('progress');
  const errorBox = byId('error');
  return {
    root,
    show(message, fraction = null) {
      text.textContent = message;
      progress.hidden = fraction === null;
      if (fraction !== null) progress.value = fraction;
    },
    error(message) {
      errorBox.hidden = message === null;
      errorBox.textContent = message ?? '';
    },
    data(key, value) {
      root.dataset[key] = value;
    },
    clearData() {
      for (const key of Object.keys(root.dataset)) delete root.dataset[key];
    },
  };
}
