// The network as data: one layer table, built in TypeScript from α and ρ (and the class count of
// the weights), handed as is to the native runtime, which validates it and runs it. There is no
// second description of the architecture anywhere: TF SAME padding, multiply-accumulates and
// parameter counts are computed here and only here; bench/layers.txt is generated from this table
// (bench/gen-layers.mjs). Limits (maximum resolution, classes, layers) are lib/validate.ts LIMITS.
//
// ## Table format (what `NativeGraph` in lib/binding.ts carries to native/runtime/graph.h)
//
// Tensors are NHWC, one image; the batch is outside the graph. Tensor ids: 0 is the network input,
// `i + 1` is the output of `layers[i]` (every layer has exactly one output). Layers are listed in
// an order where every input id is smaller than the layer's own output id (a topological order),
// so any DAG fits: chains (MobileNetV1), residual adds (MobileNetV2), several heads (SSD).
//
// GraphLayer fields:
//   name         Keras/TFLite name, used in every message (conv1, conv_dw_1, ..., conv_preds)
//   kind         'conv'       dense KxK convolution (kernel [kh, kw, cin, cout], HWIO)
//                'dwconv'     depthwise KxK, depth multiplier 1 (kernel [kh, kw, c])
//                'pwconv'     1x1 convolution, a GEMM over the pixels (kernel [cin, cout])
//                'classifier' a 1x1 convolution on the pooled features (kernel [cin, classes], bias)
//                'gavgpool'   global average pool to 1x1 (no weights)
//                'add'        elementwise sum of two tensors of one shape, then the clamp (residual)
//   inputs       tensor ids read by the layer (1 for all kinds above but 'add', which takes 2)
//   inShape      [h, w, c] of inputs[0]; outShape [h, w, c] of the output
//   kernelSize   [kh, kw] (1x1 for pwconv/classifier/gavgpool/add), stride (both axes)
//   pad          [top, left, bottom, right] explicit padding, TF SAME computed by samePadding()
//   activation   [min, max] fused clamp: ReLU6 = [0, 6], none = [-Infinity, Infinity]
//   dtype        element type of the output tensor: 'float32' today; 'uint8' and 'int8' (TFLite
//                quantized) have their place: the native side refuses what it cannot run yet
//   quantization output quantization when dtype is not float32: real = scale * (q - zeroPoint);
//                one entry per tensor, or one per output channel (int8 weights, TFLite axis = 3)
//   weights      index into NetWeights.layers (canonical layouts: lib/weights/types.ts), or -1
//   kernelShape  canonical shape of that weight tensor; macs, params (weights + bias, BN folded)
// Graph.outputs names the tensors a run can return ('features', 'logits'; SSD would add its
// box/score maps); the native runtime computes only the layers the requested output needs.
//
// New layer kinds (residual add is here already; dense 3x3 stride 2 with any cin for SSD's extra
// layers, concatenation, logistic) are new values of `kind` plus one kernel call in the native
// executor's switch, never a new executor.

/** Base channel counts of the 13 depthwise-separable blocks (pointwise outputs), before α. */
const BLOCK_CHANNELS = [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024] as const;
/** Depthwise stride of each block. */
const BLOCK_STRIDES = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1] as const;

/** MobileNetV2 / SSD kinds (concat, logistic, detection_postprocess) are documented in lib/weights/tflite-graph.ts. */
export type LayerKind = 'conv' | 'dwconv' | 'pwconv' | 'classifier' | 'gavgpool' | 'add' | 'concat' | 'logistic' | 'detection_postprocess';
export type DType = 'float32' | 'uint8' | 'int8';
export type Shape = [height: number, width: number, channels: number];

export interface Quantization {
  /** One scale per tensor, or one per channel of the last axis. */
  scale: number[];
  zeroPoint: number[];
}

