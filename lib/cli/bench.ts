// `mobilenet bench`: flags, the progress bar, and the output (aligned table, --json array, --markdown,
// --chart). The measuring itself is lib/bench.ts.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { formatMarkdown, formatText, runBench, variantName, type BenchConfig, type BenchResult } from '../bench.js';
import { renderChart } from '../chart.js';
import { scaledChannels } from '../graph.js';
import { loadBinding } from '../binding.js';
import { rangeError } from '../errors.js';
import { ALPHAS, LIMITS, RESOLUTIONS, RESOLUTION_EXPECTED, checkIsa, type Isa } from '../validate.js';
import { version } from '../version.js';
import { syntheticWeights } from '../weights/synthetic.js';
import { syntheticQuantWeights } from '../weights/synthetic-quant.js';
import type { NetWeights } from '../weights/types.js';
import { checkResolutionFlag, parsers, UsageError, type CommandSpec, type Parsed } from './args.js';
import type { CliIO, Command } from './main.js';
import { progressBar } from './progress.js';

/** Bench times any width multiplier (synthetic weights), not only the published ones: from 1/32, where the first
 * layer's 32 channels become one (below it the network has layers of no channels), to LIMITS.maxAlpha. */
const anyAlpha = (raw: string, flag: string): number => {
  const a = Number(raw);
  if (raw.trim() === '' || !(scaledChannels(32, a) >= 1 && a <= LIMITS.maxAlpha)) {
    throw rangeError(flag, `a width multiplier from 1/32 (0.03125) to ${LIMITS.maxAlpha} (e.g. 1.0, 0.75, 0.5, 0.25)`, raw);
  }
  return a;
};

const spec: CommandSpec = {
  name: 'bench',
  summary: 'Times MobileNetV1 inference on this machine (seeded synthetic weights), or a weights file\'s model (--weights).',
  args: '',
  maxPositionals: 0,
  flags: {
    alpha: { type: 'string', value: 'A[,A...]', help: 'width multiplier(s): 1.0, 0.75, 0.5, 0.25 or any from 1/32 to 4 (default 1.0)', parse: parsers.list(anyAlpha) },
    resolution: { type: 'string', value: 'R[,R...]', help: 'input size(s), multiples of 32 (default 224; with --weights the file\'s own)', parse: parsers.list(parsers.inputSize) },
    all: { type: 'boolean', help: 'the 16 released variants: alpha 1.0,0.75,0.5,0.25 x resolution 224,192,160,128' },
    threads: { type: 'string', value: 'T[,T...]', help: 'threads per inference, e.g. 1,2,4 (default 1)', parse: parsers.list(parsers.threads) },
    batch: { type: 'string', value: 'N', help: 'images per inference call (default 1)', parse: parsers.int(1, LIMITS.maxBatch) },
    runs: { type: 'string', value: 'N', help: 'timed runs per configuration (default 50)', parse: parsers.int(1, 1_000_000) },
    warmup: { type: 'string', value: 'N', help: 'untimed runs before timing (default 5)', parse: parsers.int(0, 1_000_000) },
    weights: { type: 'string', value: '<path>', help: 'a TF.js model folder / model.json or a .tflite file instead of synthetic weights\n(a classifier times inferSync(); an SSD detector, detect(); a headless backbone, embed())' },
    isa: { type: 'string', value: 'X', help: 'force a kernel set: scalar, avx2, avx512, neon; integer (--dtype uint8/int8):\nscalar, avx2, avxvnni, avx512vnni, avx512amx, neon, neondot (default: the best this CPU runs)' },
    dtype: { type: 'string', value: 'T', help: 'float32 (default; with --weights: as classify runs the file, a uint8/int8 file in integers),\nor uint8 / int8: the integer path (synthetic weights quantized per tensor / per channel; with --weights,\nthe file\'s own scheme; --dtype float32 runs a quantized file dequantized)', parse: parsers.oneOf(['float32', 'uint8', 'int8'] as const) },
    profile: { type: 'boolean', help: 'also report time by layer type (conv, depthwise, pointwise, pool, classifier; add for V2; concat, logistic, postprocess for SSD),\nms per image at batch 1 (so --batch 1 only)' },
    json: { type: 'boolean', help: 'a JSON array on stdout, one object per configuration (snake_case keys)' },
    markdown: { type: 'boolean', help: 'a Markdown table on stdout' },
    chart: { type: 'string', value: '<file.svg|.html>', help: 'plot latency against published ImageNet top-1\n(implies --all unless --alpha/--resolution are given)' },
  },
  notes: 'Latency does not depend on the weight values, so synthetic weights time the same as real ones.',
};

