/**
 * A gauge series as SVG path data. The trace keeps one record per 100 ms window in which a gauge moved
 * (first, last, min, max), so the line goes first → last across each window and holds flat between
 * windows, and a band shows the window's extremes: a spike that came and went inside a window stays visible.
 */
import type { GaugeSeries } from '../../model/gauges.js';

type Scale = (v: number) => number;

/** Windows overlapping [fromUs, toUs), with one either side so the line reaches the edges. */
function windowsIn(s: GaugeSeries, fromUs: number, toUs: number): [number, number] {
  let lo = 0;
  let hi = s.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.toUs[mid]! <= fromUs) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < s.count && s.fromUs[end]! < toUs) end++;
  return [Math.max(0, lo - 1), Math.min(s.count, end + 1)];
}

export function gaugeLine(s: GaugeSeries, x: Scale, y: Scale, domain: readonly [number, number], endUs: number): string {
  if (s.count === 0) return '';
  const [start, end] = windowsIn(s, domain[0], domain[1]);
  let d = `M${x(Math.min(domain[0], s.fromUs[start]!))},${y(start === 0 ? s.first[0]! : s.last[start - 1]!)}`;
  for (let i = start; i < end; i++) {
    if (Number.isNaN(s.first[i]!)) continue;
    d += `H${x(s.fromUs[i]!)}V${y(s.first[i]!)}L${x(s.toUs[i]!)},${y(s.last[i]!)}`;
  }
  d += `H${x(Math.max(domain[1], endUs))}`;
  return d;
}

export function gaugeBand(s: GaugeSeries, x: Scale, y: Scale, domain: readonly [number, number]): string {
  const [start, end] = windowsIn(s, domain[0], domain[1]);
  let d = '';
  for (let i = start; i < end; i++) {
    const lo = s.min[i]!;
    const hi = s.max[i]!;
    if (Number.isNaN(lo) || Number.isNaN(hi) || hi === lo) continue;
    const x0 = x(s.fromUs[i]!);
    d += `M${x0},${y(hi)}H${Math.max(x0 + 1, x(s.toUs[i]!))}V${y(lo)}H${x0}Z`;
  }
  return d;
}
