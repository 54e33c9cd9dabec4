// `mobilenet bench`: end-to-end latency of MobileNetV1 variants on this machine.
// Honest by construction (ncnn's benchncnn, XNNPACK's end-to-end bench): warm-up runs are not timed,
// each run is timed on its own with hrtime so we can report median/p90/min rather than a mean that
// hides outliers, the input tensor and the output buffer are allocated once, and GFLOP/s is derived
// from the spec's MAC count (2 FLOP per MAC) at the median, not at the best run.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { load, type MobileNet } from './model.js';
import { ALPHAS, RESOLUTIONS } from './graph.js';
import { seededRandom, syntheticWeights } from './weights/synthetic.js';
import { syntheticQuantWeights } from './weights/synthetic-quant.js';
import type { NetWeights } from './weights/types.js';
import { renderChart } from './chart.js';

export interface LayerTimes {
  conv: number;
  depthwise: number;
  pointwise: number;
  pool: number;
  classifier: number;
}

export interface BenchConfig {
  /** undefined with `weights`: whatever the file is. */
  alpha: number | undefined;
  resolution: number;
  threads: number;
  batch: number;
  runs: number;
  warmup: number;
  weights?: string;
  isa?: string;
  profile: boolean;
  /** Arithmetic: 'float32', or the integer path on uint8 / int8 weights (synthetic: syntheticQuantWeights). */
  dtype?: 'float32' | 'uint8' | 'int8';
}

/** One line of results. snake_case to match the XNNPACK anchor's JSON, so scripts can compare both. */
export interface BenchResult {
  alpha: number;
  resolution: number;
  threads: number;
  batch: number;
  isa: string;
  /** 'float32', 'uint8' or 'int8' (model.info.dtype). */
  dtype: string;
  cpu: string;
  runs: number;
  warmup: number;
  weights: string;
  /** load(): read + BN fold + pack + the warm-up inference load() does, ms. */
  load_ms: number;
  /** Latency of one inferSync() call (batch images), ms. */
  median_ms: number;
  p90_ms: number;
  min_ms: number;
  mean_ms: number;
  max_ms: number;
  /** Images per second at the median. */
  fps: number;
  /** 2 * MACs * batch / median. */
  gflops: number;
  macs: number;
  /** Process high-water mark (getrusage maxrss) after this configuration; monotone within one bench process. */
  peak_rss_mb: number;
  /** The model's own arena + packed weights, from model.info. */
  model_mb: number;
  /** ms per inference by layer type (--profile). */
  profile?: LayerTimes;
}

export interface BenchIO {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
}

const USAGE = `Usage: mobilenet bench [options]

Times MobileNetV1 inference on this machine (seeded synthetic weights unless --weights).

Options:
  --alpha <a[,a...]>        width multiplier(s): 1.0, 0.75, 0.5, 0.25 (default 1.0)
  --resolution <r[,r...]>   input size(s), multiples of 32 (default 224)
  --all                     the 16 released variants: alpha 1.0,0.75,0.5,0.25 x resolution 224,192,160,128
  --threads <t[,t...]>      worker threads per inference, e.g. 1,2,4 (default 1)
  --batch <n>               images per inference call (default 1)
  --runs <n>                timed runs per configuration (default 50)
  --warmup <n>              untimed runs before timing (default 5)
  --weights <path>          a TF.js model directory / model.json or a .tflite file instead of synthetic weights
  --isa <name>              force a kernel set: scalar, avx2, avx512, neon; integer: scalar, avx2,
                            avxvnni, avx512vnni, neon, neondot (default: best for this CPU)
  --dtype <t>               float32 (default), uint8 or int8: the integer path (synthetic weights
                            quantized per tensor / per channel; with --weights, the file's own scheme)
  --profile                 also report time by layer type (conv, depthwise, pointwise, pool, classifier)
  --json                    JSON on stdout: one object for one configuration, else an array
  --markdown                a Markdown table on stdout
  --chart <file.svg|.html>  plot latency against published ImageNet top-1 (implies --all unless
                            --alpha/--resolution are given)
  -h, --help                this text

Latency does not depend on the weight values, so synthetic weights time the same as real ones.
`;

