// `mobilenet bench`: end-to-end latency of MobileNetV1 variants (or of a weights file: V1, V2, SSD) on this machine.
// Honest by construction (ncnn's benchncnn, XNNPACK's end-to-end bench): warm-up runs are not timed,
// each run is timed on its own with hrtime so we can report median/p90/min rather than a mean that
// hides outliers, the input tensor and the output buffer are allocated once, and GFLOP/s is derived
// from the spec's MAC count (2 FLOP per MAC) at the median, not at the best run.
// The command line (flags, progress, output choice) is lib/cli/bench.ts.
import { variantLabel } from './chart.js';
import { load, type MobileNet, type ModelInfo } from './model.js';
import type { Alpha, Isa } from './validate.js';
import { version } from './version.js';
import { seededRandom } from './weights/synthetic.js';
import type { NetWeights } from './weights/types.js';

/** The layer types a profile can report, in network order (native/runtime/graph.cc's profile names). */
export const PROFILE_KINDS = ['conv', 'depthwise', 'pointwise', 'add', 'pool', 'classifier', 'concat', 'logistic', 'postprocess'] as const;
export type ProfileKind = (typeof PROFILE_KINDS)[number];

/** ms per inference by layer type: the types the network has (V1: conv, depthwise, pointwise, pool, classifier;
 * V2 adds add; SSD has concat, logistic and postprocess and no pool or classifier). */
export type LayerTimes = Partial<Record<ProfileKind, number>>;

export interface BenchConfig {
  /** undefined with `weights`: whatever the file is. */
  alpha: number | undefined;
  /** undefined with `weights`: the resolution the file declares (else 224). */
  resolution: number | undefined;
  threads: number;
  batch: number;
  runs: number;
  warmup: number;
  weights?: string;
  isa?: Isa;
  profile: boolean;
  /** Arithmetic: 'float32', or the integer path on uint8 / int8 weights (synthetic: syntheticQuantWeights);
   * undefined with `weights`: as load() runs the file (a quantized file in integers). */
  dtype?: 'float32' | 'uint8' | 'int8';
}

/** What a bench times for each kind of model: the call a user of that model makes. */
export type BenchCall = 'inferSync()' | 'detect()' | 'embed()';

