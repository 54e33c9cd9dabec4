// `mobilenet bench`: the JSON a script can rely on, the Markdown table, usage errors, and the chart.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatText, quantile, type BenchResult } from '../lib/bench.js';
import { loadBinding } from '../lib/binding.js';
import { buildSpec } from '../lib/graph.js';
import { load } from '../lib/model.js';
import { PUBLISHED_TOP1, renderChartSvg, type ChartInput } from '../lib/chart.js';
import { benchInProcess as runInProcess } from './helpers/bench-in-process.js';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const cli = join(root, 'dist', 'cli.js');


/** Through the real CLI once it is built (dist/cli.js), else in-process. */
async function runBench(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!existsSync(cli)) return runInProcess(argv);
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, 'bench', ...argv], { cwd: root, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

function expectResultShape(r: BenchResult, alpha: number, resolution: number, threads: number): void {
  expect(r.alpha).toBe(alpha);
  expect(r.resolution).toBe(resolution);
  expect(r.threads).toBe(threads);
  expect(r.batch).toBe(1);
  expect(r.runs).toBe(3);
  expect(typeof r.isa).toBe('string');
  expect(['scalar', 'avx2', 'avx512', 'neon']).toContain(r.isa);
  expect(typeof r.cpu).toBe('string');
  expect(r.cpu.length).toBeGreaterThan(0);
  for (const k of ['load_ms', 'median_ms', 'p90_ms', 'min_ms', 'mean_ms', 'max_ms', 'fps', 'gflops', 'peak_rss_mb', 'model_mb'] as const) {
    expect(typeof r[k], k).toBe('number');
    expect(Number.isFinite(r[k]), k).toBe(true);
    expect(r[k], k).toBeGreaterThan(0);
  }
  expect(r.min_ms).toBeLessThanOrEqual(r.median_ms);
  expect(r.median_ms).toBeLessThanOrEqual(r.p90_ms);
  expect(r.p90_ms).toBeLessThanOrEqual(r.max_ms);
  // Derived numbers follow from the median and the spec's MAC count (rounding aside).
  expect(r.fps).toBeCloseTo(1000 / r.median_ms, -1);
  expect(r.gflops).toBeCloseTo((2 * r.macs) / (r.median_ms * 1e6), 0);
}

describe('mobilenet bench --json', () => {
  it('one configuration prints an array of one object with the documented fields', async () => {
    const { code, stdout, stderr } = await runBench(['--alpha', '0.25', '--resolution', '128', '--runs', '3', '--warmup', '1', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const all = JSON.parse(stdout) as BenchResult[];
    expect(all).toHaveLength(1); // always an array: a script never checks which shape it got
    const r = all[0]!;
    expectResultShape(r, 0.25, 128, 1);
    expect(r.macs).toBe(buildSpec(0.25, 128).macs);
    expect(r.weights).toMatch(/^synthetic/);
    expect([r.architecture, r.call]).toEqual(['mobilenet_v1', 'inferSync()']);
    expect(r.profile).toBeUndefined();
  });

  it('several thread counts print an array, in the order asked; --profile adds time by layer type', async () => {
    const { code, stdout } = await runInProcess(['--alpha', '0.25', '--resolution', '128', '--threads', '2,1', '--runs', '3', '--warmup', '0', '--json', '--profile']);
    expect(code).toBe(0);
    const rs = JSON.parse(stdout) as BenchResult[];
    expect(rs).toHaveLength(2);
    expectResultShape(rs[0]!, 0.25, 128, 2);
    expectResultShape(rs[1]!, 0.25, 128, 1);
    for (const r of rs) {
      expect(Object.keys(r.profile!).sort()).toEqual(['classifier', 'conv', 'depthwise', 'pointwise', 'pool']);
      expect(r.profile!.pointwise).toBeGreaterThan(0);
    }
  });
});

describe('mobilenet bench --weights', () => {
  it('runs a weights file at the resolution it declares unless --resolution is given', async () => {
    const quant128 = resolve(root, '../shared/models/tflite/mobilenet_v1_0.25_128_quant.tflite');
    const own = JSON.parse((await runInProcess(['--weights', quant128, '--runs', '2', '--warmup', '0', '--json'])).stdout) as BenchResult[];
    expect(own.map((r) => [r.alpha, r.resolution, r.weights])).toEqual([[0.25, 128, quant128]]);
    expect(own[0]!.macs).toBe(buildSpec(0.25, 128).macs + 256); // + the background logit's 256 features
    const asked = JSON.parse((await runInProcess(['--weights', quant128, '--resolution', '160', '--runs', '2', '--warmup', '0', '--json'])).stdout) as BenchResult[];
    expect(asked.map((r) => r.resolution)).toEqual([160]);
  });

  it('runs a quantized file as classify does (integers) unless --dtype float32; --isa takes the integer sets then', async () => {
    const quant128 = resolve(root, '../shared/models/tflite/mobilenet_v1_0.25_128_quant.tflite');
    const qisas = loadBinding().supportedQIsas();
    const run = async (extra: string[]) => (JSON.parse((await runInProcess(['--weights', quant128, '--runs', '2', '--warmup', '0', '--json', ...extra])).stdout) as BenchResult[])[0]!;
    // Before: without --dtype the file was timed dequantized in float32, not as load()/classify run it.
    const own = await run([]);
    expect([own.dtype, own.isa]).toEqual(['uint8', qisas[qisas.length - 1]]);
    expect((await run(['--isa', 'scalar'])).isa).toBe('scalar');
    expect((await run(['--isa', qisas[qisas.length - 1]!])).dtype).toBe('uint8');
    const float = await run(['--dtype', 'float32']);
    expect([float.dtype, float.isa]).toEqual(['float32', loadBinding().supportedIsas().at(-1)]);
  });
});

describe('mobilenet bench --weights: what each kind of model runs', () => {
  const tflite = resolve(root, '../shared/models/tflite');
  const json = async (file: string) => {
    const { code, stdout, stderr } = await runInProcess(['--weights', file, '--runs', '2', '--warmup', '1', '--batch', '2', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    return (JSON.parse(stdout) as BenchResult[])[0]!;
  };

  it('an SSD detector times detect() (before: "inferSync() needs a classifier"), named in the caption', async () => {
    const ssd = join(tflite, 'coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
    const r = await json(ssd);
    expect([r.architecture, r.call, r.alpha, r.resolution, r.batch, r.dtype]).toEqual(['ssd_mobilenet_v1', 'detect()', 0.75, 300, 2, 'uint8']);
    const m = await load({ weights: ssd, threads: 1 });
    expect(r.macs).toBe(m.info.macs);
    m.dispose();
    expect(r.median_ms).toBeGreaterThan(0);
    const text = await runInProcess(['--weights', ssd, '--runs', '1', '--warmup', '0']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^SSD-MobileNetV1 \(timing detect\(\)\) on .+, Node v[\d.]+, mobilenet-native [\d.]+; .*detect\.tflite; median of 1 run after 0 warm-up\.\n/);
  });

  it('a MobileNetV2 file is captioned MobileNetV2 (before: MobileNetV1) and times inferSync()', async () => {
    const v2 = join(tflite, 'coral/mobilenet_v2_1.0_224_quant.tflite');
    const r = await json(v2);
    expect([r.architecture, r.call, r.resolution]).toEqual(['mobilenet_v2', 'inferSync()', 224]);
    const { stdout } = await runInProcess(['--weights', v2, '--runs', '1', '--warmup', '0', '--markdown']);
    expect(stdout).toMatch(/^MobileNetV2 on /);
  });

  it('--profile reports the layer types each network has: add for V2, concat/logistic/postprocess for SSD (were missing)', async () => {
    const profile = async (file: string) => {
      const { code, stdout } = await runInProcess(['--weights', file, '--runs', '2', '--warmup', '0', '--json', '--profile']);
      expect(code).toBe(0);
      return (JSON.parse(stdout) as BenchResult[])[0]!.profile!;
    };
    const v2 = await profile(join(tflite, 'coral/mobilenet_v2_1.0_224_quant.tflite'));
    expect(Object.keys(v2)).toEqual(['conv', 'depthwise', 'pointwise', 'add', 'pool', 'classifier']);
    const ssd = await profile(join(tflite, 'coco_ssd_mobilenet_v1_1.0_quant/detect.tflite'));
    expect(Object.keys(ssd)).toEqual(['conv', 'depthwise', 'pointwise', 'concat', 'logistic', 'postprocess']);
    for (const p of [v2, ssd]) for (const ms of Object.values(p)) expect(ms).toBeGreaterThan(0);
    // The table: one column per type any row has.
    const { stdout } = await runInProcess(['--weights', join(tflite, 'coral/mobilenet_v2_1.0_224_quant.tflite'), '--runs', '1', '--warmup', '0', '--profile']);
    expect(stdout.split('\n')[1]).toMatch(/peak RSS MB +conv ms +depthwise ms +pointwise ms +add ms +pool ms +classifier ms$/);
  });

  it('a headless backbone times embed() (before: "inferSync() needs a classifier but … is a headless backbone")', async () => {
    const r = await json(join(tflite, 'coral/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite'));
    expect([r.architecture, r.call, r.resolution]).toEqual(['mobilenet_v1', 'embed()', 224]);
  });
});

describe('mobilenet bench --markdown', () => {
  it('prints a caption and a table with one row per configuration', async () => {
    const { code, stdout } = await runInProcess(['--alpha', '0.25,0.5', '--resolution', '128', '--runs', '3', '--warmup', '0', '--markdown']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^MobileNetV1 on .+, Node v\d+/);
    const table = lines.filter((l) => l.startsWith('|'));
    expect(table).toHaveLength(4); // header, separator, 2 rows
    const cells = (l: string) => l.split('|').length;
    expect(new Set(table.map(cells)).size).toBe(1);
    expect(table[0]).toBe('| variant | threads | batch | isa | load ms | median ms | p90 ms | min ms | images/s | GFLOP/s | peak RSS MB |');
    expect(table[1]).toMatch(/^\| --- \| ---: \|/);
    expect(table[2]).toMatch(/^\| 0\.25\/128 \| 1 \| 1 \| \w+ \| [\d.]+ \| [\d.]+ \|/);
    expect(table[3]).toMatch(/^\| 0\.5\/128 \| 1 \|/);
  });
});

describe('mobilenet bench usage errors', () => {
  it('an unknown flag is exit code 2 with a message naming it', async () => {
    const { code, stdout, stderr } = await runInProcess(['--frobnicate']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      "mobilenet bench: Unknown option '--frobnicate' for mobilenet bench. Valid options: --alpha, --resolution, --all, --threads, --batch, --runs, --warmup, --weights, --isa, --dtype, --profile, --json, --markdown, --chart, --help\n" +
        "Run 'mobilenet bench --help' for usage.\n",
    );
  });

  it('through the CLI too', async () => {
    const { code, stderr } = await runBench(['--frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--frobnicate'");
  });

  it.each([
    [['--runs', '0'], "Expected an integer between 1 and 1000000 for --runs but received '0'"],
    [['--threads', '1,x'], "Expected an integer between 1 and 256 for --threads but received 'x' (in '1,x')"],
    [['--threads', '1,0'], "Expected an integer between 1 and 256 for --threads but received '0' (in '1,0')"],
    [['--threads', '1,,2'], "Expected a comma-separated list for --threads but received '1,,2'"],
    [['--resolution', '100'], "Expected a multiple of 32 from 32 to 2048 (e.g. 224, 192, 160, 128) for --resolution but received '100'"],
    // With a weights file too (load() checks the size against the file): exited 1 with "received 100 of type number".
    [['--weights', resolve(root, '../shared/models/tflite/mobilenet_v1_0.25_128_quant.tflite'), '--resolution', '100', '--runs', '1'],
      "Expected a multiple of 32 from 32 to 2048 (e.g. 224, 192, 160, 128) for --resolution but received '100'"],
    [['--alpha', '0'], "Expected a width multiplier from 1/32 (0.03125) to 4 (e.g. 1.0, 0.75, 0.5, 0.25) for --alpha but received '0'"],
    [['--json', '--markdown'], 'Expected at most one of --json and --markdown but received both'],
    [['--all', '--alpha', '0.5'], 'Expected either --all or --alpha/--resolution but received both'],
    [['--chart', 'out.png'], "Expected a file name ending in .svg or .html for --chart but received 'out.png'"],
    [['extra'], "Unexpected argument 'extra' for mobilenet bench (it takes options only)"],
  ])('%j', async (argv, message) => {
    const { code, stderr } = await runInProcess(argv);
    expect(code).toBe(2);
    expect(stderr).toBe(`mobilenet bench: ${message}\nRun 'mobilenet bench --help' for usage.\n`);
  });

  it('--help prints usage and exits 0', async () => {
    const { code, stdout } = await runInProcess(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: mobilenet bench/);
    expect(stdout).toContain('--chart');
  });
});

describe('mobilenet bench text output', () => {
  const result = (alpha: number, resolution: number, median: number): BenchResult => ({
    architecture: 'mobilenet_v1', call: 'inferSync()', alpha, resolution, threads: 1, batch: 1, isa: 'avx2', cpu: 'Test CPU', runs: 50, warmup: 5,
    weights: `synthetic(alpha=${alpha}, seed=1)`, load_ms: 12.3, median_ms: median, p90_ms: median * 1.1, min_ms: median * 0.9,
    mean_ms: median, max_ms: median * 2, fps: 1000 / median, gflops: 12.5, macs: 1e6, peak_rss_mb: 80, model_mb: 4,
  });

  it('is a caption and a table whose columns line up, units in the header; the caption fits a multi-alpha run', () => {
    const text = formatText([result(1, 224, 12.3456), result(0.25, 128, 0.5)]);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^MobileNetV1 on Test CPU, Node v[\d.]+, mobilenet-native [\d.]+; synthetic weights; median of 50 runs after 5 warm-up\.$/);
    expect(lines[1]).toBe('variant   threads  batch  isa   load ms  median ms  p90 ms  min ms  images/s  GFLOP/s  peak RSS MB');
    expect(lines[2]).toBe('1.0/224         1      1  avx2     12.3     12.346  13.580  11.111      81.0     12.5           80');
    expect(lines[3]).toBe('0.25/128        1      1  avx2     12.3      0.500   0.550   0.450    2000.0     12.5           80');
  });

  it('through the CLI: one row per configuration, in the order asked', async () => {
    const { code, stdout } = await runInProcess(['--alpha', '0.5,0.25', '--resolution', '128', '--runs', '2', '--warmup', '0']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^0\.5\/128 +1 +1 +\w+ /);
    expect(lines[3]).toMatch(/^0\.25\/128 +1 +1 +\w+ /);
    // Every row ends at the same column (right-aligned numbers).
    expect(new Set(lines.slice(1).map((l) => l.length)).size).toBe(1);
  });
});

describe('statistics', () => {
  it('quantile interpolates between order statistics', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([5], 0.9)).toBe(5);
    expect(quantile([0, 10], 0.9)).toBeCloseTo(9);
  });
});

describe('chart', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'mobilenet-chart-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const countPoints = (svg: string) => (svg.match(/class="point"/g) ?? []).length;

  it('plots the 16 released variants with published top-1, labelled, with axis titles and subtitle', () => {
    const results: ChartInput[] = [];
    for (const alpha of [1.0, 0.75, 0.5, 0.25]) {
      for (const resolution of [224, 192, 160, 128]) {
        results.push({ alpha, resolution, threads: 1, batch: 1, median_ms: 12 * alpha * alpha * (resolution / 224) ** 2, isa: 'avx512', cpu: 'Test CPU <x>', runs: 50 });
      }
    }
    const { svg, plotted, missing } = renderChartSvg(results, { machine: 'test box', node: 'v20.0.0' });
    expect(plotted).toBe(16);
    expect(missing).toEqual([]);
    expect(countPoints(svg)).toBe(16);
    expect(svg).toContain('Latency per image, ms');
    expect(svg).toContain('ImageNet top-1 accuracy, %');
    expect(svg).toContain('Test CPU &lt;x&gt; (test box) · 1 thread · isa avx512');
    expect(svg).toContain('data-variant="1.0/224"');
    expect(svg).toContain('data-top1="70.9"');
    expect(svg).toContain('data-variant="0.25/128"');
    expect(svg).toContain('data-top1="41.5"');
    expect((svg.match(/class="series"/g) ?? []).length).toBe(4);
    expect((svg.match(/class="label"/g) ?? []).length).toBe(16);
    expect(Object.keys(PUBLISHED_TOP1)).toHaveLength(16);
  });

  it('wraps a long subtitle instead of clipping it', () => {
    const cpu = 'AMD EPYC 9R14 96-Core Processor with a very long marketing name indeed';
    const results: ChartInput[] = [{ alpha: 1, resolution: 224, threads: 4, batch: 1, median_ms: 5, isa: 'avx512', cpu, runs: 50 }];
    const { svg } = renderChartSvg(results, { machine: 'Linux x64, 192 cores', node: 'v20.20.2', version: '0.1.0' });
    const lines = [...svg.matchAll(/<text class="subtitle" x="78" y="(\d+)"[^>]*>([^<]*)<\/text>/g)].map((m) => m[2]!);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join(' · ')).toBe(`${cpu} (Linux x64, 192 cores) · 4 threads · isa avx512 · batch 1 · median of 50 runs · Node v20.20.2 · mobilenet-native 0.1.0`);
    // 960 px wide, text from x = 78: at a generous 7.2 px per character a line holds 120 characters.
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(120);
  });

  it('bench --chart measures all 16 variants and writes the SVG', async () => {
    const file = join(tmp, 'chart.svg');
    const { code, stdout, stderr } = await runInProcess(['--chart', file, '--runs', '1', '--warmup', '0', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toHaveLength(16);
    expect(stderr).toContain(`chart: 16 variants plotted to ${file}`);
    const svg = readFileSync(file, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(countPoints(svg)).toBe(16);
    expect(svg).toContain('Latency per image, ms');
    expect(svg).toContain('ImageNet top-1 accuracy, %');
    expect(svg).toContain('median of 1 run'); // not "1 runs"
    expect(svg).not.toContain('median of 1 runs');
  });
});
