/**
 * The fork form beside the time controls: a fault kind, its hosts (from the run on show), its value and how
 * long it lasts. "Fork" hands these to the page, which adds the fault at the cursor to the run's schedule and
 * reruns it from the same seed; a mistake comes back as one line under the form.
 */
import { el } from './dom.js';
import { FORK_KINDS, forkKind, type ForkInput, type ForkKind } from './fork-faults.js';

export interface ForkPanel {
  /** Hosts to offer (network hosts of the run on show), and why forking is off (null: it is on). */
  setContext(hosts: readonly string[], disabledReason: string | null): void;
  showError(message: string | null): void;
}

const EVERY_OTHER = '';

export function createForkPanel(root: HTMLElement, onFork: (input: Omit<ForkInput, 'cursorUs'>) => string | null): ForkPanel {
  const kind = el('select', { id: 'fork-kind', 'aria-label': 'Fault kind' });
  for (const k of FORK_KINDS) kind.append(el('option', { value: k.kind, title: `ends with ${k.ends}` }, k.kind));
  const a = el('select', { id: 'fork-a', 'aria-label': 'Host' });
  const b = el('select', { id: 'fork-b', 'aria-label': 'Other side' });
  const aLabel = el('span', {}, 'host');
  const bLabel = el('label', {}, '↔ ', b);
  const value = el('input', { id: 'fork-value', type: 'text', size: '6' });
  const valueLabel = el('label', {}, el('span', {}), value);
  const duration = el('input', { id: 'fork-duration', type: 'text', size: '5', value: '5s', title: "How long until it ends (e.g. 5s, 800ms); empty: to the end of the run", 'aria-label': 'Duration' });
  const button = el('button', { id: 'fork', type: 'button' }, 'Fork at cursor');
  const error = el('div', { class: 'field-error', id: 'fork-error' });
  root.append(
    el('span', { class: 'chart-title' }, 'Fork: add '),
    kind,
    el('label', {}, aLabel, ' ', a),
    bLabel,
    valueLabel,
    el('label', {}, 'for ', duration),
    button,
    error,
  );

  let hosts: readonly string[] = [];

  const fillHosts = () => {
    const keepA = a.value;
    const keepB = b.value;
    a.replaceChildren(...hosts.map((h) => el('option', { value: h }, h)));
    b.replaceChildren(el('option', { value: EVERY_OTHER }, 'every other host'), ...hosts.map((h) => el('option', { value: h }, h)));
    if (hosts.includes(keepA)) a.value = keepA;
    if (keepB === EVERY_OTHER || hosts.includes(keepB)) b.value = keepB;
  };

  const showKind = () => {
    const info = forkKind(kind.value)!;
    aLabel.textContent = info.target === 'host' ? 'on' : 'between';
    bLabel.hidden = info.target === 'host';
    valueLabel.hidden = info.value === null;
    valueLabel.firstElementChild!.textContent = info.value ? `${info.value.label} ` : '';
    value.value = info.value?.defaultText ?? '';
    duration.title = `How long until ${info.ends} (e.g. 5s, 800ms); empty: to the end of the run`;
  };

  kind.addEventListener('change', showKind);
  button.addEventListener('click', () => {
    const message = onFork({ kind: kind.value as ForkKind, a: a.value, b: b.value, value: value.value, duration: duration.value });
    error.textContent = message ?? '';
  });
  showKind();

  return {
    setContext(next, disabledReason) {
      hosts = next;
      fillHosts();
      button.disabled = disabledReason !== null;
      button.title = disabledReason ?? 'Add this fault at the cursor to the run’s schedule and rerun it from the same seed';
    },
    showError(message) {
      error.textContent = message ?? '';
    },
  };
}
