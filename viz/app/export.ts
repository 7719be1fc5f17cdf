/**
 * Export: the run as Chrome Trace Event JSON for Perfetto (ui.perfetto.dev opens it), and a chart as SVG.
 * Both are downloads made in the page; nothing leaves the machine.
 */
import { toChromeTrace } from '../model/perfetto.js';
import type { RunModel } from '../model/run-model.js';

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  // The download has started by the next task; the URL need not outlive it.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function exportPerfetto(model: RunModel): void {
  download(`${model.header.scenario}-seed-${String(model.header.seed)}.perfetto.json`, 'application/json', JSON.stringify(toChromeTrace(model)));
}

/** Every chart in the views as one SVG file each is more than anyone wants: the pools view, as shown. */
export function exportSvg(root: Element, name: string): void {
  const svgs = [...root.querySelectorAll('svg')];
  const height = svgs.reduce((h, s) => h + Number(s.getAttribute('height') ?? 0), 0);
  const width = Math.max(...svgs.map((s) => Number(s.getAttribute('width') ?? 0)), 1);
  let y = 0;
  const parts = svgs.map((s) => {
    const part = `<g transform="translate(0,${y})">${s.innerHTML}</g>`;
    y += Number(s.getAttribute('height') ?? 0);
    return part;
  });
  // innerHTML here serialises our own SVG (text nodes come out escaped); nothing is parsed from a trace.
  const style = 'text{font:10px sans-serif;fill:#4a5562}.fault{fill:#e8590c;opacity:.12}.cursor{stroke:#d6336c}.timeout{stroke:#c92a2a}.axis path,.axis line{stroke:#b8c0ca}';
  download(name, 'image/svg+xml', `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><style>${style}</style>${parts.join('')}</svg>`);
}
