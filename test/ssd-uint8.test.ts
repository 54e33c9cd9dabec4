// SSD-MobileNetV1 uint8 (detect.tflite) in integers against TensorFlow Lite 2.2 (test/fixtures/ssd): the uint8 box
// encodings and class scores TFLite computes byte for byte, and the four postprocess outputs (classes and count
// identical, boxes and scores within 1e-5) on every photo, with every integer kernel set; TFLite's uint8 LOGISTIC
// and CONCATENATION maps for every input byte.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadBinding, toNativeGraph } from '../lib/binding.js';
import { integerGraph } from '../lib/detect.js';
import { load } from '../lib/index.js';
import { recogniseTflite } from '../lib/weights/tflite-graph.js';
import type { QuantNet } from '../lib/weights/tflite-quant.js';
import { decodeAny, sha256, stretchResize } from './helpers/detect-input.js';
import { repoRoot, shared } from './helpers/reference.js';

interface Photo { name: string; source: string; input_sha256: string; raw_sha256: string; boxes: number[]; classes: number[]; scores: number[]; count: number }
const golden = JSON.parse(readFileSync(resolve(repoRoot, 'test/fixtures/ssd/detect.json'), 'utf8')) as {
  photos: Photo[];
  integer_ops: { logistic: { table: number[] }; concatenations: Array<{ tables: number[][] }> };
};
const ssdFile = resolve(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
const ssd = recogniseTflite(new Uint8Array(readFileSync(ssdFile)), ssdFile);
const qisas = loadBinding().supportedQIsas();

async function inputOf(p: Photo): Promise<Uint8Array> {
  const input = stretchResize(await decodeAny(resolve(shared, p.source.replace(/^shared\//, ''))), 300);
  expect(sha256(input)).toBe(p.input_sha256);
  return input;
}

describe('SSD-MobileNetV1 uint8 against TFLite 2.2', () => {
  it('is recognised with an integer form', () => {
    expect(ssd.integer).toBeDefined();
  });

  for (const isa of qisas) {
    it(`${isa}: box encodings, scores and detections on the photos`, async () => {
      const native = new (loadBinding().NativeModel)({
        graph: toNativeGraph(integerGraph(ssd), ssd.weights, { layers: ssd.integer!.layers } as unknown as QuantNet),
        threads: 2, concurrency: 1, normalization: 'tflite-uint8', isa,
      });
      try {
        const outs = native.info().outputs.map((o) => o.name);
        const photos = isa === qisas.at(-1) ? golden.photos : golden.photos.slice(0, 2);
        for (const p of photos) {
          const input = await inputOf(p);
          native.stageFrame(0, 0, input, 300, 300, 3);
          const run = (name: string, integer: boolean) => {
            native.stageFrame(0, 0, input, 300, 300, 3);
            return native.runSync(0, 1, outs.indexOf(name), undefined, undefined, integer);
          };
          const raw = gunzipSync(readFileSync(resolve(repoRoot, `test/fixtures/ssd/${p.name}.raw.u8.gz`)));
          const boxes = run('box_encodings', true) as Uint8Array, scores = run('scores', true) as Uint8Array;
          expect(Buffer.compare(Buffer.from(boxes), raw.subarray(0, boxes.length)), `${p.name} box encodings`).toBe(0);
          expect(Buffer.compare(Buffer.from(scores), raw.subarray(boxes.length)), `${p.name} scores`).toBe(0);
          const d = run('detections', false) as Float32Array;
          const slots = 10;
          expect(d[6 * slots], p.name).toBe(p.count);
          expect(Array.from(d.subarray(4 * slots, 5 * slots)), p.name).toEqual(p.classes);
          const maxDiff = (a: Float32Array, b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
          expect(maxDiff(d.subarray(5 * slots, 6 * slots), p.scores), p.name).toBeLessThanOrEqual(1e-5);
          expect(maxDiff(d.subarray(0, 4 * slots), p.boxes), p.name).toBeLessThanOrEqual(1e-5);
        }
      } finally {
        native.dispose();
      }
    });
  }

  it("TFLite's uint8 LOGISTIC and CONCATENATION maps, every input byte", () => {
    // One-layer integer tables on a 16 x 16 x 3 input holding the bytes 0..255 (and 0..255 again, then 0..255).
    const bytes = Uint8Array.from({ length: 768 }, (_, i) => i % 256);
    const q = (scale: number, zp: number) => ({ scale: [scale], zeroPoint: [zp] });
    const table = (kind: 'logistic' | 'concat', inQ: { scale: number; zp: number }, outQ: { scale: number; zp: number }) => {
      const native = new (loadBinding().NativeModel)({
        graph: {
          input: { shape: [16, 16, 3], dtype: 'uint8', quantization: q(inQ.scale, inQ.zp) },
          layers: [{ name: kind, kind, inputs: [0], inShape: [16, 16, 3], outShape: [16, 16, 3], kernelSize: [1, 1], stride: 1, pad: [0, 0, 0, 0], activation: [0, 255], dtype: 'uint8', quantization: q(outQ.scale, outQ.zp), macs: 0 }],
          outputs: [{ name: 'out', tensor: 1 }],
        },
        threads: 1, concurrency: 1, normalization: 'tflite-uint8', isa: '',
      });
      try {
        native.stageFrame(0, 0, bytes, 16, 16, 3);
        return Array.from((native.runSync(0, 1, 0, undefined, undefined, true) as Uint8Array).subarray(0, 256));
      } finally {
        native.dispose();
      }
    };
    const ops = golden.integer_ops as unknown as {
      logistic: { input: { scale: number; zp: number }; output: { scale: number; zp: number }; table: number[] };
      concatenations: Array<{ inputs: { scale: number; zp: number }[]; output: { scale: number; zp: number }; tables: number[][] }>;
    };
    expect(table('logistic', ops.logistic.input, ops.logistic.output)).toEqual(ops.logistic.table);
    for (const c of ops.concatenations) c.inputs.forEach((inQ, k) => expect(table('concat', inQ, c.output), `input ${k}`).toEqual(c.tables[k]));
  });

  it('detect() runs uint8 by default and gives TFLite\'s detections', async () => {
    const m = await load({ weights: ssdFile, threads: 2 });
    try {
      expect(m.info.dtype).toBe('uint8');
      for (const p of golden.photos) {
        const found = await m.detect({ data: await inputOf(p), width: 300, height: 300, channels: 3 }, { minScore: 0 });
        expect(found.map((f) => f.index), p.name).toEqual(p.classes.slice(0, p.count));
        expect(found.map((f) => f.score), p.name).toEqual(p.scores.slice(0, p.count).map(Math.fround));
      }
    } finally {
      m.dispose();
    }
  });
});

describe('layer tables with the new kinds that do not fit', () => {
  const layer = (o: object) => ({ name: 'x', inputs: [0], inShape: [4, 4, 3], outShape: [4, 4, 3], kernelSize: [1, 1], stride: 1, pad: [0, 0, 0, 0], activation: [-Infinity, Infinity], dtype: 'float32', macs: 0, ...o });
  const make = (layers: object[]) => () => new (loadBinding().NativeModel)({
    graph: { input: { shape: [4, 4, 3], dtype: 'float32' }, layers, outputs: [{ name: 'out', tensor: layers.length }] } as never,
    threads: 1, concurrency: 1, normalization: 'tflite', isa: '',
  });
  const det = { max_detections: 2, max_classes_per_detection: 1, detections_per_class: 100, nms_score_threshold: 0, nms_iou_threshold: 0.5, num_classes: 2, use_regular_nms: false, y_scale: 10, x_scale: 10, h_scale: 5, w_scale: 5 };
  it('names the layer and what is wrong', () => {
    expect(make([layer({ kind: 'concat', inputs: [0, 0], outShape: [4, 4, 5] })])).toThrow('layer x: concat output [4, 4, 5] must hold the 96 elements of its inputs');
    expect(make([layer({ kind: 'logistic', outShape: [4, 4, 2] })])).toThrow('layer x: logistic keeps the shape: input [4, 4, 3], output [4, 4, 2]');
    expect(make([layer({ kind: 'concat', inputs: Array(17).fill(0) })])).toThrow('Expected 1 to 16 entries for graph.layers[0].inputs but received 17');
    // 48 values = 12 boxes x 4; scores the same 48 = 12 x 4 wide, but num_classes 2 wants 2 or 3 columns.
    expect(make([layer({ kind: 'detection_postprocess', inputs: [0, 0], outShape: [1, 1, 13], detection: det, kernel: new Float32Array(48) })]))
      .toThrow('layer x: TFLite_Detection_PostProcess: the class-prediction width is 4, expected num_classes or num_classes + 1 (with a background column)');
    expect(make([layer({ kind: 'detection_postprocess', inputs: [0, 0], outShape: [1, 1, 13], detection: { ...det, num_classes: 4 }, kernel: new Float32Array(40) })]))
      .toThrow('layer x: expected anchors (kernel) of length 48 but received length 40');
    expect(make([layer({ kind: 'detection_postprocess', inputs: [0, 0], outShape: [1, 1, 13], detection: { ...det, use_regular_nms: 1 } })]))
      .toThrow('Expected a boolean for graph.layers[0].detection.use_regular_nms');
    expect(make([layer({ kind: 'conv', kernelSize: [3, 3], stride: 3, outShape: [1, 1, 3], kernel: new Float32Array(81) })])).toThrow('layer x: conv runs 3x3 stride 1 or 2 in this build, not 3x3 stride 3');
  });
});
