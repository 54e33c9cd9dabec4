// Graph recognisers for the TFLite files beyond the plain MobileNetV1 chain: MobileNetV2 (inverted residual
// blocks) and SSD-MobileNetV1 (backbone, extra feature layers, box/class predictors, TFLite_Detection_PostProcess).
// A file becomes a layer table (tensor ids: 0 = the network input, i + 1 = the output of layers[i]; every input
// id smaller than the layer's own) plus float weights in the canonical layouts of weights/types.ts, dequantized
// from uint8/int8 files as TFLite defines (real = scale · (q - zero_point)). The recogniser walks the operators
// in file order, turns each into a layer kind, then checks the whole against the architecture's shape;
// anything that does not fit fails with the operator, tensor and expectation named.
//
// Layer kinds (what the executor must run):
//   conv        dense KxK convolution, TF SAME padding, stride 1 or 2      kernel [kh, kw, cin, cout] + bias
//   dwconv      depthwise 3x3, depth multiplier 1                          kernel [3, 3, c] + bias
//   pwconv      1x1 convolution (GEMM over pixels)                         kernel [cin, cout] + bias
//   classifier  1x1 convolution on the pooled features                     kernel [cin, classes] + bias
//   gavgpool    global average pool
//   add         elementwise sum of two tensors of one shape (residual), then the clamp
//   concat      the inputs' elements one after another (TFLite CONCATENATION on an axis whose outer dims are
//               all 1 after RESHAPE, which is what SSD's predictors give: rows of [n_i, 1, c])
//   logistic    elementwise 1 / (1 + e^-x)
//   detection_postprocess  TFLite_Detection_PostProcess (native/runtime/detection_postprocess.h); inputs
//               [box encodings, class scores], anchors and options in `detection`; one output of
//               slots·4 boxes, slots classes, slots scores, 1 count (slots = max_detections · max_classes_per_detection)
// RESHAPE and SQUEEZE move no data in NHWC and become no layer; the final SOFTMAX is dropped (logits are returned).
// activation: the fused clamp intersected with the output's representable range in a quantized file, so the
// float form saturates where the integer one does (e.g. SSD's backbone: no fused op, output range [0, 6]).

import { WeightsError } from '../errors.js';
import { readFlexMap } from './flexbuffers.js';
import { Activation, BuiltinOp, opName, Padding, readTfliteModel, TensorType, tensorTypeName, type TfliteModel, type TfliteOperator, type TfliteTensor } from './tflite.js';
import type { DetectionOptions, DType, Graph as BaseGraph, GraphLayer as BaseLayer, LayerKind, Quantization, Shape } from '../graph.js';
import type { LayerWeights } from './types.js';
import { activationRange, quantizeMultiplier, uint8ConvMultiplier, type QuantLayer } from './tflite-quant.js';

export type Architecture = 'mobilenet_v1' | 'mobilenet_v2' | 'ssd_mobilenet_v1';
export type { DetectionOptions, DType, Quantization, Shape } from '../graph.js';
export type GraphLayerKind = LayerKind;

/** A layer of the table (lib/graph.ts) plus the TFLite operator it came from. */
export interface GraphLayer extends BaseLayer {
  op: number;
}

export interface Graph extends Omit<BaseGraph, 'layers'> {
  layers: GraphLayer[];
}

export interface RecognisedModel {
  architecture: Architecture;
  source: string;
  resolution: number;
  graph: Graph;
  weights: LayerWeights[];
  quantized: boolean;
  /** Classifiers: logits width (1001 with background first). SSD: the classes the detector names (no background). */
  classes: number;
  /** 1 when logit/score 0 is a background class. */
  classOffset: number;
  /** The width multiplier the channel counts imply (MobileNetV2; SSD: its MobileNetV1 backbone's). */
  alpha?: number;
  /**
   * uint8 files whose every layer has a TFLite 2.2 integer kernel here (MobileNetV2): the integer weights per
   * weight index (lib/binding.ts toNativeGraph's `quant.layers`) and each layer's quantized clamp.
   */
  integer?: { layers: QuantLayer[]; activation: Array<[number, number]> };
  detection?: {
    options: DetectionOptions;
    /** [numBoxes, 4] (y, x, h, w), dequantized as TFLite does: (float(q) - zero_point) · scale. */
    anchors: Float32Array;
    numBoxes: number;
    /** Width of a class-score row (num_classes + 1 with the background column). */
    scoreWidth: number;
  };
}

const fmtShape = (s: readonly number[]): string => `[${s.join(',')}]`;
const NONE: [number, number] = [-Infinity, Infinity];
const DETECTION_OP = 'TFLite_Detection_PostProcess';

/** TF SAME padding: out = ceil(in / stride), total max((out - 1)·stride + k - in, 0), floor half before. */
function samePadding(inSize: number, k: number, stride: number): { out: number; before: number; after: number } {
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + k - inSize, 0);
  return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
}

/** MobileNetV2's channel rounding (_make_divisible in the reference implementation). */
export function makeDivisible(v: number, divisor = 8): number {
  const n = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  return n < 0.9 * v ? n + divisor : n;
}

/** MobileNetV2 (Sandler et al. 2018, Table 2): expansion t, output channels c, repeats n, first stride s. */
export const V2_BLOCKS = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]] as const;
export const V2_ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4] as const;

class Recogniser {
  m: TfliteModel;
  readonly layers: GraphLayer[] = [];
  readonly weights: LayerWeights[] = [];
  /** TFLite tensor index → graph tensor id (0 = input), through RESHAPE/SQUEEZE aliases. */
  readonly id = new Map<number, number>();
  /** graph tensor id → the TFLite tensor holding it (its quantization). */
  readonly tensorOf: TfliteTensor[] = [];
  quantized = false;
  softmax = false;
  /** uint8 form per weight index, and the quantized clamp per layer (TFLite's activation range of the fused op). */
  readonly qlayers: QuantLayer[] = [];
  readonly qclamp: Array<[number, number]> = [];
  /** False once a layer has no uint8 form (float or int8 tensors, a kind without an integer kernel). */
  integer = true;
  detection?: RecognisedModel['detection'];

  constructor(bytes: Uint8Array, readonly source: string) {
    this.m = readTfliteModel(bytes, source);
  }

  fail(message: string): never { throw new WeightsError(this.source, message); }

  label(op: TfliteOperator): string {
    return `op ${op.index} (${op.customCode ?? opName(op.opcode)})`;
  }

  tensor(i: number | undefined, what: string): TfliteTensor {
    const t = i === undefined || i < 0 ? undefined : this.m.tensors[i];
    if (!t) this.fail(`${what}: missing tensor`);
    return t;
  }

  quant(t: TfliteTensor): Quantization | undefined {
    return t.scale && t.zeroPoint && t.scale.length ? { scale: t.scale, zeroPoint: t.zeroPoint } : undefined;
  }

