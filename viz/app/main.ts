/**
 * The visualizer's page: wires the store to the views, the controls, the ways in (a trace file, a run in the
 * worker, a sweep's JSON whose seeds open runs), forking and comparing runs, and the URL. Views redraw once per animation frame, whatever
 * number of changes came in it.
 */
import { TraceLoader, TraceParseError } from '../model/parse.js';
import type { RunModel } from '../model/run-model.js';
import { findScenario } from './scenario-list.js';
import { parseDuration } from 'faultline';
import { createControls } from './controls.js';
import { byId } from './dom.js';
import { createLoadPanel } from './load-panel.js';
import { createRunPanel } from './run-panel.js';
import { parseSeedText } from './seed.js';
import { controlsSource, logSource, poolsSource, requestsSource, sequenceLanes, topologySource, waterfallSource } from './sources.js';
import { Store } from './store.js';
import { createStatusLine } from './status-line.js';
import { startPlayer } from './player.js';
import { readUrl, writeUrl, type RunSpec } from './url-state.js';
import { createEventLog } from './views/event-log.js';
import { createPoolsView } from './views/pools.js';
import { createRequestsView } from './views/requests.js';
import { createSequenceView } from './views/sequence.js';
import { createTopology } from './views/topology.js';
import { createWaterfall } from './views/waterfall.js';
import { runInWorker, type WorkerRun } from './worker-client.js';
import { loadTrace } from './load-trace.js';
import { oneLine } from './errors.js';
import { checkRun, linkBaseOf } from './validate-run.js';
import { exportPerfetto, exportPng, exportSvg } from './export.js';
import { el } from './dom.js';
import { compareData, createPinPanel } from './compare.js';
import { createFaultForm } from './fault-form.js';
import { appendFaults, forkEntries, type ForkInput } from './fork-faults.js';
import { specOfHeader } from './header-spec.js';
import { createCompareView } from './views/compare-view.js';
import { readSweep } from './load-sweep.js';
import { createSweepPanel } from './sweep-panel.js';
import { sweepRunSpec } from './sweep-open.js';
import type { Seed, SweepResult } from 'faultline';

const store = new Store();
const body = (id: string) => byId(id).querySelector<HTMLElement>('.body')!;
const setCursor = (tUs: number) => store.set({ cursorUs: tUs });

const controls = createControls(byId('controls'), {
  setCursor,
  setRange: (range) => store.set({ range }),
  setPlaying: (playing, speed) => store.set({ playing, speed }),
});
const pools = createPoolsView(body('view-pools'), { setCursor });
const requests = createRequestsView(body('view-requests'), { setCursor });
const topology = createTopology(body('view-topology'));
const waterfall = createWaterfall(body('view-waterfall'), { select: (requestId) => store.set({ requestId }), setCursor });
const sequence = createSequenceView(body('view-sequence'), { setCursor });
const log = createEventLog(body('view-log'), { setCursor, setFilter: (logFilter) => store.set({ logFilter }) });
const compare = createCompareView(byId('compare'), { setCursor });
const forkPanel = createFaultForm(
  byId('fork-panel'),
  { idPrefix: 'fork', title: 'Fork: add ', button: 'Fork at cursor', withAt: false, hint: 'Add this fault at the cursor to the run’s schedule and rerun it from the same seed' },
  (input) => fork(input),
);
const pinPanel = createPinPanel(byId('pin-panel'), {
  pin: () => store.setBaseline(store.model),
  unpin: () => store.setBaseline(null),
});

/** The spec the URL shows: what reproduces the model on screen. */
let currentSpec: RunSpec | null = null;
/**
 * The spec of the model on show: currentSpec, except while a run is under way or after one failed, when
 * currentSpec already names the new run. A fork must add to the schedule of what is on the screen.
 */
let shownSpec: RunSpec | null = null;
let running = false;
let renderQueued = false;
let modelChanged = false;
let baselineChanged = false;
/** Wall time of the last render, ms (the browser test reads it through window.faultline). */
const stats = { lastRenderMs: 0, renders: 0 };

store.subscribe((change) => {
  if (change === 'model') modelChanged = true;
  if (change === 'baseline') baselineChanged = true;
  if (!renderQueued) {
    renderQueued = true;
    requestAnimationFrame(render);
  }
});

function render(): void {
  renderQueued = false;
  const started = performance.now();
  const model = store.model;
  const compareChanged = modelChanged || baselineChanged;
  if (modelChanged) {
    modelChanged = false;
    controls.setSource(model && controlsSource(model));
    pools.setSource(model && poolsSource(model));
    requests.setSource(model && requestsSource(model));
    topology.setSource(model && topologySource(model));
    waterfall.setSource(model && waterfallSource(model));
    sequence.setPackets(model?.packets ?? null, model ? sequenceLanes(model) : []);
    log.setSource(model && logSource(model));
    updateForkPanel();
  }
  if (compareChanged) {
    baselineChanged = false;
    compare.setData(store.comparing() ? compareData(store.baseline!, model!) : null);
    pinPanel.update(model, store.baseline);
  }
  if (model) {
    const state = store.state;
    const domain = store.domain();
    controls.update(state);
    pools.update(state, domain);
    requests.update(state, domain);
    topology.update(state);
    waterfall.update(state);
    sequence.update(state);
    log.update(state);
    if (store.comparing()) compare.update(state, store.compareDomain());
    writeUrlSoon();
  }
  stats.lastRenderMs = performance.now() - started;
  stats.renders++;
}