class UsageError extends Error {}

const OPTIONS = {
  alpha: { type: 'string' },
  resolution: { type: 'string' },
  all: { type: 'boolean' },
  threads: { type: 'string' },
  batch: { type: 'string' },
  runs: { type: 'string' },
  warmup: { type: 'string' },
  weights: { type: 'string' },
  isa: { type: 'string' },
  dtype: { type: 'string' },
  profile: { type: 'boolean' },
  json: { type: 'boolean' },
  markdown: { type: 'boolean' },
  chart: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function intOption(name: string, raw: string | undefined, dflt: number, lo: number, hi: number): number {
  if (raw === undefined) return dflt;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new UsageError(`Expected an integer between ${lo} and ${hi} for --${name} but received '${raw}'`);
  }
  return v;
}

function listOption(name: string, raw: string, expected: string, ok: (v: number) => boolean): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.some((s) => s === '') || !values.every((v) => Number.isFinite(v) && ok(v))) {
    throw new UsageError(`Expected ${expected} for --${name} but received '${raw}'`);
  }
  return [...new Set(values)];
}

interface ParsedArgs {
  help: boolean;
  configs: BenchConfig[];
  output: 'text' | 'json' | 'markdown';
  chart?: string;
}

export function parseBenchArgs(argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const m = /Unknown option '([^']+)'/.exec(err.message);
    if (m) throw new UsageError(`Unknown option '${m[1]}' for mobilenet bench; expected one of: ${Object.keys(OPTIONS).map((k) => `--${k}`).join(', ')}`);
    const p = /Unexpected argument '([^']+)'/.exec(err.message);
    if (p) throw new UsageError(`Unexpected argument '${p[1]}' for mobilenet bench (it takes options only)`);
    throw new UsageError(err.message.split('\n')[0]!.replace(/\. To specify.*$/, ''));
  }
  const v = parsed.values;
  if (v.help) return { help: true, configs: [], output: 'text' };
  if (v.json && v.markdown) throw new UsageError('Expected at most one of --json and --markdown but received both');
  if (v.all && (v.alpha !== undefined || v.resolution !== undefined)) {
    throw new UsageError('Expected either --all or --alpha/--resolution but received both');
  }
  if (v.weights !== undefined && (v.all || (v.alpha !== undefined && v.alpha.includes(',')))) {
    throw new UsageError('Expected one alpha with --weights (a weights file has one width multiplier) but received several');
  }
  if (v.chart !== undefined && !/\.(svg|html?)$/i.test(v.chart)) {
    throw new UsageError(`Expected a file name ending in .svg or .html for --chart but received '${v.chart}'`);
  }
  const all = v.all || (v.chart !== undefined && v.alpha === undefined && v.resolution === undefined && v.weights === undefined);
  const alphas: (number | undefined)[] = all
    ? [...ALPHAS].reverse()
    : v.alpha !== undefined
      ? listOption('alpha', v.alpha, 'a width multiplier greater than 0 and at most 4 (e.g. 1.0, 0.75, 0.5, 0.25)', (a) => a > 0 && a <= 4)
      : [v.weights !== undefined ? undefined : 1.0];
  const resolutions = all
    ? [...RESOLUTIONS].reverse()
    : v.resolution !== undefined
      ? listOption('resolution', v.resolution, 'a multiple of 32 between 32 and 2048 (e.g. 224, 192, 160, 128)', (r) => Number.isInteger(r) && r >= 32 && r <= 2048 && r % 32 === 0)
      : [224];
  const threads = v.threads !== undefined
    ? listOption('threads', v.threads, 'a comma-separated list of integers between 1 and 256 (e.g. 1,2,4)', (t) => Number.isInteger(t) && t >= 1 && t <= 256)
    : [1];
  const batch = intOption('batch', v.batch, 1, 1, 4096);
  const runs = intOption('runs', v.runs, 50, 1, 1_000_000);
  const warmup = intOption('warmup', v.warmup, 5, 0, 1_000_000);
  if (v.isa !== undefined && !/^[a-z0-9_]+$/i.test(v.isa)) {
    throw new UsageError(`Expected an ISA name (scalar, avx2, avx512, neon) for --isa but received '${v.isa}'`);
  }
  if (v.dtype !== undefined && !['float32', 'uint8', 'int8'].includes(v.dtype)) {
    throw new UsageError(`Expected float32, uint8 or int8 for --dtype but received '${v.dtype}'`);
  }
  const dtype = (v.dtype ?? 'float32') as BenchConfig['dtype'];
  const configs: BenchConfig[] = [];
  for (const alpha of alphas) {
    for (const resolution of resolutions) {
      for (const t of threads) {
        configs.push({ alpha, resolution, threads: t, batch, runs, warmup, weights: v.weights, isa: v.isa, profile: v.profile ?? false, dtype });
      }
    }
  }
  return { help: false, configs, output: v.json ? 'json' : v.markdown ? 'markdown' : 'text', chart: v.chart };
}

