// MobileNetV2 and SSD-MobileNetV1 on the native executor (float, weights dequantized): every ISA against the
// float64 reference executor (test/helpers/graph-reference.ts) on the recognised graphs, detect() against
// TFLite 2.2's detections on real photos, the public API (options, errors, labels, concurrency).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBinding, toNativeGraph } from '../lib/binding.js';
import { floatGraph } from '../lib/detect.js';
import { load, type Detection } from '../lib/index.js';
import { recogniseTflite, type RecognisedModel } from '../lib/weights/tflite-graph.js';
import { decodeAny, sha256, stretchResize } from './helpers/detect-input.js';
import { runGraph } from './helpers/graph-reference.js';
import { argmax, referenceInput, repoRoot, shared } from './helpers/reference.js';
import { syntheticV2Tflite } from './helpers/v2-writer.js';
import { seededRandom } from '../lib/weights/synthetic.js';
import { V2_ALPHAS } from '../lib/weights/tflite-graph.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const v2File = resolve(shared, 'models/tflite/coral/mobilenet_v2_1.0_224_quant.tflite');
const ssdFile = resolve(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
const recognise = (f: string): RecognisedModel => recogniseTflite(new Uint8Array(readFileSync(f)), f);
const isas = loadBinding().supportedIsas();

interface Photo { name: string; source: string; width: number; height: number; input_sha256: string; boxes: number[]; classes: number[]; scores: number[]; count: number }
const golden = JSON.parse(readFileSync(resolve(repoRoot, 'test/fixtures/ssd/detect.json'), 'utf8')) as { photos: Photo[] };
const photoInput = async (p: Photo) => {
  const frame = await decodeAny(resolve(shared, p.source.replace(/^shared\//, '')));
  const input = stretchResize(frame, 300);
  expect(sha256(input)).toBe(p.input_sha256);
  return { frame, input };
};

/** The native model of a recognised graph, run on one normalised input; returns the named outputs. */
function runNative(m: RecognisedModel, isa: string, x: Float32Array): Record<string, Float32Array> {
  const native = new (loadBinding().NativeModel)({ graph: toNativeGraph(floatGraph(m.graph), m.weights), threads: 2, concurrency: 1, normalization: 'tflite-uint8', isa });
  try {
    const outs = native.info().outputs;
    return Object.fromEntries(outs.map((o, i) => [o.name, native.runSync(0, 1, i, undefined, x)]));
  } finally {
    native.dispose();
  }
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!)); return m; };
const iou = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  const ih = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!)), iw = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const area = (x: ArrayLike<number>) => (x[2]! - x[0]!) * (x[3]! - x[1]!);
  return (ih * iw) / (area(a) + area(b) - ih * iw);
};

describe('MobileNetV2 on the native executor', () => {
  const v2 = recognise(v2File);
  const bytes = referenceInput(224, 3);
  const x64 = Float64Array.from(bytes, (v) => (v - 128) / 128);
  const ref = runGraph(v2.graph, v2.weights, x64);
  for (const isa of isas) {
    it(`${isa}: logits and features match the float64 reference`, () => {
      const out = runNative(v2, isa, Float32Array.from(x64));
      expect(maxAbs(out.logits!, ref[64]!)).toBeLessThan(2e-3);
      expect(maxAbs(out.features!, ref[63]!)).toBeLessThan(1e-3);
    });
  }

  it('load() classifies through the public API, with the file\'s 1001 labels', async () => {
    const m = await load({ weights: v2File, threads: 2, labels: resolve(shared, 'labels/coral_imagenet_labels.txt') });
    try {
      expect([m.info.architecture, m.info.alpha, m.info.resolution, m.info.classes, m.info.features, m.info.quantized]).toEqual(['mobilenet_v2', 1, 224, 1001, 1280, true]);
      const top = await m.classify({ data: bytes, width: 224, height: 224, channels: 3 }, { topK: 1 });
      expect(top[0]!.index).toBe(argmax(ref[64]!) - 1);
      await expect(m.detect(resolve(shared, 'images/samples/grace_hopper.jpg'))).rejects.toThrow('detect() needs a detector (SSD); this model is mobilenet_v2: use classify() or infer()');
    } finally {
      m.dispose();
    }
  });
});