  dtypeOf(t: TfliteTensor, what: string): DType {
    if (t.type === TensorType.FLOAT32) return 'float32';
    if (t.type === TensorType.UINT8) return 'uint8';
    if (t.type === TensorType.INT8) return 'int8';
    return this.fail(`${what}: tensor '${t.name}' has type ${tensorTypeName(t.type)}, expected FLOAT32, UINT8 or INT8`);
  }

  /** Graph id of a TFLite tensor that some earlier op (or the input) produced. */
  input(op: TfliteOperator, k: number): number {
    const t = op.inputs[k];
    const id = t === undefined ? undefined : this.id.get(t);
    if (id === undefined) this.fail(`${this.label(op)}: input ${k} (tensor ${t}) is not produced by an earlier op or the graph input`);
    return id;
  }

  shapeOf(id: number): Shape {
    return id === 0 ? this.inputShape : this.layers[id - 1]!.outShape;
  }

  inputShape: Shape = [0, 0, 0];

  /** Float values of a constant tensor: FLOAT32, UINT8 (per tensor), INT8 (per channel of `axis`), INT32 bias. */
  values(t: TfliteTensor, axis = 0): Float32Array {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const raw = this.m.buffer(t.buffer);
    const elem = t.type === TensorType.FLOAT32 || t.type === TensorType.INT32 ? 4 : t.type === TensorType.UINT8 || t.type === TensorType.INT8 ? 1 : 0;
    if (!elem) this.fail(`tensor '${t.name}' has type ${tensorTypeName(t.type)}, expected FLOAT32, UINT8, INT8 or INT32`);
    if (raw.length !== n * elem) this.fail(`tensor '${t.name}' (shape ${fmtShape(t.shape)}, ${tensorTypeName(t.type)}) expects ${n * elem} bytes of data, found ${raw.length} in buffer ${t.buffer}`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = new Float32Array(n);
    if (t.type === TensorType.FLOAT32) {
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
    } else {
      this.quantized = true;
      const q = this.quant(t);
      if (!q) this.fail(`tensor '${t.name}' has type ${tensorTypeName(t.type)} but no quantization scale and zero point`);
      const channels = q.scale.length;
      const inner = channels === 1 ? n : t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      if (channels !== 1 && channels !== t.shape[axis]) this.fail(`tensor '${t.name}' has ${channels} quantization scales, expected 1 or ${t.shape[axis]} (one per channel of axis ${axis})`);
      for (let i = 0; i < n; i++) {
        const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
        const s = q.scale[c]!, zp = q.zeroPoint[c] ?? q.zeroPoint[0]!;
        const v = t.type === TensorType.UINT8 ? raw[i]! : t.type === TensorType.INT8 ? view.getInt8(i) : view.getInt32(4 * i, true);
        out[i] = Math.fround(s * (v - zp));
      }
    }
    for (let i = 0; i < n; i++) if (!Number.isFinite(out[i]!)) this.fail(`tensor '${t.name}' has a non-finite value (${out[i]}) at index ${i}`);
    return out;
  }

  /** The fused clamp, intersected with the representable range of a quantized output. */
  clamp(op: TfliteOperator, fused: number, out: TfliteTensor): [number, number] {
    let [lo, hi] = fused === Activation.RELU6 ? [0, 6] : fused === Activation.RELU ? [0, Infinity] : fused === Activation.NONE ? NONE : this.fail(`${this.label(op)}: unsupported fused activation ${fused} (expected NONE, RELU or RELU6)`);
    const q = this.quant(out);
    if (q && out.type !== TensorType.FLOAT32) {
      const [qmin, qmax] = out.type === TensorType.UINT8 ? [0, 255] : [-128, 127];
      lo = Math.max(lo, q.scale[0]! * (qmin - q.zeroPoint[0]!));
      hi = Math.min(hi, q.scale[0]! * (qmax - q.zeroPoint[0]!));
    }
    return [lo, hi];
  }

  /** The uint8 quantization of a tensor, or undefined (then the file has no integer form here). */
  u8(t: TfliteTensor): { scale: number; zeroPoint: number } | undefined {
    const q = this.quant(t);
    return t.type === TensorType.UINT8 && q && q.scale.length === 1 ? { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]! } : undefined;
  }

  /** TFLite's quantized clamp for a fused activation on a uint8 output. */
  qrange(fused: number, out: TfliteTensor): [number, number] {
    const p = this.u8(out);
    if (!p) return [0, 255];
    const r = activationRange(fused === Activation.RELU6 ? 'relu6' : fused === Activation.RELU ? 'relu' : 'none', p, 'uint8');
    return [r.min, r.max];
  }

  /** The uint8 form of a convolution / fully connected layer (weights in the file's layout), as TFLite 2.2 requantizes. */
  quantLayer(kind: QuantLayer['kind'], name: string, inT: TfliteTensor, kernel: TfliteTensor, bias: TfliteTensor, out: TfliteTensor, fused: number, cout: number): void {
    const inP = this.u8(inT), outP = this.u8(out), wP = this.u8(kernel);
    const bq = this.quant(bias);
    if (!inP || !outP || !wP || bias.type !== TensorType.INT32 || !bq) { this.integer = false; return; }
    const braw = this.m.buffer(bias.buffer).slice();
    if (braw.length !== 4 * cout) { this.integer = false; return; }
    const multiplier = new Int32Array(cout), shift = new Int32Array(cout);
    const q = quantizeMultiplier(uint8ConvMultiplier(inP.scale, wP.scale, outP.scale));
    multiplier.fill(q.multiplier);
    shift.fill(q.shift);
    const [outputMin, outputMax] = this.qrange(fused, out);
    this.qlayers[this.weights.length - 1] = {
      name, kind, weights: this.m.buffer(kernel.buffer).slice(), weightZeroPoint: wP.zeroPoint, weightScales: Float32Array.of(wP.scale),
      bias: new Int32Array(braw.buffer, 0, cout), input: inP, output: outP, multiplier, shift, outputMin, outputMax,
    };
  }

  push(op: TfliteOperator, l: Omit<GraphLayer, 'op' | 'dtype' | 'quantization'>): number {
    const outT = this.tensor(op.outputs[0], `${this.label(op)} output`);
    const q = this.quant(outT);
    this.layers.push({ ...l, op: op.index, dtype: this.dtypeOf(outT, `${this.label(op)} output`), ...(q ? { quantization: q } : {}) });
    const id = this.layers.length;
    this.id.set(outT.index, id);
    this.tensorOf[id] = outT;
    if (outT.shape.length) {
      const want = outT.shape.reduce((a, b) => a * b, 1), got = l.outShape[0] * l.outShape[1] * l.outShape[2];
      if (want !== got) this.fail(`${this.label(op)}: output tensor '${outT.name}' has shape ${fmtShape(outT.shape)}, expected ${got} elements (${fmtShape(l.outShape)})`);
    }
    return id;
  }

