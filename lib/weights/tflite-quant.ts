// Quantized TFLite MobileNetV1: the integer form of a uint8 or int8 file, kept as the file stores it (no
// dequantization), with the requantization parameters TensorFlow Lite 2.2 derives from it.
//
// Two schemes, chosen from the file:
// - 'uint8': per-tensor asymmetric (the released *_quant.tflite files, Coral): uint8 activations and weights,
//   each with one scale and zero point; int32 biases with scale input_scale · weight_scale.
// - 'int8': per-channel (TF2's full-integer converter): int8 activations with a zero point, symmetric int8
//   weights with one scale per output channel (quantized_dimension 0 for OHWI, 3 for the 1HWC depthwise
//   kernel), int32 biases with scale input_scale · weight_scale[c].
//
// Requantization, as TFLite 2.2 (tensorflow/lite/kernels/kernel_util.cc, internal/quantization_util.cc):
//   real multiplier M = input_scale · weight_scale / output_scale
//     uint8: GetQuantizedConvolutionMultipler: the float32 product input_scale · weight_scale, widened to
//            double, divided by output_scale in double;
//     int8:  PopulateConvolutionQuantizationParams: the product and quotient in double, per channel;
//   QuantizeMultiplier(M): M = q · 2^shift with q in [0.5, 1) (frexp), multiplier = round(q · 2^31) (half
//   away from zero), and 2^31 becomes 2^30 with shift + 1; shift < -31 gives multiplier 0, shift 0.
//   The kernels then compute out = clamp(zp_out + RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(
//   acc << max(shift, 0), multiplier), max(-shift, 0)), act_min, act_max), acc = bias + Σ (x - zp_in)(w - zp_w).
//   Activation range (CalculateActivationRangeQuantized): RELU6 = [max(qmin, zp + round(0 / s)),
//   min(qmax, zp + round(6 / s))] with the division in float32 and round half away from zero; none = [qmin, qmax].
// Average pool: TFLite requires equal input and output quantization; out = clamp(round(Σ / n)) (the rounding of
// each scheme is in the native kernel's contract).

import { WeightsError } from '../errors.js';
import { parseTflite, readTfliteModel, TensorType, tensorTypeName, type TfliteModel, type TfliteTensor } from './tflite.js';
import type { NetWeights } from './types.js';

export type QuantDtype = 'uint8' | 'int8';

/** real = scale · (q - zeroPoint). */
export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

export interface QuantLayer {
  /** Keras name, as buildSpec: conv1, conv_dw_1, conv_pw_1, ..., conv_preds. */
  name: string;
  kind: 'conv' | 'dwconv' | 'pwconv' | 'classifier';
  /**
   * Weights in the file's layout: conv1 OHWI [Cout, 3, 3, 3]; depthwise [3, 3, C] (1HWC);
   * pointwise and classifier [Cout, Cin]. Uint8Array for 'uint8', Int8Array for 'int8'.
   */
  weights: Uint8Array | Int8Array;
  /** Weight zero point (uint8: 0..255; int8: 0). */
  weightZeroPoint: number;
  /** Weight scales: 1 (per-tensor) or Cout (per-channel). */
  weightScales: Float32Array;
  /** int32 bias per output channel (scale input_scale · weight_scale[c], zero point 0). */
  bias: Int32Array;
  input: QuantParams;
  output: QuantParams;
  /** Per output channel (a per-tensor value repeated): Q31 multiplier and its power-of-two exponent. */
  multiplier: Int32Array;
  shift: Int32Array;
  /** Fused activation clamp in the quantized domain (RELU6, or the full range for the classifier). */
  outputMin: number;
  outputMax: number;
}

export interface QuantNet {
  dtype: QuantDtype;
  /** The graph input's quantization (the official uint8 files: scale 1/128, zero point 128). */
  input: QuantParams;
  /** conv1, 13 × (depthwise, pointwise), conv_preds: 28 layers, as buildSpec. */
  layers: QuantLayer[];
  /** The global average pool (input and output quantization equal). */
  pool: QuantParams;
  /** The logits' quantization (the classifier output). */
  output: QuantParams;
}

// ---------------------------------------------------------------------------------------------------
// TFLite's requantization arithmetic

/** frexp for a positive finite x: x = q · 2^e, q in [0.5, 1). */
function frexp(x: number): { q: number; e: number } {
  let e = Math.floor(Math.log2(x)) + 1;
  let q = x / 2 ** e;
  if (q >= 1) { q /= 2; e += 1; }
  if (q < 0.5) { q *= 2; e -= 1; }
  return { q, e };
}

/**
 * TFLite QuantizeMultiplier: a real multiplier as a Q31 fixed-point multiplier and a power-of-two exponent
 * (real ≈ multiplier · 2^(shift - 31)). Throws RangeError for negative or non-finite input.
 */
