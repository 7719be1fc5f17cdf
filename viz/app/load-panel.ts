/**
 * Loading a trace file: a file picker and a drop zone. The file is read as a stream and parsed in chunks
 * (parseTraceStream yields to the page between them), so a trace of hundreds of megabytes never freezes the
 * page, and the progress bar moves while it loads.
 */
import { el } from './dom.js';

export function createLoadPanel(root: HTMLElement, onFile: (file: File) => void): void {
  const input = el('input', { type: 'file', id: 'trace-file', accept: '.jsonl,.json,.txt,application/x-ndjson' });
  const zone = el('div', { id: 'drop-zone' }, 'Trace: ', input, ' or drop a JSONL file here');
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