  convolution(op: TfliteOperator): void {
    const o = op.conv;
    if (!o) this.fail(`${this.label(op)}: missing ${op.opcode === BuiltinOp.CONV_2D ? 'Conv2DOptions' : 'DepthwiseConv2DOptions'}`);
    if (op.inputs.length !== 3 || op.inputs[2]! < 0) this.fail(`${this.label(op)}: expected 3 inputs (data, kernel, bias), found ${op.inputs.filter((x) => x >= 0).length}`);
    const src = this.input(op, 0);
    const [h, w, cin] = this.shapeOf(src);
    const kernel = this.tensor(op.inputs[1], `${this.label(op)} kernel`);
    const bias = this.tensor(op.inputs[2], `${this.label(op)} bias`);
    const out = this.tensor(op.outputs[0], `${this.label(op)} output`);
    if (kernel.shape.length !== 4) this.fail(`${this.label(op)}: kernel '${kernel.name}' has shape ${fmtShape(kernel.shape)}, expected 4 dimensions`);
    if (o.dilationH !== 1 || o.dilationW !== 1) this.fail(`${this.label(op)}: expected dilation 1x1, found ${o.dilationH}x${o.dilationW}`);
    if (o.strideH !== o.strideW || (o.strideH !== 1 && o.strideH !== 2)) this.fail(`${this.label(op)}: expected stride 1x1 or 2x2, found ${o.strideH}x${o.strideW}`);
    const depthwise = op.opcode === BuiltinOp.DEPTHWISE_CONV_2D;
    const [k0, kh, kw, k3] = kernel.shape as [number, number, number, number];
    if (kh !== kw || (kh !== 1 && kh !== 3)) this.fail(`${this.label(op)}: expected a 1x1 or 3x3 kernel, found ${kh}x${kw} (tensor '${kernel.name}' has shape ${fmtShape(kernel.shape)})`);
    const cout = depthwise ? k3 : k0;
    if (depthwise) {
      if (k0 !== 1 || k3 !== cin || o.depthMultiplier !== 1) this.fail(`${this.label(op)}: expected a depthwise kernel [1,3,3,${cin}] with depth_multiplier 1, found ${fmtShape(kernel.shape)} with depth_multiplier ${o.depthMultiplier}`);
      if (kh !== 3) this.fail(`${this.label(op)}: expected a 3x3 depthwise kernel, found ${kh}x${kw}`);
    } else if (k3 !== cin) {
      this.fail(`${this.label(op)}: kernel '${kernel.name}' has shape ${fmtShape(kernel.shape)}, expected [O,${kh},${kw},${cin}] for its ${cin}-channel input`);
    }
    if (bias.shape.length !== 1 || bias.shape[0] !== cout) this.fail(`${this.label(op)}: bias '${bias.name}' has shape ${fmtShape(bias.shape)}, expected [${cout}]`);
    if (kh === 3 && o.padding !== Padding.SAME) this.fail(`${this.label(op)}: expected padding SAME, found VALID`);
    if (kh === 1 && o.strideH !== 1) this.fail(`${this.label(op)}: expected stride 1 for a 1x1 convolution, found ${o.strideH}`);
    const py = samePadding(h, kh, o.strideH), px = samePadding(w, kw, o.strideW);
    const outShape: Shape = [py.out, px.out, cout];
    // Canonical layouts: conv OHWI → HWIO, 1x1 OHWI → IO, depthwise 1HWC → HWC.
    const kv = this.values(kernel, depthwise ? 3 : 0);
    let canonical: Float32Array;
    if (depthwise) canonical = kv;
    else {
      const taps = kh * kw;
      canonical = new Float32Array(kv.length);
      for (let oc = 0; oc < cout; oc++) for (let t = 0; t < taps; t++) for (let ic = 0; ic < cin; ic++) canonical[(t * cin + ic) * cout + oc] = kv[(oc * taps + t) * cin + ic]!;
    }
    this.weights.push({ kernel: canonical, bias: this.values(bias) });
    const kind: GraphLayerKind = depthwise ? 'dwconv' : kh === 3 ? 'conv' : this.pooled(src) ? 'classifier' : 'pwconv';
    this.quantLayer(kind as QuantLayer['kind'], `op ${op.index}`, this.tensorOf[src]!, kernel, bias, out, o.activation, cout);
    this.qclamp[this.layers.length] = this.qrange(o.activation, out);
    const kernelShape = depthwise ? [3, 3, cout] : kh === 3 ? [3, 3, cin, cout] : [cin, cout];
    this.push(op, {
      name: '', kind, inputs: [src], inShape: [h, w, cin], outShape, kernelSize: [kh, kw], stride: o.strideH,
      pad: [py.before, px.before, py.after, px.after], activation: this.clamp(op, o.activation, out),
      weights: this.weights.length - 1, kernelShape,
      macs: outShape[0] * outShape[1] * kh * kw * (depthwise ? cout : cin * cout),
      params: kernelShape.reduce((a, b) => a * b, 1) + cout,
    });
  }

  /** Whether tensor `id` is a global average pool's output (what a classifier reads). */
  pooled(id: number): boolean {
    return id > 0 && this.layers[id - 1]!.kind === 'gavgpool';
  }

  /** FULLY_CONNECTED on the pooled features: the classifier, weights [O, I]. */
  fullyConnected(op: TfliteOperator): void {
    if (op.inputs.length !== 3 || op.inputs[2]! < 0) this.fail(`${this.label(op)}: expected 3 inputs (data, weights, bias), found ${op.inputs.filter((x) => x >= 0).length}`);
    const src = this.input(op, 0);
    const [h, w, cin] = this.shapeOf(src);
    if (!this.pooled(src)) this.fail(`${this.label(op)}: FULLY_CONNECTED is supported as the classifier on the pooled features only`);
    const kernel = this.tensor(op.inputs[1], `${this.label(op)} weights`);
    const bias = this.tensor(op.inputs[2], `${this.label(op)} bias`);
    const out = this.tensor(op.outputs[0], `${this.label(op)} output`);
    if (kernel.shape.length !== 2 || kernel.shape[1] !== cin) this.fail(`${this.label(op)}: weights '${kernel.name}' have shape ${fmtShape(kernel.shape)}, expected [classes,${cin}]`);
    const cout = kernel.shape[0]!;
    if (bias.shape.length !== 1 || bias.shape[0] !== cout) this.fail(`${this.label(op)}: bias '${bias.name}' has shape ${fmtShape(bias.shape)}, expected [${cout}]`);
    const kv = this.values(kernel, 0);
    const canonical = new Float32Array(kv.length);
    for (let oc = 0; oc < cout; oc++) for (let ic = 0; ic < cin; ic++) canonical[ic * cout + oc] = kv[oc * cin + ic]!;
    this.weights.push({ kernel: canonical, bias: this.values(bias) });
    this.quantLayer('classifier', `op ${op.index}`, this.tensorOf[src]!, kernel, bias, out, op.fcActivation ?? 0, cout);
    this.qclamp[this.layers.length] = this.qrange(op.fcActivation ?? 0, out);
    this.push(op, {
      name: '', kind: 'classifier', inputs: [src], inShape: [h, w, cin], outShape: [1, 1, cout], kernelSize: [1, 1], stride: 1, pad: [0, 0, 0, 0],
      activation: this.clamp(op, op.fcActivation ?? 0, out), weights: this.weights.length - 1, kernelShape: [cin, cout], macs: cin * cout, params: cin * cout + cout,
    });
  }

