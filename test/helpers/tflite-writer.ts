// A small TFLite writer for tests: a generic FlatBuffers serializer (tables, scalar/offset vectors, strings)
// plus a MobileNetV1 graph builder that turns NetWeights into a float32 or uint8-quantized .tflite with the
// same layout, tensor names and quantization conventions as the released models. The model description is
// plain data, so tests can mutate it (op codes, kernel shapes, options, quantization) before serialising.

import type { LayerWeights, NetWeights } from '../../lib/weights/types.js';
import { buildSpec } from '../../lib/graph.js';
import { seededRandom } from '../../lib/weights/synthetic.js';

// ---------------------------------------------------------------------------------------------------
// Generic FlatBuffers serializer. Layout is top-down: a table is written before its children, so every
// uoffset points forward (as the format requires); each vtable sits just before its table.

type Scalar = 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'f32' | 'i64' | 'u64';
export type FbField = { t: Scalar; v: number } | { t: 'off'; v: FbObject } | undefined;
export type FbObject =
  | { kind: 'table'; fields: FbField[] }
  | { kind: 'vec'; elem: 'u8' | 'i8' | 'i32' | 'f32' | 'i64'; values: ArrayLike<number>; align?: number }
  | { kind: 'tables'; items: FbObject[] }
  | { kind: 'str'; value: string };

const SIZE: Record<Scalar, number> = { i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, f32: 4, i64: 8, u64: 8 };

class ByteSink {
  buf = new Uint8Array(1 << 16);
  len = 0;
  view = new DataView(this.buf.buffer);

