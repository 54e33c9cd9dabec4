// TFLite_Detection_PostProcess (native/runtime/detection_postprocess.cc) against TensorFlow Lite 2.2 on the
// tensors TFLite itself computed for real photos (test/fixtures/ssd, bench/tflite-detect-reference.ts), under the
// file's options, regular per-class NMS and other limits, and on seeded tie-heavy scores (TFLite's tie order).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadBinding, type NativeDetectionOptions } from '../lib/binding.js';
import { readTfliteModel } from '../lib/weights/tflite.js';
import { seededRandom } from '../lib/weights/synthetic.js';
import { repoRoot, shared } from './helpers/reference.js';
import { sha256 } from './helpers/detect-input.js';

interface Outputs { boxes: number[]; classes: number[]; scores: number[]; count: number }
interface Golden {
  model: { box_encodings: { scale: number; zero_point: number; shape: number[] }; class_predictions: { scale: number; zero_point: number; shape: number[] }; anchors: { scale: number; zero_point: number; sha256: string } };
  photos: Array<Outputs & { name: string; raw_sha256: string }>;
  postprocess_variants: Record<string, NativeDetectionOptions>;
  postprocess: Array<Outputs & { variant: string; input: string }>;
}
const golden = JSON.parse(readFileSync(resolve(repoRoot, 'test/fixtures/ssd/detect.json'), 'utf8')) as Golden;
const ssdFile = resolve(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
const ssd = readTfliteModel(new Uint8Array(readFileSync(ssdFile)), ssdFile);
const anchorTensor = ssd.tensors.find((t) => t.name === 'anchors')!;
const anchors = ssd.buffer(anchorTensor.buffer);
const [, numBoxes, code] = golden.model.box_encodings.shape as [number, number, number];
const width = golden.model.class_predictions.shape[2]!;

function raw(name: string): { boxes: Uint8Array; scores: Uint8Array } {
  const blob = gunzipSync(readFileSync(resolve(repoRoot, `test/fixtures/ssd/${name}.raw.u8.gz`)));
  expect(sha256(blob)).toBe(golden.photos.find((p) => p.name === name)!.raw_sha256);
  return { boxes: blob.subarray(0, numBoxes * code), scores: blob.subarray(numBoxes * code) };
}

/** bench/tflite-detect-reference.ts tiedScores(). */
function tiedScores(seed: number): Uint8Array {
  const rnd = seededRandom(seed);
  const levels = [0, 3, 130, 200];
  const s = new Uint8Array(numBoxes * width);
  for (let i = 0; i < s.length; i++) { const r = rnd(); s[i] = levels[r < 0.9 ? 0 : r < 0.97 ? 1 : r < 0.995 ? 2 : 3]!; }
  return s;
}

function inputs(input: string): { boxes: Uint8Array; scores: Uint8Array } {
  const m = /^tied_scores_seed_(\d+)\+(.+)$/.exec(input);
  if (m) return { boxes: raw(m[2]!).boxes, scores: tiedScores(Number(m[1])) };
  return raw(input);
}

function run(input: string, options: NativeDetectionOptions) {
  const { boxes, scores } = inputs(input);
  const q = (data: Uint8Array, t: { scale: number; zero_point: number }) => ({ data, scale: t.scale, zeroPoint: t.zero_point });
  return loadBinding().detectionPostprocess(
    q(boxes, golden.model.box_encodings), q(scores, golden.model.class_predictions), q(anchors, golden.model.anchors),
    numBoxes, code, width, options);
}

function expectMatches(got: ReturnType<typeof run>, want: Outputs): void {
  expect(got.count).toBe(want.count);
  expect(Array.from(got.classes)).toEqual(want.classes);
  expect(got.boxes.length).toBe(want.boxes.length);
  const maxDiff = (a: Float32Array, b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  expect(maxDiff(got.scores, want.scores)).toBeLessThanOrEqual(1e-5);
  expect(maxDiff(got.boxes, want.boxes)).toBeLessThanOrEqual(1e-5);
}

describe('TFLite_Detection_PostProcess against TFLite 2.2', () => {
  it('the fixture anchors are the file\'s', () => {
    expect(sha256(anchors)).toBe(golden.model.anchors.sha256);
  });

  for (const c of golden.postprocess) {
    it(`${c.variant} on ${c.input}`, () => {
      expectMatches(run(c.input, golden.postprocess_variants[c.variant]!), c);
    });
  }

  it('the file\'s options reproduce detect.tflite\'s own outputs', () => {
    for (const p of golden.photos) expectMatches(run(p.name, golden.postprocess_variants.file!), p);
  });
});

describe('TFLite_Detection_PostProcess options and inputs', () => {
  const base = golden.postprocess_variants.file!;
  it('rejects what cannot run, naming it', () => {
    const b = loadBinding();
    const t = (n: number) => ({ data: new Float32Array(n) });
    expect(() => b.detectionPostprocess(t(8), t(182), t(8), 2, 4, 91, { ...base, nms_iou_threshold: 0 }))
      .toThrow('TFLite_Detection_PostProcess: nms_iou_threshold is 0, expected a number in (0, 1]');
    expect(() => b.detectionPostprocess(t(8), t(182), t(8), 2, 4, 91, { ...base, num_classes: 80 }))
      .toThrow('TFLite_Detection_PostProcess: the class-prediction width is 91, expected num_classes or num_classes + 1 (with a background column)');
    expect(() => b.detectionPostprocess(t(8), t(180), t(8), 2, 4, 91, base)).toThrow('Expected scores.data of length 182 but received length 180');
    expect(() => b.detectionPostprocess(t(8), t(182), t(8), 2, 4, 91, { ...base, x_scale: 0 }))
      .toThrow('TFLite_Detection_PostProcess: a box scale (y_scale, x_scale, h_scale, w_scale) is 0, expected a finite non-zero number');
  });

  it('fails like TFLite on a box that decodes empty (zero-size anchor)', () => {
    const b = loadBinding();
    const anchors = new Float32Array([0.5, 0.5, 0.1, 0.1, 0.5, 0.5, 0, 0.1]);
    expect(() => b.detectionPostprocess({ data: new Float32Array(8) }, { data: new Float32Array(182) }, { data: anchors }, 2, 4, 91, base))
      .toThrow('TFLite_Detection_PostProcess: box 1 decodes to ymin 0.5, xmin 0.449999988, ymax 0.5, xmax 0.550000012; expected ymin < ymax and xmin < xmax');
  });

  it('fast NMS with several classes per detection lays them out detection by detection', () => {
    // Two far-apart anchors; anchor 0 scores classes 2 > 0 > 1, anchor 1 classes 1 > 0 > 2.
    const anchors = new Float32Array([0.25, 0.25, 0.2, 0.2, 0.75, 0.75, 0.2, 0.2]);
    const scores = new Float32Array([0, 0.5, 0.1, 0.9, 0, 0.2, 0.7, 0]); // 2 boxes x (background + 3 classes)
    const r = loadBinding().detectionPostprocess({ data: new Float32Array(8) }, { data: scores }, { data: anchors }, 2, 4, 4,
      { ...base, num_classes: 3, max_detections: 3, max_classes_per_detection: 2, nms_score_threshold: 0.05 });
    expect(r.count).toBe(2);
    expect(Array.from(r.classes)).toEqual([2, 0, 1, 0, 0, 0]);
    expect(Array.from(r.scores)).toEqual([0.9, 0.5, 0.7, 0.2, 0, 0].map(Math.fround));
    // Zero encodings decode to the anchor itself: (y, x, h, w) -> (y - h/2, x - w/2, y + h/2, x + w/2).
    const a0 = [0.15, 0.15, 0.35, 0.35], a1 = [0.65, 0.65, 0.85, 0.85];
    const got = Array.from(r.boxes), want = [...a0, ...a0, ...a1, ...a1, 0, 0, 0, 0, 0, 0, 0, 0];
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
  });
});