  walk(): void {
    const m = this.m;
    if (m.subgraphs !== 1) this.fail(`expected 1 subgraph, found ${m.subgraphs}`);
    if (m.inputs.length !== 1) this.fail(`expected 1 graph input, found ${m.inputs.length}`);
    const input = this.tensor(m.inputs[0], 'graph input');
    const s = input.shape;
    if (s.length !== 4 || s[0] !== 1 || s[3] !== 3 || s[1] !== s[2] || !(s[1]! >= 32)) this.fail(`input tensor '${input.name}' has shape ${fmtShape(s)}, expected [1,R,R,3]`);
    this.inputShape = [s[1]!, s[2]!, 3];
    this.dtypeOf(input, 'graph input');
    this.id.set(input.index, 0);
    this.tensorOf[0] = input;
    this.walkOps();
  }

  /**
   * A second file continuing this one (Coral's head_layers after the embedding_extractor): its input is this
   * graph's output, which must have the same type, shape and quantization.
   */
  walkHead(head: TfliteModel, headSource: string): void {
    const out = this.outputIds();
    if (out.length !== 1) this.fail(`a head continues a graph with one output, this one has ${out.length}`);
    const from = this.tensorOf[out[0]!]!;
    const to = head.tensors[head.inputs[0] ?? -1];
    if (head.inputs.length !== 1 || !to) throw new WeightsError(headSource, `expected 1 graph input, found ${head.inputs.length}`);
    const n = (t: TfliteTensor) => t.shape.reduce((a, b) => a * b, 1);
    if (to.type !== from.type || n(to) !== n(from) || JSON.stringify(this.quant(to)) !== JSON.stringify(this.quant(from))) {
      throw new WeightsError(headSource, `its input tensor '${to.name}' (${tensorTypeName(to.type)} ${fmtShape(to.shape)}${this.quant(to) ? `, scale ${this.quant(to)!.scale[0]}, zero point ${this.quant(to)!.zeroPoint[0]}` : ''}) ` +
        `does not continue ${this.source}'s output '${from.name}' (${tensorTypeName(from.type)} ${fmtShape(from.shape)}${this.quant(from) ? `, scale ${this.quant(from)!.scale[0]}, zero point ${this.quant(from)!.zeroPoint[0]}` : ''})`);
    }
    this.m = head;
    this.headSource = headSource;
    this.id.clear();
    this.id.set(to.index, out[0]!);
    this.walkOps();
  }

  headSource?: string;

  walkOps(): void {
    const m = this.m;
    for (const op of m.operators) {
      if (this.softmax) this.fail(`${this.label(op)}: expected the graph to end at SOFTMAX, found another op after it`);
      switch (op.opcode) {
        case BuiltinOp.CONV_2D: case BuiltinOp.DEPTHWISE_CONV_2D: this.convolution(op); break;
        case BuiltinOp.ADD: this.add(op); break;
        case BuiltinOp.FULLY_CONNECTED: this.fullyConnected(op); break;
        case BuiltinOp.AVERAGE_POOL_2D: this.pool(op); break;
        case BuiltinOp.RESHAPE: case BuiltinOp.SQUEEZE: this.alias(op); break;
        case BuiltinOp.CONCATENATION: this.concat(op); break;
        case 14 /* LOGISTIC */: this.logistic(op); break;
        case BuiltinOp.SOFTMAX: // dropped: the logits are the result; the softmax output names them too
          this.id.set(this.tensor(op.outputs[0], `${this.label(op)} output`).index, this.input(op, 0));
          this.softmax = true;
          break;
        case 32 /* CUSTOM */:
          if (op.customCode === DETECTION_OP) { this.postprocess(op); break; }
          this.fail(`${this.label(op)}: custom operator '${op.customCode}' is not supported (only ${DETECTION_OP})`);
        // eslint-disable-next-line no-fallthrough
        default: this.fail(`${this.label(op)}: operator ${opName(op.opcode)} is not part of MobileNetV1, MobileNetV2 or SSD-MobileNetV1 graphs`);
      }
    }
  }

  add(op: TfliteOperator): void {
    if (op.inputs.length !== 2) this.fail(`${this.label(op)}: expected 2 inputs, found ${op.inputs.length}`);
    const a = this.input(op, 0), b = this.input(op, 1);
    const sa = this.shapeOf(a), sb = this.shapeOf(b);
    if (fmtShape(sa) !== fmtShape(sb)) this.fail(`${this.label(op)}: expected two inputs of one shape, found ${fmtShape(sa)} and ${fmtShape(sb)} (no broadcasting)`);
    const out = this.tensor(op.outputs[0], `${this.label(op)} output`);
    this.qclamp[this.layers.length] = this.qrange(op.fusedActivation ?? 0, out);
    if (!this.u8(this.tensorOf[a]!) || !this.u8(this.tensorOf[b]!) || !this.u8(out)) this.integer = false;
    this.push(op, { name: '', kind: 'add', inputs: [a, b], inShape: sa, outShape: sa, kernelSize: [1, 1], stride: 1, pad: [0, 0, 0, 0], activation: this.clamp(op, op.fusedActivation ?? 0, out), weights: -1, kernelShape: [], macs: 0, params: 0 });
  }

  pool(op: TfliteOperator): void {
    const src = this.input(op, 0);
    const [h, w, c] = this.shapeOf(src);
    const p = op.pool;
    if (!p || p.filterH !== h || p.filterW !== w) this.fail(`${this.label(op)}: expected a global ${h}x${w} average pool, found a ${p?.filterH}x${p?.filterW} filter`);
    if (p.activation !== Activation.NONE) this.fail(`${this.label(op)}: expected no fused activation on the pool`);
    const pin = this.u8(this.tensorOf[src]!), pout = this.u8(this.tensor(op.outputs[0], `${this.label(op)} output`));
    if (!pin || !pout || pin.scale !== pout.scale || pin.zeroPoint !== pout.zeroPoint) this.integer = false; // TFLite keeps them equal
    this.qclamp[this.layers.length] = [0, 255];
    this.push(op, { name: '', kind: 'gavgpool', inputs: [src], inShape: [h, w, c], outShape: [1, 1, c], kernelSize: [h, w], stride: 1, pad: [0, 0, 0, 0], activation: NONE, weights: -1, kernelShape: [], macs: h * w * c, params: 0 });
  }