describe('MobileNetV2 at every published width (synthetic float files from test/helpers/v2-writer.ts)', () => {
  for (const alpha of V2_ALPHAS) {
    it(`alpha ${alpha} at 96: recognised, and the native logits match the float64 reference`, () => {
      const bytes = syntheticV2Tflite(alpha, 96, 10, Math.round(alpha * 100));
      const m = recogniseTflite(bytes, `v2_${alpha}.tflite`);
      expect([m.architecture, m.alpha, m.resolution, m.classes, m.classOffset, m.quantized]).toEqual(['mobilenet_v2', alpha, 96, 10, 0, false]);
      expect(m.graph.layers.filter((l) => l.kind === 'add').length).toBe(10);
      const rnd = seededRandom(7);
      const x = Float32Array.from({ length: 96 * 96 * 3 }, () => rnd() * 2 - 1);
      const ref = runGraph(m.graph, m.weights, Float64Array.from(x));
      const out = runNative(m, isas.at(-1)!, x);
      const scale = Math.max(...Array.from(ref[m.graph.layers.length]!, Math.abs));
      expect(maxAbs(out.logits!, ref[m.graph.layers.length]!)).toBeLessThan(1e-4 * Math.max(1, scale));
    });
  }

  it('load() takes such a file (float: runs in float32, a 10-class head without names)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mn-v2-'));
    try {
      const f = join(dir, 'v2_0.35_96.tflite');
      writeFileSync(f, syntheticV2Tflite(0.35, 96, 10));
      const m = await load({ weights: f, threads: 1 });
      expect([m.info.architecture, m.info.alpha, m.info.resolution, m.info.classes, m.info.dtype]).toEqual(['mobilenet_v2', 0.35, 96, 10, 'float32']);
      const top = await m.classify(new Float32Array(96 * 96 * 3), { topK: 2 });
      expect(top.length).toBe(2);
      expect(top[0]!.label).toBe(String(top[0]!.index)); // no names: the class number
      m.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SSD-MobileNetV1 on the native executor', () => {
  const ssd = recognise(ssdFile);

  it('every ISA: box encodings and scores match the float64 reference', async () => {
    const { input } = await photoInput(golden.photos.find((p) => p.name === 'cat')!);
    const x64 = Float64Array.from(input, (v) => (v - 128) / 128);
    const t = runGraph(ssd.graph, ssd.weights, x64);
    const ids = Object.fromEntries(ssd.graph.outputs.map((o) => [o.name, o.tensor]));
    for (const isa of isas) {
      const out = runNative(ssd, isa, Float32Array.from(x64));
      expect(maxAbs(out.box_encodings!, t[ids.box_encodings!]!), isa).toBeLessThan(2e-3);
      expect(maxAbs(out.scores!, t[ids.scores!]!), isa).toBeLessThan(1e-3);
    }
  });

  it('detect() finds TFLite 2.2\'s best detections on the Coral and sample photos', async () => {
    const m = await load({ weights: ssdFile, threads: 2 });
    try {
      expect([m.info.architecture, m.info.alpha, m.info.resolution, m.info.classes]).toEqual(['ssd_mobilenet_v1', 0.75, 300, 90]);
      for (const p of golden.photos) {
        const { frame, input } = await photoInput(p);
        // The exact 300 x 300 input TFLite saw (a frame of the model's size is only normalised, not resized).
        const found = await m.detect({ data: input, width: 300, height: 300, channels: 3 }, { minScore: 0 });
        expect(found.length, p.name).toBe(p.count);
        // TFLite's best detection is found by the float model with the same class and box.
        expect(found[0]!.index, p.name).toBe(p.classes[0]);
        const b = found[0]!.normalizedBox;
        expect(iou([b.top, b.left, b.top + b.height, b.left + b.width], p.boxes.slice(0, 4)), p.name).toBeGreaterThan(0.9);
        expect(Math.abs(found[0]!.score - p.scores[0]!), p.name).toBeLessThan(0.08);
        // From the decoded photo, boxes come in its pixels.
        const direct = await m.detect(frame, { minScore: 0.4 });
        expect(direct[0]!.index).toBe(p.classes[0]);
        // The file itself (24-bit BMPs decode to their BGR rows): the same pixels, the same detections.
        expect(await m.detect(resolve(shared, p.source.replace(/^shared\//, '')), { minScore: 0.4 }), p.name).toEqual(direct);
        const d = direct[0]!;
        expect(d.box.left).toBeCloseTo(d.normalizedBox.left * frame.width, 6);
        expect(d.box.height).toBeCloseTo(d.normalizedBox.height * frame.height, 6);
      }
    } finally {
      m.dispose();
    }
  });

  it('detect(): labels, options, ordering, errors', async () => {
    const m = await load({ weights: ssdFile, threads: 2, concurrency: 2 });
    try {
      const img = resolve(shared, 'images/samples/grace_hopper.jpg');
      const all = await m.detect(img, { minScore: 0 });
      expect(all.length).toBe(10);
      expect(all.map((d) => d.score)).toEqual([...all.map((d) => d.score)].sort((a, b) => b - a));
      expect(all[0]).toMatchObject({ index: 0, label: 'person' });
      expect(all.find((d) => d.index === 31)?.label).toBe('tie');
      const some = await m.detect(img, { minScore: 0.4, maxResults: 2 });
      expect(some.length).toBe(2);
      expect(some.every((d: Detection) => d.score >= 0.4)).toBe(true);
      // Two streams at once (concurrency 2) give what one gives.
      const parrot = resolve(shared, 'images/samples/coral_parrot.jpg');
      const [a, b] = await Promise.all([m.detect(img), m.detect(parrot)]);
      expect(a).toEqual(await m.detect(img));
      expect(b).toEqual(await m.detect(parrot));
      expect(b[0]!.label).toBe('bird');
      const batch = await m.detect([img, img], { minScore: 0.3 });
      expect(batch[1]).toEqual(batch[0]);
      await expect(m.detect(img, { minScore: 2 })).rejects.toThrow('Expected a number between 0 and 1 for minScore but received 2 of type number');
      await expect(m.detect(img, { maxResults: 0 })).rejects.toThrow('Expected an integer between 1 and 100000 for maxResults but received 0 of type number');
      await expect(m.detect(img, { top: 1 } as never)).rejects.toThrow("Unknown option 'top' for detect(); expected one of: minScore, maxResults");
      // classify() is named (it said infer(), the call it goes through).
      await expect(m.classify(img)).rejects.toThrow('classify() needs a classifier; this model is ssd_mobilenet_v1: use detect()');
      await expect(m.infer(img)).rejects.toThrow('infer() needs a classifier; this model is ssd_mobilenet_v1: use detect()');
      await expect(m.embed(img)).rejects.toThrow('embed() needs a classifier or backbone (pooled features); this model is ssd_mobilenet_v1: use detect()');
    } finally {
      m.dispose();
    }
  });

  it('runs in a worker thread', async () => {
    const { Worker } = await import('node:worker_threads');
    const code = `
      const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(resolve(repoRoot, 'dist/index.js'))}).then(async ({ load }) => {
        const m = await load({ weights: ${JSON.stringify(ssdFile)}, threads: 1 });
        const d = await m.detect(${JSON.stringify(resolve(shared, 'images/samples/grace_hopper.jpg'))});
        m.dispose();
        parentPort.postMessage(d.map((x) => x.label));
      });`;
    const labels = await new Promise((res, rej) => { const w = new Worker(code, { eval: true }); w.once('message', res); w.once('error', rej); });
    expect(labels).toEqual(expect.arrayContaining(['person']));
  });
});