startPlayer(store);

// The URL follows the cursor, but history.replaceState is not free: at most a few times a second.
let urlTimer: ReturnType<typeof setTimeout> | null = null;
function writeUrlSoon(): void {
  if (urlTimer !== null) return;
  urlTimer = setTimeout(() => {
    urlTimer = null;
    const search = writeUrl({ run: currentSpec, cursorUs: store.model ? store.state.cursorUs : null });
    if (search !== location.search) history.replaceState(null, '', `${location.pathname}${search}`);
  }, 250);
}

const statusLine = createStatusLine();
const status = (text: string, fraction: number | null = null) => statusLine.show(text, fraction);
const showError = (message: string | null) => statusLine.error(message);

/** Where the cursor starts: the URL's, else the first acquire timeout (the moment the story turns), else 0. */
function startCursor(model: RunModel, urlCursor: number | null): number {
  if (urlCursor !== null) return urlCursor;
  const first = model.nextOfKind('pool.timeout', -1);
  return first >= 0 ? model.timesUs[first]! : 0;
}

function showModel(model: RunModel, spec: RunSpec | null, cursorUs: number | null, what: string): void {
  currentSpec = spec;
  shownSpec = spec;
  store.setModel(model, startCursor(model, cursorUs));
  const h = model.header;
  status(`${what}: ${h.scenario} · seed ${String(h.seed)} · ${model.records.length.toLocaleString('en')} records · ${(model.endUs / 1e6).toFixed(3)} s virtual · digest ${model.digest ?? '?'}`);
  statusLine.data('digest', model.digest ?? '');
  statusLine.data('records', String(model.records.length));
}

// ---- way in 1: a trace file (or a sweep's JSON: way in 3) ----
let loading = 0;
async function loadFile(file: File): Promise<void> {
  const ticket = ++loading;
  stopRun();
  showError(null);
  statusLine.clearData();
  let sweep: SweepResult | null;
  try {
    sweep = await readSweep(file);
  } catch (err) {
    if (ticket !== loading) return;
    status('The file is neither a trace nor a sweep.');
    showError(oneLine(err));
    return;
  }
  if (ticket !== loading) return;
  if (sweep) {
    showSweep(sweep, file.name);
    return;
  }
  const started = performance.now();
  status(`Loading ${file.name}…`, 0);
  try {
    const model = await loadTrace(file, (bytes, records) => {
      if (ticket === loading) status(`Loading ${file.name}: ${records.toLocaleString('en')} records`, file.size > 0 ? bytes / file.size : null);
    });
    if (ticket !== loading) return;
    const ms = performance.now() - started;
    statusLine.data('loadMs', String(Math.round(ms)));
    showModel(model, specOfHeader(model.header), null, `${file.name} (loaded in ${(ms / 1000).toFixed(2)} s)`);
    if (currentSpec) runPanel.show(currentSpec);
  } catch (err) {
    if (ticket !== loading) return;
    status('The trace could not be read.');
    showError(err instanceof TraceParseError ? `${file.name}: ${err.message}` : `${file.name}: ${oneLine(err)}`);
  }
}

// ---- way in 2: a scenario run in the worker ----
let run: WorkerRun | null = null;
function stopRun(): void {
  run?.stop();
  run = null;
  setRunning(false);
}

function setRunning(on: boolean): void {
  running = on;
  runPanel.setRunning(on);
  updateForkPanel();
}

function startRun(spec: RunSpec, faults: unknown, cursorUs: number | null): void {
  stopRun();
  sweepPanel.mark(null, null);
  ++loading;
  showError(null);
  statusLine.clearData();
  const scenario = findScenario(spec.scenario)!;
  const limitUs = parseDuration(spec.duration || scenario.defaultDuration);
  const loader = new TraceLoader();
  const started = performance.now();
  status(`Running ${spec.scenario} in the browser…`, 0);
  setRunning(true);
  currentSpec = spec;
  history.replaceState(null, '', `${location.pathname}${writeUrl({ run: spec, cursorUs })}`);
  run = runInWorker(
    { type: 'run', scenario: spec.scenario, seed: parseSeedText(spec.seed), params: spec.params, faults, duration: spec.duration || undefined },
    {
      onLines(text, records, tUs) {
        try {
          loader.push(text);
        } catch (err) {
          stopRun();
          showError(`the worker's trace did not parse: ${oneLine(err)}`);
          return;
        }
        status(`Running ${spec.scenario}: ${(tUs / 1e6).toFixed(1)} s of ${(limitUs / 1e6).toFixed(0)} s virtual, ${records.toLocaleString('en')} records`, Math.min(1, tUs / limitUs));
      },
      onDone(done) {
        run = null;
        setRunning(false);
        const model = loader.finish();
        const wall = ((performance.now() - started) / 1000).toFixed(2);
        showModel(model, spec, cursorUs, `Ran in the browser in ${wall} s (${done.stop})`);
        statusLine.data('workerDigest', done.digest);
        if (model.digest !== done.digest) showError(`digest mismatch: the worker's run has ${done.digest}, the trace it sent ${model.digest ?? '?'}`);
      },
      onError(message) {
        run = null;
        setRunning(false);
        status('The run failed.');
        showError(message);
      },
    },
  );
}