  /** RESHAPE / SQUEEZE: the same bytes under another shape (NHWC, one image). */
  alias(op: TfliteOperator): void {
    const src = this.input(op, 0);
    const out = this.tensor(op.outputs[0], `${this.label(op)} output`);
    const inT = this.tensorOf[src]!;
    const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
    const [h, w, c] = this.shapeOf(src);
    if (out.shape.length && n(out.shape) !== h * w * c) this.fail(`${this.label(op)}: reshapes ${h * w * c} elements to ${fmtShape(out.shape)} (${n(out.shape)})`);
    const qi = this.quant(inT), qo = this.quant(out);
    if (JSON.stringify(qi) !== JSON.stringify(qo)) this.fail(`${this.label(op)}: output quantization differs from its input's; a RESHAPE must not requantize`);
    this.id.set(out.index, src);
    this.reshaped.set(out.index, out.shape);
  }

  /** Shapes tensors were given by RESHAPE (what CONCATENATION's axis refers to). */
  readonly reshaped = new Map<number, number[]>();

  concat(op: TfliteOperator): void {
    if (!this.u8(this.tensor(op.outputs[0], `${this.label(op)} output`)) || op.inputs.some((t) => !this.u8(this.tensor(t, `${this.label(op)} input`)))) this.integer = false;
    this.qclamp[this.layers.length] = [0, 255];
    const out = this.tensor(op.outputs[0], `${this.label(op)} output`);
    const rank = out.shape.length;
    let axis = op.axis ?? 0;
    if (axis < 0) axis += rank;
    const ids = op.inputs.map((_, k) => this.input(op, k));
    // Elements before the axis must all be 1: then concatenation is the inputs' bytes one after another.
    for (const [k, t] of op.inputs.entries()) {
      const shape = this.reshaped.get(t) ?? this.tensor(t, `${this.label(op)} input ${k}`).shape;
      if (shape.length !== rank || shape.slice(0, axis).some((d) => d !== 1)) {
        this.fail(`${this.label(op)}: input ${k} has shape ${fmtShape(shape)}; only concatenation on an axis with all outer dimensions 1 is supported (axis ${axis})`);
      }
    }
    if (out.shape.slice(0, axis).some((d) => d !== 1)) this.fail(`${this.label(op)}: output shape ${fmtShape(out.shape)} has outer dimensions other than 1 before axis ${axis}`);
    if ((op.fusedActivation ?? 0) !== Activation.NONE) this.fail(`${this.label(op)}: expected no fused activation on CONCATENATION`);
    const inner = out.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const total = ids.reduce((s, id) => { const [h, w, c] = this.shapeOf(id); return s + h * w * c; }, 0);
    if (total % inner !== 0) this.fail(`${this.label(op)}: inputs hold ${total} elements, not a multiple of the ${inner} per row`);
    const shape: Shape = [total / inner, 1, inner];
    this.push(op, { name: '', kind: 'concat', inputs: ids, inShape: this.shapeOf(ids[0]!), outShape: shape, kernelSize: [1, 1], stride: 1, pad: [0, 0, 0, 0], activation: NONE, weights: -1, kernelShape: [], macs: 0, params: 0 });
    this.reshaped.set(out.index, out.shape);
  }

  logistic(op: TfliteOperator): void {
    if (!this.u8(this.tensor(op.outputs[0], `${this.label(op)} output`))) this.integer = false;
    this.qclamp[this.layers.length] = [0, 255];
    const src = this.input(op, 0);
    const shape = this.shapeOf(src);
    this.push(op, { name: '', kind: 'logistic', inputs: [src], inShape: shape, outShape: shape, kernelSize: [1, 1], stride: 1, pad: [0, 0, 0, 0], activation: NONE, weights: -1, kernelShape: [], macs: 0, params: 0 });
  }

  postprocess(op: TfliteOperator): void {
    if (op.inputs.length !== 3 || op.outputs.length !== 4) this.fail(`${this.label(op)}: expected 3 inputs (box encodings, class predictions, anchors) and 4 outputs, found ${op.inputs.length} and ${op.outputs.length}`);
    if (!op.customOptions) this.fail(`${this.label(op)}: missing custom_options`);
    const boxes = this.input(op, 0), scores = this.input(op, 1);
    const anchorsT = this.tensor(op.inputs[2], `${this.label(op)} anchors`);
    const entries = new Map(readFlexMap(op.customOptions, this.source, `${this.label(op)} custom_options`).map((e) => [e.key, e.value]));
    const num = (key: string, dflt?: number): number => {
      const v = entries.get(key);
      if (v === undefined || v === null) { if (dflt !== undefined) return dflt; this.fail(`${this.label(op)}: custom option '${key}' is missing`); }
      if (typeof v !== 'number') this.fail(`${this.label(op)}: custom option '${key}' is ${JSON.stringify(v)}, expected a number`);
      return v;
    };
    const regular = entries.get('use_regular_nms');
    const options: DetectionOptions = {
      max_detections: num('max_detections'), max_classes_per_detection: num('max_classes_per_detection'),
      detections_per_class: num('detections_per_class', 100),
      nms_score_threshold: Math.fround(num('nms_score_threshold')), nms_iou_threshold: Math.fround(num('nms_iou_threshold')),
      num_classes: num('num_classes'), use_regular_nms: regular === undefined || regular === null ? false : Boolean(regular),
      y_scale: Math.fround(num('y_scale')), x_scale: Math.fround(num('x_scale')), h_scale: Math.fround(num('h_scale')), w_scale: Math.fround(num('w_scale')),
    };
    const [bh, bw, bc] = this.shapeOf(boxes);
    const [sh, sw, sc] = this.shapeOf(scores);
    const numBoxes = anchorsT.shape[0] ?? 0;
    if (anchorsT.shape.length !== 2 || anchorsT.shape[1] !== 4) this.fail(`${this.label(op)}: anchors '${anchorsT.name}' have shape ${fmtShape(anchorsT.shape)}, expected [N,4]`);
    if (bh * bw * bc !== numBoxes * 4) this.fail(`${this.label(op)}: box encodings hold ${bh * bw * bc} values, expected ${numBoxes} boxes x 4 (one per anchor)`);
    if ((sh * sw * sc) % numBoxes !== 0) this.fail(`${this.label(op)}: class predictions hold ${sh * sw * sc} values, not a multiple of the ${numBoxes} anchors`);
    const scoreWidth = (sh * sw * sc) / numBoxes;
    if (scoreWidth !== options.num_classes && scoreWidth !== options.num_classes + 1) this.fail(`${this.label(op)}: class predictions are ${scoreWidth} wide, expected num_classes (${options.num_classes}) or num_classes + 1`);
    if (!(options.max_detections >= 1 && options.max_detections <= 100000)) this.fail(`${this.label(op)}: max_detections is ${options.max_detections}, expected 1..100000`);
    if (!(options.max_classes_per_detection >= 1 && options.max_classes_per_detection <= 100000)) this.fail(`${this.label(op)}: max_classes_per_detection is ${options.max_classes_per_detection}, expected 1..100000`);
    if (!(options.nms_iou_threshold > 0 && options.nms_iou_threshold <= 1)) this.fail(`${this.label(op)}: nms_iou_threshold is ${options.nms_iou_threshold}, expected a number in (0, 1]`);
    // Anchors as TFLite's Dequantizer computes them: (float(q) - float(zero_point)) * scale, in float32.
    let anchors: Float32Array;
    if (anchorsT.type === TensorType.UINT8) {
      const q = this.quant(anchorsT);
      if (!q) this.fail(`${this.label(op)}: uint8 anchors '${anchorsT.name}' have no quantization`);
      const raw = this.m.buffer(anchorsT.buffer);
      if (raw.length !== numBoxes * 4) this.fail(`${this.label(op)}: anchors '${anchorsT.name}' expect ${numBoxes * 4} bytes, found ${raw.length}`);
      const scale = Math.fround(q.scale[0]!), zp = q.zeroPoint[0]!;
      anchors = new Float32Array(numBoxes * 4);
      for (let i = 0; i < anchors.length; i++) anchors[i] = Math.fround((raw[i]! - zp) * scale);
    } else if (anchorsT.type === TensorType.FLOAT32) {
      anchors = this.values(anchorsT);
    } else {
      this.fail(`${this.label(op)}: anchors '${anchorsT.name}' have type ${tensorTypeName(anchorsT.type)}, expected UINT8 or FLOAT32`);
    }
    this.detection = { options, anchors, numBoxes, scoreWidth };
    this.qclamp[this.layers.length] = [-Infinity, Infinity]; // a float layer (its uint8 inputs are dequantized)
    this.weights.push({ kernel: anchors });
    const slots = options.max_detections * options.max_classes_per_detection;
    this.layers.push({
      name: 'detections', kind: 'detection_postprocess', inputs: [boxes, scores], inShape: [numBoxes, 1, 4], outShape: [1, 1, slots * 6 + 1],
      kernelSize: [1, 1], stride: 1, pad: [0, 0, 0, 0], activation: NONE, dtype: 'float32', weights: this.weights.length - 1,
      kernelShape: [numBoxes, 4], macs: 0, params: 0, op: op.index, detection: options,
    });
    for (const t of op.outputs) this.id.set(t, this.layers.length);
  }