export interface GraphLayer {
  name: string;
  kind: LayerKind;
  inputs: number[];
  inShape: Shape;
  outShape: Shape;
  kernelSize: [number, number];
  stride: number;
  pad: [top: number, left: number, bottom: number, right: number];
  activation: [min: number, max: number];
  dtype: DType;
  quantization?: Quantization;
  weights: number;
  kernelShape: number[];
  macs: number;
  params: number;
  /** detection_postprocess only: TFLite_Detection_PostProcess options (the anchors are its weights' kernel). */
  detection?: DetectionOptions;
}

/** TFLite_Detection_PostProcess options (TFLite's key names and defaults; native/runtime/detection_postprocess.h). */
export interface DetectionOptions {
  max_detections: number;
  max_classes_per_detection: number;
  detections_per_class: number;
  nms_score_threshold: number;
  nms_iou_threshold: number;
  num_classes: number;
  use_regular_nms: boolean;
  y_scale: number; x_scale: number; h_scale: number; w_scale: number;
}

export interface Graph {
  input: { shape: Shape; dtype: DType; quantization?: Quantization };
  layers: GraphLayer[];
  outputs: { name: string; tensor: number }[];
}

/** A weight-carrying layer in the older, flat view the weight readers use (one per NetWeights layer). */
export interface LayerSpec {
  name: string;          // Keras names: conv1, conv_dw_1, conv_pw_1, ..., conv_preds
  kind: 'conv' | 'dwconv' | 'pwconv' | 'classifier';
  inChannels: number;
  outChannels: number;
  stride: number;
  inSize: number;        // input height = width
  outSize: number;
  kernelShape: number[]; // canonical layout of the weights this layer takes (see weights/types.ts)
  macs: number;
  params: number;        // weights + bias (BN folded)
}

export interface NetSpec {
  alpha: number;
  resolution: number;
  classes: number;
  /** The weight-carrying layers, in NetWeights.layers order. */
  layers: LayerSpec[];
  graph: Graph;
  features: number;      // width of the pooled embedding, 1024·α
  macs: number;
  params: number;
}

export const RELU6: [number, number] = [0, 6];
export const NO_ACTIVATION: [number, number] = [-Infinity, Infinity];

export function scaledChannels(base: number, alpha: number): number {
  return Math.floor(base * alpha + 1e-9);
}

/**
 * TF SAME padding (the one place it is computed): out = ceil(in / stride); the total padding
 * max((out - 1) * stride + k - in, 0) goes floor(total / 2) before and the rest after, so a
 * stride-2 3x3 on an even input pads 0 at top/left and 1 at bottom/right.
 */
