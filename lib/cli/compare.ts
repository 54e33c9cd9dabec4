// `mobilenet compare`: results of `mobilenet bench --json` from several boards, builds or settings, side by side.
// Reads files only (it times nothing): run `bench --json > pi4.json` on each board, bring the files together,
// compare. Rows are matched on what was timed (network, call, alpha/resolution, threads, batch, dtype); each
// file's median is shown with its ratio to the first file's. The XNNPACK anchor's and bench/ort-mobilenet.mjs's
// JSON (one object, `res` for the resolution) are read too, so our runs can be set beside theirs.
import { readFile } from 'node:fs/promises';
import { basename, relative } from 'node:path';
import { renderTable, variantName } from '../bench.js';
import type { CommandSpec, Parsed } from './args.js';
import { UsageError } from './args.js';
import type { CliIO, Command } from './main.js';

const spec: CommandSpec = {
  name: 'compare',
  summary: 'Sets the results of `mobilenet bench --json` from several files side by side: median latency and its ratio to the first file.',
  args: '<bench.json> <bench.json>...',
  minPositionals: 2,
  argsExpected: 'two or more `mobilenet bench --json` files (the first is the baseline)',
  flags: {
    json: { type: 'boolean', help: 'a JSON array on stdout, one object per row (snake_case keys)' },
    markdown: { type: 'boolean', help: 'a Markdown table on stdout' },
  },
  notes: 'Rows are matched on network, timed call, alpha/resolution, threads, batch and dtype. A row one file lacks shows\n' +
    '"-". The last line is the geometric mean of each ratio over the rows every file has.\n' +
    'Example: mobilenet bench --all --json > pi4.json (on a Pi 4), the same on a Pi 5, then mobilenet compare pi4.json pi5.json',
};

/** One timed configuration read from a file. */
export interface CompareEntry {
  architecture: string;
  call: string;
  alpha: number;
  resolution: number;
  threads: number;
  batch: number;
  dtype: string;
  median_ms: number;
  cpu: string;
  /** Kernel set, or the tool for another engine's JSON (XNNPACK anchor, onnxruntime-node). */
  isa: string;
}

export interface CompareRow {
  architecture: string;
  call: string;
  variant: string;
  alpha: number;
  resolution: number;
  threads: number;
  batch: number;
  dtype: string;
  /** Median ms per file label; null where the file has no such row. */
  median_ms: Record<string, number | null>;
  /** median / the first file's median, per file label after the first; null where either is missing. */
  ratio: Record<string, number | null>;
}

const positive = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;

/** The entries of one file's text: a JSON array (bench --json), one object (the XNNPACK anchor) or JSON lines
 * (bench/ort-mobilenet.mjs in a loop). Throws an Error naming the file and what is wrong. */
export function parseBenchJson(text: string, name: string): CompareEntry[] {
  let items: unknown[];
  try {
    const v: unknown = JSON.parse(text);
    items = Array.isArray(v) ? v : [v];
  } catch (e) {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    try {
      if (lines.length < 2) throw e;
      items = lines.map((l) => JSON.parse(l) as unknown);
    } catch {
      throw new Error(`${name} is not JSON (${(e as Error).message}); expected the output of mobilenet bench --json`);
    }
  }
  if (items.length === 0) throw new Error(`${name} holds no results (an empty array); expected the output of mobilenet bench --json`);
  return items.map((item, i) => {
    const where = items.length > 1 ? `${name}: entry ${i}` : name;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new Error(`${where} is not an object; expected the output of mobilenet bench --json`);
    }
    const o = item as Record<string, unknown>;
    const resolution = o.resolution ?? o.res;
    const need: [string, unknown][] = [['alpha', o.alpha], ['resolution', resolution], ['threads', o.threads], ['median_ms', o.median_ms]];
    for (const [key, v] of need) {
      if (!positive(v)) {
        throw new Error(`${where} has ${v === undefined ? 'no' : `a bad (${JSON.stringify(v)})`} ${key}; expected the output of mobilenet bench --json`);
      }
    }
    const str = (v: unknown, dflt: string) => (typeof v === 'string' && v !== '' ? v : dflt);
    return {
      architecture: str(o.architecture, 'mobilenet_v1'),
      call: str(o.call, 'inferSync()'),
      alpha: o.alpha as number,
      resolution: resolution as number,
      threads: o.threads as number,
      batch: positive(o.batch) ? o.batch : 1,
      dtype: str(o.dtype, 'float32'),
      median_ms: o.median_ms as number,
      cpu: str(o.cpu, 'unknown CPU'),
      isa: str(o.isa, str(o.tool, '?')),
    };
  });
}

const keyOf = (e: CompareEntry) => [e.architecture, e.call, e.alpha, e.resolution, e.threads, e.batch, e.dtype].join('|');