  /** The ids of the graph outputs, each checked to be computed. */
  outputIds(): number[] {
    return this.m.outputs.map((t, k) => {
      const id = this.id.get(t);
      if (id === undefined) this.fail(`graph output ${k} (tensor ${t}) is not computed by any supported op`);
      return id;
    });
  }
}

/** Clamped to [0, ≤ 6]: fused RELU6, or (quantized) an output range that starts at 0 and ends by 6. */
const isRelu6 = (l: GraphLayer): boolean => l.activation[0] === 0 && l.activation[1] <= 6 * 1.01;
/** No clamp at 0: a linear layer (a quantized one saturates only at its range, below zero). */
const isLinear = (l: GraphLayer): boolean => l.activation[0] < 0;

/**
 * Reads a MobileNetV2 or SSD-MobileNetV1 .tflite file (float32, uint8, or int8 per-channel) into a layer
 * table and float weights. Throws WeightsError naming the op and what does not fit.
 */
export function recogniseTflite(bytes: Uint8Array, source: string, head?: { bytes: Uint8Array; source: string }): RecognisedModel {
  const r = new Recogniser(bytes, source);
  r.walk();
  if (head) r.walkHead(readTfliteModel(head.bytes, head.source), head.source);
  const outputs = r.outputIds();
  const hasDetection = r.layers.some((l) => l.kind === 'detection_postprocess');
  const hasAdd = r.layers.some((l) => l.kind === 'add');
  const name = head ? `${source} + ${head.source}` : source;
  const common = { source: name, resolution: r.inputShape[0], weights: r.weights, quantized: r.quantized };
  if (hasDetection) return { architecture: 'ssd_mobilenet_v1', ...common, ...checkSsd(r, outputs) };
  if (hasAdd) return { architecture: 'mobilenet_v2', ...common, ...checkV2(r, outputs) };
  return { architecture: 'mobilenet_v1', ...common, ...checkV1(r, outputs) };
}

/**
 * MobileNetV1 as a chain: conv1, 13 depthwise-separable blocks, the global average pool, optionally the classifier.
 * Used for the files the single-file V1 reader does not take: a backbone ending at the pool (Coral's
 * embedding_extractor: embed() only), or such a backbone with its head from a second file.
 */
function checkV1(r: Recogniser, outputs: number[]): Omit<RecognisedModel, 'architecture' | 'source' | 'resolution' | 'weights' | 'quantized'> {
  const L = r.layers;
  const fail = (m: string): never => r.fail(`not a MobileNetV1, MobileNetV2 or SSD graph: ${m}`);
  const strides = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1];
  const conv1 = L[0];
  if (!conv1 || conv1.kind !== 'conv' || conv1.stride !== 2 || conv1.inputs[0] !== 0 || !isRelu6(conv1)) fail('expected a 3x3 stride-2 convolution with ReLU6 on the input (conv1)');
  conv1.name = 'conv1';
  for (let b = 1; b <= 13; b++) {
    const d = L[2 * b - 1], p = L[2 * b];
    if (!d || d.kind !== 'dwconv' || d.inputs[0] !== 2 * b - 1 || d.stride !== strides[b - 1] || !isRelu6(d)) fail(`${d ? `op ${d.op}` : 'end of graph'}: expected conv_dw_${b}, a 3x3 depthwise stride ${strides[b - 1]} with ReLU6`);
    if (!p || p.kind !== 'pwconv' || p.inputs[0] !== 2 * b || !isRelu6(p)) fail(`${p ? `op ${p.op}` : 'end of graph'}: expected conv_pw_${b}, a 1x1 convolution with ReLU6`);
    d.name = `conv_dw_${b}`;
    p.name = `conv_pw_${b}`;
  }
  const pool = L[27];
  if (!pool || pool.kind !== 'gavgpool' || pool.inputs[0] !== 27) fail(`${pool ? `op ${pool.op}` : 'end of graph'}: expected the global average pool after conv_pw_13`);
  pool.name = 'global_average_pooling2d';
  const cls = L[28];
  if (cls && (cls.kind !== 'classifier' || cls.inputs[0] !== 28)) fail(`op ${cls.op}: expected a 1x1 classifier on the pooled features`);
  if (cls) cls.name = 'conv_preds';
  if (L.length > 29) fail(`op ${L[29]!.op}: expected the graph to end after the classifier, found ${L[29]!.kind}`);
  const last = cls ? 29 : 28;
  if (outputs.length !== 1 || outputs[0] !== last) fail(`expected one graph output, the ${cls ? 'logits' : 'pooled features'}, found tensors ${fmtShape(outputs)}`);
  const features = pool.outShape[2];
  const alpha = BACKBONE_ALPHAS.get(features);
  if (alpha === undefined) fail(`${features} features, expected 1024·α for α in 0.25, 0.5, 0.75, 1`);
  const classes = cls ? cls.outShape[2] : 0;
  return {
    graph: { input: graphInput(r), layers: L, outputs: [{ name: 'features', tensor: 28 }, ...(cls ? [{ name: 'logits', tensor: 29 }] : [])] },
    classes, classOffset: classes === 1001 ? 1 : 0, alpha,
    ...(r.integer && r.u8(r.tensorOf[0]!) && r.qclamp.length === L.length ? { integer: { layers: r.qlayers, activation: r.qclamp } } : {}),
  };
}