  reserve(n: number): number {
    if (this.len + n > this.buf.length) {
      let cap = this.buf.length;
      while (this.len + n > cap) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const pos = this.len;
    this.len += n;
    return pos;
  }

  /** Pads so that (len + extra) is a multiple of `a`. */
  align(a: number, extra = 0): void {
    const pad = (a - ((this.len + extra) % a)) % a;
    this.reserve(pad);
  }

  put(t: Scalar, pos: number, v: number): void {
    const d = this.view;
    switch (t) {
      case 'i8': d.setInt8(pos, v); break;
      case 'u8': d.setUint8(pos, v); break;
      case 'i16': d.setInt16(pos, v, true); break;
      case 'u16': d.setUint16(pos, v, true); break;
      case 'i32': d.setInt32(pos, v, true); break;
      case 'u32': d.setUint32(pos, v, true); break;
      case 'f32': d.setFloat32(pos, v, true); break;
      case 'i64': d.setBigInt64(pos, BigInt(v), true); break;
      case 'u64': d.setBigUint64(pos, BigInt(v), true); break;
    }
  }
}

function writeObject(s: ByteSink, obj: FbObject): number {
  switch (obj.kind) {
    case 'str': {
      const bytes = new TextEncoder().encode(obj.value);
      s.align(4);
      const pos = s.reserve(4 + bytes.length + 1);
      s.put('u32', pos, bytes.length);
      s.buf.set(bytes, pos + 4);
      return pos;
    }
    case 'vec': {
      const es = obj.elem === 'i64' ? 8 : obj.elem === 'u8' || obj.elem === 'i8' ? 1 : 4;
      s.align(Math.max(4, es, obj.align ?? 1), 4);
      const pos = s.reserve(4 + es * obj.values.length);
      s.put('u32', pos, obj.values.length);
      if (obj.elem === 'u8' && obj.values instanceof Uint8Array) {
        s.buf.set(obj.values, pos + 4);
      } else {
        for (let i = 0; i < obj.values.length; i++) s.put(obj.elem, pos + 4 + es * i, obj.values[i]!);
      }
      return pos;
    }
    case 'tables': {
      s.align(4);
      const pos = s.reserve(4 + 4 * obj.items.length);
      s.put('u32', pos, obj.items.length);
      obj.items.forEach((item, i) => {
        const at = pos + 4 + 4 * i;
        const child = writeObject(s, item);
        s.put('u32', at, child - at);
      });
      return pos;
    }
    case 'table': {
      const n = obj.fields.length;
      s.align(2);
      const vt = s.reserve(4 + 2 * n);
      s.align(8);
      const table = s.reserve(4);
      const pending: Array<[number, FbObject]> = [];
      const offsets = new Array<number>(n).fill(0);
      // Larger fields first keeps every field naturally aligned (the table itself is 8-aligned).
      const order = obj.fields.map((f, i) => i).filter((i) => obj.fields[i] !== undefined)
        .sort((a, b) => fieldSize(obj.fields[b]) - fieldSize(obj.fields[a]));
      for (const i of order) {
        const f = obj.fields[i]!;
        const size = fieldSize(f);
        s.align(size);
        const pos = s.reserve(size);
        offsets[i] = pos - table;
        if (f.t === 'off') pending.push([pos, f.v]);
        else s.put(f.t, pos, f.v);
      }
      const objSize = s.len - table;
      s.put('i32', table, table - vt);
      s.put('u16', vt, 4 + 2 * n);
      s.put('u16', vt + 2, objSize);
      offsets.forEach((o, i) => s.put('u16', vt + 4 + 2 * i, o));
      for (const [pos, child] of pending) {
        const c = writeObject(s, child);
        s.put('u32', pos, c - pos);
      }
      return table;
    }
  }
}

function fieldSize(f: FbField): number {
  if (!f) return 0;
  return f.t === 'off' ? 4 : SIZE[f.t];
}

/** Serialises a root table with a 4-byte file identifier. */
export function serializeFlatbuffer(root: FbObject, identifier: string): Uint8Array {
  const s = new ByteSink();
  s.reserve(8);
  for (let i = 0; i < 4; i++) s.buf[4 + i] = identifier.charCodeAt(i);
  const pos = writeObject(s, root);
  s.put('u32', 0, pos);
  return s.buf.slice(0, s.len);
}

// ---------------------------------------------------------------------------------------------------
// TFLite model description → flatbuffer

export const T = { FLOAT32: 0, INT32: 2, UINT8: 3, INT8: 9 } as const;
export const Op = { ADD: 0, AVERAGE_POOL_2D: 1, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, FULLY_CONNECTED: 9, RESHAPE: 22, SOFTMAX: 25, MEAN: 40 } as const;
export const Opt = { NONE: 0, Conv2D: 1, DepthwiseConv2D: 2, Pool2D: 5, FullyConnected: 8, Softmax: 9, Reshape: 17 } as const;
export const Pad = { SAME: 0, VALID: 1 } as const;
export const Act = { NONE: 0, RELU: 1, RELU6: 3 } as const;

export interface WTensor {
  name: string;
  shape: number[];
  type: number;
  buffer: number;
  scale?: number[];
  zeroPoint?: number[];
  /** QuantizationParameters.quantized_dimension (per-channel quantization: the channel axis). */
  quantizedDimension?: number;
}

export interface ConvOpts { padding: number; strideW: number; strideH: number; activation: number; depthMultiplier?: number; dilationW?: number; dilationH?: number }
export interface PoolOpts { padding: number; strideW: number; strideH: number; filterW: number; filterH: number; activation: number }

export interface WOperator {
  opcodeIndex: number;
  inputs: number[];
  outputs: number[];
  optionsType: number;
  conv?: ConvOpts;
  pool?: PoolOpts;
  fcActivation?: number;
  softmaxBeta?: number;
  reshape?: number[];
}

/** How an operator code is stored: legacy files set only deprecated_builtin_code, newer ones both (readers take the max). */
export type OpcodeStyle = 'both' | 'deprecated-only' | 'builtin-only';

export interface WModel {
  version: number;
  opcodes: number[];
  opcodeStyle: OpcodeStyle;
  tensors: WTensor[];
  inputs: number[];
  outputs: number[];
  operators: WOperator[];
  buffers: Uint8Array[];
  description?: string;
}

const i8 = (v: number): FbField => ({ t: 'i8', v });
const i32 = (v: number): FbField => ({ t: 'i32', v });

function optionsTable(op: WOperator): FbObject | undefined {
  if (op.optionsType === Opt.Conv2D && op.conv) {
    const o = op.conv;
    return { kind: 'table', fields: [i8(o.padding), i32(o.strideW), i32(o.strideH), i8(o.activation), i32(o.dilationW ?? 1), i32(o.dilationH ?? 1)] };
  }
  if (op.optionsType === Opt.DepthwiseConv2D && op.conv) {
    const o = op.conv;
    return { kind: 'table', fields: [i8(o.padding), i32(o.strideW), i32(o.strideH), i32(o.depthMultiplier ?? 1), i8(o.activation), i32(o.dilationW ?? 1), i32(o.dilationH ?? 1)] };
  }
  if (op.optionsType === Opt.Pool2D && op.pool) {
    const o = op.pool;
    return { kind: 'table', fields: [i8(o.padding), i32(o.strideW), i32(o.strideH), i32(o.filterW), i32(o.filterH), i8(o.activation)] };
  }
  if (op.optionsType === Opt.FullyConnected) return { kind: 'table', fields: [i8(op.fcActivation ?? 0)] };
  if (op.optionsType === Opt.Softmax) return { kind: 'table', fields: [{ t: 'f32', v: op.softmaxBeta ?? 1 }] };
  if (op.optionsType === Opt.Reshape) return { kind: 'table', fields: [{ t: 'off', v: { kind: 'vec', elem: 'i32', values: op.reshape ?? [] } }] };
  return undefined;
}

export function serializeTflite(m: WModel): Uint8Array {
  const opcodes: FbObject[] = m.opcodes.map((code) => {
    // Converters write deprecated_builtin_code = min(code, 127) (127 = PLACEHOLDER_FOR_GREATER_OP_CODES);
    // 'builtin-only' leaves it absent (default 0), as a writer that knows only the new field would.
    return {
      kind: 'table',
      fields: [
        m.opcodeStyle === 'builtin-only' ? undefined : i8(Math.min(code, 127)), undefined, i32(1),
        m.opcodeStyle === 'deprecated-only' ? undefined : i32(code),
      ],
    };
  });
  const tensors: FbObject[] = m.tensors.map((t) => ({
    kind: 'table',
    fields: [
      { t: 'off', v: { kind: 'vec', elem: 'i32', values: t.shape } },
      i8(t.type),
      { t: 'u32', v: t.buffer },
      { t: 'off', v: { kind: 'str', value: t.name } },
      t.scale || t.zeroPoint
        ? {
            t: 'off',
            v: {
              kind: 'table',
              fields: [
                undefined, undefined,
                t.scale ? { t: 'off', v: { kind: 'vec', elem: 'f32', values: t.scale } } : undefined,
                t.zeroPoint ? { t: 'off', v: { kind: 'vec', elem: 'i64', values: t.zeroPoint } } : undefined,
                ...(t.quantizedDimension !== undefined ? [undefined, undefined, i32(t.quantizedDimension)] : []),
              ],
            },
          }
        : undefined,
    ],
  }));
  const operators: FbObject[] = m.operators.map((op) => {
    const opts = optionsTable(op);
    return {
      kind: 'table',
      fields: [
        { t: 'u32', v: op.opcodeIndex },
        { t: 'off', v: { kind: 'vec', elem: 'i32', values: op.inputs } },
        { t: 'off', v: { kind: 'vec', elem: 'i32', values: op.outputs } },
        { t: 'u8', v: op.optionsType },
        opts ? { t: 'off', v: opts } : undefined,
      ],
    };
  });
  const subgraph: FbObject = {
    kind: 'table',
    fields: [
      { t: 'off', v: { kind: 'tables', items: tensors } },
      { t: 'off', v: { kind: 'vec', elem: 'i32', values: m.inputs } },
      { t: 'off', v: { kind: 'vec', elem: 'i32', values: m.outputs } },
      { t: 'off', v: { kind: 'tables', items: operators } },
      { t: 'off', v: { kind: 'str', value: 'main' } },
    ],
  };
  const buffers: FbObject[] = m.buffers.map((b) => ({
    kind: 'table',
    fields: b.length ? [{ t: 'off', v: { kind: 'vec', elem: 'u8', values: b, align: 16 } }] : [],
  }));
  const model: FbObject = {
    kind: 'table',
    fields: [
      { t: 'u32', v: m.version },
      { t: 'off', v: { kind: 'tables', items: opcodes } },
      { t: 'off', v: { kind: 'tables', items: [subgraph] } },
      { t: 'off', v: { kind: 'str', value: m.description ?? 'synthetic MobileNetV1 (test/helpers/tflite-writer.ts)' } },
      { t: 'off', v: { kind: 'tables', items: buffers } },
    ],
  };
  return serializeFlatbuffer(model, 'TFL3');
}

// ---------------------------------------------------------------------------------------------------
// MobileNetV1 graph builder

export interface MobilenetTfliteOptions {
  resolution: number;
  quantized?: boolean;
  classifier?: 'conv' | 'fc';
  /** 'reshape-softmax' (released models), 'squeeze'-free 'softmax', or 'none'. */
  tail?: 'reshape-softmax' | 'softmax' | 'none';
  opcodeStyle?: OpcodeStyle;
}

export interface MobilenetTflite {
  model: WModel;
  /** The weights as the file stores them (dequantized for uint8): what parseTflite must return. */
  expected: NetWeights;
}

function f32Bytes(a: Float32Array): Uint8Array {
  const out = new Uint8Array(a.length * 4);
  const d = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) d.setFloat32(4 * i, a[i]!, true);
  return out;
}

