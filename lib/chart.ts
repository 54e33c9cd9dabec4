// `mobilenet bench --chart`: latency (x, log) against published ImageNet top-1 (y) for the MobileNetV1
// variants, as a hand-written SVG (or an HTML page around it). No plotting dependency: the chart is
// ~20 shapes, and an SVG string is easy to test.
import { arch, cpus, type } from 'node:os';

/**
 * ImageNet top-1 (%) of the float MobileNetV1 checkpoints, single 224-crop evaluation, as published in
 * the TF-slim model zoo: tensorflow/models, research/slim/nets/mobilenet_v1.md, "Pre-trained Models"
 * table (checkpoints mobilenet_v1_2018_02_22/mobilenet_v1_<alpha>_<res>.tgz; the TF.js and TFLite
 * float models are converted from these). The 2017_06_14 checkpoints in older revisions of that
 * table scored a little lower (e.g. 1.0_224 70.7); the paper's Table 6/7 give 70.6 for 1.0_224.
 * Key: `${alpha.toFixed(2)}_${resolution}`.
 */
export const PUBLISHED_TOP1: Readonly<Record<string, number>> = Object.freeze({
  '1.00_224': 70.9, '1.00_192': 70.0, '1.00_160': 68.0, '1.00_128': 65.2,
  '0.75_224': 68.4, '0.75_192': 67.2, '0.75_160': 65.3, '0.75_128': 62.1,
  '0.50_224': 63.3, '0.50_192': 61.7, '0.50_160': 59.1, '0.50_128': 56.3,
  '0.25_224': 49.8, '0.25_192': 47.7, '0.25_160': 45.5, '0.25_128': 41.5,
});

export function publishedTop1(alpha: number, resolution: number): number | undefined {
  // Exactly a published alpha: 0.251 is not the 0.25 network (its key would round to it).
  return Number(alpha.toFixed(2)) === alpha ? PUBLISHED_TOP1[`${alpha.toFixed(2)}_${resolution}`] : undefined;
}

/** The fields of a bench result the chart needs. */
export interface ChartInput {
  alpha: number;
  resolution: number;
  threads: number;
  batch: number;
  median_ms: number;
  isa: string;
  cpu: string;
  runs: number;
  /** 'float32', 'uint8' or 'int8' (bench results have it; absent: float32). */
  dtype?: string;
  /** What ran: 'synthetic(…)' or a weights file (absent: synthetic weights). */
  weights?: string;
}

export interface ChartMeta {
  node?: string;
  version?: string;
  /** Machine description; default: OS, arch and core count of this machine. */
  machine?: string;
}

// Okabe-Ito colours (readable with colour-blindness) plus a distinct marker per alpha.
const SERIES_STYLE: Record<string, { color: string; marker: 'circle' | 'square' | 'diamond' | 'triangle' }> = {
  '1.00': { color: '#0072B2', marker: 'circle' },
  '0.75': { color: '#E69F00', marker: 'square' },
  '0.50': { color: '#009E73', marker: 'diamond' },
  '0.25': { color: '#D55E00', marker: 'triangle' },
};
const EXTRA_COLORS = ['#CC79A7', '#56B4E9', '#000000', '#F0E442'];
const DASHES = ['', '6 4', '2 3', '8 3 2 3'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const n = (x: number) => (Math.round(x * 10) / 10).toString();

function marker(kind: string, x: number, y: number, color: string, attrs: string): string {
  const r = 5;
  switch (kind) {
    case 'square':
      return `<rect ${attrs} x="${n(x - r + 0.5)}" y="${n(y - r + 0.5)}" width="${2 * r - 1}" height="${2 * r - 1}" fill="${color}"/>`;
    case 'diamond':
      return `<path ${attrs} d="M${n(x)} ${n(y - r - 1)}L${n(x + r + 1)} ${n(y)}L${n(x)} ${n(y + r + 1)}L${n(x - r - 1)} ${n(y)}Z" fill="${color}"/>`;
    case 'triangle':
      return `<path ${attrs} d="M${n(x)} ${n(y - r - 1)}L${n(x + r + 1)} ${n(y + r)}L${n(x - r - 1)} ${n(y + r)}Z" fill="${color}"/>`;
    default:
      return `<circle ${attrs} cx="${n(x)}" cy="${n(y)}" r="${r}" fill="${color}"/>`;
  }
}

/** 1-2-5 ticks (plus 3 when the range is short) covering [lo, hi] on a log axis. */
function logTicks(lo: number, hi: number): number[] {
  const steps = Math.log10(hi / lo) < 1.3 ? [1, 2, 3, 5] : [1, 2, 5];
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const s of steps) {
      const t = s * 10 ** e;
      if (t >= lo && t <= hi) ticks.push(Number(t.toPrecision(6)));
    }
  }
  return ticks;
}

