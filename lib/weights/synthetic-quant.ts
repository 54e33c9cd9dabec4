// Seeded synthetic quantized MobileNetV1 weights for any α (the resolution is the graph's), in the form a
// quantized TFLite file gives (lib/weights/tflite-quant.ts QuantNet): for `mobilenet bench --dtype uint8|int8`
// and tests. The float weights of syntheticWeights() (folded bias) are quantized as TFLite's converter
// would: uint8 per-tensor asymmetric over [min(0, lo), max(0, hi)], or int8 symmetric per output channel;
// int32 biases at input_scale · weight_scale; ReLU6 activations over [0, 6]; the same requantization
// arithmetic as real files. Latency does not depend on the values.

import { buildSpec } from '../graph.js';
import { syntheticWeights } from './synthetic.js';
import {
  activationRange, int8ConvMultiplier, quantizeMultiplier, uint8ConvMultiplier,
  type QuantDtype, type QuantLayer, type QuantNet, type QuantParams,
} from './tflite-quant.js';
import type { NetWeights } from './types.js';

export function syntheticQuantWeights(alpha: number, dtype: QuantDtype, options: { seed?: number; classes?: number } = {}): NetWeights {
  const { seed = 1, classes = 1001 } = options;
  const w = syntheticWeights(alpha, { seed, classes, batchNorm: false });
  const spec = buildSpec(alpha, 224, classes);
  const s8 = dtype === 'int8';
  const relu6: QuantParams = { scale: Math.fround(6 / 255), zeroPoint: s8 ? -128 : 0 };
  const input: QuantParams = { scale: Math.fround(1 / 128), zeroPoint: s8 ? 0 : 128 };
  let inP = input;
  const layers: QuantLayer[] = spec.layers.map((l, li) => {
    const src = w.layers[li]!;
    const C = l.outChannels;
    const taps = src.kernel.length / C; // canonical layouts keep the output channel fastest
    // Canonical [taps][C] → TFLite's layouts: depthwise keeps [9][C]; the others are [C][taps].
    const at = (c: number, t: number): number => src.kernel[t * C + c]!;
    const out = l.kind === 'classifier' ? { scale: 0.01, zeroPoint: s8 ? 0 : 128 } : relu6;
    const q = s8 ? new Int8Array(C * taps) : new Uint8Array(C * taps);
    const index = (c: number, t: number): number => (l.kind === 'dwconv' ? t * C + c : c * taps + t);
    let scales: number[], zp = 0;
    if (s8) {
      scales = Array.from({ length: C }, (_, c) => {
        let m = 0;
        for (let t = 0; t < taps; t++) m = Math.max(m, Math.abs(at(c, t)));
        return Math.fround(m > 0 ? m / 127 : 1);
      });
      for (let c = 0; c < C; c++) for (let t = 0; t < taps; t++) q[index(c, t)] = Math.max(-127, Math.min(127, Math.round(at(c, t) / scales[c]!)));
    } else {
      let lo = 0, hi = 0;
      for (const v of src.kernel) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      const s = Math.fround(hi > lo ? (hi - lo) / 255 : 1);
      zp = Math.min(255, Math.max(0, Math.round(-lo / s)));
      scales = [s];
      for (let c = 0; c < C; c++) for (let t = 0; t < taps; t++) q[index(c, t)] = Math.max(0, Math.min(255, Math.round(at(c, t) / s) + zp));
    }
    const ws = (c: number): number => scales[s8 ? c : 0]!;
    const bias = Int32Array.from({ length: C }, (_, c) => Math.round(src.bias![c]! / Math.fround(inP.scale * ws(c))));
    const multiplier = new Int32Array(C), shift = new Int32Array(C);
    for (let c = 0; c < C; c++) {
      const m = quantizeMultiplier(s8 ? int8ConvMultiplier(inP.scale, ws(c), out.scale) : uint8ConvMultiplier(inP.scale, ws(c), out.scale));
      multiplier[c] = m.multiplier;
      shift[c] = m.shift;
    }
    const range = activationRange(l.kind === 'classifier' ? 'none' : 'relu6', out, dtype);
    const layer: QuantLayer = {
      name: l.name, kind: l.kind, weights: q, weightZeroPoint: zp, weightScales: Float32Array.from(scales), bias,
      input: inP, output: out, multiplier, shift, outputMin: range.min, outputMax: range.max,
    };
    inP = out; // the next layer's input (the pool keeps its input's parameters)
    return layer;
  });
  const quant: QuantNet = { dtype, input, layers, pool: relu6, output: layers[layers.length - 1]!.output };
  return {
    ...w, source: `synthetic(alpha=${alpha}, seed=${seed}, ${dtype})`, normalization: 'tflite-uint8', quantized: true, quant,
  };
}
