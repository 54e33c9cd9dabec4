// A plain integer reference of TFLite's quantized MobileNetV1 arithmetic (test oracle, slow): the same
// formulas as lib/weights/tflite-quant.ts's header, written the direct way, with BigInt for the 64-bit product.

import { buildSpec } from '../../lib/graph.js';
import type { QuantNet } from '../../lib/weights/tflite-quant.js';

const I32_MIN = -(2 ** 31), I32_MAX = 2 ** 31 - 1;

/** gemmlowp SaturatingRoundingDoublingHighMul. */
export function srdhm(a: number, b: number): number {
  if (a === I32_MIN && b === I32_MIN) return I32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, as C++ int64
}

/** gemmlowp RoundingDivideByPOT (round half away from zero). */
export function rdbpot(x: number, e: number): number {
  if (e === 0) return x;
  const mask = 2 ** e - 1;
  const rem = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (rem > threshold ? 1 : 0);
}

/** TFLite MultiplyByQuantizedMultiplier. */
export function requantize(acc: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  return rdbpot(srdhm(acc * 2 ** left, multiplier), right);
}

export type PoolRounding = 'half-up' | 'half-away';

/** Runs the whole network on one quantized input (R x R x 3, HWC); returns the classifier output (classes). */
export function qref(net: QuantNet, resolution: number, input: ArrayLike<number>, poolRounding: PoolRounding = 'half-up'): Int32Array {
  const classes = net.layers[27]!.bias.length;
  const alpha = (net.layers[0]!.bias.length / 32);
  const spec = buildSpec(alpha, resolution, classes);
  let x = Int32Array.from(input);
  let size = resolution, ch = 3;
  for (let li = 0; li < 27; li++) {
    const L = net.layers[li]!, S = spec.layers[li]!;
    const out = S.outSize, s = S.stride, C = S.outChannels;
    const total = Math.max((out - 1) * s + 3 - size, 0), pad = Math.floor(total / 2);
    const zi = L.input.zeroPoint, zw = L.weightZeroPoint, zo = L.output.zeroPoint;
    const y = new Int32Array(out * out * C);
    const w = L.weights;
    for (let oy = 0; oy < out; oy++) {
      for (let ox = 0; ox < out; ox++) {
        for (let o = 0; o < C; o++) {
          let acc = L.bias[o]!;
          if (S.kind === 'pwconv') {
            const xb = (oy * size + ox) * ch;
            for (let i = 0; i < ch; i++) acc += (x[xb + i]! - zi) * (w[o * ch + i]! - zw);
          } else {
            for (let ky = 0; ky < 3; ky++) {
              const iy = oy * s + ky - pad;
              if (iy < 0 || iy >= size) continue;
              for (let kx = 0; kx < 3; kx++) {
                const ix = ox * s + kx - pad;
                if (ix < 0 || ix >= size) continue;
                const xb = (iy * size + ix) * ch;
                if (S.kind === 'dwconv') acc += (x[xb + o]! - zi) * (w[(ky * 3 + kx) * C + o]! - zw);
                else for (let i = 0; i < 3; i++) acc += (x[xb + i]! - zi) * (w[((o * 3 + ky) * 3 + kx) * 3 + i]! - zw);
              }
            }
          }
          const v = zo + requantize(acc, L.multiplier[o]!, L.shift[o]!);
          y[(oy * out + ox) * C + o] = Math.min(L.outputMax, Math.max(L.outputMin, v));
        }
      }
    }
    x = y; size = out; ch = C;
  }
  const n = size * size;
  const pooled = new Int32Array(ch);
  for (let c = 0; c < ch; c++) {
    let acc = 0;
    for (let p = 0; p < n; p++) acc += x[p * ch + c]!;
    const r = poolRounding === 'half-up' || acc >= 0 ? Math.trunc((acc + Math.floor(n / 2)) / n) : Math.trunc((acc - Math.floor(n / 2)) / n);
    pooled[c] = r;
  }
  const L = net.layers[27]!;
  const logits = new Int32Array(classes);
  for (let o = 0; o < classes; o++) {
    let acc = L.bias[o]!;
    for (let i = 0; i < ch; i++) acc += (pooled[i]! - L.input.zeroPoint) * (L.weights[o * ch + i]! - L.weightZeroPoint);
    logits[o] = Math.min(L.outputMax, Math.max(L.outputMin, L.output.zeroPoint + requantize(acc, L.multiplier[o]!, L.shift[o]!)));
  }
  return logits;
}