export function samePadding(inSize: number, kernel: number, stride: number): { out: number; before: number; after: number } {
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + kernel - inSize, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/** TF SAME output size. */
export function sameOutSize(inSize: number, stride: number): number {
  return Math.ceil(inSize / stride);
}

export interface NewLayer {
  name: string;
  kind: LayerKind;
  /** Tensor ids (0 = graph input, i + 1 = output of layer i). */
  inputs: number[];
  /** Output channels (ignored by gavgpool and add, which keep their input's). */
  outChannels: number;
  /** Square kernel size (default 1) and stride (default 1); padding is TF SAME. */
  kernel?: number;
  stride?: number;
  activation: [number, number];
  /** Index into NetWeights.layers (default -1: no weights). */
  weights?: number;
}

/**
 * Appends one layer to `g`, computing its output shape, SAME padding, MACs and parameters from its
 * input; returns the id of its output tensor. How every network in this package is built.
 */
export function appendLayer(g: Graph, l: NewLayer): number {
  const shapeOf = (id: number): Shape => (id === 0 ? g.input.shape : g.layers[id - 1]!.outShape);
  const inShape = shapeOf(l.inputs[0]!);
  const [h, w, cin] = inShape;
  const k = l.kernel ?? 1;
  const stride = l.stride ?? 1;
  let outShape: Shape;
  let pad: [number, number, number, number] = [0, 0, 0, 0];
  if (l.kind === 'gavgpool') {
    outShape = [1, 1, cin];
  } else if (l.kind === 'add') {
    outShape = [h, w, cin];
  } else {
    const py = samePadding(h, k, stride), px = samePadding(w, k, stride);
    outShape = [py.out, px.out, l.outChannels];
    pad = [py.before, px.before, py.after, px.after];
  }
  const [oh, ow, cout] = outShape;
  let kernelShape: number[] = [];
  let macs = 0;
  if (l.kind === 'conv') kernelShape = [k, k, cin, cout];
  else if (l.kind === 'dwconv') kernelShape = [k, k, cout];
  else if (l.kind === 'pwconv' || l.kind === 'classifier') kernelShape = [cin, cout];
  const weightCount = kernelShape.reduce((a, b) => a * b, kernelShape.length ? 1 : 0);
  if (l.kind === 'conv' || l.kind === 'pwconv' || l.kind === 'classifier') macs = oh * ow * k * k * cin * cout;
  else if (l.kind === 'dwconv') macs = oh * ow * k * k * cout;
  g.layers.push({
    name: l.name, kind: l.kind, inputs: l.inputs, inShape, outShape, kernelSize: [k, k], stride, pad,
    activation: l.activation, dtype: 'float32', weights: l.weights ?? -1, kernelShape, macs,
    params: weightCount ? weightCount + cout : 0,
  });
  return g.layers.length;
}

/**
 * MobileNetV1 (Howard et al. 2017, Table 1) at width multiplier α and square input ρ:
 * conv1 (3x3/2), 13 depthwise-separable blocks, global average pool, 1x1 classifier.
 * Channels floor(c·α); `classes` 1000 (Keras) or 1001 (TFLite, background first).
 */
export function buildMobileNetV1(alpha: number, resolution: number, classes = 1000): Graph {
  const g: Graph = { input: { shape: [resolution, resolution, 3], dtype: 'float32' }, layers: [], outputs: [] };
  let ch = scaledChannels(32, alpha);
  let w = 0;
  let t = appendLayer(g, { name: 'conv1', kind: 'conv', inputs: [0], outChannels: ch, kernel: 3, stride: 2, activation: RELU6, weights: w++ });
  BLOCK_CHANNELS.forEach((base, i) => {
    t = appendLayer(g, { name: `conv_dw_${i + 1}`, kind: 'dwconv', inputs: [t], outChannels: ch, kernel: 3, stride: BLOCK_STRIDES[i], activation: RELU6, weights: w++ });
    ch = scaledChannels(base, alpha);
    t = appendLayer(g, { name: `conv_pw_${i + 1}`, kind: 'pwconv', inputs: [t], outChannels: ch, activation: RELU6, weights: w++ });
  });
  const features = appendLayer(g, { name: 'global_average_pooling2d', kind: 'gavgpool', inputs: [t], outChannels: ch, activation: NO_ACTIVATION });
  const logits = appendLayer(g, { name: 'conv_preds', kind: 'classifier', inputs: [features], outChannels: classes, activation: NO_ACTIVATION, weights: w++ });
  g.outputs.push({ name: 'features', tensor: features }, { name: 'logits', tensor: logits });
  return g;
}

/** The graph and its weight-layer view (what the weight readers index), with totals. */
export function buildSpec(alpha: number, resolution: number, classes = 1000): NetSpec {
  const graph = buildMobileNetV1(alpha, resolution, classes);
  const layers: LayerSpec[] = graph.layers
    .filter((l) => l.weights >= 0)
    .map((l) => ({
      name: l.name, kind: l.kind as LayerSpec['kind'], inChannels: l.inShape[2], outChannels: l.outShape[2], stride: l.stride,
      inSize: l.inShape[0], outSize: l.outShape[0], kernelShape: l.kernelShape, macs: l.macs, params: l.params,
    }));
  const pool = graph.layers.find((l) => l.kind === 'gavgpool')!;
  return {
    alpha, resolution, classes, layers, graph, features: pool.outShape[2],
    macs: graph.layers.reduce((s, l) => s + l.macs, 0),
    params: graph.layers.reduce((s, l) => s + l.params, 0),
  };
}
