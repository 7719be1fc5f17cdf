/**
 * `faultline sweep --html`: one self-contained page — d3 and the sweep's JSON inline, no other file, no
 * server — with, for each metric, a chart of it against each varied key: a line per combination of the other
 * keys' values, each point its mean across seeds with the 95% interval as an error bar. Every text from the
 * sweep (keys, values, pool names) reaches the page as data and is set as text, never as markup.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { SweepResult } from 'faultline';

/** d3's one-file build: the package's main entry sits beside it in dist/. */
function d3Source(): string {
  const main = createRequire(import.meta.url).resolve('d3');
  return readFileSync(join(dirname(main), 'd3.min.js'), 'utf8');
}

/** JSON safe inside a <script> element: no '<' can close it. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1500px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 4px; }
.inputs { color: #555; margin: 0 0 4px; } .note { color: #555; font-size: 13px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 28px; }
svg.chart { overflow: visible; } .axis text { font-size: 11px; } .label { font-size: 12px; fill: #333; }
.legend { font-size: 11px; fill: #333; } .series path.line { fill: none; stroke-width: 1.8; }
.series line.bar { stroke-width: 1.2; }`;

/** The page's own code: reads the data, draws the charts with d3. Plain JavaScript, run as is in the browser. */
const RENDER = String.raw`
(function () {
  const data = JSON.parse(document.getElementById('sweep-data').textContent);
  const keys = data.vary.map((a) => a.key);
  const valuesOf = (key) => data.vary.find((a) => a.key === key).values;
  const numeric = (key) => valuesOf(key).every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  const fmt = d3.format('~r');
  document.title = 'faultline sweep · ' + data.scenario;
  d3.select('#title').text('faultline sweep · ' + data.scenario);
  const set = Object.entries(data.set).map(([k, v]) => k + '=' + v).join(' ');
  d3.select('#inputs').text(
    data.points.length + ' points × ' + data.seeds.length + ' seeds (' + data.seeds.join(', ') + ')' +
      (data.duration ? ' · duration ' + data.duration : '') + (set ? ' · --set ' + set : '') +
      (data.faults ? ' · with a fault schedule' : '') + ' · faultline ' + data.faultline,
  );
  const shown = [];
  const zero = [];
  for (const m of data.metrics) {
    const any = data.points.some((p) => p.estimates[m.key] && (p.estimates[m.key].mean !== 0 || (p.estimates[m.key].ci95 || 0) !== 0));
    (any ? shown : zero).push(m);
  }
  if (zero.length > 0) d3.select('#zero').text('Zero at every point (not drawn): ' + zero.map((m) => m.label).join(', ') + '.');
  const root = d3.select('#metrics');
  const W = 440, H = 240, M = { top: 12, right: 16, bottom: 44, left: 64 };
  for (const m of shown) {
    const section = root.append('section').attr('class', 'metric').attr('data-metric', m.key);
    section.append('h2').text(m.label + (m.unit ? ' (' + m.unit + ')' : ''));
    const charts = section.append('div').attr('class', 'charts');
    for (const key of keys) chart(charts, m, key);
  }

  function chart(parent, m, key) {
    const others = keys.filter((k) => k !== key);
    const xs = valuesOf(key);
    const isNum = numeric(key);
    const groups = new Map();
    for (const p of data.points) {
      const e = p.estimates[m.key];
      if (!e) continue;
      const name = others.map((k) => k + '=' + p.assignments[k]).join(' · ');
      if (!groups.has(name)) groups.set(name, []);
      groups.get(name).push({ x: p.assignments[key], mean: e.mean, ci: e.ci95 || 0, n: e.n });
    }
    const series = [...groups.entries()].map(([name, pts]) => ({ name, pts: pts.sort((a, b) => xs.indexOf(a.x) - xs.indexOf(b.x)) }));
    const legendH = others.length === 0 ? 0 : 16 * series.length + 6;
    const svg = parent.append('svg').attr('class', 'chart').attr('data-key', key)
      .attr('width', W).attr('height', H + legendH);
    const plotW = W - M.left - M.right, plotH = H - M.top - M.bottom;
    const g = svg.append('g').attr('transform', 'translate(' + M.left + ',' + M.top + ')');
    // Numbers on a linear axis with a margin either side, so no point sits on the y axis; other values evenly.
    const [x0, x1] = d3.extent(xs, Number);
    const pad = x1 > x0 ? (x1 - x0) * 0.06 : 1;
    const x = isNum ? d3.scaleLinear().domain([x0 - pad, x1 + pad]).range([0, plotW]) : d3.scalePoint().domain(xs).range([0, plotW]).padding(0.5);
    // Series side by side at one x (4 px apart), so their error bars do not hide one another.
    const dodge = (i) => (i - (groups.size - 1) / 2) * 4;
    const xAt = (v) => (isNum ? x(Number(v)) : x(v));
    const all = series.flatMap((s) => s.pts);
    // Every metric is a count, a rate, a share or a time: an interval's low end is drawn no lower than 0.
    const low = (p) => Math.max(0, p.mean - p.ci);
    const hi = d3.max(all, (p) => p.mean + p.ci);
    const y = d3.scaleLinear().domain([0, hi > 0 ? hi : 1]).nice().range([plotH, 0]);
    const xAxis = isNum ? d3.axisBottom(x).tickValues(xs.map(Number)).tickFormat(fmt) : d3.axisBottom(x);
    g.append('g').attr('class', 'axis x').attr('transform', 'translate(0,' + plotH + ')').call(xAxis);
    g.append('g').attr('class', 'axis y').call(d3.axisLeft(y).ticks(6));
    g.append('text').attr('class', 'label').attr('x', plotW / 2).attr('y', plotH + 36).attr('text-anchor', 'middle').text(key);
    g.append('text').attr('class', 'label').attr('transform', 'rotate(-90)').attr('x', -plotH / 2).attr('y', -50)
      .attr('text-anchor', 'middle').text(m.label + (m.unit ? ' (' + m.unit + ')' : ''));
    const color = d3.scaleOrdinal(d3.schemeTableau10).domain(series.map((s) => s.name));
    series.forEach((s, i) => {
      const line = d3.line().x((p) => xAt(p.x) + dodge(i)).y((p) => y(p.mean));
      const sg = g.append('g').attr('class', 'series').attr('stroke', color(s.name)).attr('fill', color(s.name));
      sg.append('path').attr('class', 'line').attr('d', line(s.pts));
      for (const p of s.pts) {
        const cx = xAt(p.x) + dodge(i);
        if (p.ci > 0) {
          sg.append('line').attr('class', 'bar').attr('x1', cx).attr('x2', cx).attr('y1', y(low(p))).attr('y2', y(p.mean + p.ci));
          for (const v of [low(p), p.mean + p.ci]) sg.append('line').attr('class', 'bar').attr('x1', cx - 4).attr('x2', cx + 4).attr('y1', y(v)).attr('y2', y(v));
        }
        sg.append('circle').attr('cx', cx).attr('cy', y(p.mean)).attr('r', 3.5)
          .append('title').text((s.name ? s.name + ' · ' : '') + key + '=' + p.x + ': ' + fmt(p.mean) + (p.ci > 0 ? ' ± ' + fmt(p.ci) : '') + ' (' + p.n + ' runs)');
      }
      if (others.length > 0) {
        const ly = H + 4 + 16 * i;
        svg.append('line').attr('x1', M.left).attr('x2', M.left + 18).attr('y1', ly).attr('y2', ly).attr('stroke', color(s.name)).attr('stroke-width', 2);
        svg.append('text').attr('class', 'legend').attr('x', M.left + 24).attr('y', ly + 4).text(s.name);
      }
    });
  }
})();
`;

/** The report's HTML text. */
export function sweepReportHtml(result: SweepResult): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>faultline sweep</title>
<style>${STYLE}</style>
</head>
<body>
<h1 id="title">faultline sweep</h1>
<p class="inputs" id="inputs"></p>
<p class="note">Each point is the mean across its seeds; the bars are its 95% interval (Student's t), cut at 0. A chart per varied key: that key along the x axis, a line per combination of the other keys' values.</p>
<p class="note" id="zero"></p>
<div id="metrics"></div>
<script>${d3Source()}</script>
<script type="application/json" id="sweep-data">${scriptJson(result)}</script>
<script>${RENDER}</script>
</body>
</html>
`;
}

/** Writes the report to `path`. */
export function writeSweepReport(path: string, result: SweepResult): void {
  writeFileSync(path, sweepReportHtml(result));
}
