// `mobilenet compare`: results of `mobilenet bench --json` from several boards, builds or settings, side by side.
// Reads files only (it times nothing): run `bench --json > pi4.json` on each board, bring the files together,
// compare. Rows are matched on what was timed (network, call, alpha/resolution, threads, batch, dtype); each
// file's median is shown with its ratio to the first file's. The XNNPACK anchor's and bench/ort-mobilenet.mjs's
// JSON (one object, `res` for the resolution) are read too, so our runs can be set beside theirs.
import { basename, relative } from 'node:path';
import { renderTable, variantName } from '../bench.js';
import { bytesAndMib, MAX_TEXT_FILE_BYTES, readFileBounded, readStreamBounded, withoutBom } from '../files.js';
import type { CommandSpec, Parsed } from './args.js';
import { UsageError } from './args.js';
import type { CliIO, Command } from './main.js';

const spec: CommandSpec = {
  name: 'compare',
  summary: 'Sets the results of `mobilenet bench --json` from several files side by side: median latency and its ratio to the first file.',
  args: '<bench.json|-> <bench.json>...',
  minPositionals: 2,
  argsExpected: 'two or more `mobilenet bench --json` files (the first is the baseline)',
  flags: {
    json: { type: 'boolean', help: 'one JSON object on stdout: { files: [{ label, path, cpus, isas }], rows: [{ variant, threads, ...,\nmedian_ms: { label: ms }, ratio: { label: x } }], geomean: { label: { ratio, rows } } } (snake_case keys)' },
    markdown: { type: 'boolean', help: 'a Markdown table on stdout' },
  },
  notes: 'Rows are matched on network, timed call, alpha/resolution, threads, batch and dtype. A row one file lacks shows\n' +
    '"-". The last line is the geometric mean of each ratio over the rows that file shares with the first. A file that\n' +
    'times one configuration twice counts its faster median. - reads a file from standard input.\n' +
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
export function parseBenchJson(input: string | Uint8Array, name: string): CompareEntry[] {
  // Text as shells write it: UTF-8 with or without a byte-order mark, or UTF-16LE with one (Windows PowerShell 5's `>`).
  const bytes = typeof input === 'string' ? undefined : input;
  let text = bytes === undefined ? (input as string)
    : bytes[0] === 0xff && bytes[1] === 0xfe ? Buffer.from(bytes.subarray(2)).toString('utf16le') : Buffer.from(bytes).toString('utf8');
  text = withoutBom(text);
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
      // JSON.parse quotes the text it stopped at: keep the message on one line, without control characters.
      const why = (e as Error).message.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]+/g, ' ').replace(/\s+/g, ' ').trim();
      throw new Error(`${name} is not JSON (${why}); expected the output of mobilenet bench --json`);
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

/** Per file after the first: the geometric mean of its ratio over the rows it shares with the first file, and how many
 * rows that is (ratio null when none). */
export function geomeanRatios(rows: readonly CompareRow[], labels: readonly string[]): Record<string, { ratio: number | null; rows: number }> {
  return Object.fromEntries(labels.slice(1).map((l) => {
    const shared = rows.map((r) => r.ratio[l]).filter((x): x is number => x !== null && x !== undefined);
    return [l, { ratio: shared.length === 0 ? null : Math.exp(shared.reduce((s, x) => s + Math.log(x), 0) / shared.length), rows: shared.length }];
  }));
}

/** A ratio with two significant digits at least (0.0033x, 0.25x, 1.51x, 12.3x). */
export function formatRatio(x: number | null | undefined): string {
  if (x === null || x === undefined) return '-';
  return `${x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2)}x`;
}

/** Distinct short labels: the file names without .json, with more of the path where two would collide. */
export function labelsFor(paths: readonly string[]): string[] {
  const bare = (p: string) => p.replace(/\.jsonl?$/i, '');
  const short = paths.map((p) => (p === '-' ? 'stdin' : bare(basename(p))));
  const longer = short.map((s, i) => (short.filter((t) => t === s).length > 1 && paths[i] !== '-'
    ? bare(relative(process.cwd(), paths[i]!) || paths[i]!) : s));
  // Still the same (a.json and a.jsonl, a.json and ./a.json): the argument's position makes them distinct, since rows
  // are keyed by label and two files under one label would be merged.
  return longer.map((s, i) => (longer.filter((t) => t === s).length > 1 ? `${s} #${i + 1}` : s));
}

function describe(label: string, path: string, entries: readonly CompareEntry[]): string {
  const cpus = [...new Set(entries.map((e) => e.cpu))].join(', ');
  const isas = [...new Set(entries.map((e) => e.isa))].join(', ');
  return `${label} (${path === '-' ? 'standard input' : path}): ${cpus} (${isas})`;
}

async function run(parsed: Parsed, io: CliIO): Promise<number> {
  const v = parsed.values as { json?: boolean; markdown?: boolean };
  if (v.json && v.markdown) throw new UsageError('Expected at most one of --json and --markdown but received both');
  const paths = parsed.positionals;
  const labels = labelsFor(paths);
  if (paths.filter((p) => p === '-').length > 1) throw new UsageError("Expected '-' (standard input) at most once");
  const files = await Promise.all(paths.map(async (p, i) => {
    let bytes: Uint8Array;
    if (p === '-') {
      const read = await readStreamBounded(io.stdin, MAX_TEXT_FILE_BYTES);
      if (read === undefined) throw new Error(`cannot read standard input: it did not end within ${bytesAndMib(MAX_TEXT_FILE_BYTES)}`);
      bytes = read;
    } else {
      try {
        bytes = await readFileBounded(p, MAX_TEXT_FILE_BYTES);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new Error(code === 'ENOENT' ? `cannot read ${p}: no such file` : code === 'EISDIR' ? `cannot read ${p}: it is a folder` : `cannot read ${p}: ${(e as Error).message}`);
      }
    }
    const entries = parseBenchJson(bytes, p === '-' ? 'standard input' : p);
    return { label: labels[i]!, path: p, entries };
  }));
  const rows = compareRows(files);
  const gm = geomeanRatios(rows, labels);
  if (v.json) {
    const out = {
      files: files.map((f) => ({
        label: f.label, path: f.path, cpus: [...new Set(f.entries.map((e) => e.cpu))], isas: [...new Set(f.entries.map((e) => e.isa))],
      })),
      rows,
      geomean: gm,
    };
    io.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }
  const ms = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(3));
  const ratio = formatRatio;
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
  const caption = ['Median latency per call, ms; ratio < 1: faster than the first file; -: no such row in that file.',
    ...files.map((f) => describe(f.label, f.path, f.entries))];
  const footer = 'Geometric mean of each ratio over the rows the file shares with the first: ' + labels.slice(1)
    .map((l) => `${l} / ${labels[0]} ${gm[l]!.ratio === null ? '- (no shared row)' : `${ratio(gm[l]!.ratio)} (${gm[l]!.rows} ${gm[l]!.rows === 1 ? 'row' : 'rows'})`}`)
    .join(', ') + '.';
  if (v.markdown) io.stdout.write(`${caption.join('  \n')}\n\n${renderTable(head, body, textCols, 'markdown')}\n\n${footer}\n`);
  else io.stdout.write(`${caption.join('\n')}\n${renderTable(head, body, textCols, 'text')}\n${footer}\n`);
  return 0;
}

export const command: Command = { spec, run };
