/**
 * Loading a file: a file picker and a drop zone, for a trace (JSONL) or a sweep's JSON (main.ts tells them
 * apart). A trace is read as a stream and parsed in chunks (parseTraceStream yields to the page between
 * them), so a trace of hundreds of megabytes never freezes the page, and the progress bar moves while it loads.
 */
import { el } from './dom.js';

export function createLoadPanel(root: HTMLElement, onFile: (file: File) => void): void {
  const input = el('input', { type: 'file', id: 'trace-file', accept: '.jsonl,.json,.txt,application/x-ndjson' });
  const zone = el('div', { id: 'drop-zone' }, 'Trace or sweep: ', input, ' or drop a JSONL trace or a sweep’s JSON here');
  root.append(zone);
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) onFile(file);
    input.value = '';
  });
  // The whole window takes a drop: aiming at a small zone is not the point.
  window.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  window.addEventListener('dragleave', () => zone.classList.remove('over'));
  window.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file) onFile(file);
  });
}