function tickLabel(t: number): string {
  return t >= 1 ? String(t) : t.toPrecision(1).replace(/^0\./, '0.');
}

/** '1.0/224', '0.75/192', '0.125/128': the alpha as given (toFixed(2) printed 0.125 as '0.13'), whole numbers with '.0'. */
export function variantLabel(alpha: number, resolution: number): string {
  return `${Number.isInteger(alpha) ? alpha.toFixed(1) : String(alpha)}/${resolution}`;
}

interface Box { x0: number; y0: number; x1: number; y1: number }
const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

export interface RenderedChart {
  text: string;
  plotted: number;
  /** Variants measured but without a published accuracy (not plotted). */
  missing: string[];
}

/** Average advance of a 12.5 px sans-serif character, generous so that estimated lines never overflow. */
const SUBTITLE_CHAR_PX = 7.2;

/** Joins `parts` with `sep` into lines of at most `maxPx` (estimated); a part longer than a line is cut with an ellipsis. */
export function wrapText(parts: readonly string[], sep: string, maxPx: number, charPx: number): string[] {
  const maxChars = Math.floor(maxPx / charPx);
  const lines: string[] = [];
  let cur = '';
  for (const raw of parts) {
    const part = raw.length > maxChars ? `${raw.slice(0, maxChars - 1)}…` : raw;
    if (cur === '') cur = part;
    else if (cur.length + sep.length + part.length <= maxChars) cur += sep + part;
    else {
      lines.push(cur);
      cur = part;
    }
  }
  if (cur !== '') lines.push(cur);
  return lines;
}