/** Linear-interpolated quantile of sorted values (q in [0, 1]). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

type Progress = (done: number, total: number) => void;

/** Benchmarks one configuration. `weights` is resolved by the caller (synthetic weights are shared across ρ). */
export async function runBench(config: BenchConfig, weights: string | NetWeights, progress?: Progress): Promise<BenchResult> {
  const t0 = process.hrtime.bigint();
  const model: MobileNet = await load({
    weights,
    alpha: config.alpha,
    resolution: config.resolution,
    threads: config.threads,
    ...(config.isa !== undefined ? { isa: config.isa } : {}),
    precision: (config.dtype ?? 'float32') === 'float32' ? 'float' : 'integer',
  });
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  try {
    const { resolution: R, classes, macs } = model.info;
    if (config.dtype !== undefined && model.info.dtype !== config.dtype) {
      throw new Error(`--dtype ${config.dtype} was asked for, but ${model.info.weights} runs as ${model.info.dtype}`);
    }
    // A fixed pseudo-random image in the tfjs input range [-1, 1]: zeros could flatter a kernel that skips work.
    // Integer models take it as R x R bytes (the camera path: no float conversion to pay for).
    const rand = seededRandom(12345);
    const integer = model.info.dtype !== 'float32';
    const tensors = Array.from({ length: config.batch }, () => {
      const t = new Float32Array(R * R * 3);
      for (let i = 0; i < t.length; i++) t[i] = rand() * 2 - 1;
      return integer ? { data: Uint8Array.from(t, (x) => Math.round((x + 1) * 127.5)), width: R, height: R, channels: 3 as const } : t;
    });
    const input = config.batch === 1 ? tensors[0]! : tensors;
    const output = new Float32Array(classes * config.batch);
    const total = config.warmup + config.runs;
    for (let i = 0; i < config.warmup; i++) {
      model.inferSync(input, { output });
      progress?.(i + 1, total);
    }
    const times = new Float64Array(config.runs);
    for (let i = 0; i < config.runs; i++) {
      const a = process.hrtime.bigint();
      model.inferSync(input, { output });
      times[i] = Number(process.hrtime.bigint() - a) / 1e6;
      progress?.(config.warmup + i + 1, total);
    }
    const sorted = Array.from(times).sort((x, y) => x - y);
    const median = quantile(sorted, 0.5);
    const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
    let profile: LayerTimes | undefined;
    if (config.profile) {
      const p = model.profile(Math.max(1, Math.min(config.runs, 50)));
      profile = {
        conv: round(p.conv, 4), depthwise: round(p.depthwise, 4), pointwise: round(p.pointwise, 4),
        pool: round(p.pool, 4), classifier: round(p.classifier, 4),
      };
    }
    return {
      alpha: model.info.alpha,
      resolution: R,
      threads: model.info.threads,
      batch: config.batch,
      isa: model.info.isa,
      dtype: model.info.dtype,
      cpu: model.info.cpu,
      runs: config.runs,
      warmup: config.warmup,
      weights: model.info.weights,
      load_ms: round(loadMs, 3),
      median_ms: round(median, 4),
      p90_ms: round(quantile(sorted, 0.9), 4),
      min_ms: round(sorted[0]!, 4),
      mean_ms: round(mean, 4),
      max_ms: round(sorted[sorted.length - 1]!, 4),
      fps: round((1000 * config.batch) / median, 2),
      gflops: round((2 * macs * config.batch) / (median * 1e6), 2),
      macs,
      peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
      model_mb: round(model.info.memoryBytes / (1024 * 1024), 2),
      ...(profile ? { profile } : {}),
    };
  } finally {
    model.dispose();
  }
}

