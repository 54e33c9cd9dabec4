// FlexBuffers map reader (lib/weights/flexbuffers.ts): TFLite custom options as written by TFLite's converter
// (detect.tflite) and by the test writer, and corrupt bytes.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFlexMap } from '../lib/weights/flexbuffers.js';
import { readTfliteModel } from '../lib/weights/tflite.js';
import { seededRandom } from '../lib/weights/synthetic.js';
import { WeightsError } from '../lib/errors.js';
import { writeFlexMap } from './helpers/flexbuffers-writer.js';
import { shared } from './helpers/reference.js';

const values = (b: Uint8Array) => Object.fromEntries(readFlexMap(b, 'f', 'opts').map((e) => [e.key, e.value]));

describe('readFlexMap', () => {
  it('reads the TFLite_Detection_PostProcess options of detect.tflite (converter-written)', () => {
    const file = resolve(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
    const m = readTfliteModel(new Uint8Array(readFileSync(file)), file);
    const op = m.operators.find((o) => o.customCode === 'TFLite_Detection_PostProcess')!;
    const entries = readFlexMap(op.customOptions!, file, 'opts');
    expect(entries.map((e) => `${e.key}:${e.type}`)).toEqual([
      '_output_quantized:BOOL', 'h_scale:FLOAT', 'max_classes_per_detection:INT', 'max_detections:INT', 'nms_iou_threshold:FLOAT',
      'nms_score_threshold:FLOAT', 'num_classes:INT', 'w_scale:FLOAT', 'x_scale:FLOAT', 'y_scale:FLOAT']);
    expect(values(op.customOptions!)).toEqual({
      _output_quantized: true, h_scale: 5, max_classes_per_detection: 1, max_detections: 10, nms_iou_threshold: Math.fround(0.6),
      nms_score_threshold: Math.fround(1e-8), num_classes: 90, w_scale: 5, x_scale: 10, y_scale: 10 });
  });

  it('round-trips the test writer (ints, floats, bools, keys sorted bytewise)', () => {
    const b = writeFlexMap({ z: { int: -3 }, a: { float: 0.25 }, use_regular_nms: { bool: true }, B: { int: 7 } });
    expect(readFlexMap(b, 'f', 'opts').map((e) => e.key)).toEqual(['B', 'a', 'use_regular_nms', 'z']);
    expect(values(b)).toEqual({ B: 7, a: 0.25, use_regular_nms: true, z: -3 });
  });

  it('throws on corrupt bytes, naming the buffer and what is wrong', () => {
    expect(() => readFlexMap(new Uint8Array([0, 1]), 'f.tflite', 'op 3 custom_options')).toThrow('f.tflite: op 3 custom_options: corrupt FlexBuffer: 2 bytes, too short for a root');
    expect(() => readFlexMap(new Uint8Array([5, 4, 1]), 'f.tflite', 'opts')).toThrow('f.tflite: opts: expected a FlexBuffer map at the root, found INT');
    const b = writeFlexMap({ a: { int: 1 } });
    b[b.length - 3] = 200; // root offset points before the buffer
    expect(() => readFlexMap(b, 'f.tflite', 'opts')).toThrow(/f\.tflite: opts: corrupt FlexBuffer: root map at byte \d+ has offset 200, which does not point back into the buffer/);
    const c = writeFlexMap({ a: { int: 1 } });
    c[c.length - 3] = 0;
    expect(() => readFlexMap(c, 'f.tflite', 'opts')).toThrow(/corrupt FlexBuffer: root map at byte \d+ has offset 0/);
  });

  it('random corruption of real options either reads or throws WeightsError (no other error, no hang)', () => {
    const file = resolve(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
    const m = readTfliteModel(new Uint8Array(readFileSync(file)), file);
    const original = m.operators.find((o) => o.customCode === 'TFLite_Detection_PostProcess')!.customOptions!;
    const rnd = seededRandom(7);
    for (let n = 0; n < 3000; n++) {
      const b = original.slice(0, n % 5 === 0 ? Math.floor(rnd() * original.length) : original.length);
      for (let k = 0; k < 3; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      try { readFlexMap(b, 'f', 'opts'); } catch (e) { expect(e).toBeInstanceOf(WeightsError); }
    }
  });
});
