// User pass 7b: a board comparer running `mobilenet bench` with every documented flag, and an application developer
// using the API across the model kinds. Each test is something that went wrong for them.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBinding } from '../lib/binding.js';
import { type BenchResult } from '../lib/bench.js';
import { publishedTop1, renderChart, renderChartSvg, type ChartInput } from '../lib/chart.js';
import { COCO_LABELMAP } from '../lib/coco-labels.js';
import { load } from '../lib/model.js';
import { benchInProcess as bench } from './helpers/bench-in-process.js';
import { using } from './helpers/using.js';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const shared = resolve(root, '../shared');
const tflite = resolve(shared, 'models/tflite');


const usage = (message: string) => `mobilenet bench: ${message}\nRun 'mobilenet bench --help' for usage.\n`;

describe('bench --alpha: any width multiplier, as documented, but not one that leaves layers without channels', () => {
  it('below 1/32 is a usage error naming --alpha (was exit 1 after loading: "layer conv1: empty output shape [16, 16, 0]")', async () => {
    for (const a of ['0.01', '0.03']) {
      const r = await bench(['--alpha', a, '--resolution', '32', '--runs', '1', '--warmup', '0']);
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '',
        usage(`Expected a width multiplier from 1/32 (0.03125) to 4 (e.g. 1.0, 0.75, 0.5, 0.25) for --alpha but received '${a}'`)]);
    }
  });

  it('names an unpublished alpha as given (0.125 was printed "0.13/32"), from 1/32 up', async () => {
    const r = await bench(['--alpha', '0.03125,0.125', '--resolution', '32', '--runs', '1', '--warmup', '0', '--markdown']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const rows = r.stdout.split('\n').filter((l) => /^\| \d/.test(l)).map((l) => l.split(' | ')[0]);
    expect(rows).toEqual(['| 0.03125/32', '| 0.125/32']);
  });
});

describe('bench --isa', () => {
  const b = loadBinding();
  const integerOnly = b.supportedQIsas().find((x) => !(b.supportedIsas() as readonly string[]).includes(x));

  it.skipIf(integerOnly === undefined)('an integer kernel set without --dtype says --dtype (was "the kernel sets this CPU runs", listing the float ones, for a set it runs)', async () => {
    const r = await bench(['--isa', integerOnly!, '--runs', '1']);
    const floats = b.supportedIsas().map((x) => `'${x}'`).join(', ');
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', usage(`Expected one of ${floats} (the float kernel sets this CPU runs) for --isa but received ` +
      `'${integerOnly}', an integer kernel set: the integer path is timed with --dtype uint8 or --dtype int8`)]);
    // With --dtype it is taken.
    const ok = await bench(['--isa', integerOnly!, '--dtype', 'uint8', '--alpha', '0.25', '--resolution', '32', '--runs', '1', '--warmup', '0', '--json']);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as BenchResult[]).map((x) => [x.isa, x.dtype])).toEqual([[integerOnly, 'uint8']]);
  });
});

describe('bench --dtype uint8 --isa <a float set name>', () => {
  const b = loadBinding();
  const floatOnly = b.supportedIsas().find((x) => !(b.supportedQIsas() as readonly string[]).includes(x));

  it.skipIf(floatOnly === undefined)('runs the best integer set of that generation, as load({ isa }) does (was refused: "<set> needs a CPU that has it", on a CPU that has it)', async () => {
    const r = await bench(['--dtype', 'uint8', '--isa', floatOnly!, '--alpha', '0.25', '--resolution', '32', '--runs', '1', '--warmup', '0', '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const [res] = JSON.parse(r.stdout) as BenchResult[];
    expect(res!.dtype).toBe('uint8');
    expect(b.supportedQIsas()).toContain(res!.isa);
    // The same choice load() makes for that name on a uint8 model.
    const m = await load({ weights: resolve(tflite, 'mobilenet_v1_0.25_128_quant.tflite'), isa: floatOnly!, threads: 1 });
    expect(res!.isa).toBe(m.info.isa);
    m.dispose();
  });
});

describe('bench --profile with --batch', () => {
  it('is refused (the profile times one image per inference: its columns sat beside a batch-of-4 median, a quarter of it)', async () => {
    const r = await bench(['--alpha', '0.25', '--resolution', '32', '--batch', '4', '--profile', '--runs', '1', '--warmup', '0']);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', usage('Expected --batch 1 with --profile (it times one image per inference) but received --batch 4')]);
  });
});

describe('bench --chart', () => {
  const point = (alpha: number, resolution: number, extra: Partial<ChartInput> = {}): ChartInput => ({
    alpha, resolution, threads: 1, batch: 1, median_ms: 1.5, isa: 'avx2', cpu: 'Test CPU', runs: 10, ...extra,
  });

  it('plots only the published alphas: 0.251 is not the 0.25 network (it was plotted with its top-1, labelled 0.25)', () => {
    expect(publishedTop1(0.251, 224)).toBeUndefined();
    expect(publishedTop1(0.999, 224)).toBeUndefined();
    expect(publishedTop1(0.25, 224)).toBe(49.8);
    expect(publishedTop1(1, 224)).toBe(70.9);
    const r = renderChartSvg([point(0.251, 224), point(0.125, 128), point(0.5, 160)]);
    expect([r.plotted, r.missing]).toEqual([1, ['0.251/224', '0.125/128']]);
  });

  it('names the weights file and the integer path that were timed (it said "synthetic weights" and only the kernel set)', () => {
    const file = '/models/mobilenet_v1_0.25_128_quant.tflite';
    const { text } = renderChart([point(0.25, 128, { isa: 'avx512amx', dtype: 'uint8', weights: file })], 'chart.svg');
    expect(text).toContain('isa avx512amx uint8');
    expect(text).toContain(`per image; ${file}.</text>`);
    expect(text).not.toContain('synthetic weights');
    const synthetic = renderChart([point(0.25, 128, { dtype: 'float32', weights: 'synthetic(alpha=0.25, seed=1)' })], 'chart.svg').text;
    expect(synthetic).toContain('per image; synthetic weights (latency does not depend on weight values).</text>');
    expect(synthetic).toContain(' · isa avx2 · ');
  });
});

describe('detect() labels', () => {
  it('are trimmed, as classify() trims its own (a labels array or file with padded names gave "  person  ")', async () => {
    const labels = COCO_LABELMAP.map((l) => `  ${l}\t`);
    const found = await using(load({ weights: resolve(tflite, 'coco_ssd_mobilenet_v1_1.0_quant/detect.tflite'), labels, threads: 1 }),
      (m) => m.detect(resolve(shared, 'images/samples/grace_hopper.jpg')));
    expect(found.map((d) => d.label)).toEqual(['person', 'tie']);
  });
});

describe('load({ head })', () => {
  const head = resolve(tflite, 'coral/mobilenet_v1_1.0_224_quant_head_layers.tflite');

  it('without weights names the weights it needs (was "Expected a file path for head … but received \'<the head\'s path>\'")', async () => {
    await expect(load({ head })).rejects.toThrow(new TypeError(
      "Expected a .tflite file path for weights with head (the backbone the head continues, e.g. Coral's …_embedding_extractor.tflite) but received undefined"));
  });

  it('after a TF.js model folder says a .tflite file is needed (was "Cannot read weights file …: it is a directory")', async () => {
    const dir = resolve(shared, 'models/tfjs/mobilenet_v1_0.25_224');
    await expect(load({ weights: dir, head })).rejects.toThrow(`Expected a .tflite file for weights with a head, but received '${dir}': it is a directory`);
  });
});