function checkV2(r: Recogniser, outputs: number[]): Omit<RecognisedModel, 'architecture' | 'source' | 'resolution' | 'weights' | 'quantized'> {
  const L = r.layers;
  const fail = (m: string): never => r.fail(`not a MobileNetV2 graph: ${m}`);
  const at = (i: number, what: string): GraphLayer => L[i] ?? fail(`ended after ${L.length} layers, expected ${what}`);
  const where = (l: GraphLayer) => `op ${l.op}`;
  let i = 0;
  const first = at(i++, 'the first 3x3 convolution');
  if (first.kind !== 'conv' || first.stride !== 2 || first.inputs[0] !== 0 || !isRelu6(first)) fail(`${where(first)}: expected a 3x3 stride-2 convolution with ReLU6 on the input, found ${first.kind} stride ${first.stride}`);
  first.name = 'Conv1';
  const projects: number[] = [first.outShape[2]];
  let prev = i; // tensor id of the block input
  let block = 0;
  for (const [t, c, n, s] of V2_BLOCKS) {
    for (let rep = 0; rep < n; rep++, block++) {
      const stride = rep === 0 ? s : 1;
      const prefix = block === 0 ? 'expanded_conv' : `block_${block}`;
      const inShape = r.shapeOf(prev);
      let src = prev;
      if (t !== 1) {
        const e = at(i++, `${prefix}_expand (1x1 convolution)`);
        if (e.kind !== 'pwconv' || e.inputs[0] !== src || !isRelu6(e)) fail(`${where(e)}: expected ${prefix}_expand, a 1x1 convolution with ReLU6 on tensor ${src}, found ${e.kind}`);
        if (e.outShape[2] !== inShape[2] * t) fail(`${where(e)}: ${prefix}_expand has ${e.outShape[2]} channels, expected ${inShape[2]} x ${t}`);
        e.name = `${prefix}_expand`;
        src = i;
      }
      const d = at(i++, `${prefix}_depthwise`);
      if (d.kind !== 'dwconv' || d.inputs[0] !== src || d.stride !== stride || !isRelu6(d)) fail(`${where(d)}: expected ${prefix}_depthwise, a 3x3 depthwise stride ${stride} with ReLU6, found ${d.kind} stride ${d.stride}`);
      d.name = `${prefix}_depthwise`;
      const p = at(i++, `${prefix}_project`);
      if (p.kind !== 'pwconv' || p.inputs[0] !== i - 1 || !isLinear(p)) fail(`${where(p)}: expected ${prefix}_project, a linear 1x1 convolution, found ${p.kind}${isRelu6(p) ? ' with ReLU6' : ''}`);
      p.name = `${prefix}_project`;
      const cout = p.outShape[2];
      const residual = stride === 1 && inShape[2] === cout;
      const next = L[i];
      if (residual) {
        if (!next || next.kind !== 'add' || !next.inputs.includes(i) || !next.inputs.includes(prev)) fail(`${where(p)}: ${prefix} keeps shape ${fmtShape(inShape)}, expected a residual ADD of its input (tensor ${prev}) and ${prefix}_project`);
        next.name = `${prefix}_add`;
        i++;
      } else if (next && next.kind === 'add' && next.inputs.includes(i)) {
        fail(`${where(next)}: ${prefix} changes shape (${fmtShape(inShape)} -> ${fmtShape(p.outShape)}), it cannot have a residual ADD`);
      }
      if (rep === 0) projects.push(cout);
      prev = i;
    }
  }
  const last = at(i++, 'Conv_1 (1x1 convolution to the features)');
  if (last.kind !== 'pwconv' || last.inputs[0] !== prev || !isRelu6(last)) fail(`${where(last)}: expected Conv_1, a 1x1 convolution with ReLU6, found ${last.kind}`);
  last.name = 'Conv_1';
  const pool = at(i++, 'the global average pool');
  if (pool.kind !== 'gavgpool' || pool.inputs[0] !== i - 1) fail(`${where(pool)}: expected the global average pool after Conv_1, found ${pool.kind}`);
  pool.name = 'global_average_pooling2d';
  const cls = at(i++, 'the classifier');
  if (cls.kind !== 'classifier' || cls.inputs[0] !== i - 1) fail(`${where(cls)}: expected a 1x1 classifier on the pooled features, found ${cls.kind}`);
  cls.name = 'Logits';
  if (i !== L.length) fail(`${where(L[i]!)}: expected the graph to end after the classifier, found ${L[i]!.kind}`);
  if (outputs.length !== 1 || outputs[0] !== i) fail(`expected one graph output, the classifier's logits (or their softmax), found tensors ${fmtShape(outputs)}`);
  r.layers.forEach((l) => { if (!l.name) l.name = `op_${l.op}`; });
  // α from the channel counts (conv 32α and each stage's c·α, rounded by makeDivisible as the reference does).
  const alpha = V2_ALPHAS.find((a) => [32, ...V2_BLOCKS.map((b) => b[1])].every((c, k) => makeDivisible(c * a) === projects[k]));
  if (alpha === undefined) fail(`channel counts ${fmtShape(projects)} (first conv, then each stage) match no published width multiplier (${V2_ALPHAS.join(', ')})`);
  const classes = cls.outShape[2];
  return {
    graph: { input: graphInput(r), layers: L, outputs: [{ name: 'features', tensor: i - 1 }, { name: 'logits', tensor: i }] },
    classes, classOffset: classes === 1001 ? 1 : 0, alpha,
    ...(r.integer && r.u8(r.tensorOf[0]!) && r.qclamp.length === L.length ? { integer: { layers: r.qlayers, activation: r.qclamp } } : {}),
  };
}