/** Rows in first-seen order over the files; labels name the files (in order, distinct). */
export function compareRows(files: readonly { label: string; entries: readonly CompareEntry[] }[]): CompareRow[] {
  const rows = new Map<string, CompareRow>();
  for (const f of files) {
    for (const e of f.entries) {
      const k = keyOf(e);
      let row = rows.get(k);
      if (!row) {
        row = {
          architecture: e.architecture, call: e.call, variant: variantName(e), alpha: e.alpha, resolution: e.resolution,
          threads: e.threads, batch: e.batch, dtype: e.dtype,
          median_ms: Object.fromEntries(files.map((g) => [g.label, null])), ratio: {},
        };
        rows.set(k, row);
      }
      // A file timing the same configuration twice: its faster median (as a benchmark's best-of).
      const prev = row.median_ms[f.label];
      row.median_ms[f.label] = prev === null || prev === undefined ? e.median_ms : Math.min(prev, e.median_ms);
    }
  }
  const base = files[0]!.label;
  for (const row of rows.values()) {
    const b = row.median_ms[base];
    for (const f of files.slice(1)) {
      const m = row.median_ms[f.label];
      row.ratio[f.label] = b !== null && b !== undefined && m !== null && m !== undefined ? m / b : null;
    }
  }
  return [...rows.values()];
}

/** Geometric mean of each file's ratio over the rows every file has (null: no such row). */
export function geomeanRatios(rows: readonly CompareRow[], labels: readonly string[]): Record<string, number | null> {
  const common = rows.filter((r) => labels.every((l) => r.median_ms[l] !== null));
  return Object.fromEntries(labels.slice(1).map((l) => [
    l, common.length === 0 ? null : Math.exp(common.reduce((s, r) => s + Math.log(r.ratio[l]!), 0) / common.length),
  ]));
}

/** Distinct short labels: the file names without .json, with more of the path where two would collide. */
function labelsFor(paths: readonly string[]): string[] {
  const bare = (p: string) => p.replace(/\.jsonl?$/i, '');
  const short = paths.map((p) => bare(basename(p)));
  return short.map((s, i) => (short.filter((t) => t === s).length > 1 ? bare(relative(process.cwd(), paths[i]!) || paths[i]!) : s));
}

function describe(label: string, entries: readonly CompareEntry[]): string {
  const cpus = [...new Set(entries.map((e) => e.cpu))].join(', ');
  const isas = [...new Set(entries.map((e) => e.isa))].join(', ');
  return `${label}: ${cpus} (${isas})`;
}

async function run(parsed: Parsed, io: CliIO): Promise<number> {
  const v = parsed.values as { json?: boolean; markdown?: boolean };
  if (v.json && v.markdown) throw new UsageError('Expected at most one of --json and --markdown but received both');
  const paths = parsed.positionals;
  const labels = labelsFor(paths);
  const files = await Promise.all(paths.map(async (p, i) => {
    let text: string;
    try {
      text = await readFile(p, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(code === 'ENOENT' ? `cannot read ${p}: no such file` : code === 'EISDIR' ? `cannot read ${p}: it is a folder` : `cannot read ${p}: ${(e as Error).message}`);
    }
    return { label: labels[i]!, entries: parseBenchJson(text, p) };
  }));
  const rows = compareRows(files);
  const gm = geomeanRatios(rows, labels);
  if (v.json) {
    io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  const ms = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(3));
  const ratio = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${x.toFixed(2)}x`);
  const showDtype = rows.some((r) => r.dtype !== 'float32');
  const showNet = rows.some((r) => r.architecture !== 'mobilenet_v1' || r.call !== 'inferSync()');
  const head = [
    ...(showNet ? ['network'] : []), 'variant', 'threads', 'batch', ...(showDtype ? ['dtype'] : []),
    ...labels.flatMap((l, i) => (i === 0 ? [`${l} ms`] : [`${l} ms`, `${l} / ${labels[0]}`])),
  ];
  const body = rows.map((r) => [
    ...(showNet ? [`${r.architecture} ${r.call}`] : []), r.variant, String(r.threads), String(r.batch), ...(showDtype ? [r.dtype] : []),
    ...labels.flatMap((l, i) => (i === 0 ? [ms(r.median_ms[l])] : [ms(r.median_ms[l]), ratio(r.ratio[l])])),
  ]);
  const textCols = new Set(showNet ? [0, 1] : [0]);
  if (showDtype) textCols.add(head.indexOf('dtype'));
  const common = rows.filter((r) => labels.every((l) => r.median_ms[l] !== null)).length;
  const summary = labels.slice(1).map((l) => `${l} / ${labels[0]} ${ratio(gm[l])}`).join(', ');
  const caption = ['Median latency per call, ms; ratio < 1: faster than the first file.', ...files.map((f) => describe(f.label, f.entries))];
  const footer = common === 0
    ? 'No row is in every file: nothing to average.'
    : `Geometric mean over the ${common} ${common === 1 ? 'row' : 'rows'} every file has: ${summary}.`;
  if (v.markdown) io.stdout.write(`${caption.join('  \n')}\n\n${renderTable(head, body, textCols, 'markdown')}\n\n${footer}\n`);
  else io.stdout.write(`${caption.join('\n')}\n${renderTable(head, body, textCols, 'text')}\n${footer}\n`);
  return 0;
}

export const command: Command = { spec, run };