function i32Bytes(a: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(a.length * 4);
  const d = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) d.setInt32(4 * i, a[i]!, true);
  return out;
}

/** Canonical → file layout: HWIO [taps,I,O] → OHWI [O,taps,I]. */
function toOHWI(src: Float32Array, taps: number, I: number, O: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let t = 0; t < taps; t++) {
    for (let i = 0; i < I; i++) {
      for (let o = 0; o < O; o++) dst[(o * taps + t) * I + i] = src[(t * I + i) * O + o]!;
    }
  }
  return dst;
}

function fromOHWI(src: Float32Array, taps: number, I: number, O: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let o = 0; o < O; o++) {
    for (let t = 0; t < taps; t++) {
      for (let i = 0; i < I; i++) dst[(t * I + i) * O + o] = src[(o * taps + t) * I + i]!;
    }
  }
  return dst;
}

/** Per-tensor asymmetric uint8 quantization over [min(0, lo), max(0, hi)], as TFLite's converter does. */
export function quantizeU8(v: Float32Array): { q: Uint8Array; scale: number; zeroPoint: number; dequantized: Float32Array } {
  let lo = 0, hi = 0;
  for (const x of v) { if (x < lo) lo = x; if (x > hi) hi = x; }
  const scale = Math.fround(hi > lo ? (hi - lo) / 255 : 1);
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  const q = new Uint8Array(v.length);
  const dequantized = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    q[i] = Math.min(255, Math.max(0, Math.round(v[i]! / scale) + zeroPoint));
    dequantized[i] = scale * (q[i]! - zeroPoint);
  }
  return { q, scale, zeroPoint, dequantized };
}

