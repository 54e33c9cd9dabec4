// Graph recognisers for MobileNetV2 and SSD-MobileNetV1 TFLite files (lib/weights/tflite-graph.ts): structure of
// the real Coral / COCO files, and the recognised graph run in float (test/helpers/graph-reference.ts, weights
// dequantized) against what TFLite 2.2 computes in uint8 for the same inputs (test/fixtures/v2, test/fixtures/ssd).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadBinding } from '../lib/binding.js';
import { recogniseTflite, type RecognisedModel } from '../lib/weights/tflite-graph.js';
import { decodeAny, sha256, stretchResize } from './helpers/detect-input.js';
import { runGraph } from './helpers/graph-reference.js';
import { writeFlexMap } from './helpers/flexbuffers-writer.js';
import { rewrite, type EditableModel } from './helpers/tflite-rewrite.js';
import { argmax, manifest, referenceInput, repoRoot, shared } from './helpers/reference.js';

const coral = (f: string) => resolve(shared, 'models/tflite/coral', f);
const ssdFile = resolve(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
const load = (f: string): RecognisedModel => recogniseTflite(new Uint8Array(readFileSync(f)), f);
const inputOf = (m: RecognisedModel, bytes: Uint8Array): Float64Array => {
  const q = m.graph.input.quantization!;
  return Float64Array.from(bytes, (v) => q.scale[0]! * (v - q.zeroPoint[0]!));
};

describe('MobileNetV2 (Coral uint8 files)', () => {
  const v2 = load(coral('mobilenet_v2_1.0_224_quant.tflite'));

  it('is recognised as MobileNetV2 1.0/224 with 1001 classes', () => {
    expect(v2.architecture).toBe('mobilenet_v2');
    expect([v2.alpha, v2.resolution, v2.classes, v2.classOffset, v2.quantized]).toEqual([1, 224, 1001, 1, true]);
    const L = v2.graph.layers;
    expect(L.length).toBe(64);
    expect(L.filter((l) => l.kind === 'add').map((l) => l.name)).toEqual(
      [2, 4, 5, 7, 8, 9, 11, 12, 14, 15].map((b) => `block_${b}_add`));
    expect(L.slice(0, 4).map((l) => `${l.name}:${l.kind}`)).toEqual(
      ['Conv1:conv', 'expanded_conv_depthwise:dwconv', 'expanded_conv_project:pwconv', 'block_1_expand:pwconv']);
    expect(L.at(-1)!.name).toBe('Logits');
    expect(v2.graph.outputs).toEqual([{ name: 'features', tensor: 63 }, { name: 'logits', tensor: 64 }]);
    // 300 M multiply-adds (Sandler et al. 2018, Table 4: 300M).
    expect(L.reduce((s, l) => s + l.macs, 0)).toBe(300_838_272);
    // Residual: block_2_add adds block_2_project and block_1's output.
    const add = L.find((l) => l.name === 'block_2_add')!;
    expect(add.inputs.map((i) => L[i - 1]!.name).sort()).toEqual(['block_1_project', 'block_2_project']);
  });

  it('custom heads (iNaturalist birds, insects) end in a FULLY_CONNECTED classifier without background', () => {
    for (const [f, n] of [['mobilenet_v2_1.0_224_inat_bird_quant.tflite', 965], ['mobilenet_v2_1.0_224_inat_insect_quant.tflite', 1022]] as const) {
      const m = load(coral(f));
      expect([m.architecture, m.classes, m.classOffset, m.graph.layers.at(-1)!.kind]).toEqual(['mobilenet_v2', n, 0, 'classifier']);
    }
  });

  it('run in float, agrees with TFLite 2.2 uint8 on the top class', () => {
    const golden = gunzipSync(readFileSync(resolve(repoRoot, 'test/fixtures/v2/mobilenet_v2_1.0_224_quant.logits.u8.gz')));
    for (const n of [0, 37, 81]) {
      const t = runGraph(v2.graph, v2.weights, inputOf(v2, referenceInput(224, n)));
      const logits = t[64]!;
      const ref = golden.subarray(n * 1001, (n + 1) * 1001);
      expect(argmax(logits), manifest.stems[n]).toBe(argmax(ref));
    }
  });
});

describe('SSD-MobileNetV1 (detect.tflite)', () => {
  const ssd = load(ssdFile);
  interface Photo { name: string; source: string; input_sha256: string; boxes: number[]; classes: number[]; scores: number[]; count: number }
  const golden = JSON.parse(readFileSync(resolve(repoRoot, 'test/fixtures/ssd/detect.json'), 'utf8')) as { photos: Photo[]; model: { box_encodings: { scale: number; zero_point: number } } };

  it('is recognised with its backbone, extra layers, predictors and postprocess options', () => {
    expect([ssd.architecture, ssd.alpha, ssd.resolution, ssd.classes, ssd.classOffset]).toEqual(['ssd_mobilenet_v1', 0.75, 300, 90, 1]);
    const names = ssd.graph.layers.map((l) => l.name);
    expect(names.slice(27, 35)).toEqual(['extra_1_1x1', 'extra_1_3x3_s2', 'extra_2_1x1', 'extra_2_3x3_s2', 'extra_3_1x1', 'extra_3_3x3_s2', 'extra_4_1x1', 'extra_4_3x3_s2']);
    expect(names.slice(-3)).toEqual(['class_predictions', 'scores', 'detections']);
    expect(ssd.graph.outputs.map((o) => `${o.name}:${names[o.tensor - 1]}`)).toEqual(['box_encodings:box_encodings', 'scores:scores', 'detections:detections']);
    const byName = new Map(ssd.graph.layers.map((l, i) => [l.name, { ...l, id: i + 1 }]));
    // Predictors read conv_pw_11 (19x19), conv_pw_13 (10x10) and the four extra maps (5, 3, 2, 1).
    expect([0, 1, 2, 3, 4, 5].map((f) => byName.get(`box_predictor_${f}/box_encoding`)!.inShape[0])).toEqual([19, 10, 5, 3, 2, 1]);
    expect(byName.get('box_encodings')!.outShape).toEqual([1917, 1, 4]);
    expect(byName.get('scores')!.outShape).toEqual([1917, 1, 91]);
    expect(ssd.detection!.numBoxes).toBe(1917);
    expect(ssd.detection!.options).toEqual({
      max_detections: 10, max_classes_per_detection: 1, detections_per_class: 100, nms_score_threshold: Math.fround(1e-8),
      nms_iou_threshold: Math.fround(0.6), num_classes: 90, use_regular_nms: false, y_scale: 10, x_scale: 10, h_scale: 5, w_scale: 5,
    });
    expect(Array.from(ssd.detection!.anchors.subarray(0, 4))).toEqual([4, 4, 15, 15].map((q) => Math.fround(q * Math.fround(0.006453060545027256))));
  });

  it('run in float, finds what TFLite 2.2 finds on a photo', async () => {
    const photo = golden.photos.find((p) => p.name === 'grace_hopper')!;
    const input = stretchResize(await decodeAny(resolve(shared, photo.source.replace(/^shared\//, ''))), 300);
    expect(sha256(input)).toBe(photo.input_sha256);
    const t = runGraph(ssd.graph, ssd.weights, inputOf(ssd, input));
    const ids = Object.fromEntries(ssd.graph.outputs.map((o) => [o.name, o.tensor]));
    const d = ssd.detection!;
    const r = loadBinding().detectionPostprocess(
      { data: Float32Array.from(t[ids.box_encodings!]!) }, { data: Float32Array.from(t[ids.scores!]!) }, { data: d.anchors },
      d.numBoxes, 4, d.scoreWidth, d.options);
    // The best detection (a person) is the same class, nearly the same box and score.
    expect(r.classes[0]).toBe(photo.classes[0]);
    const iou = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      const ih = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!)), iw = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
      const area = (x: ArrayLike<number>) => (x[2]! - x[0]!) * (x[3]! - x[1]!);
      return (ih * iw) / (area(a) + area(b) - ih * iw);
    };
    expect(iou(r.boxes.subarray(0, 4), photo.boxes.slice(0, 4))).toBeGreaterThan(0.95);
    expect(Math.abs(r.scores[0]! - photo.scores[0]!)).toBeLessThan(0.05);
  });
});

describe('graphs that do not fit', () => {
  const v2Bytes = new Uint8Array(readFileSync(coral('mobilenet_v2_1.0_224_quant.tflite')));
  const ssdBytes = new Uint8Array(readFileSync(ssdFile));
  const recognise = (bytes: Uint8Array) => recogniseTflite(bytes, 'x.tflite');
  const opOf = (m: EditableModel, k: number) => m.operators[k]!;

  it('an untouched rewrite is recognised the same (the rewriter keeps what the recognisers read)', () => {
    const a = recognise(v2Bytes), b = recognise(rewrite(v2Bytes, () => {}));
    expect(b.graph.layers.map((l) => [l.name, l.kind, l.inputs, l.outShape, l.activation])).toEqual(a.graph.layers.map((l) => [l.name, l.kind, l.inputs, l.outShape, l.activation]));
    const c = recognise(rewrite(ssdBytes, () => {}));
    expect(c.detection!.options).toEqual(recognise(ssdBytes).detection!.options);
  });

  it('MobileNetV2: a missing residual, a projection with ReLU6, a wrong stride, an unknown op', () => {
    // op 9 is block_2's ADD (block_2_project + block_1's output, graph tensor 6): add the projection to itself instead.
    expect(() => recognise(rewrite(v2Bytes, (m) => { opOf(m, 9).inputs[1] = opOf(m, 9).inputs[0]!; })))
      .toThrow('x.tflite: not a MobileNetV2 graph: op 8: block_2 keeps shape [56,56,24], expected a residual ADD of its input (tensor 6) and block_2_project');
    expect(() => recognise(rewrite(v2Bytes, (m) => { opOf(m, 5).conv!.activation = 3; })))
      .toThrow('x.tflite: not a MobileNetV2 graph: op 5: expected block_1_project, a linear 1x1 convolution, found pwconv with ReLU6');
    expect(() => recognise(rewrite(v2Bytes, (m) => { opOf(m, 4).conv!.strideH = 1; })))
      .toThrow('x.tflite: op 4 (DEPTHWISE_CONV_2D): expected stride 1x1 or 2x2, found 1x2');
    expect(() => recognise(rewrite(v2Bytes, (m) => { opOf(m, 9).opcode = 18; opOf(m, 9).optionsType = 0; })))
      .toThrow('x.tflite: op 9 (MUL): operator MUL is not part of MobileNetV1, MobileNetV2 or SSD-MobileNetV1 graphs');
    expect(() => recognise(rewrite(v2Bytes, (m) => { opOf(m, 1).conv!.dilationH = 2; })))
      .toThrow('x.tflite: op 1 (DEPTHWISE_CONV_2D): expected dilation 1x1, found 2x1');
  });

  it('SSD: postprocess options, the logistic, the anchors', () => {
    const post = (m: EditableModel) => m.operators.find((o) => o.customCode === 'TFLite_Detection_PostProcess')!;
    expect(() => recognise(rewrite(ssdBytes, (m) => {
      post(m).customOptions = writeFlexMap({ max_detections: { int: 10 }, max_classes_per_detection: { int: 1 }, nms_score_threshold: { float: 0 }, nms_iou_threshold: { float: 0.6 }, num_classes: { int: 80 }, y_scale: { float: 10 }, x_scale: { float: 10 }, h_scale: { float: 5 }, w_scale: { float: 5 } });
    }))).toThrow('x.tflite: op 63 (TFLite_Detection_PostProcess): class predictions are 91 wide, expected num_classes (80) or num_classes + 1');
    expect(() => recognise(rewrite(ssdBytes, (m) => {
      post(m).customOptions = writeFlexMap({ max_detections: { int: 10 }, max_classes_per_detection: { int: 1 }, nms_score_threshold: { float: 0 }, nms_iou_threshold: { float: 0.6 }, num_classes: { int: 90 }, y_scale: { float: 10 }, x_scale: { float: 10 }, h_scale: { float: 5 } });
    }))).toThrow("x.tflite: op 63 (TFLite_Detection_PostProcess): custom option 'w_scale' is missing");
    // Scores straight from the concatenation, without LOGISTIC.
    expect(() => recognise(rewrite(ssdBytes, (m) => { post(m).inputs[1] = m.operators[62]!.inputs[0]!; m.operators.splice(62, 1); })))
      .toThrow('x.tflite: not an SSD-MobileNetV1 graph: op 62: expected the class predictions to come from LOGISTIC (sigmoid scores)');
    expect(() => recognise(rewrite(ssdBytes, (m) => { const a = m.tensors[post(m).inputs[2]!]!; a.shape = [1916, 4]; m.buffers[a.buffer] = m.buffers[a.buffer]!.subarray(0, 1916 * 4); })))
      .toThrow('x.tflite: op 63 (TFLite_Detection_PostProcess): box encodings hold 7668 values, expected 1916 boxes x 4 (one per anchor)');
    expect(() => recognise(rewrite(ssdBytes, (m) => { post(m).customOptions = new Uint8Array([1, 2, 3]); })))
      .toThrow(/x\.tflite: op 63 \(TFLite_Detection_PostProcess\) custom_options: corrupt FlexBuffer/);
  });
});