export function quantizeMultiplier(real: number): { multiplier: number; shift: number } {
  if (!(Number.isFinite(real) && real >= 0)) throw new RangeError(`quantizeMultiplier: expected a finite multiplier >= 0, got ${real}`);
  if (real === 0) return { multiplier: 0, shift: 0 };
  const { q, e } = frexp(real);
  let fixed = Math.round(q * 2 ** 31); // q > 0: Math.round is round-half-away-from-zero here
  let shift = e;
  if (fixed === 2 ** 31) { fixed /= 2; shift += 1; }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: fixed, shift };
}

/** uint8 (GetQuantizedConvolutionMultipler): float32 product of the input and weight scales, then a double quotient. */
export function uint8ConvMultiplier(inputScale: number, weightScale: number, outputScale: number): number {
  return Math.fround(Math.fround(inputScale) * Math.fround(weightScale)) / Math.fround(outputScale);
}

/** int8 per-channel (PopulateConvolutionQuantizationParams): product and quotient in double. */
export function int8ConvMultiplier(inputScale: number, weightScale: number, outputScale: number): number {
  return (Math.fround(inputScale) * Math.fround(weightScale)) / Math.fround(outputScale);
}

const roundAway = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

/** CalculateActivationRangeQuantized for RELU6, RELU or no activation ('none'). */
export function activationRange(act: 'relu6' | 'relu' | 'none', out: QuantParams, dtype: QuantDtype): { min: number; max: number } {
  const qmin = dtype === 'uint8' ? 0 : -128, qmax = dtype === 'uint8' ? 255 : 127;
  if (act === 'none') return { min: qmin, max: qmax };
  const quantize = (f: number): number => out.zeroPoint + roundAway(Math.fround(f / Math.fround(out.scale)));
  return { min: Math.max(qmin, quantize(0)), max: act === 'relu' ? qmax : Math.min(qmax, quantize(6)) };
}

// ---------------------------------------------------------------------------------------------------
// Reading

function params(t: TfliteTensor, fail: (m: string) => never): QuantParams {
  if (!t.scale || !t.zeroPoint || t.scale.length !== 1 || t.zeroPoint.length !== 1) {
    fail(`tensor '${t.name}' (${tensorTypeName(t.type)}) needs one quantization scale and zero point, found ${t.scale?.length ?? 0} and ${t.zeroPoint?.length ?? 0}`);
  }
  const scale = t.scale[0]!, zeroPoint = t.zeroPoint[0]!;
  if (!(Number.isFinite(scale) && scale > 0)) fail(`tensor '${t.name}' has quantization scale ${scale}, expected a positive finite number`);
  return { scale, zeroPoint };
}

/**
 * The integer form of a quantized MobileNetV1 .tflite (the graph is validated by parseTflite, which also gives
 * the dequantized weights for the float path). Returns quant undefined for a float32 file. Throws WeightsError
 * for a file the integer path cannot run as TFLite would (mixed types, zero points out of range, unequal pool
 * quantization, a bias scale that is not input_scale · weight_scale, per-channel uint8 weights).
 */
