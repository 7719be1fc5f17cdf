/**
 * A loaded sweep as a table: a row per point, the varied values and the key figures as `mean ±95% interval`
 * (the CLI table's columns: sweepColumns), then the point's seeds as buttons. A seed opens that run in the
 * views below; the one on show is marked.
 */
import { formatEstimate, sweepColumns, type Seed, type SweepResult } from 'faultline';
import { el } from './dom.js';

export interface SweepPanel {
  show(sweep: SweepResult, fileName: string): void;
  hide(): void;
  /** Marks the seed whose run is on show (null: none). */
  mark(pointIndex: number | null, seed: Seed | null): void;
}

export function createSweepPanel(root: HTMLElement, onOpen: (pointIndex: number, seed: Seed) => void): SweepPanel {
  const title = el('h2', {});
  const inputs = el('div', { class: 'chart-title', id: 'sweep-inputs' });
  const table = el('table', { id: 'sweep-table' });
  const note = el('div', { class: 'chart-title' });
  root.append(title, inputs, table, note);
  root.hidden = true;

  return {
    show(sweep, fileName) {
      const columns = sweepColumns(sweep);
      const seeds = sweep.seeds.length;
      title.textContent = `Sweep ${fileName}: ${sweep.scenario} · ${sweep.points.length} point${sweep.points.length === 1 ? '' : 's'} × ${seeds} seed${seeds === 1 ? '' : 's'}`;
      inputs.textContent = inputsText(sweep);
      const head = el('tr', {}, ...columns.map((c) => el('th', { class: c.left ? '' : 'num' }, c.title)), el('th', {}, 'seeds'));
      const rows = sweep.points.map((p) => {
        const buttons = p.runs.map((r) => {
          const button = el('button', { type: 'button', 'data-point': String(p.index), 'data-seed': String(r.seed), title: seedTitle(r.metrics) }, String(r.seed));
          button.addEventListener('click', () => onOpen(p.index, r.seed));
          return button;
        });
        return el('tr', { 'data-point': String(p.index) }, ...columns.map((c) => el('td', { class: c.left ? '' : 'num' }, c.cell(p))), el('td', { class: 'seeds' }, ...buttons));
      });
      table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
      note.textContent = `mean ±95% interval across ${seeds} seed${seeds === 1 ? '' : 's'} a point; a seed opens its run (faultline run with that seed and the point's parameters) in the views below`;
      root.hidden = false;
    },
    hide() {
      root.hidden = true;
      table.replaceChildren();
    },
    mark(pointIndex, seed) {
      for (const b of table.querySelectorAll<HTMLButtonElement>('button[data-seed]')) {
        b.classList.toggle('open', b.dataset.point === String(pointIndex) && b.dataset.seed === String(seed));
      }
    },
  };
}

/** What every point shares: the `--set` values, duration and faults, as the command line gave them. */
function inputsText(sweep: SweepResult): string {
  const set = Object.entries(sweep.set).map(([k, v]) => `${k}=${v}`);
  const faults = Array.isArray(sweep.faults) ? sweep.faults.length : 0;
  return [
    set.length > 0 ? `set ${set.join(' ')}` : 'nothing set',
    `duration ${sweep.duration ?? "the scenario's"}`,
    faults > 0 ? `${faults} scheduled fault${faults === 1 ? '' : 's'}` : 'no fault schedule',
  ].join(' · ');
}

/** A seed's own figures, for its button's tooltip. */
function seedTitle(metrics: Record<string, number | null>): string {
  const figure = (key: string) => formatEstimate(metrics[key] === null || metrics[key] === undefined ? null : { mean: metrics[key], ci95: null, n: 1 });
  return `ok ${figure('ok')} · failed ${figure('failed')} · p99 ${figure('latencyP99Ms')} ms: open this run`;
}