/** One line of results. snake_case to match the XNNPACK anchor's JSON, so scripts can compare both. */
export interface BenchResult {
  /** The network the weights hold (model.info.architecture; synthetic weights: 'mobilenet_v1'). */
  architecture: ModelInfo['architecture'];
  /** The call timed: a classifier's inferSync(), a detector's detect() (network + box decoding + NMS + the
   * detections' shaping, through the async queue), a headless backbone's embed(). */
  call: BenchCall;
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
  /** Latency of one `call` (batch images), ms. */
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
    alpha: config.alpha as Alpha | undefined,
    ...(config.resolution !== undefined ? { resolution: config.resolution } : {}),
    threads: config.threads,
    ...(config.isa !== undefined ? { isa: config.isa } : {}),
    // No dtype (a weights file without --dtype): what load() does with the file (uint8/int8 files in integers).
    ...(config.dtype !== undefined ? { precision: config.dtype === 'float32' ? 'float' as const : 'integer' as const } : {}),
  });
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  try {
    const { resolution: R, classes, macs } = model.info;
    if (config.dtype !== undefined && model.info.dtype !== config.dtype) {
      throw new Error(`--dtype ${config.dtype} was asked for, but ${model.info.weights} runs as ${model.info.dtype}`);
    }
    // A fixed pseudo-random image: zeros could flatter a kernel that skips work. Random bytes, as floats
    // (b - 128) / 128, in [-1, 127/128]: inside every model's input range (a uint8-input TFLite file run
    // in float takes exactly that). Integer models take the bytes (the camera path: no float conversion).
    const rand = seededRandom(12345);
    const integer = model.info.dtype !== 'float32';
    // One image, repeated for a batch: every item is staged (copied) into the workspace anyway, and building
    // batch x R x R x 3 random values in JS took minutes for a batch that then could not be reserved.
    const bytes = new Uint8Array(R * R * 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);  // a loop: Uint8Array.from took 10 s at 2048
    const floats = integer ? undefined : new Float32Array(bytes.length);
    if (floats) for (let i = 0; i < bytes.length; i++) floats[i] = (bytes[i]! - 128) / 128;
    const image = floats ?? { data: bytes, width: R, height: R, channels: 3 as const };
    const input = config.batch === 1 ? image : new Array<typeof image>(config.batch).fill(image);
    // Time what a user of this model calls: inferSync() (classifier), detect() (SSD: what `mobilenet detect` runs,
    // minus decoding a file), embed() (a headless backbone). The last two are async only: their time includes the
    // hop to a libuv thread and back (tens of µs), as it does for their users.
    const call: BenchCall = model.info.architecture === 'ssd_mobilenet_v1' ? 'detect()' : classes === 0 ? 'embed()' : 'inferSync()';
    const output = new Float32Array((call === 'embed()' ? model.info.features : classes) * config.batch);
    const once = (): void | Promise<unknown> =>
      call === 'detect()' ? (Array.isArray(input) ? model.detect(input) : model.detect(input)) : call === 'embed()' ? model.embed(input, { output }) : void model.inferSync(input, { output });
    const total = config.warmup + config.runs;
    for (let i = 0; i < config.warmup; i++) {
      const p = once();
      if (p) await p; // no await for inferSync(): not even a microtask turn in a timed run
      progress?.(i + 1, total);
    }
    const times = new Float64Array(config.runs);
    for (let i = 0; i < config.runs; i++) {
      const a = process.hrtime.bigint();
      const p = once();
      if (p) await p;
      times[i] = Number(process.hrtime.bigint() - a) / 1e6;
      progress?.(config.warmup + i + 1, total);
    }
    const sorted = Array.from(times).sort((x, y) => x - y);
    const median = quantile(sorted, 0.5);
    const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
    let profile: LayerTimes | undefined;
    if (config.profile) {
      const p = model.profile(Math.max(1, Math.min(config.runs, 50)));
      const kinds = new Set(p.layers.map((l) => l.kind));
      profile = Object.fromEntries(PROFILE_KINDS.filter((k) => kinds.has(k)).map((k) => [k, round(p[k], 4)]));
    }
    return {
      architecture: model.info.architecture,
      call,
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
  return variantLabel(r.alpha, r.resolution);
}

const fmt = (x: number, d: number) => x.toFixed(d);
/** The kernel set, with the integer scheme when the integer path ran ('avx512vnni uint8'). */
const isaLabel = (r: { isa: string; dtype?: string }) => (r.dtype && r.dtype !== 'float32' ? `${r.isa} ${r.dtype}` : r.isa);

/** What the weights were, for a caption: one phrase for a whole run (synthetic weights differ per alpha). */
function weightsCaption(results: readonly BenchResult[]): string {
  const all = [...new Set(results.map((r) => (r.weights.startsWith('synthetic') ? 'synthetic weights' : r.weights)))];
  return all.join(', ');
}

/** The networks' usual names, for the caption. */
const NETWORK_NAMES: Record<ModelInfo['architecture'], string> = {
  mobilenet_v1: 'MobileNetV1', mobilenet_v2: 'MobileNetV2', ssd_mobilenet_v1: 'SSD-MobileNetV1',
};

function caption(results: readonly BenchResult[]): string {
  const first = results[0];
  if (!first) return 'No results.';
  const runs = [...new Set(results.map((r) => r.runs))].join('/');
  const warmup = [...new Set(results.map((r) => r.warmup))].join('/');
  const nets = [...new Set(results.map((r) => NETWORK_NAMES[r.architecture] + (r.call === 'inferSync()' ? '' : ` (timing ${r.call})`)))].join(', ');
  return `${nets} on ${first.cpu}, Node ${process.version}, mobilenet-native ${version}; ${weightsCaption(results)}; ` +
    `median of ${runs} ${runs === '1' ? 'run' : 'runs'} after ${warmup} warm-up.`;
}

const HEAD = ['variant', 'threads', 'batch', 'isa', 'load ms', 'median ms', 'p90 ms', 'min ms', 'images/s', 'GFLOP/s', 'peak RSS MB'];
/** Columns holding text (left-aligned); the rest are numbers (right-aligned). */
const TEXT_COLUMNS = new Set([0, 3]);

function rows(results: readonly BenchResult[]): { head: string[]; body: string[][] } {
  // A column per layer type any of the networks has.
  const kinds = PROFILE_KINDS.filter((k) => results.some((r) => r.profile?.[k] !== undefined));
  const head = [...HEAD, ...kinds.map((k) => `${k} ms`)];
  const body = results.map((r) => {
    const row = [
      variantName(r), String(r.threads), String(r.batch), isaLabel(r), fmt(r.load_ms, 1), fmt(r.median_ms, 3), fmt(r.p90_ms, 3),
      fmt(r.min_ms, 3), fmt(r.fps, 1), fmt(r.gflops, 1), fmt(r.peak_rss_mb, 0),
    ];
    row.push(...kinds.map((k) => (r.profile?.[k] !== undefined ? fmt(r.profile[k]!, 3) : '')));
    return row;
  });
  return { head, body };
}

/** A table as Markdown (text columns left-aligned, numbers right) or as plain text whose columns line up. Shared by
 * `bench` and `compare`. No trailing newline. */
export function renderTable(head: readonly string[], body: readonly (readonly string[])[], textColumns: ReadonlySet<number>,
  style: 'text' | 'markdown'): string {
  if (style === 'markdown') {
    return [
      `| ${head.join(' | ')} |`,
      `| ${head.map((_, i) => (textColumns.has(i) ? '---' : '---:')).join(' | ')} |`,
      ...body.map((row) => `| ${row.join(' | ')} |`),
    ].join('\n');
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (textColumns.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [head, ...body].map(line).join('\n');
}

export function formatMarkdown(results: readonly BenchResult[]): string {
  const { head, body } = rows(results);
  return `${caption(results)}\n\n${renderTable(head, body, TEXT_COLUMNS, 'markdown')}\n`;
}

/** A caption line, then a table whose columns line up, units in the header. */
export function formatText(results: readonly BenchResult[]): string {
  const { head, body } = rows(results);
  return `${caption(results)}\n${renderTable(head, body, TEXT_COLUMNS, 'text')}\n`;
}