export function parseTfliteQuantized(bytes: Uint8Array, source: string): { weights: NetWeights; quant?: QuantNet } {
  const weights = parseTflite(bytes, source);
  const m: TfliteModel = readTfliteModel(bytes, source);
  const fail = (msg: string): never => { throw new WeightsError(source, msg); };
  const inputT = m.tensors[m.inputs[0]!]!;
  if (inputT.type === TensorType.FLOAT32) return { weights };
  const dtype: QuantDtype = inputT.type === TensorType.UINT8 ? 'uint8' : 'int8';
  const actType = dtype === 'uint8' ? TensorType.UINT8 : TensorType.INT8;
  const [qmin, qmax] = dtype === 'uint8' ? [0, 255] : [-128, 127];
  const act = (t: TfliteTensor, what: string): QuantParams => {
    if (t.type !== actType) fail(`${what} tensor '${t.name}' has type ${tensorTypeName(t.type)}, expected ${tensorTypeName(actType)} like the input`);
    const p = params(t, fail);
    if (!(Number.isInteger(p.zeroPoint) && p.zeroPoint >= qmin && p.zeroPoint <= qmax)) fail(`tensor '${t.name}' has zero point ${p.zeroPoint}, expected ${qmin}..${qmax}`);
    return p;
  };
  const input = act(inputT, 'input');
  const names = ['conv1'];
  for (let b = 1; b <= 13; b++) names.push(`conv_dw_${b}`, `conv_pw_${b}`);
  const layers: QuantLayer[] = [];
  const opIndex = (li: number): number => (li < 27 ? li : 28); // op 27 is the average pool
  let pool: QuantParams = input;
  for (let li = 0; li < 28; li++) {
    const op = m.operators[opIndex(li)]!;
    const name = li < 27 ? names[li]! : 'conv_preds';
    const kind: QuantLayer['kind'] = li === 0 ? 'conv' : li === 27 ? 'classifier' : li % 2 === 1 ? 'dwconv' : 'pwconv';
    const inT = m.tensors[op.inputs[0]!]!, wT = m.tensors[op.inputs[1]!]!, bT = m.tensors[op.inputs[2]!]!, outT = m.tensors[op.outputs[0]!]!;
    const inP = act(inT, `${name} input`), outP = act(outT, `${name} output`);
    if (li === 27) {
      pool = inP;
      const poolOp = m.operators[27]!;
      const poolIn = act(m.tensors[poolOp.inputs[0]!]!, 'pool input');
      if (poolIn.scale !== inP.scale || poolIn.zeroPoint !== inP.zeroPoint) {
        fail(`op 27 (AVERAGE_POOL_2D): input quantization (scale ${poolIn.scale}, zero point ${poolIn.zeroPoint}) differs from its output's ` +
          `(scale ${inP.scale}, zero point ${inP.zeroPoint}); TFLite requires them equal`);
      }
    }
    if (wT.type !== actType) fail(`tensor '${wT.name}' has type ${tensorTypeName(wT.type)}, expected ${tensorTypeName(actType)} weights in a ${dtype} model`);
    const C = kind === 'dwconv' ? wT.shape[3]! : wT.shape[0]!;
    const ws = wT.scale ?? [], wz = wT.zeroPoint ?? [];
    if (dtype === 'uint8' && ws.length !== 1) fail(`tensor '${wT.name}' has ${ws.length} quantization scales, expected 1 (uint8 models are per-tensor)`);
    if (dtype === 'int8') {
      const qdim = wT.quantizedDimension ?? 0, want = kind === 'dwconv' ? 3 : 0;
      if (ws.length !== 1 && (ws.length !== C || qdim !== want)) fail(`tensor '${wT.name}' has ${ws.length} scales along dimension ${qdim}, expected 1 or ${C} along dimension ${want}`);
      if (wz.some((z) => z !== 0)) fail(`tensor '${wT.name}' has a non-zero zero point, expected symmetric int8 weights (0)`);
    }
    const wzp = wz[0] ?? 0;
    if (dtype === 'uint8' && !(wzp >= 0 && wzp <= 255)) fail(`tensor '${wT.name}' has zero point ${wzp}, expected 0..255 for UINT8`);
    const raw = m.buffer(wT.buffer);
    const weightsQ = dtype === 'uint8' ? raw.slice() : new Int8Array(raw.slice().buffer);
    if (bT.type !== TensorType.INT32) fail(`tensor '${bT.name}' has type ${tensorTypeName(bT.type)}, expected INT32 (quantized bias)`);
    const braw = m.buffer(bT.buffer).slice();
    const bias = new Int32Array(braw.buffer, 0, C);
    const multiplier = new Int32Array(C), shift = new Int32Array(C);
    const bScales = bT.scale ?? [];
    for (let c = 0; c < C; c++) {
      const wScale = ws.length === 1 ? ws[0]! : ws[c]!;
      const bScale = bScales.length === 1 ? bScales[0]! : bScales[c];
      const product = dtype === 'uint8' ? Math.fround(Math.fround(inP.scale) * Math.fround(wScale)) : inP.scale * wScale;
      // TFLite's own check (GetQuantizedConvolutionMultipler / PopulateConvolutionQuantizationParams).
      if (bScale === undefined || !(Math.abs(product - bScale) <= 1e-6 * Math.min(product, bScale))) {
        fail(`tensor '${bT.name}' has scale ${bScale} for channel ${c}, expected input scale · weight scale = ${product}`);
      }
      const real = dtype === 'uint8' ? uint8ConvMultiplier(inP.scale, wScale, outP.scale) : int8ConvMultiplier(inP.scale, wScale, outP.scale);
      const q = quantizeMultiplier(real);
      multiplier[c] = q.multiplier;
      shift[c] = q.shift;
    }
    // The declared fused activation decides the clamp, as in TFLite (a NONE whose output range is [0, 6]
    // clamps to the full range, which that range makes the same).
    const fused = op.conv?.activation ?? op.fcActivation ?? 0;
    if (fused !== 0 && fused !== 1 && fused !== 3) fail(`op ${op.index} (${name}): fused activation ${fused} is not NONE, RELU or RELU6`);
    const range = activationRange(fused === 3 ? 'relu6' : fused === 1 ? 'relu' : 'none', outP, dtype);
    layers.push({
      name, kind, weights: weightsQ, weightZeroPoint: wzp, weightScales: Float32Array.from(ws), bias, input: inP, output: outP,
      multiplier, shift, outputMin: range.min, outputMax: range.max,
    });
  }
  return { weights, quant: { dtype, input, layers, pool, output: layers[27]!.output } };
}