/** SVG of latency vs top-1 for the results that have a published accuracy. */
export function renderChartSvg(results: readonly ChartInput[], meta: ChartMeta = {}): Omit<RenderedChart, 'text'> & { svg: string } {
  const missing: string[] = [];
  const pts = results.flatMap((r) => {
    const top1 = publishedTop1(r.alpha, r.resolution);
    if (top1 === undefined) {
      missing.push(variantLabel(r.alpha, r.resolution));
      return [];
    }
    return [{ ...r, top1, ms: r.median_ms / r.batch }];
  });

  const W = 960, H = 660;
  const left = 78, right = 150, bottom = 100;

  const msValues = pts.map((p) => p.ms);
  let lo = msValues.length ? Math.min(...msValues) : 1;
  let hi = msValues.length ? Math.max(...msValues) : 10;
  if (hi / lo < 4) { const mid = Math.sqrt(lo * hi); lo = mid / 2; hi = mid * 2; }
  lo /= 1.25; hi *= 1.25;
  const yLo = Math.floor((Math.min(...pts.map((p) => p.top1), 60) - 2) / 5) * 5;
  const yHi = Math.ceil((Math.max(...pts.map((p) => p.top1), 70) + 2) / 5) * 5;

  const threadSet = [...new Set(pts.map((p) => p.threads))].sort((a, b) => a - b);
  // The integer path named with its kernel set, as the bench table does ('avx512amx uint8').
  const isaSet = [...new Set(pts.map((p) => (p.dtype && p.dtype !== 'float32' ? `${p.isa} ${p.dtype}` : p.isa)))];
  // A weights file is named: the chart said "synthetic weights" whatever ran.
  const files = [...new Set(pts.map((p) => p.weights ?? 'synthetic').filter((w) => !w.startsWith('synthetic')))];
  const weightsNote = files.length === 0 ? 'synthetic weights (latency does not depend on weight values)'
    : `${pts.some((p) => (p.weights ?? 'synthetic').startsWith('synthetic')) ? 'synthetic weights and ' : ''}${files.join(', ')}`;
  const cpuSet = [...new Set(pts.map((p) => p.cpu))];
  const batchSet = [...new Set(pts.map((p) => p.batch))];
  const runsSet = [...new Set(pts.map((p) => p.runs))];
  const machine = meta.machine ?? `${type()} ${arch()}, ${cpus().length} cores`;
  const subtitle = [
    `${cpuSet.join(', ') || 'unknown CPU'} (${machine})`,
    `${threadSet.join('/') || '?'} thread${threadSet.length === 1 && threadSet[0] === 1 ? '' : 's'}`,
    `isa ${isaSet.join('/') || '?'}`,
    `batch ${batchSet.join('/') || 1}`,
    `median of ${runsSet.join('/') || '?'} run${runsSet.length === 1 && runsSet[0] === 1 ? '' : 's'}`,
    ...(meta.node ? [`Node ${meta.node}`] : []),
    ...(meta.version ? [`mobilenet-native ${meta.version}`] : []),
  ];
  // The subtitle wraps at the chart's width (a long CPU name alone can fill a line) instead of being clipped.
  const subtitleLines = wrapText(subtitle, ' · ', W - left - 16, SUBTITLE_CHAR_PX);
  const top = 70 + 16 * subtitleLines.length;
  const pw = W - left - right, ph = H - top - bottom;
  const X = (ms: number) => left + (Math.log(ms / lo) / Math.log(hi / lo)) * pw;
  const Y = (acc: number) => top + (1 - (acc - yLo) / (yHi - yLo)) * ph;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, 'DejaVu Sans', Helvetica, Arial, sans-serif">`);
  out.push(`<title>MobileNetV1: ImageNet top-1 against latency</title>`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text class="title" x="${left}" y="34" font-size="20" font-weight="600" fill="#111">MobileNetV1: ImageNet top-1 against latency</text>`);
  subtitleLines.forEach((line, i) => {
    out.push(`<text class="subtitle" x="${left}" y="${58 + 16 * i}" font-size="12.5" fill="#444">${esc(line)}</text>`);
  });

  // Grid and ticks.
  out.push(`<g class="grid" stroke="#e3e3e3" stroke-width="1">`);
  for (let a = yLo; a <= yHi; a += 5) out.push(`<line x1="${left}" x2="${left + pw}" y1="${n(Y(a))}" y2="${n(Y(a))}"/>`);
  const xt = logTicks(lo, hi);
  for (const t of xt) out.push(`<line x1="${n(X(t))}" x2="${n(X(t))}" y1="${top}" y2="${top + ph}"/>`);
  out.push(`</g>`);
  out.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  out.push(`<g class="ticks" font-size="12" fill="#333">`);
  for (let a = yLo; a <= yHi; a += 5) out.push(`<text x="${left - 8}" y="${n(Y(a) + 4)}" text-anchor="end">${a}</text>`);
  for (const t of xt) out.push(`<text x="${n(X(t))}" y="${top + ph + 18}" text-anchor="middle">${tickLabel(t)}</text>`);
  out.push(`</g>`);
  out.push(`<text class="axis-title x" x="${left + pw / 2}" y="${top + ph + 44}" font-size="14" text-anchor="middle" fill="#111">Latency per image, ms (median, log scale)</text>`);
  out.push(`<text class="axis-title y" transform="translate(24 ${top + ph / 2}) rotate(-90)" font-size="14" text-anchor="middle" fill="#111">ImageNet top-1 accuracy, %</text>`);
  out.push(`<text class="source" x="${left}" y="${H - 30}" font-size="11" fill="#666">Top-1: published float checkpoints, TF-slim model zoo (tensorflow/models, research/slim/nets/mobilenet_v1.md, 2018_02_22 release).</text>`);
  out.push(`<text class="source" x="${left}" y="${H - 15}" font-size="11" fill="#666">Latency: median of inferSync() on this machine, per image; ${esc(weightsNote)}.</text>`);

  // Series: one per alpha (and per thread count when several were measured).
  const seriesKeys = [...new Set(pts.map((p) => `${p.alpha.toFixed(2)}@${p.threads}`))].sort((a, b) => {
    const [aa, at] = a.split('@').map(Number);
    const [ba, bt] = b.split('@').map(Number);
    return ba! - aa! || at! - bt!;
  });
  const placed: Box[] = [];
  // Points occupy space too: labels avoid them.
  for (const p of pts) placed.push({ x0: X(p.ms) - 6, y0: Y(p.top1) - 6, x1: X(p.ms) + 6, y1: Y(p.top1) + 6 });
  const legend: string[] = [];
  const labels: string[] = [];
  seriesKeys.forEach((key, si) => {
    const [alphaKey, tStr] = key.split('@') as [string, string];
    const threads = Number(tStr);
    const style = SERIES_STYLE[alphaKey] ?? { color: EXTRA_COLORS[si % EXTRA_COLORS.length]!, marker: 'circle' as const };
    const dash = DASHES[threadSet.indexOf(threads) % DASHES.length]!;
    const sp = pts.filter((p) => `${p.alpha.toFixed(2)}@${p.threads}` === key).sort((a, b) => a.ms - b.ms);
    const name = `α ${Number(alphaKey).toFixed(alphaKey.endsWith('0') ? 1 : 2)}${threadSet.length > 1 ? `, ${threads} thread${threads === 1 ? '' : 's'}` : ''}`;
    out.push(`<g class="series" data-alpha="${alphaKey}" data-threads="${threads}">`);
    if (sp.length > 1) {
      out.push(`<polyline points="${sp.map((p) => `${n(X(p.ms))},${n(Y(p.top1))}`).join(' ')}" fill="none" stroke="${style.color}" stroke-width="2" stroke-opacity="0.75"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    }
    for (const p of sp) {
      const v = variantLabel(p.alpha, p.resolution);
      out.push(marker(style.marker, X(p.ms), Y(p.top1), style.color,
        `class="point" data-variant="${v}" data-threads="${p.threads}" data-ms="${p.ms}" data-top1="${p.top1}" stroke="#fff" stroke-width="1"`));
      // Greedy label placement: right, left, above, below, then further out; first spot that collides with nothing.
      const text = `${v}  ${p.ms < 10 ? p.ms.toFixed(2) : p.ms.toFixed(1)} ms`;
      const tw = text.length * 6.1, th = 12;
      const px = X(p.ms), py = Y(p.top1);
      const candidates: [number, number, string][] = [
        [px + 9, py + 4, 'start'], [px - 9, py + 4, 'end'], [px, py - 10, 'middle'], [px, py + 18, 'middle'],
        [px + 9, py - 9, 'start'], [px + 9, py + 16, 'start'], [px - 9, py - 9, 'end'], [px - 9, py + 16, 'end'],
        [px, py - 22, 'middle'], [px, py + 30, 'middle'],
      ];
      let chosen = candidates[0]!;
      let far = false;
      for (const [ci, c] of candidates.entries()) {
        const x0 = c[2] === 'start' ? c[0] : c[2] === 'end' ? c[0] - tw : c[0] - tw / 2;
        const box = { x0, y0: c[1] - th + 2, x1: x0 + tw, y1: c[1] + 3 };
        const inside = box.x0 >= left + 2 && box.x1 <= left + pw - 2 && box.y0 >= top + 2 && box.y1 <= top + ph - 2;
        if (inside && !placed.some((b) => overlaps(b, box))) {
          chosen = c;
          far = ci >= 4;
          placed.push(box);
          break;
        }
      }
      // A label away from its point gets a thin leader so it cannot be read as its neighbour's.
      if (far) {
        const ex = chosen[0];
        const ey = chosen[2] !== 'middle' ? chosen[1] - 4 : chosen[1] < py ? chosen[1] + 2 : chosen[1] - 11;
        const d = Math.hypot(ex - px, ey - py) || 1;
        labels.push(`<line x1="${n(px + ((ex - px) * 7) / d)}" y1="${n(py + ((ey - py) * 7) / d)}" x2="${n(ex)}" y2="${n(ey)}" stroke="#999" stroke-width="0.8"/>`);
      }
      labels.push(`<text class="label" x="${n(chosen[0])}" y="${n(chosen[1])}" text-anchor="${chosen[2]}" font-size="11" fill="#222">${esc(text)}</text>`);
    }
    out.push(`</g>`);
    const ly = top + 12 + si * 24;
    const lx = left + pw + 18;
    legend.push(`<line x1="${lx}" x2="${lx + 28}" y1="${ly}" y2="${ly}" stroke="${style.color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    legend.push(marker(style.marker, lx + 14, ly, style.color, 'stroke="#fff" stroke-width="1"'));
    legend.push(`<text x="${lx + 36}" y="${ly + 4}" font-size="13" fill="#222">${esc(name)}</text>`);
  });
  // Labels last so lines never cover them; a white halo keeps them legible over grid lines.
  out.push(`<g class="labels" paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round">${labels.join('')}</g>`);
  out.push(`<g class="legend">${legend.join('')}</g>`);
  if (pts.length === 0) out.push(`<text x="${left + pw / 2}" y="${top + ph / 2}" text-anchor="middle" font-size="14" fill="#888">no variant with a published accuracy was measured</text>`);
  out.push(`</svg>`);
  return { svg: out.join('\n') + '\n', plotted: pts.length, missing };
}

/** The chart for `file`: SVG, or for .html a page with the SVG and a table of the plotted numbers. */
export function renderChart(results: readonly ChartInput[], file: string, meta: ChartMeta = {}): RenderedChart {
  const { svg, plotted, missing } = renderChartSvg(results, meta);
  if (!/\.html?$/i.test(file)) return { text: svg, plotted, missing };
  const rows = results
    .filter((r) => publishedTop1(r.alpha, r.resolution) !== undefined)
    .map((r) => `<tr><td>${variantLabel(r.alpha, r.resolution)}</td><td>${r.threads}</td><td>${esc(r.isa)}</td><td>${(r.median_ms / r.batch).toFixed(3)}</td><td>${publishedTop1(r.alpha, r.resolution)!.toFixed(1)}</td></tr>`)
    .join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MobileNetV1 latency vs top-1</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#111}table{border-collapse:collapse;margin-top:16px}td,th{border:1px solid #ccc;padding:3px 10px;text-align:right}</style>
</head><body>
${svg}
<table><thead><tr><th>variant</th><th>threads</th><th>isa</th><th>ms / image</th><th>top-1 %</th></tr></thead><tbody>
${rows}
</tbody></table>
</body></html>
`;
  return { text: html, plotted, missing };
}