/** int32 bias with scale = input scale · weight scale. */
function quantizeBias(v: Float32Array, scale: number): { q: Int32Array; dequantized: Float32Array } {
  const s = Math.fround(scale);
  const q = new Int32Array(v.length);
  const dequantized = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    q[i] = Math.round(v[i]! / s);
    dequantized[i] = s * q[i]!;
  }
  return { q, dequantized };
}

const RELU6_SCALE = Math.fround(6 / 255);

/**
 * Builds a MobileNetV1 .tflite description from NetWeights (kernel + bias per layer; BN must already be
 * folded). Tensor names follow the TF-slim export ('MobilenetV1/Conv2d_3_pointwise/weights', ...).
 */
export function mobilenetTflite(w: NetWeights, opts: MobilenetTfliteOptions): MobilenetTflite {
  const R = opts.resolution;
  const quant = opts.quantized ?? false;
  const classifier = opts.classifier ?? 'conv';
  const tail = opts.tail ?? 'reshape-softmax';
  const spec = buildSpec(w.alpha, R, w.classes);
  if (w.layers.length !== spec.layers.length) throw new Error(`expected ${spec.layers.length} layers, got ${w.layers.length}`);

  const opcodes: number[] = [];
  const opcodeIndex = (code: number): number => {
    let i = opcodes.indexOf(code);
    if (i < 0) { i = opcodes.length; opcodes.push(code); }
    return i;
  };
  const tensors: WTensor[] = [];
  const buffers: Uint8Array[] = [new Uint8Array(0)];
  const operators: WOperator[] = [];
  const addTensor = (t: Omit<WTensor, 'buffer'>, data?: Uint8Array): number => {
    let buffer = 0;
    if (data) { buffer = buffers.length; buffers.push(data); }
    tensors.push({ ...t, buffer });
    return tensors.length - 1;
  };
  const act = (name: string, shape: number[], scale = RELU6_SCALE, zeroPoint = 0): number =>
    addTensor(quant ? { name, shape, type: T.UINT8, scale: [scale], zeroPoint: [zeroPoint] } : { name, shape, type: T.FLOAT32 });

  const expectedLayers: LayerWeights[] = [];
  const INPUT_SCALE = Math.fround(1 / 128);
  let x = act('input', [1, R, R, 3], INPUT_SCALE, 128);
  const input = x;
  let inScale = INPUT_SCALE;

  const weightTensor = (name: string, shape: number[], fileLayout: Float32Array): { index: number; deq: Float32Array; scale: number } => {
    if (!quant) return { index: addTensor({ name, shape, type: T.FLOAT32 }, f32Bytes(fileLayout)), deq: fileLayout, scale: 1 };
    const q = quantizeU8(fileLayout);
    return {
      index: addTensor({ name, shape, type: T.UINT8, scale: [q.scale], zeroPoint: [q.zeroPoint] }, q.q),
      deq: q.dequantized, scale: q.scale,
    };
  };
  const biasTensor = (name: string, b: Float32Array, wScale: number): { index: number; deq: Float32Array } => {
    if (!quant) return { index: addTensor({ name, shape: [b.length], type: T.FLOAT32 }, f32Bytes(b)), deq: b };
    const s = Math.fround(inScale * wScale);
    const q = quantizeBias(b, s);
    return { index: addTensor({ name, shape: [b.length], type: T.INT32, scale: [s], zeroPoint: [0] }, i32Bytes(q.q)), deq: q.dequantized };
  };

  spec.layers.forEach((l, li) => {
    const lw = w.layers[li]!;
    if (!lw.bias) throw new Error(`layer ${l.name} has no bias (fold BatchNorm first)`);
    if (l.kind === 'classifier') return;
    const block = l.kind === 'conv' ? 0 : Math.ceil(li / 2);
    const scope = l.kind === 'conv' ? 'Conv2d_0' : l.kind === 'dwconv' ? `Conv2d_${block}_depthwise` : `Conv2d_${block}_pointwise`;
    let wt: { index: number; deq: Float32Array; scale: number };
    if (l.kind === 'dwconv') {
      wt = weightTensor(`MobilenetV1/${scope}/depthwise_weights`, [1, 3, 3, l.outChannels], lw.kernel);
    } else {
      const taps = l.kind === 'conv' ? 9 : 1;
      const k = l.kind === 'conv' ? 3 : 1;
      wt = weightTensor(`MobilenetV1/${scope}/weights`, [l.outChannels, k, k, l.inChannels], toOHWI(lw.kernel, taps, l.inChannels, l.outChannels));
      wt = { ...wt, deq: fromOHWI(wt.deq, taps, l.inChannels, l.outChannels) };
    }
    const bt = biasTensor(`MobilenetV1/MobilenetV1/${scope}/${l.kind === 'dwconv' ? 'depthwise' : 'Conv2D'}_bias`, lw.bias, wt.scale);
    const out = act(`MobilenetV1/MobilenetV1/${scope}/Relu6`, [1, l.outSize, l.outSize, l.outChannels]);
    const isDw = l.kind === 'dwconv';
    operators.push({
      opcodeIndex: opcodeIndex(isDw ? Op.DEPTHWISE_CONV_2D : Op.CONV_2D),
      inputs: [x, wt.index, bt.index], outputs: [out],
      optionsType: isDw ? Opt.DepthwiseConv2D : Opt.Conv2D,
      conv: { padding: Pad.SAME, strideW: l.stride, strideH: l.stride, activation: Act.RELU6, ...(isDw ? { depthMultiplier: 1 } : {}) },
    });
    expectedLayers.push({ kernel: wt.deq, bias: bt.deq });
    x = out;
    inScale = RELU6_SCALE;
  });

  const last = spec.layers[26]!;
  const pooled = act('MobilenetV1/Logits/AvgPool_1a/AvgPool', [1, 1, 1, last.outChannels]);
  operators.push({
    opcodeIndex: opcodeIndex(Op.AVERAGE_POOL_2D), inputs: [x], outputs: [pooled], optionsType: Opt.Pool2D,
    pool: { padding: Pad.VALID, strideW: 2, strideH: 2, filterW: last.outSize, filterH: last.outSize, activation: Act.NONE },
  });
  x = pooled;

  const cls = spec.layers[27]!;
  const clsW = w.layers[27]!;
  const C = w.classes, F = cls.inChannels;
  const clsFile = toOHWI(clsW.kernel, 1, F, C);
  const wt = weightTensor('MobilenetV1/Logits/Conv2d_1c_1x1/weights', classifier === 'conv' ? [C, 1, 1, F] : [C, F], clsFile);
  const bt = biasTensor('MobilenetV1/Logits/Conv2d_1c_1x1/biases', clsW.bias!, wt.scale);
  const logits = act('MobilenetV1/Logits/Conv2d_1c_1x1/BiasAdd', classifier === 'conv' ? [1, 1, 1, C] : [1, C], 0.15, 78);
  operators.push(classifier === 'conv'
    ? { opcodeIndex: opcodeIndex(Op.CONV_2D), inputs: [x, wt.index, bt.index], outputs: [logits], optionsType: Opt.Conv2D,
        conv: { padding: Pad.SAME, strideW: 1, strideH: 1, activation: Act.NONE } }
    : { opcodeIndex: opcodeIndex(Op.FULLY_CONNECTED), inputs: [x, wt.index, bt.index], outputs: [logits], optionsType: Opt.FullyConnected, fcActivation: Act.NONE });
  expectedLayers.push({ kernel: fromOHWI(wt.deq, 1, F, C), bias: bt.deq });
  x = logits;

  if (tail === 'reshape-softmax') {
    const shape = addTensor({ name: 'MobilenetV1/Logits/SpatialSqueeze_shape', shape: [2], type: T.INT32 }, i32Bytes([1, C]));
    const squeezed = act('MobilenetV1/Logits/SpatialSqueeze', [1, C], 0.15, 78);
    operators.push({ opcodeIndex: opcodeIndex(Op.RESHAPE), inputs: [x, shape], outputs: [squeezed], optionsType: Opt.Reshape, reshape: [1, C] });
    x = squeezed;
  }
  if (tail !== 'none') {
    const probs = act('MobilenetV1/Predictions/Reshape_1', [1, C], 1 / 256, 0);
    operators.push({ opcodeIndex: opcodeIndex(Op.SOFTMAX), inputs: [x], outputs: [probs], optionsType: Opt.Softmax, softmaxBeta: 1 });
    x = probs;
  }

  const model: WModel = {
    version: 3, opcodes, opcodeStyle: opts.opcodeStyle ?? 'both', tensors, inputs: [input], outputs: [x], operators, buffers,
  };
  const expected: NetWeights = {
    format: 'tflite', source: '', alpha: w.alpha, resolution: R, classes: C, classOffset: C === 1001 ? 1 : 0,
    normalization: quant ? 'tflite-uint8' : 'tflite', ...(quant ? { quantized: true } : {}), layers: expectedLayers,
  };
  return { model, expected };
}

