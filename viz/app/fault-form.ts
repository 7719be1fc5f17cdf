/**
 * A fault as a form: a kind, its hosts, its value and how long it lasts, and (in the run form's schedule
 * editor) when it starts. Two places use it: the fork bar beside the time controls (the fault starts at the
 * cursor, and the page reruns the run with it) and the run form (the fault and what ends it are appended to
 * the schedule). The submit handler returns a one-line error to show under the form, or null.
 */
import { el } from './dom.js';
import { forkKind, forkKinds, type ForkInput } from './fork-faults.js';

export interface FaultForm {
  /** Hosts to offer, and why the button is off (null: it is on). */
  setContext(hosts: readonly string[], disabledReason: string | null): void;
  showError(message: string | null): void;
}

/** What the form was filled with; `at` is the start as typed ('' where the form has no start field). */
export type FaultFormInput = Omit<ForkInput, 'cursorUs'> & { at: string };

export interface FaultFormOptions {
  /** Element ids are `${idPrefix}-kind`, `-a`, `-b`, `-value`, `-duration`, `-at`, `-error`; the button's is idPrefix. */
  idPrefix: string;
  /** The words before the fields. */
  title: string;
  button: string;
  /** Show a start field (the schedule editor); without it the fault starts at the cursor. */
  withAt: boolean;
  /** The button's title while it is on. */
  hint: string;
}

const EVERY_OTHER = '';

export function createFaultForm(root: HTMLElement, o: FaultFormOptions, onSubmit: (input: FaultFormInput) => string | null): FaultForm {
  const id = (part: string) => `${o.idPrefix}-${part}`;
  const kind = el('select', { id: id('kind'), 'aria-label': 'Fault kind' });
  for (const k of forkKinds()) kind.append(el('option', { value: k.kind, title: `ends with ${k.ends}` }, k.kind));
  const at = el('input', { id: id('at'), type: 'text', size: '6', value: '10s', title: 'When it starts (e.g. 10s, 2m30s)', 'aria-label': 'Starts at' });
  const a = el('select', { id: id('a'), 'aria-label': 'Host' });
  const b = el('select', { id: id('b'), 'aria-label': 'Other side' });
  const aLabel = el('span', {}, 'host');
  const bLabel = el('label', {}, '↔ ', b);
  const value = el('input', { id: id('value'), type: 'text', size: '6' });
  const valueLabel = el('label', {}, el('span', {}), value);
  const duration = el('input', { id: id('duration'), type: 'text', size: '5', value: '5s', title: "How long until it ends (e.g. 5s, 800ms); empty: to the end of the run", 'aria-label': 'Duration' });
  const button = el('button', { id: o.idPrefix, type: 'button' }, o.button);
  const error = el('div', { class: 'field-error', id: id('error') });
  root.append(
    el('span', { class: 'chart-title' }, o.title),
    ...(o.withAt ? [el('label', {}, 'at ', at)] : []),
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
    const message = onSubmit({ kind: kind.value, a: a.value, b: b.value, value: value.value, duration: duration.value, at: o.withAt ? at.value : '' });
    error.textContent = message ?? '';
  });
  showKind();

  return {
    setContext(next, disabledReason) {
      hosts = next;
      fillHosts();
      button.disabled = disabledReason !== null;
      button.title = disabledReason ?? o.hint;
    },
    showError(message) {
      error.textContent = message ?? '';
    },
  };
}
