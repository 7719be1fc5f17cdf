/**
 * The run form: scenario picker, seed, duration, a parameter form generated from the scenario's zod
 * parameters, and the fault schedule as JSON with a form that appends a fault and what ends it. Inputs are
 * checked with the CLI's readers before the run; a mistake is one line under the field it names. Parameters
 * the form has no field for (a system file's paths, `services.api.pool.maximumPoolSize`, set by a sweep's
 * point) are listed under it and kept in the run until another scenario is picked.
 */
import { scenarios, findScenario } from './scenario-list.js';
import { formatDuration } from 'faultline';
import { el } from './dom.js';
import { paramFields, type ParamField } from './scenario-params.js';
import { checkRun, linkBaseOf, scenarioHosts } from './validate-run.js';
import { createFaultForm } from './fault-form.js';
import { addToSchedule } from './fork-faults.js';
import type { RunSpec } from './url-state.js';

export interface RunPanel {
  /** Fills the form from a spec (the URL's). */
  show(spec: RunSpec): void;
  setRunning(running: boolean): void;
}

const FAULTS_EXAMPLE = '[{"at":"12s","kind":"partition","a":"gateway","b":"service"},{"at":"14s","kind":"heal"}]';

export function createRunPanel(root: HTMLElement, onRun: (spec: RunSpec, faults: unknown) => void, onStop: () => void): RunPanel {
  const scenarioSelect = el('select', { id: 'scenario', 'aria-label': 'Scenario' });
  for (const s of scenarios) scenarioSelect.append(el('option', { value: s.name, title: s.description }, s.name));
  const seedInput = el('input', { id: 'seed', type: 'text', value: '1', size: '8', 'aria-label': 'Seed' });
  const durationInput = el('input', { id: 'duration', type: 'text', value: '', size: '6', 'aria-label': 'Duration (virtual)' });
  const runButton = el('button', { id: 'run', type: 'button' }, 'Run in browser');
  const stopButton = el('button', { id: 'stop', type: 'button', disabled: '' }, 'Stop');
  const description = el('div', { class: 'chart-title', id: 'scenario-description' });
  const form = el('div', { class: 'param-form', id: 'param-form' });
  const extraLine = el('div', { class: 'chart-title', id: 'param-extra' });
  const paramError = el('div', { class: 'field-error', id: 'param-error' });
  const faults = el('textarea', { id: 'faults', spellcheck: 'false', placeholder: FAULTS_EXAMPLE, 'aria-label': 'Fault schedule (JSON)' });
  const faultError = el('div', { class: 'field-error', id: 'fault-error' });
  const adder = el('div', { class: 'fault-adder', id: 'fault-adder' });
  const details = el('details', {}, el('summary', {}, 'Parameters and faults'), form, extraLine, paramError, el('div', {}, 'Fault schedule (JSON list, each with "at"):'), faults, faultError, adder);
  root.append(el('div', {}, el('label', {}, 'Scenario ', scenarioSelect), el('label', {}, 'Seed ', seedInput), el('label', { title: 'Virtual time to run, as --duration takes it' }, 'Duration ', durationInput), runButton, stopButton), description, details);

  let fields: ParamField[] = [];
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  /** Parameters with no field in the form, as --set text. */
  let extra: Record<string, string> = {};

  const buildForm = (name: string, values: Record<string, string>) => {
    const scenario = findScenario(name);
    form.replaceChildren();
    inputs.clear();
    fields = scenario ? paramFields(scenario) : [];
    description.textContent = scenario?.description ?? '';
    const defaultDuration = scenario?.defaultDuration;
    durationInput.placeholder = defaultDuration === undefined ? '' : typeof defaultDuration === 'string' ? defaultDuration : formatDuration(defaultDuration);
    extra = Object.fromEntries(Object.entries(values).filter(([key]) => !fields.some((f) => f.name === key)));
    extraLine.textContent = Object.keys(extra).length === 0 ? '' : `Also set: ${Object.entries(extra).map(([k, v]) => `${k}=${v}`).join(' ')}`;
    for (const field of fields) {
      const value = values[field.name] ?? field.defaultText;
      let input: HTMLInputElement | HTMLSelectElement;
      if (field.input === 'choice' || field.input === 'bool') {
        input = el('select', {});
        for (const choice of field.input === 'bool' ? ['true', 'false'] : field.choices) input.append(el('option', { value: choice }, choice));
        input.value = value;
      } else {
        input = el('input', { type: 'text', value });
      }
      input.name = field.name;
      input.title = field.description;
      inputs.set(field.name, input);
      form.append(el('label', { title: field.description }, field.name), input);
    }
  };

  const spec = (): RunSpec => {
    const params: Record<string, string> = { ...extra };
    for (const field of fields) {
      const value = inputs.get(field.name)?.value.trim() ?? '';
      if (value !== field.defaultText && value !== '') params[field.name] = value;
    }
    const duration = durationInput.value.trim();
    return { scenario: scenarioSelect.value, seed: seedInput.value.trim() || '1', params, faults: faults.value, ...(duration ? { duration } : {}) };
  };

  const faultForm = createFaultForm(
    adder,
    { idPrefix: 'add-fault', title: 'Add a fault', button: 'Add to schedule', withAt: true, hint: 'Append this fault and what ends it to the schedule' },
    (input) => {
      const s = spec();
      const added = addToSchedule(faults.value, input, linkBaseOf(s));
      if (!added.ok) return added.message;
      faults.value = added.text;
      const checked = checkRun({ ...s, faults: added.text });
      faultError.textContent = !checked.ok && checked.field === 'faults' ? checked.message : '';
      return null;
    },
  );
  /**
   * The hosts a fault can name: the scenario's, as its parameters build it. Refreshed with the scenario, not
   * on every parameter edit: refilling the pickers reflows the header under a pending click on Run (a host a
   * parameter adds or removes is still checked, by name, when the schedule is).
   */
  const refreshHosts = () => {
    const hosts = scenarioHosts(spec());
    faultForm.setContext(hosts, hosts.length === 0 ? 'This scenario has no network to fault (or its parameters do not build)' : null);
  };

  scenarioSelect.addEventListener('change', () => {
    buildForm(scenarioSelect.value, {});
    refreshHosts();
  });

  runButton.addEventListener('click', () => {
    const s = spec();
    const checked = checkRun(s);
    paramError.textContent = !checked.ok && (checked.field === 'params' || checked.field === 'duration') ? checked.message : '';
    faultError.textContent = !checked.ok && checked.field === 'faults' ? checked.message : '';
    if (!checked.ok) {
      details.open = true;
      return;
    }
    onRun(s, checked.faults);
  });
  stopButton.addEventListener('click', onStop);
  buildForm(scenarioSelect.value, {});
  refreshHosts();

  return {
    show(s) {
      if (findScenario(s.scenario)) scenarioSelect.value = s.scenario;
      seedInput.value = s.seed;
      durationInput.value = s.duration ?? '';
      faults.value = s.faults;
      buildForm(scenarioSelect.value, s.params);
      refreshHosts();
    },
    setRunning(running) {
      runButton.disabled = running;
      stopButton.disabled = !running;
    },
  };
}
