// Model files people have: uint8 models with their own input quantization, dynamic-range int8 and
// float16 weights, custom heads (TFLite, Teachable Machine, Keras Dense heads), headless backbones,
// labels from files and metadata, other networks named, formats recognised by content.
import { copyFileSync, cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load, type MobileNet } from '../lib/index.js';
import { readWeights } from '../lib/weights/index.js';
import { halfToFloat, parseTflite } from '../lib/weights/tflite.js';
import { parseLabels } from '../lib/labels.js';
import { argmax, manifest, referenceInput, shared, tfjsWeights } from './helpers/reference.js';
import { float16Tflite, floatToHalf, tfjsDenseHead, tfjsWithout } from './helpers/model-variants.js';

const tmp = mkdtempSync(join(tmpdir(), 'mobilenet-models-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const cases = resolve(shared, 'cases');
const floatTflite = resolve(shared, 'models/tflite/mobilenet_v1_0.25_224_float.tflite');
const sample = (f: string) => resolve(shared, 'images/samples', f);

/** Top-1 hits on the 100 dev images (reference bytes at 224) and the logits. */
async function dev(m: MobileNet): Promise<{ hits: number; top1: number[] }> {
  const frames = manifest.stems.map((_, i) => ({ data: referenceInput(224, i), width: 224, height: 224, channels: 3 as const }));
  const logits = await m.infer(frames);
  const C = m.info.classes;
  const top1 = frames.map((_, i) => argmax(logits, i * C + (C - m.info.numClasses), (i + 1) * C));
  return { hits: top1.filter((t, i) => t === manifest.labels[i]).length, top1 };
}

describe('uint8 models are fed their own input quantization', () => {
  it('scale 1/255, zero point 0: x / 255, not (x - 128) / 128', async () => {
    const file = resolve(cases, 'tflite/uint8-input-scale-1-255-zero-point-0.tflite');
    const w = await readWeights(file);
    expect(w.normalization).toBe('quantized');
    expect(w.inputQuantization).toEqual({ scale: Math.fround(1 / 255), zeroPoint: 0 });
    // Its bias scales are not input scale x weight scale (the input quantization was rewritten), so the
    // integer path refuses it by name; precision: 'float' runs it dequantized on its own input quantization.
    await expect(load({ weights: file, threads: 1 })).rejects.toThrow("tensor 'MobilenetV1/MobilenetV1/Conv2d_0/Conv2D_bias' has scale");
    const m = await load({ weights: file, threads: 1, precision: 'float' });
    const right = await dev(m);
    m.dispose();
    const wrong = await load({ weights: { ...w, normalization: 'tflite-uint8' }, threads: 1, precision: 'float' });
    const old = await dev(wrong);
    wrong.dispose();
    // Dequantized float arithmetic: 53/100 (real uint8 inference: 56); the old fixed (x-128)/128: 37.
    expect(right.hits).toBeGreaterThanOrEqual(50);
    expect(old.hits).toBeLessThanOrEqual(40);
  });

  it("Google's uint8 models keep (x - 128) / 128", async () => {
    const w = await readWeights(resolve(shared, 'models/tflite/mobilenet_v1_0.25_224_quant.tflite'));
    expect(w.normalization).toBe('tflite-uint8');
    expect(w.inputQuantization).toEqual({ scale: 0.0078125, zeroPoint: 128 });
  });
});

describe('dequantized at load: int8 dynamic-range and float16 weights', () => {
  it('dynamic-range int8 (per-channel scales): float input, top-1 like the float model', async () => {
    const file = resolve(cases, 'tflite/dynamic-range-int8-weights.tflite');
    const w = await readWeights(file);
    expect([w.normalization, w.quantized, w.classes]).toEqual(['tflite', true, 1001]);
    // The file is the float model's weights in symmetric int8: within half a step (max|w| / 127 / 2) of them.
    const wf = await readWeights(floatTflite);
    w.layers.forEach((l, i) => {
      const ref = wf.layers[i]!.kernel;
      let maxW = 0, maxErr = 0;
      for (let j = 0; j < ref.length; j++) {
        maxW = Math.max(maxW, Math.abs(ref[j]!));
        maxErr = Math.max(maxErr, Math.abs(l.kernel[j]! - ref[j]!));
      }
      expect(maxErr, `layer ${i}`).toBeLessThanOrEqual((maxW / 254) * 1.001);
      expect(l.bias).toEqual(wf.layers[i]!.bias);
    });
    const m = await load({ weights: file, threads: 1 });
    const f = await load({ weights: floatTflite, threads: 1 });
    const [a, b] = [await dev(m), await dev(f)];
    // int8 weights move a 0.25 model's top-1 on a quarter of the images (77/100 agree), not its accuracy (53 vs 55).
    expect(a.top1.filter((t, i) => t === b.top1[i]).length).toBeGreaterThanOrEqual(70);
    expect(a.hits).toBeGreaterThanOrEqual(50);
    m.dispose();
    f.dispose();
  });

  it('TFLite float16 (FLOAT16 constants behind DEQUANTIZE): the weights are the float ones rounded to half', async () => {
    const w32 = await readWeights(floatTflite);
    const bytes = float16Tflite(w32, 224);
    const w16 = parseTflite(bytes, 'fp16.tflite');
    expect(w16.quantized).toBe(true);
    expect(w16.layers).toHaveLength(w32.layers.length);
    w16.layers.forEach((l, i) => {
      const want = w32.layers[i]!.kernel.map((v) => halfToFloat(floatToHalf(v)));
      expect(l.kernel, `layer ${i}`).toEqual(want);
    });
    const file = join(tmp, 'fp16.tflite');
    writeFileSync(file, bytes);
    const [m, f] = [await load({ weights: file, threads: 1 }), await load({ weights: floatTflite, threads: 1 })];
    const [a, b] = [await dev(m), await dev(f)];
    expect(a.top1.filter((t, i) => t === b.top1[i]).length).toBeGreaterThanOrEqual(97);
    m.dispose();
    f.dispose();
  });

  it('halfToFloat: normals, subnormals, zeros, infinities, NaN', () => {
    expect([0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x8000, 0x7c00, 0xfc00].map(halfToFloat)).toEqual([1, -2, 65504, 2 ** -24, 2 ** -14, -0, Infinity, -Infinity]);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('TF.js --quantize_float16: same top-1 as float32 on the dev images', async () => {
    const m = await load({ weights: resolve(cases, 'tfjs/float16-weights'), threads: 1 });
    const f = await load({ weights: tfjsWeights('0.25'), threads: 1 });
    const [a, b] = [await dev(m), await dev(f)];
    expect(a.top1.filter((t, i) => t === b.top1[i]).length).toBeGreaterThanOrEqual(97);
    const [top] = await m.classify(sample('grace_hopper.jpg'), { topK: 1 });
    expect(['military uniform', 'bow tie, bow-tie, bowtie', 'suit, suit of clothes']).toContain(top!.label);
    m.dispose();
    f.dispose();
  });
});

describe('custom heads and labels', () => {
  it('a retrained TFLite with 5 classes: labels from a `0 daisy` file, or the index as a string', async () => {
    const file = resolve(cases, 'tflite/custom-head-5-classes.tflite');
    const plain = await load({ weights: file, threads: 1 });
    expect([plain.info.classes, plain.info.numClasses]).toEqual([5, 5]);
    const top = await plain.classify(sample('grace_hopper.jpg'));
    expect(top).toHaveLength(5);
    expect(top.map((c) => c.label).sort()).toEqual(['0', '1', '2', '3', '4']);
    expect(top.every((c) => c.label === String(c.index))).toBe(true);
    await expect(plain.classify(sample('grace_hopper.jpg'), { topK: 6 })).rejects.toThrow(
      new RangeError('Expected an integer between 1 and 5 for topK but received 6 of type number'),
    );
    plain.dispose();
    const named = await load({ weights: file, labels: resolve(cases, 'tflite/custom-head-5-classes.labels.txt'), threads: 1 });
    const got = await named.classify(sample('grace_hopper.jpg'), { topK: 5 });
    expect(got.map((c) => [c.index, c.label]).sort()).toEqual([[0, 'daisy'], [1, 'dandelion'], [2, 'roses'], [3, 'sunflowers'], [4, 'tulips']]);
    named.dispose();
    await expect(load({ weights: file, labels: ['a', 'b'] })).rejects.toThrow(
      new RangeError('Expected 5 labels (one per class) for labels but received 2'),
    );
  });

  it('labels files: plain lines, `index name` lines, CRLF, BOM; numbered names out of order stay', () => {
    expect(parseLabels('cat\ndog\n')).toEqual(['cat', 'dog']);
    expect(parseLabels('\uFEFF0 daisy\r\n1 dandelion\r\n2 roses')).toEqual(['daisy', 'dandelion', 'roses']);
    expect(parseLabels('1 one\n0 zero\n')).toEqual(['1 one', '0 zero']);
    expect(parseLabels('0 a\nb\n')).toEqual(['0 a', 'b']);
    expect(parseLabels('7up\n')).toEqual(['7up']);
    // Coral's `index  name` files skip unused ids; a gap gets the index as text. Starting at 1 is not an index column.
    expect(parseLabels('0  person\n1  bicycle\n3  motorcycle\n')).toEqual(['person', 'bicycle', '', 'motorcycle']);
    expect(parseLabels('0: background\n1: tench\n')).toEqual(['background', 'tench']);
    expect(parseLabels('1 daisy\n2 roses\n')).toEqual(['1 daisy', '2 roses']);
    // Blank lines at the end are not labels; one in the middle keeps its place (classify() names it by its class index).
    expect(parseLabels('cat\ndog\n\n')).toEqual(['cat', 'dog']);
    expect(parseLabels('cat\r\n\r\ndog\r\n \r\n\r\n')).toEqual(['cat', '', 'dog']);
  });

  it('a 1000-line labels file ending in a blank line names the classes as the file does (it shifted them by one)', async () => {
    const lines = readFileSync(resolve(shared, 'labels/imagenet_1000.txt'), 'utf8').split('\n').filter((l) => l !== '');
    const file = join(mkdtempSync(join(tmpdir(), 'mn-labels-')), 'labels.txt');
    writeFileSync(file, lines.map((l) => l.toUpperCase()).join('\n') + '\n\n');
    const m = await load({ weights: resolve(shared, 'models/tflite/mobilenet_v1_0.25_224_quant.tflite'), labels: file, threads: 1 });
    const [top] = await m.classify(sample('coral_parrot.jpg'), { topK: 1 });
    m.dispose();
    expect([top!.index, top!.label]).toEqual([88, lines[88]!.toUpperCase()]);
  });

  it('labels embedded in TFLite metadata are used', async () => {
    const m = await load({ weights: resolve(shared, 'models/tflite/mobilenet_v1_0.25_224_float_metadata.tflite'), threads: 1 });
    const [top] = await m.classify(sample('grace_hopper.jpg'), { topK: 1 });
    expect(top).toEqual({ index: 457, label: 'bow tie', probability: expect.any(Number) });
    m.dispose();
  });

  it('a Teachable Machine export: Flatten, Dense 100 ReLU, Dense 3 softmax; labels from metadata.json', async () => {
    const dir = resolve(cases, 'tfjs/teachable-machine');
    const m = await load({ weights: dir, threads: 1 });
    expect([m.info.classes, m.info.numClasses, m.info.resolution, m.info.features]).toEqual([3, 3, 224, 256]);
    for (const [file, label] of [['coral_cat.png', 'cat'], ['coral_parrot.jpg', 'parrot'], ['tflsupport_burger.jpg', 'burger']]) {
      const top = await m.classify(sample(file!), { topK: 3 });
      expect(top[0]!.label, file).toBe(label);
      expect(top.reduce((s, c) => s + c.probability, 0)).toBeCloseTo(1, 6);
    }
    expect((await m.embed(sample('coral_cat.png'))).length).toBe(256);
    m.dispose();
    await expect(load({ weights: dir, resolution: 192 })).rejects.toThrow(
      new RangeError(`Expected resolution 224 for ${dir} (its Dense head reads the flattened 224x224 feature map) but received 192`),
    );
    const named = await load({ weights: join(dir, 'model.json'), labels: ['a', 'b', 'c'], threads: 1 });
    expect((await named.classify(sample('coral_cat.png'), { topK: 1 }))[0]!.label).toBe('a');
    named.dispose();
  });

  it('Dense heads compute what conv_preds computes: pooled exactly, flattened within rounding', async () => {
    const base = await load({ weights: tfjsWeights('0.25'), threads: 1 });
    const frames = [0, 1, 2, 3].map((i) => ({ data: referenceInput(224, i), width: 224, height: 224, channels: 3 as const }));
    const want = await base.infer(frames);
    for (const flatten of [false, true]) {
      const dir = join(tmp, flatten ? 'flatten-head' : 'pooled-head');
      tfjsDenseHead(tfjsWeights('0.25'), dir, flatten, 7);
      const m = await load({ weights: dir, threads: 1 });
      expect(m.info.classes).toBe(1000);
      const got = await m.infer(frames);
      if (!flatten) expect(got).toEqual(want);
      let maxAbs = 0;
      for (let i = 0; i < got.length; i++) maxAbs = Math.max(maxAbs, Math.abs(got[i]! - want[i]!));
      expect(maxAbs, flatten ? 'flatten' : 'pooled').toBeLessThan(1e-4);
      expect((await m.classify(frames[0]!, { topK: 1 }))[0]!.label).toBe((await base.classify(frames[0]!, { topK: 1 }))[0]!.label);
      m.dispose();
    }
    base.dispose();
  });
});

describe('headless backbones and other networks', () => {
  it('Keras include_top=False (no conv_preds) loads for embed(); classify() says it has no classifier', async () => {
    const dir = join(tmp, 'headless');
    tfjsWithout(tfjsWeights('0.25'), dir, (n) => n.startsWith('conv_preds'));
    const m = await load({ weights: dir, threads: 1 });
    const full = await load({ weights: tfjsWeights('0.25'), threads: 1 });
    expect([m.info.classes, m.info.numClasses, m.info.features]).toEqual([0, 0, 256]);
    expect(await m.embed(sample('grace_hopper.jpg'))).toEqual(await full.embed(sample('grace_hopper.jpg')));
    const msg = `needs a classifier but ${dir} is a headless backbone (no classification layer); use embed() for its features, or load it with its head`;
    await expect(m.classify(sample('grace_hopper.jpg'))).rejects.toThrow(`classify() ${msg}`);
    await expect(m.infer(sample('grace_hopper.jpg'))).rejects.toThrow(`infer() ${msg}`);
    expect(() => m.inferSync(new Float32Array(224 * 224 * 3))).toThrow(`inferSync() ${msg}`);
    expect(m.profile(1).layers.map((l) => l.name)).toEqual(full.profile(1).layers.map((l) => l.name).slice(0, 28)); // 27 convolutions + the pool, no conv_preds
    m.dispose();
    full.dispose();
  });

  it('a TFLite embedding extractor (the Coral one) is a headless backbone', async () => {
    const file = resolve(shared, 'models/tflite/coral/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite');
    const m = await load({ weights: file, threads: 1 });
    expect([m.info.classes, m.info.features]).toEqual([0, 1024]);
    expect((await m.embed(sample('grace_hopper.jpg'))).every(Number.isFinite)).toBe(true);
    await expect(m.classify(sample('grace_hopper.jpg'))).rejects.toThrow(/headless backbone/);
    m.dispose();
  });

  it('TFLite MobileNetV2 and SSD load through their own tables; other networks get an error naming what they look like', async () => {
    // Issue 14: these files are supported now (lib/weights/tflite-graph.ts), not refused as other networks.
    const ssd = resolve(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
    const v2 = resolve(shared, 'models/tflite/coral/mobilenet_v2_1.0_224_quant.tflite');
    for (const [file, architecture] of [[ssd, 'ssd_mobilenet_v1'], [v2, 'mobilenet_v2']] as const) {
      const m = await load({ weights: file, threads: 1 });
      expect(m.info.architecture).toBe(architecture);
      m.dispose();
    }
    const dir = join(tmp, 'v2-tfjs');
    cpSync(tfjsWeights('0.25'), dir, { recursive: true });
    const json = readFileSync(join(dir, 'model.json'), 'utf8').replaceAll('conv_pw_1/', 'block_1_expand/');
    writeFileSync(join(dir, 'model.json'), json);
    await expect(load({ weights: dir })).rejects.toThrow(
      `${join(dir, 'model.json')}: expected a MobileNetV1 model but this looks like MobileNetV2 (inverted residual blocks, e.g. block_1_expand), which is not supported`,
    );
  });

  it('formats are recognised by content, not by the file name', async () => {
    const upper = join(tmp, 'MODEL.TFLITE');
    copyFileSync(floatTflite, upper);
    const noExt = join(tmp, 'weights.bin');
    copyFileSync(floatTflite, noExt);
    const dir = join(tmp, 'renamed-json');
    cpSync(tfjsWeights('0.25'), dir, { recursive: true });
    renameSync(join(dir, 'model.json'), join(dir, 'MobileNet.JSON'));
    for (const w of [upper, noExt, join(dir, 'MobileNet.JSON')]) {
      const m = await load({ weights: w, threads: 1 });
      expect(m.info.alpha).toBe(0.25);
      m.dispose();
    }
    const h5 = join(tmp, 'model.h5');
    writeFileSync(h5, Buffer.from('\x89HDF\r\n\x1a\n....', 'latin1'));
    await expect(load({ weights: h5 })).rejects.toThrow(
      `${h5}: expected a TF.js layers model directory, a model.json or a .tflite file, but this is a Keras HDF5 (.h5) file: convert it with tensorflowjs_converter or the TFLite converter`,
    );
  });
});
