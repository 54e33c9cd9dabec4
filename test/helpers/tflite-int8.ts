// int8 per-channel MobileNetV1 .tflite files made from real float weights, as TF2's full-integer
// converter lays them out: symmetric int8 weights with one scale per output channel
// (quantized_dimension 0 for OHWI conv kernels, 3 for the 1HWC depthwise kernel), int32 biases with
// scale input_scale · weight_scale[c], and asymmetric int8 activations whose ranges were calibrated on
// images (test/fixtures/tflite-quant/goldens.json stores the ranges, so the file is rebuilt bit for bit
// without TFLite). The input is INT8 with scale 1/128 and zero point 0: the int8 input is byte - 128.
//
// Used by bench/tflite-quant-goldens.ts (which calibrates and writes the goldens) and by the tests.

import type { NetWeights } from '../../lib/weights/types.js';
import { mobilenetTflite, serializeTflite, T, type WModel, type WTensor } from './tflite-writer.js';

/** The float model with every op output (27 convs, pool, classifier) made a graph output, for calibration. */
export function floatModelAllOutputs(w: NetWeights, resolution: number): { bytes: Uint8Array; outputs: number } {
  const { model } = mobilenetTflite(w, { resolution, quantized: false, tail: 'none' });
  const outs = model.operators.map((op) => op.outputs[0]!);
  return { bytes: serializeTflite({ ...model, outputs: outs }), outputs: outs.length };
}

/** Asymmetric int8 parameters over [min(lo, 0), max(hi, 0)] (TFLite's converter rule). */
export function int8Params(lo: number, hi: number): { scale: number; zeroPoint: number } {
  const l = Math.min(lo, 0), h = Math.max(hi, 0);
  const scale = Math.fround(h > l ? (h - l) / 255 : 1);
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - l / scale)));
  return { scale, zeroPoint };
}

function f32Values(b: Uint8Array): Float32Array {
  const out = new Float32Array(b.length / 4);
  const d = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = d.getFloat32(4 * i, true);
  return out;
}

export const INT8_INPUT = { scale: Math.fround(1 / 128), zeroPoint: 0 } as const;

/**
 * The int8 per-channel model: `ranges[i]` = calibrated [min, max] of op i's float output (29 ops:
 * conv1, 13 × (depthwise, pointwise), average pool, classifier). The pool keeps its input's
 * parameters (TFLite requires equal input/output quantization for AVERAGE_POOL_2D).
 */
export function int8Tflite(w: NetWeights, resolution: number, ranges: ReadonlyArray<readonly [number, number]>): Uint8Array {
  const { model } = mobilenetTflite(w, { resolution, quantized: false, tail: 'none' });
  if (ranges.length !== model.operators.length) throw new Error(`expected ${model.operators.length} ranges, got ${ranges.length}`);
  const tensors: WTensor[] = model.tensors.map((t) => ({ ...t }));
  const buffers = model.buffers.slice();
  const setAct = (i: number, p: { scale: number; zeroPoint: number }): void => {
    tensors[i] = { ...tensors[i]!, type: T.INT8, scale: [p.scale], zeroPoint: [p.zeroPoint] };
  };
  setAct(model.inputs[0]!, INT8_INPUT);
  let inScale: number = INT8_INPUT.scale;
  let inParams: { scale: number; zeroPoint: number } = INT8_INPUT;
  model.operators.forEach((op, i) => {
    const out = op.outputs[0]!;
    if (op.inputs.length === 1) { // AVERAGE_POOL_2D
      setAct(out, inParams);
      return;
    }
    const wt = tensors[op.inputs[1]!]!, bt = tensors[op.inputs[2]!]!;
    const values = f32Values(buffers[wt.buffer]!);
    const dw = wt.shape[0] === 1 && wt.shape.length === 4 && op.conv?.depthMultiplier !== undefined;
    const C = dw ? wt.shape[3]! : wt.shape[0]!;
    const per = values.length / C;
    const scales: number[] = [];
    const q = new Int8Array(values.length);
    for (let c = 0; c < C; c++) {
      let m = 0;
      for (let j = 0; j < per; j++) m = Math.max(m, Math.abs(values[dw ? j * C + c : c * per + j]!));
      const s = Math.fround(m > 0 ? m / 127 : 1);
      scales.push(s);
      for (let j = 0; j < per; j++) {
        const k = dw ? j * C + c : c * per + j;
        q[k] = Math.max(-127, Math.min(127, Math.round(values[k]! / s)));
      }
    }
    buffers[wt.buffer] = new Uint8Array(q.buffer);
    tensors[op.inputs[1]!] = { ...wt, type: T.INT8, scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: dw ? 3 : 0 };
    const bias = f32Values(buffers[bt.buffer]!);
    const bScales = scales.map((s) => Math.fround(inScale * s));
    const bq = new Int32Array(C);
    for (let c = 0; c < C; c++) bq[c] = Math.round(bias[c]! / bScales[c]!);
    buffers[bt.buffer] = new Uint8Array(bq.buffer);
    tensors[op.inputs[2]!] = { ...bt, type: T.INT32, scale: bScales, zeroPoint: bScales.map(() => 0), quantizedDimension: 0 };
    const p = int8Params(ranges[i]![0], ranges[i]![1]);
    setAct(out, p);
    inScale = p.scale;
    inParams = p;
  });
  const m: WModel = { ...model, tensors, buffers, description: 'int8 per-channel MobileNetV1 (test/helpers/tflite-int8.ts)' };
  return serializeTflite(m);
}