interface Plan {
  configs: BenchConfig[];
  output: 'text' | 'json' | 'markdown';
  chart?: string | undefined;
}

/** Checks the flags together and expands them into configurations (alpha x resolution x threads). */
export function plan(values: Record<string, unknown>): Plan {
  const v = values as {
    alpha?: number[]; resolution?: number[]; all?: boolean; threads?: number[]; batch?: number; runs?: number; warmup?: number;
    weights?: string; isa?: Isa; profile?: boolean; json?: boolean; markdown?: boolean; chart?: string;
    dtype?: 'float32' | 'uint8' | 'int8';
  };
  if (v.json && v.markdown) throw new UsageError('Expected at most one of --json and --markdown but received both');
  // model.profile() times single-image inferences: beside a --batch N median its columns read as the batch's layers.
  if (v.profile && v.batch !== undefined && v.batch > 1) {
    throw new UsageError(`Expected --batch 1 with --profile (it times one image per inference) but received --batch ${v.batch}`);
  }
  checkResolutionFlag(v.resolution, v.weights);
  if (v.all && (v.alpha !== undefined || v.resolution !== undefined)) {
    throw new UsageError('Expected either --all or --alpha/--resolution but received both');
  }
  if (v.weights !== undefined && (v.all || (v.alpha !== undefined && v.alpha.length > 1))) {
    throw new UsageError('Expected one alpha with --weights (a weights file has one width multiplier) but received several');
  }
  if (v.chart !== undefined && !/\.(svg|html?)$/i.test(v.chart)) {
    throw new UsageError(`Expected a file name ending in .svg or .html for --chart but received '${v.chart}'`);
  }
  // Checked now, not after the runs (--all takes minutes).
  if (v.chart !== undefined && !existsSync(dirname(resolvePath(v.chart)))) {
    throw new UsageError(`Expected --chart in an existing folder but ${dirname(resolvePath(v.chart))} does not exist`);
  }
  if (v.isa !== undefined) {
    try {
      const b = loadBinding();
      // The integer path (--dtype uint8/int8, or a weights file without --dtype, which may be quantized) takes what
      // load() takes there: an integer set, or a float set's name for the best integer set of its generation
      // ('avx512' was refused with --dtype uint8 as "avx512 needs a CPU that has it" on a CPU that has it).
      const sets = v.dtype === 'float32' || (v.dtype === undefined && v.weights === undefined) ? b.supportedIsas()
        : [...new Set([...b.supportedIsas(), ...b.supportedQIsas()])];
      // An integer set on the float path: say what the integer path needs (it read "the kernel sets this CPU runs",
      // listing the float ones only, for a set this CPU does run).
      if (v.dtype !== 'uint8' && v.dtype !== 'int8' && !sets.includes(v.isa) && b.supportedQIsas().includes(v.isa)) {
        throw new UsageError(`Expected one of ${sets.map((x) => `'${x}'`).join(', ')} (the float kernel sets this CPU runs) for --isa ` +
          `but received '${v.isa}', an integer kernel set: the integer path is timed with --dtype uint8 or --dtype int8`);
      }
      checkIsa(v.isa, '--isa', sets);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError((e as Error).message);
    }
  }
  const all = v.all || (v.chart !== undefined && v.alpha === undefined && v.resolution === undefined && v.weights === undefined);
  const alphas: (number | undefined)[] = all ? [...ALPHAS] : v.alpha ?? [v.weights !== undefined ? undefined : 1.0];
  // A weights file runs at the resolution it declares unless --resolution says otherwise (as classify).
  const resolutions: (number | undefined)[] = all ? [...RESOLUTIONS] : v.resolution ?? [v.weights !== undefined ? undefined : 224];
  const configs: BenchConfig[] = [];
  for (const alpha of alphas) {
    for (const resolution of resolutions) {
      for (const threads of v.threads ?? [1]) {
        configs.push({
          alpha, resolution, threads, batch: v.batch ?? 1, runs: v.runs ?? 50, warmup: v.warmup ?? 5,
          ...(v.weights !== undefined ? { weights: v.weights } : {}), ...(v.isa !== undefined ? { isa: v.isa } : {}),
          // Synthetic weights are float32 unless --dtype; a file runs as classify/load() run it (a uint8 file in integers).
          profile: v.profile ?? false, ...(v.dtype !== undefined || v.weights === undefined ? { dtype: v.dtype ?? 'float32' } : {}),
        });
      }
    }
  }
  return { configs, output: v.json ? 'json' : v.markdown ? 'markdown' : 'text', chart: v.chart };
}