/** NetWeights → .tflite bytes (float32, or uint8 per-tensor quantized). */
export function writeTflite(w: NetWeights, opts: MobilenetTfliteOptions): Uint8Array {
  return serializeTflite(mobilenetTflite(w, opts).model);
}

// ---------------------------------------------------------------------------------------------------
// Seeded weights in TFLite form (kernel + folded bias, no BN), for tests that do not need the lead's
// syntheticWeights() (which may carry unfolded BN).

export const mulberry32 = seededRandom;

export function foldedRandomWeights(alpha: number, opts: { seed?: number; classes?: number } = {}): NetWeights {
  const classes = opts.classes ?? 1001;
  const rand = mulberry32(opts.seed ?? 1);
  const spec = buildSpec(alpha, 224, classes);
  const layers: LayerWeights[] = spec.layers.map((l) => {
    const n = l.kernelShape.reduce((a, b) => a * b, 1);
    const fanIn = l.kind === 'dwconv' ? 9 : l.kind === 'conv' ? 27 : l.inChannels;
    const std = Math.sqrt(2 / fanIn);
    const kernel = new Float32Array(n);
    for (let i = 0; i < n; i++) kernel[i] = (rand() * 2 - 1) * std * 1.7;
    const bias = new Float32Array(l.outChannels);
    for (let i = 0; i < bias.length; i++) bias[i] = (rand() * 2 - 1) * 0.1;
    return { kernel, bias };
  });
  return { format: 'synthetic', source: `seed ${opts.seed ?? 1}`, alpha, classes, classOffset: classes === 1001 ? 1 : 0, normalization: 'tflite', layers };
}
