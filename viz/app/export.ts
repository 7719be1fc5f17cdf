/**
 * Export: the run as Chrome Trace Event JSON for Perfetto (ui.perfetto.dev opens it), and a chart as SVG or
 * PNG. All are downloads made in the page; nothing leaves the machine.
 */
import { toChromeTrace } from '../model/perfetto.js';
import type { RunModel } from '../model/run-model.js';

/** PNG pixels per CSS pixel: sharp on a high-density screen and in a document, whatever this screen is. */
const PNG_SCALE = 2;

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  // The download has started by the next task; the URL need not outlive it.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function exportPerfetto(model: RunModel): void {
  download(`${model.header.scenario}-seed-${String(model.header.seed)}.perfetto.json`, new Blob([JSON.stringify(toChromeTrace(model))], { type: 'application/json' }));
}

export interface SvgImage {
  text: string;
  width: number;
  height: number;
}

/**
 * Every chart under `root` stacked into one standalone SVG, with the page's chart styles inlined (a file
 * or an <img> does not see the page's stylesheet). Every chart in the views as one file each is more than
 * anyone wants: callers pass a view, as shown.
 */
export function svgOf(root: Element): SvgImage {
  const svgs = [...root.querySelectorAll('svg')];
  const height = svgs.reduce((h, s) => h + Number(s.getAttribute('height') ?? 0), 0);
  const width = Math.max(...svgs.map((s) => Number(s.getAttribute('width') ?? 0)), 1);
  // XML, not innerHTML's HTML serialisation: an <img> reads the SVG as XML, where an HTML entity breaks it.
  // Text nodes come out escaped; nothing here is parsed from a trace.
  const xml = new XMLSerializer();
  let y = 0;
  const parts = svgs.map((s) => {
    const part = `<g transform="translate(0,${y})">${[...s.childNodes].map((n) => xml.serializeToString(n)).join('')}</g>`;
    y += Number(s.getAttribute('height') ?? 0);
    return part;
  });
  const style =
    'text{font:10px sans-serif;fill:#4a5562}.fault{fill:#e8590c;opacity:.12}.fault-label{fill:#b8430a}.cursor{stroke:#d6336c}.timeout{stroke:#c92a2a}.max-line{stroke:#495057;stroke-dasharray:4 3}.axis path,.axis line{stroke:#b8c0ca}';
  return { text: `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><style>${style}</style>${parts.join('')}</svg>`, width, height: Math.max(1, height) };
}

export function exportSvg(root: Element, name: string): void {
  download(name, new Blob([svgOf(root).text], { type: 'image/svg+xml' }));
}

/** The same SVG drawn on a white canvas at PNG_SCALE, as a PNG download. */
export async function exportPng(root: Element, name: string): Promise<void> {
  const svg = svgOf(root);
  const url = URL.createObjectURL(new Blob([svg.text], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(svg.width * PNG_SCALE);
    canvas.height = Math.round(svg.height * PNG_SCALE);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('this browser gave no 2D canvas to draw the PNG on');
    // PNG keeps transparency; a chart on a transparent ground is unreadable in a dark viewer.
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.scale(PNG_SCALE, PNG_SCALE);
    ctx.drawImage(image, 0, 0, svg.width, svg.height);
    const png = await new Promise<Blob>((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the canvas made no PNG'))), 'image/png'));
    download(name, png);
  } finally {
    URL.revokeObjectURL(url);
  }
}