export function variantName(r: { alpha: number; resolution: number }): string {
  return `${r.alpha.toFixed(r.alpha * 100 % 10 === 0 ? 1 : 2)}/${r.resolution}`;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const fmt = (x: number, d: number) => x.toFixed(d);
/** The kernel set, with the integer scheme when the integer path ran ('avx512vnni uint8'). */
const isaLabel = (r: { isa: string; dtype?: string }) => (r.dtype && r.dtype !== 'float32' ? `${r.isa} ${r.dtype}` : r.isa);

export function formatMarkdown(results: readonly BenchResult[]): string {
  const withProfile = results.some((r) => r.profile);
  const head = ['variant', 'threads', 'batch', 'isa', 'load ms', 'median ms', 'p90 ms', 'min ms', 'fps', 'GFLOP/s', 'peak RSS MB'];
  if (withProfile) head.push('conv ms', 'depthwise ms', 'pointwise ms', 'pool ms', 'classifier ms');
  const rows = results.map((r) => {
    const row = [
      variantName(r), String(r.threads), String(r.batch), isaLabel(r), fmt(r.load_ms, 1), fmt(r.median_ms, 3), fmt(r.p90_ms, 3),
      fmt(r.min_ms, 3), fmt(r.fps, 1), fmt(r.gflops, 1), fmt(r.peak_rss_mb, 0),
    ];
    if (withProfile) {
      const p = r.profile;
      row.push(...(p ? [p.conv, p.depthwise, p.pointwise, p.pool, p.classifier].map((x) => fmt(x, 3)) : ['', '', '', '', '']));
    }
    return row;
  });
  const numeric = (i: number) => i === 1 || i === 2 || i >= 4;
  const lines = [
    `| ${head.join(' | ')} |`,
    `| ${head.map((_, i) => (numeric(i) ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
  const first = results[0];
  const caption = first
    ? `MobileNetV1 on ${first.cpu}, Node ${process.version}, mobilenet-native ${packageVersion()}, ${first.weights.startsWith('synthetic') ? 'synthetic weights' : first.weights}; median of ${first.runs} runs after ${first.warmup} warm-up.`
    : 'No results.';
  return `${caption}\n\n${lines.join('\n')}\n`;
}

export function formatText(results: readonly BenchResult[]): string {
  const out: string[] = [];
  const first = results[0];
  if (first) out.push(`cpu: ${first.cpu}  node ${process.version}  weights: ${first.weights}  runs ${first.runs} (+${first.warmup} warm-up)`);
  for (const r of results) {
    out.push(
      `MobileNetV1 ${variantName(r).padEnd(8)} threads ${String(r.threads).padStart(2)}  batch ${r.batch}  ${isaLabel(r).padEnd(6)}  ` +
        `load ${fmt(r.load_ms, 1).padStart(6)} ms  median ${fmt(r.median_ms, 3).padStart(8)} ms  p90 ${fmt(r.p90_ms, 3).padStart(8)}  ` +
        `min ${fmt(r.min_ms, 3).padStart(8)}  ${fmt(r.fps, 1).padStart(7)} fps  ${fmt(r.gflops, 1).padStart(6)} GFLOP/s  peak RSS ${fmt(r.peak_rss_mb, 0)} MB`,
    );
    if (r.profile) {
      const p = r.profile;
      const sum = p.conv + p.depthwise + p.pointwise + p.pool + p.classifier;
      const part = (name: string, x: number) => `${name} ${fmt(x, 3)} ms (${fmt((100 * x) / (sum || 1), 1)}%)`;
      out.push(`    by layer: ${[part('conv', p.conv), part('depthwise', p.depthwise), part('pointwise', p.pointwise), part('pool', p.pool), part('classifier', p.classifier)].join('  ')}`);
    }
  }
  return out.join('\n') + '\n';
}

/** Hand-rolled: one line, redrawn in place, only on a TTY (no dependency for 20 lines). */
function progressBar(io: BenchIO, count: number): { update(i: number, label: string, done: number, total: number): void; clear(): void } {
  if (!io.stderr.isTTY) return { update() {}, clear() {} };
  let last = 0;
  return {
    update(i, label, done, total) {
      const now = Date.now();
      if (done !== total && now - last < 80) return; // redraw at most ~12 times a second, between runs
      last = now;
      const frac = (i + done / total) / count;
      const width = 24;
      const fill = Math.round(frac * width);
      io.stderr.write(`\r\x1b[K[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${i + 1}/${count} ${label} run ${done}/${total}`);
    },
    clear() {
      io.stderr.write('\r\x1b[K');
    },
  };
}

/** Entry point of `mobilenet bench`; returns the process exit code (0 ok, 1 failure, 2 usage error). */
export async function benchMain(argv: string[], io: BenchIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`mobilenet bench: ${e.message}\nRun 'mobilenet bench --help' for usage.\n`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  // Run small models first so the process RSS high-water mark stays meaningful for each line;
  // report in the order asked.
  const order = args.configs.map((c, i) => ({ c, i })).sort((a, b) => {
    if (a.c.alpha === undefined || b.c.alpha === undefined) return a.i - b.i;
    return a.c.alpha - b.c.alpha || a.c.resolution - b.c.resolution || a.i - b.i;
  });
  const results: BenchResult[] = new Array(args.configs.length);
  const synthetic = new Map<number, NetWeights>();
  const bar = progressBar(io, order.length);
  try {
    for (let k = 0; k < order.length; k++) {
      const { c, i } = order[k]!;
      let weights: string | NetWeights;
      if (c.weights !== undefined) weights = c.weights;
      else {
        const alpha = c.alpha!;
        let w = synthetic.get(alpha);
        if (!w) {
          synthetic.clear(); // one α at a time keeps the RSS of --all close to that of the largest model
          w = c.dtype === 'uint8' || c.dtype === 'int8' ? syntheticQuantWeights(alpha, c.dtype, { seed: 1 }) : syntheticWeights(alpha, { seed: 1 });
          synthetic.set(alpha, w);
        }
        weights = w;
      }
      const label = c.alpha !== undefined ? `${variantName({ alpha: c.alpha, resolution: c.resolution })} t${c.threads}` : `t${c.threads}`;
      results[i] = await runBench(c, weights, (done, total) => bar.update(k, label, done, total));
    }
  } catch (e) {
    bar.clear();
    io.stderr.write(`mobilenet bench: ${(e as Error).message}\n`);
    return 1;
  }
  bar.clear();
  if (args.output === 'json') io.stdout.write(JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
  else if (args.output === 'markdown') io.stdout.write(formatMarkdown(results));
  else io.stdout.write(formatText(results));
  if (args.chart !== undefined) {
    try {
      const { text, plotted, missing } = renderChart(results, args.chart, { node: process.version, version: packageVersion() });
      await writeFile(args.chart, text);
      io.stderr.write(`chart: ${plotted} variants plotted to ${args.chart}${missing.length ? ` (no published top-1 for ${missing.join(', ')})` : ''}\n`);
    } catch (e) {
      io.stderr.write(`mobilenet bench: cannot write chart ${args.chart}: ${(e as Error).message}\n`);
      return 1;
    }
  }
  return 0;
}