function graphInput(r: Recogniser): Graph['input'] {
  const t = r.tensorOf[0]!;
  const q = r.quant(t);
  return { shape: r.inputShape, dtype: r.dtypeOf(t, 'graph input'), ...(q ? { quantization: q } : {}) };
}

/** MobileNetV1 conv_pw_13 channels (1024·α) → α. */
const BACKBONE_ALPHAS = new Map([0.25, 0.5, 0.75, 1.0].map((a) => [1024 * a, a]));

/** SSD-MobileNetV1 (Liu et al. 2016 with Howard et al. 2017 as the backbone, TF object detection API export). */
function checkSsd(r: Recogniser, outputs: number[]): Omit<RecognisedModel, 'architecture' | 'source' | 'resolution' | 'weights' | 'quantized'> {
  const L = r.layers;
  const fail = (m: string): never => r.fail(`not an SSD-MobileNetV1 graph: ${m}`);
  const where = (l: GraphLayer) => `op ${l.op}`;
  // Backbone: conv1 + 13 depthwise-separable blocks, a chain from the input.
  const strides = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1];
  const conv1 = L[0];
  if (!conv1 || conv1.kind !== 'conv' || conv1.stride !== 2 || conv1.inputs[0] !== 0 || !isRelu6(conv1)) fail('expected a 3x3 stride-2 convolution with ReLU6 on the input (conv1)');
  conv1.name = 'conv1';
  let i = 1;
  for (let b = 1; b <= 13; b++) {
    const d = L[i], p = L[i + 1];
    if (!d || d.kind !== 'dwconv' || d.inputs[0] !== i || d.stride !== strides[b - 1] || !isRelu6(d)) fail(`${d ? where(d) : 'end of graph'}: expected conv_dw_${b}, a 3x3 depthwise stride ${strides[b - 1]} with ReLU6 on tensor ${i}`);
    if (!p || p.kind !== 'pwconv' || p.inputs[0] !== i + 1 || !isRelu6(p)) fail(`${p ? where(p) : 'end of graph'}: expected conv_pw_${b}, a 1x1 convolution with ReLU6 after conv_dw_${b}`);
    d.name = `conv_dw_${b}`;
    p.name = `conv_pw_${b}`;
    i += 2;
  }
  // Extra feature maps: pairs of 1x1 (ReLU6) then 3x3 stride-2 (ReLU6) convolutions, each on the previous map.
  const features = [L.findIndex((l) => l.name === 'conv_pw_11') + 1, i];
  let e = 0;
  while (L[i] && L[i]!.kind === 'pwconv' && L[i]!.inputs[0] === features.at(-1) && L[i + 1]?.kind === 'conv') {
    const a = L[i]!, b = L[i + 1]!;
    e++;
    if (!isRelu6(a) || !isRelu6(b) || b.stride !== 2 || b.inputs[0] !== i + 1) fail(`${where(b)}: expected extra layer ${e} as a 1x1 convolution and a 3x3 stride-2 convolution, both ReLU6`);
    a.name = `extra_${e}_1x1`;
    b.name = `extra_${e}_3x3_s2`;
    i += 2;
    features.push(i);
  }
  if (e === 0) fail(`${L[i] ? where(L[i]!) : 'end of graph'}: expected SSD's extra feature layers (1x1 then 3x3 stride-2 convolutions) after conv_pw_13`);
  // Box and class predictors: linear 1x1 convolutions on each feature map, then two concatenations.
  const det = L.at(-1)!;
  const post = r.detection!;
  const [boxCat, scoreIn] = det.inputs as [number, number];
  const boxConcat = L[boxCat - 1], logistic = L[scoreIn - 1];
  if (!boxConcat || boxConcat.kind !== 'concat') fail(`${where(det)}: expected the box encodings to come from a CONCATENATION of the box predictors`);
  if (!logistic || logistic.kind !== 'logistic') fail(`${where(det)}: expected the class predictions to come from LOGISTIC (sigmoid scores)`);
  const scoreConcat = L[logistic.inputs[0]! - 1];
  if (!scoreConcat || scoreConcat.kind !== 'concat') fail(`${where(logistic)}: expected LOGISTIC to read a CONCATENATION of the class predictors`);
  boxConcat.name = 'box_encodings';
  scoreConcat.name = 'class_predictions';
  logistic.name = 'scores';
  if (boxConcat.inputs.length !== features.length || scoreConcat.inputs.length !== features.length) fail(`expected one box and one class predictor per feature map (${features.length}), found ${boxConcat.inputs.length} and ${scoreConcat.inputs.length}`);
  let anchors = 0;
  for (let f = 0; f < features.length; f++) {
    const bp = L[boxConcat.inputs[f]! - 1], cp = L[scoreConcat.inputs[f]! - 1];
    for (const [pred, what] of [[bp, 'box'], [cp, 'class']] as const) {
      if (!pred || pred.kind !== 'pwconv' || pred.inputs[0] !== features[f] || !isLinear(pred)) fail(`predictor ${f}: expected a linear 1x1 ${what} convolution on feature map ${f} (tensor ${features[f]})`);
    }
    bp!.name = `box_predictor_${f}/box_encoding`;
    cp!.name = `box_predictor_${f}/class_predictor`;
    const [h, w, cb] = bp!.outShape;
    const perCell = cb / 4;
    if (!Number.isInteger(perCell) || cp!.outShape[2] !== perCell * post.scoreWidth) fail(`predictor ${f}: ${cb} box channels and ${cp!.outShape[2]} class channels, expected 4·k and ${post.scoreWidth}·k for k anchors per cell`);
    anchors += h * w * perCell;
  }
  if (anchors !== post.numBoxes) fail(`the predictors give ${anchors} boxes, the anchors tensor has ${post.numBoxes}`);
  if (outputs.length !== 4 || outputs.some((o) => o !== L.length)) fail('expected the 4 outputs of TFLite_Detection_PostProcess as the graph outputs');
  const unnamed = L.find((l) => !l.name);
  if (unnamed) fail(`${where(unnamed)}: ${unnamed.kind} is not part of SSD-MobileNetV1 (backbone, extra layers, predictors, concatenation, logistic, postprocess)`);
  return {
    graph: {
      input: graphInput(r), layers: L,
      outputs: [{ name: 'box_encodings', tensor: boxCat }, { name: 'scores', tensor: scoreIn }, { name: 'detections', tensor: L.length }],
    },
    classes: post.options.num_classes, classOffset: post.scoreWidth - post.options.num_classes, detection: post,
    ...(r.integer && r.u8(r.tensorOf[0]!) && r.qclamp.length === L.length ? { integer: { layers: r.qlayers, activation: r.qclamp } } : {}),
    ...(BACKBONE_ALPHAS.has(L[26]!.outShape[2]) ? { alpha: BACKBONE_ALPHAS.get(L[26]!.outShape[2])! } : {}),
  };
}