// ---- fork: a fault at the cursor, the same run again ----
function updateForkPanel(): void {
  const model = store.model;
  const hosts = model ? model.hosts.filter((h) => h.ip !== null).map((h) => h.name) : [];
  let reason: string | null = null;
  if (model === null) reason = 'Load a trace or run a scenario first';
  else if (running) reason = 'A run is under way';
  else if (shownSpec === null) reason = "This trace's header names no scenario this page knows, so it cannot be rerun with a fault";
  else if (hosts.length === 0) reason = 'This run has no network hosts to fault';
  forkPanel.setContext(hosts, reason);
}

/** Returns the line to show under the form, or null when the fork run has started. */
function fork(input: Omit<ForkInput, 'cursorUs'>): string | null {
  const model = store.model;
  const spec = shownSpec;
  if (!model || !spec || running) return 'Nothing to fork: run a scenario or load its trace first.';
  const cursorUs = store.state.cursorUs;
  // Building the scenario to read its link defaults costs a little: only the kinds that restore them ask.
  const restores = input.kind === 'loss' || input.kind === 'latency';
  const built = forkEntries({ ...input, cursorUs }, restores ? linkBaseOf(spec) : null);
  if (!built.ok) return built.message;
  const schedule = appendFaults(spec.faults, built.entries);
  if (!schedule.ok) return schedule.message;
  const next: RunSpec = { ...spec, faults: schedule.text };
  const checked = checkRun(next);
  if (!checked.ok) return checked.message;
  // The run before the fork is run A: before and after, side by side, from one click.
  store.setBaseline(model);
  runPanel.show(next);
  startRun(next, checked.faults, cursorUs);
  return null;
}

// ---- way in 3: a sweep's JSON, each point's seeds opening their runs ----
let sweepShown: SweepResult | null = null;
const sweepPanel = createSweepPanel(byId('sweep'), (pointIndex, seed) => openSweepSeed(pointIndex, seed));

function showSweep(sweep: SweepResult, fileName: string): void {
  sweepShown = sweep;
  sweepPanel.show(sweep, fileName);
  status(`${fileName}: a sweep of ${sweep.scenario}, ${sweep.points.length} points × ${sweep.seeds.length} seeds: a seed in its table opens that run`);
}

function openSweepSeed(pointIndex: number, seed: Seed): void {
  if (!sweepShown) return;
  showError(null);
  const opened = sweepRunSpec(sweepShown, pointIndex, seed);
  if (!opened.ok) {
    showError(opened.message);
    return;
  }
  const checked = checkRun(opened.spec);
  if (!checked.ok) {
    showError(`point ${pointIndex + 1}, seed ${String(seed)}: ${checked.message}`);
    return;
  }
  runPanel.show(opened.spec);
  startRun(opened.spec, checked.faults, null);
  sweepPanel.mark(pointIndex, seed);
}

const runPanel = createRunPanel(byId('run-panel'), (spec, faults) => startRun(spec, faults, null), stopRun);
createLoadPanel(byId('load-panel'), (file) => void loadFile(file));

const perfetto = el('button', { type: 'button', id: 'export-perfetto' }, 'Export for Perfetto');
const svgButton = el('button', { type: 'button', id: 'export-svg' }, 'Pools as SVG');
const pngButton = el('button', { type: 'button', id: 'export-png' }, 'Pools as PNG');
perfetto.addEventListener('click', () => store.model && exportPerfetto(store.model));
svgButton.addEventListener('click', () => store.model && exportSvg(body('view-pools'), 'pools.svg'));
pngButton.addEventListener('click', () => {
  if (store.model) exportPng(body('view-pools'), 'pools.png').catch((err: unknown) => showError(`PNG export: ${oneLine(err)}`));
});
statusLine.root.append(perfetto, svgButton, pngButton);
updateForkPanel();

// A URL naming a scenario reruns it (a link from CI, or `npm start`), landing on the URL's cursor.
const fromUrl = readUrl(location.search);
if (fromUrl.run) {
  runPanel.show(fromUrl.run);
  const checked = checkRun(fromUrl.run);
  if (checked.ok) startRun(fromUrl.run, checked.faults, fromUrl.cursorUs);
  else showError(`The link's ${checked.field}: ${checked.message}`);
}

// For the browser tests and the console: the store and render timings.
(window as unknown as { faultline: unknown }).faultline = { store, stats };
