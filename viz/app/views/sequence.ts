/**
 * The sequence (Lamport) diagram: hosts as vertical lanes, time flowing down, each packet an arrow from its
 * send to its arrival; a drop ends in a red cross where it was lost, RSTs are red, SYN/FIN green. Drawn on a
 * canvas, and only the packets on the wire inside the visible window (found by binary search on the send
 * column, and on the running latest arrival for those sent before it), so the cost is the window's, not the
 * trace's: a million events scroll as fast as a thousand.
 */
import type { PacketTable } from '../../model/packets.js';
import type { ViewState } from '../store.js';
import { el } from '../dom.js';
import { formatSeconds, formatTime } from './time-chart.js';

const HEIGHT_PX = 420;
const TOP_PX = 22;
const LEFT_PX = 64;
/** Arrows drawn at most per frame; past it the window is too wide to read anyway and the view says so. */
const ARROWS_MAX = 20_000;
/** Window widths offered, µs. */
const WINDOWS_US = [1_000, 10_000, 100_000, 1_000_000, 10_000_000];

export interface SequenceView {
  /** The packets and the lanes' hosts, left to right (any order of the table's hostNames). */
  setPackets(packets: PacketTable | null, lanes: readonly string[]): void;
  update(state: ViewState): void;
  /** Arrows drawn in the last frame (tests read it). */
  readonly drawn: number;
}