async function run(parsed: Parsed, io: CliIO): Promise<number> {
  const p = plan(parsed.values);
  // Small models first so the process RSS high-water mark stays meaningful for each line; report in the order asked.
  const order = p.configs.map((c, i) => ({ c, i })).sort((a, b) => {
    if (a.c.alpha === undefined || b.c.alpha === undefined || a.c.resolution === undefined || b.c.resolution === undefined) return a.i - b.i;
    return a.c.alpha - b.c.alpha || a.c.resolution - b.c.resolution || a.i - b.i;
  });
  const results: BenchResult[] = new Array(p.configs.length);
  const synthetic = new Map<number, NetWeights>();
  const bar = progressBar(io.stderr, 'bench');
  try {
    for (let k = 0; k < order.length; k++) {
      const { c, i } = order[k]!;
      let weights: string | NetWeights;
      if (c.weights !== undefined) weights = c.weights;
      else {
        const alpha = c.alpha!;
        let w = synthetic.get(alpha);
        if (!w) {
          synthetic.clear(); // one alpha at a time keeps the RSS of --all close to that of the largest model
          w = c.dtype === 'uint8' || c.dtype === 'int8' ? syntheticQuantWeights(alpha, c.dtype, { seed: 1 }) : syntheticWeights(alpha, { seed: 1 });
          synthetic.set(alpha, w);
        }
        weights = w;
      }
      const label = `${c.alpha !== undefined && c.resolution !== undefined ? `${variantName({ alpha: c.alpha, resolution: c.resolution })} ` : ''}t${c.threads}`;
      try {
        results[i] = await runBench(c, weights, (done, total) =>
          bar.update(k * total + done, order.length * total, `${k + 1}/${order.length} ${label} run ${done}/${total}`));
      } catch (e) {
        // With --weights, load() checks --resolution against the file (an SSD file takes its own 300); a size that
        // no model takes is still a bad flag value: exit 2, as without --weights (checkResolutionFlag).
        if (e instanceof RangeError && c.resolution !== undefined && e.message.includes('for resolution but received'))
          throw new UsageError(`Expected ${RESOLUTION_EXPECTED} for --resolution but received '${c.resolution}'`);
        throw e;
      }
    }
  } finally {
    bar.clear();
  }
  if (p.output === 'json') io.stdout.write(JSON.stringify(results, null, 2) + '\n');
  else if (p.output === 'markdown') io.stdout.write(formatMarkdown(results));
  else io.stdout.write(formatText(results));
  if (p.chart !== undefined) {
    const { text, plotted, missing } = renderChart(results, p.chart, { node: process.version, version });
    try {
      await writeFile(p.chart, text);
    } catch (e) {
      throw new Error(`cannot write chart ${p.chart}: ${(e as Error).message}`);
    }
    io.stderr.write(`chart: ${plotted} ${plotted === 1 ? 'variant' : 'variants'} plotted to ${p.chart}${missing.length ? ` (no published top-1 for ${missing.join(', ')})` : ''}\n`);
  }
  return 0;
}

export const command: Command = { spec, run };