export function createSequenceView(root: HTMLElement, actions: { setCursor(tUs: number): void }): SequenceView {
  const windowSelect = el('select', { 'aria-label': 'Window', name: 'sequence-window' });
  for (const w of WINDOWS_US) windowSelect.append(el('option', { value: String(w) }, formatSeconds(w)));
  windowSelect.value = '100000';
  const note = el('span', { class: 'chart-title' });
  const canvas = el('canvas', { class: 'sequence' });
  const legend = el('span', { class: 'chart-title' }, 'blue: data · grey: ACK · green: SYN/FIN · red: RST, or lost (×)');
  root.append(el('div', { class: 'buttons' }, 'window ', windowSelect, note, legend), canvas);

  let packets: PacketTable | null = null;
  let lanes: readonly string[] = [];
  /** The packet table's host index → lane. */
  let laneOf = new Int32Array(0);
  let cursorUs = 0;
  let drawn = 0;
  let windowFromUs = 0;

  const windowUs = () => Number(windowSelect.value);
  const yOf = (tUs: number) => TOP_PX + ((tUs - windowFromUs) / windowUs()) * (HEIGHT_PX - TOP_PX - 8);

  const draw = () => {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(320, canvas.clientWidth || root.clientWidth || 560);
    if (canvas.width !== Math.round(width * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(HEIGHT_PX * ratio);
      canvas.style.height = `${HEIGHT_PX}px`;
    }
    const g = canvas.getContext('2d');
    if (!g) return;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, HEIGHT_PX);
    // The cursor sits a fifth of the way down, so a little of what led up to it stays in view.
    windowFromUs = Math.max(0, cursorUs - windowUs() / 5);
    const toUs = windowFromUs + windowUs();
    const laneX = (lane: number) => LEFT_PX + ((lane + 0.5) * (width - LEFT_PX)) / Math.max(1, lanes.length);
    g.font = '11px system-ui, sans-serif';
    g.textAlign = 'center';
    g.fillStyle = '#1d232b';
    g.strokeStyle = '#c5ccd4';
    g.lineWidth = 1;
    lanes.forEach((name, i) => {
      // fillText draws the host name as pixels: no markup is ever parsed from it.
      g.fillText(name, laneX(i), 14, (width - LEFT_PX) / Math.max(1, lanes.length) - 4);
      g.beginPath();
      g.moveTo(laneX(i), TOP_PX);
      g.lineTo(laneX(i), HEIGHT_PX);
      g.stroke();
    });
    g.textAlign = 'right';
    g.fillStyle = '#6b7684';
    for (let k = 0; k <= 4; k++) {
      const t = windowFromUs + (k * windowUs()) / 4;
      g.fillText(formatSeconds(t), LEFT_PX - 6, yOf(t) + 4);
    }
    drawn = 0;
    if (packets) {
      const { start, end } = packets.rowsSentIn(windowFromUs, toUs);
      // Packets sent before the window and still on the wire at its top edge enter from above it.
      for (let row = packets.firstInFlightAt(windowFromUs); row < start && drawn < ARROWS_MAX; row++) {
        if (packets.endUs(row) < windowFromUs) continue;
        drawPacket(g, packets, row, laneX, toUs);
        drawn++;
      }
      const crossing = drawn;
      const last = Math.min(end, start + ARROWS_MAX - crossing);
      for (let row = start; row < last; row++) drawPacket(g, packets, row, laneX, toUs);
      drawn += last - start;
      const total = end - start + crossing;
      const counted = `${(end - start).toLocaleString('en')} packets sent in the window${crossing > 0 ? `, ${crossing.toLocaleString('en')} entering it` : ''}`;
      note.textContent = total > drawn ? `${counted}; the first ${drawn.toLocaleString('en')} drawn — narrow the window` : counted;
    } else {
      note.textContent = 'no packets in this trace (light traces leave them out)';
    }
    g.strokeStyle = '#d6336c';
    g.lineWidth = 1.5;
    g.beginPath();
    g.moveTo(LEFT_PX - 4, yOf(cursorUs));
    g.lineTo(width, yOf(cursorUs));
    g.stroke();
    canvas.title = `window ${formatTime(windowFromUs)} – ${formatTime(toUs)}`;
  };

  const drawPacket = (g: CanvasRenderingContext2D, p: PacketTable, row: number, laneX: (i: number) => number, toUs: number) => {
    const from = p.fromHost[row]!;
    const to = p.toHost[row]!;
    if (from < 0) return;
    const sendUs = p.sendUs[row]!;
    const recvUs = p.recvUs[row]!;
    const dropUs = p.dropUs[row]!;
    const flags = p.flagNames[p.flags[row]!] ?? '';
    const x1 = laneX(laneOf[from]!);
    const y1 = yOf(sendUs);
    const dropped = !Number.isNaN(dropUs);
    const endUs = dropped ? dropUs : Number.isNaN(recvUs) ? toUs : recvUs;
    // An unknown destination (no route) is drawn half way to the right, ending where it died.
    const x2Target = to >= 0 ? laneX(laneOf[to]!) : x1 + 30;
    const y2 = yOf(endUs);
    // A lost packet stops part way across, where it was lost, and ends in a cross.
    const x2 = dropped ? x1 + (x2Target - x1) * 0.6 : x2Target;
    const rst = flags.includes('RST');
    g.strokeStyle = dropped || rst ? '#c92a2a' : flags.includes('SYN') || flags.includes('FIN') ? '#2b8a3e' : p.len[row]! > 0 ? '#1c5fb8' : '#9aa5b1';
    g.lineWidth = rst ? 1.5 : 1;
    g.beginPath();
    g.moveTo(x1, y1);
    g.lineTo(x2, y2);
    g.stroke();
    if (dropped) {
      g.beginPath();
      g.moveTo(x2 - 4, y2 - 4);
      g.lineTo(x2 + 4, y2 + 4);
      g.moveTo(x2 + 4, y2 - 4);
      g.lineTo(x2 - 4, y2 + 4);
      g.stroke();
    } else {
      const angle = Math.atan2(y2 - y1, x2 - x1);
      g.beginPath();
      g.moveTo(x2, y2);
      g.lineTo(x2 - 6 * Math.cos(angle - 0.4), y2 - 6 * Math.sin(angle - 0.4));
      g.moveTo(x2, y2);
      g.lineTo(x2 - 6 * Math.cos(angle + 0.4), y2 - 6 * Math.sin(angle + 0.4));
      g.stroke();
    }
  };

  windowSelect.addEventListener('change', draw);
  canvas.addEventListener('click', (event) => {
    const rect = canvas.getBoundingClientRect();
    const y = event.clientY - rect.top;
    if (y > TOP_PX) actions.setCursor(windowFromUs + ((y - TOP_PX) / (HEIGHT_PX - TOP_PX - 8)) * windowUs());
  });
  // The wheel moves the cursor through time: a tenth of the window a notch.
  canvas.addEventListener('wheel', (event) => {
    event.preventDefault();
    actions.setCursor(cursorUs + Math.sign(event.deltaY) * (windowUs() / 10));
  }, { passive: false });

  return {
    setPackets(next, order) {
      packets = next;
      lanes = order;
      const names = next?.hostNames ?? [];
      laneOf = Int32Array.from(names, (name) => Math.max(0, order.indexOf(name)));
      draw();
    },
    update(state) {
      cursorUs = state.cursorUs;
      draw();
    },
    get drawn() {
      return drawn;
    },
  };
}
