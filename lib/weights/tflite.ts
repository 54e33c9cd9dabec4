// TFLite (.tflite) reader: a small hand-written FlatBuffers reader for the parts of the TFLite schema
// MobileNetV1 needs, a check that the graph IS MobileNetV1, and conversion of its weights into NetWeights.
//
// Every offset is bounds-checked against the file before it is read, so a truncated or corrupted file
// throws WeightsError (naming the field and byte), never a RangeError from a DataView; traversal follows
// the schema (never pointers back into itself), and every vector length is checked against the bytes
// that remain, so no input can loop or allocate without bound.
//
// Supported: float32 models (BN folded into the conv bias, ReLU6 fused) and uint8 per-tensor quantized
// models, whose weights are dequantized at load (`scale * (q - zero_point)`, int32 biases `scale * q`).
// Schema reference: tensorflow/lite/schema/schema.fbs (field numbers below are its field ids).

import { WeightsError } from '../errors.js';
import { buildSpec, type LayerSpec } from '../graph.js';
import { ALPHAS } from '../validate.js';
import type { LayerWeights, NetWeights } from './types.js';
import { embeddedLabels } from './tflite-labels.js';

// ---------------------------------------------------------------------------------------------------
// FlatBuffers primitives

const UTF8 = new TextDecoder('utf-8', { fatal: false });

class FbReader {
  readonly view: DataView;
  readonly length: number;

  constructor(readonly bytes: Uint8Array, readonly source: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.length = bytes.byteLength;
  }

  fail(message: string): never {
    throw new WeightsError(this.source, message);
  }

  /** Throws unless [pos, pos + size) lies inside the file. */
  need(pos: number, size: number, what: string): void {
    if (Number.isSafeInteger(pos) && pos < 0) {
      this.fail(`corrupt flatbuffer: ${what} (${size} bytes) would start ${-pos} bytes before the file's first byte (an offset points outside the file)`);
    }
    if (!Number.isSafeInteger(pos) || pos < 0 || size < 0 || pos + size > this.length) {
      this.fail(`corrupt or truncated flatbuffer: ${what} at byte ${pos} (${size} bytes) lies outside the file ` +
        `(${this.length} bytes)`);
    }
  }

  u8(pos: number, what: string): number { this.need(pos, 1, what); return this.view.getUint8(pos); }
  i8(pos: number, what: string): number { this.need(pos, 1, what); return this.view.getInt8(pos); }
  u16(pos: number, what: string): number { this.need(pos, 2, what); return this.view.getUint16(pos, true); }
  i32(pos: number, what: string): number { this.need(pos, 4, what); return this.view.getInt32(pos, true); }
  u32(pos: number, what: string): number { this.need(pos, 4, what); return this.view.getUint32(pos, true); }
  f32(pos: number, what: string): number { this.need(pos, 4, what); return this.view.getFloat32(pos, true); }
  i64(pos: number, what: string): number {
    this.need(pos, 8, what);
    return Number(this.view.getBigInt64(pos, true));
  }
  u64(pos: number, what: string): number {
    this.need(pos, 8, what);
    return Number(this.view.getBigUint64(pos, true));
  }

  /** Follows a uoffset stored at `pos`. */
  deref(pos: number, what: string): number {
    return pos + this.u32(pos, what);
  }

  table(pos: number, what: string): Table {
    const soffset = this.i32(pos, what);
    const vt = pos - soffset;
    const vtSize = this.u16(vt, `${what} vtable`);
    if (vtSize < 4 || vtSize % 2 !== 0) this.fail(`corrupt flatbuffer: ${what} vtable at byte ${vt} has size ${vtSize}, expected an even size >= 4`);
    this.need(vt, vtSize, `${what} vtable`);
    const objSize = this.u16(vt + 2, `${what} vtable`);
    if (objSize < 4) this.fail(`corrupt flatbuffer: ${what} at byte ${pos} has object size ${objSize}, expected >= 4`);
    this.need(pos, objSize, what);
    return new Table(this, pos, vt, (vtSize - 4) >> 1, objSize, what);
  }

  /** A vector at `start` (pointing at its length): returns the element start and count, bounds-checked. */
  vector(start: number, elemSize: number, what: string): { pos: number; length: number } {
    const length = this.u32(start, what);
    this.need(start + 4, length * elemSize, what);
    return { pos: start + 4, length };
  }
}

class Table {
  constructor(
    private readonly r: FbReader, readonly pos: number, private readonly vt: number,
    private readonly fieldCount: number, private readonly objSize: number, readonly what: string,
  ) {}

  /** Absolute position of field `id`, or 0 when absent. */
  private field(id: number, size: number, name: string): number {
    if (id >= this.fieldCount) return 0;
    const off = this.r.u16(this.vt + 4 + 2 * id, `${this.what} vtable`);
    if (off === 0) return 0;
    if (off + size > this.objSize) {
      this.r.fail(`corrupt flatbuffer: ${this.what}.${name} at offset ${off} (${size} bytes) lies outside its table ` +
        `(${this.objSize} bytes at byte ${this.pos})`);
    }
    return this.pos + off;
  }

  has(id: number): boolean {
    return id < this.fieldCount && this.r.u16(this.vt + 4 + 2 * id, `${this.what} vtable`) !== 0;
  }

  u8(id: number, name: string, dflt = 0): number { const p = this.field(id, 1, name); return p ? this.r.u8(p, `${this.what}.${name}`) : dflt; }
  i8(id: number, name: string, dflt = 0): number { const p = this.field(id, 1, name); return p ? this.r.i8(p, `${this.what}.${name}`) : dflt; }
  i32(id: number, name: string, dflt = 0): number { const p = this.field(id, 4, name); return p ? this.r.i32(p, `${this.what}.${name}`) : dflt; }
  u32(id: number, name: string, dflt = 0): number { const p = this.field(id, 4, name); return p ? this.r.u32(p, `${this.what}.${name}`) : dflt; }
  f32(id: number, name: string, dflt = 0): number { const p = this.field(id, 4, name); return p ? this.r.f32(p, `${this.what}.${name}`) : dflt; }
  u64(id: number, name: string, dflt = 0): number { const p = this.field(id, 8, name); return p ? this.r.u64(p, `${this.what}.${name}`) : dflt; }

  table(id: number, name: string): Table | undefined {
    const p = this.field(id, 4, name);
    return p ? this.r.table(this.r.deref(p, `${this.what}.${name}`), `${this.what}.${name}`) : undefined;
  }

  string(id: number, name: string): string | undefined {
    const p = this.field(id, 4, name);
    if (!p) return undefined;
    const v = this.r.vector(this.r.deref(p, `${this.what}.${name}`), 1, `${this.what}.${name}`);
    return UTF8.decode(this.r.bytes.subarray(v.pos, v.pos + v.length));
  }

  private vec(id: number, name: string, elemSize: number): { pos: number; length: number } | undefined {
    const p = this.field(id, 4, name);
    return p ? this.r.vector(this.r.deref(p, `${this.what}.${name}`), elemSize, `${this.what}.${name}`) : undefined;
  }

  i32Vector(id: number, name: string): number[] | undefined {
    const v = this.vec(id, name, 4);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.view.getInt32(v.pos + 4 * i, true);
    return out;
  }

  f32Vector(id: number, name: string): number[] | undefined {
    const v = this.vec(id, name, 4);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.view.getFloat32(v.pos + 4 * i, true);
    return out;
  }

  i64Vector(id: number, name: string): number[] | undefined {
    const v = this.vec(id, name, 8);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = Number(this.r.view.getBigInt64(v.pos + 8 * i, true));
    return out;
  }

  bytesVector(id: number, name: string): Uint8Array | undefined {
    const v = this.vec(id, name, 1);
    return v ? this.r.bytes.subarray(v.pos, v.pos + v.length) : undefined;
  }

  /** A vector of tables; elements are parsed lazily by index. */
  tables(id: number, name: string): { length: number; at(i: number): Table } {
    const v = this.vec(id, name, 4);
    if (!v) return { length: 0, at: () => this.r.fail(`${this.what}.${name} is missing`) };
    return {
      length: v.length,
      at: (i: number) => {
        const what = `${this.what}.${name}[${i}]`;
        return this.r.table(this.r.deref(v.pos + 4 * i, what), what);
      },
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// The TFLite schema subset, as plain data

export const TensorType = {
  FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, STRING: 5, BOOL: 6, INT16: 7, COMPLEX64: 8, INT8: 9,
} as const;
const TENSOR_TYPE_NAMES = ['FLOAT32', 'FLOAT16', 'INT32', 'UINT8', 'INT64', 'STRING', 'BOOL', 'INT16', 'COMPLEX64', 'INT8',
  'FLOAT64', 'COMPLEX128', 'UINT64', 'RESOURCE', 'VARIANT', 'UINT32', 'UINT16', 'INT4'];
export function tensorTypeName(t: number): string { return TENSOR_TYPE_NAMES[t] ?? `type ${t}`; }

export const BuiltinOp = {
  ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEQUANTIZE: 6,
  FULLY_CONNECTED: 9, MAX_POOL_2D: 17, MUL: 18, RELU: 19, RELU6: 21, RESHAPE: 22, SOFTMAX: 25,
  PAD: 34, MEAN: 40, SQUEEZE: 43, QUANTIZE: 114,
} as const;
const OP_NAMES: Record<number, string> = {
  0: 'ADD', 1: 'AVERAGE_POOL_2D', 2: 'CONCATENATION', 3: 'CONV_2D', 4: 'DEPTHWISE_CONV_2D', 5: 'DEPTH_TO_SPACE',
  6: 'DEQUANTIZE', 7: 'EMBEDDING_LOOKUP', 8: 'FLOOR', 9: 'FULLY_CONNECTED', 10: 'HASHTABLE_LOOKUP', 11: 'L2_NORMALIZATION',
  12: 'L2_POOL_2D', 13: 'LOCAL_RESPONSE_NORMALIZATION', 14: 'LOGISTIC', 15: 'LSH_PROJECTION', 16: 'LSTM', 17: 'MAX_POOL_2D',
  18: 'MUL', 19: 'RELU', 20: 'RELU_N1_TO_1', 21: 'RELU6', 22: 'RESHAPE', 23: 'RESIZE_BILINEAR', 24: 'RNN', 25: 'SOFTMAX',
  26: 'SPACE_TO_DEPTH', 27: 'SVDF', 28: 'TANH', 32: 'CUSTOM', 34: 'PAD', 39: 'TRANSPOSE', 40: 'MEAN', 41: 'SUB', 42: 'DIV',
  43: 'SQUEEZE', 49: 'SPLIT', 53: 'CAST', 54: 'PRELU', 55: 'MAXIMUM', 74: 'SUM', 83: 'PACK', 97: 'RESIZE_NEAREST_NEIGHBOR',
  98: 'LEAKY_RELU', 102: 'SPLIT_V', 114: 'QUANTIZE', 117: 'HARD_SWISH',
};
export function opName(code: number): string { return OP_NAMES[code] ?? `builtin operator ${code}`; }

/** BuiltinOptions union tags used here. */
export const OptionsType = { Conv2DOptions: 1, DepthwiseConv2DOptions: 2, Pool2DOptions: 5, FullyConnectedOptions: 8, SoftmaxOptions: 9, ReshapeOptions: 17 } as const;
const OPTIONS_NAMES: Record<number, string> = { 0: 'no options', 1: 'Conv2DOptions', 2: 'DepthwiseConv2DOptions', 5: 'Pool2DOptions', 8: 'FullyConnectedOptions', 9: 'SoftmaxOptions', 17: 'ReshapeOptions' };

export const Padding = { SAME: 0, VALID: 1 } as const;
function paddingName(p: number): string { return p === 0 ? 'SAME' : p === 1 ? 'VALID' : `padding ${p}`; }
export const Activation = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;
const ACTIVATION_NAMES = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];
function activationName(a: number): string { return ACTIVATION_NAMES[a] ?? `activation ${a}`; }

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: number;
  buffer: number;
  scale?: number[];
  zeroPoint?: number[];
  /** QuantizationParameters.quantized_dimension: the axis of per-channel scales (0 when absent). */
  quantizedDimension?: number;
}

export interface ConvOptions { padding: number; strideW: number; strideH: number; activation: number; dilationW: number; dilationH: number; depthMultiplier?: number }
export interface PoolOptions { padding: number; strideW: number; strideH: number; filterW: number; filterH: number; activation: number }

export interface TfliteOperator {
  index: number;
  opcode: number;            // BuiltinOperator, resolved from deprecated_builtin_code / builtin_code
  customCode?: string;
  inputs: number[];
  outputs: number[];
  optionsType: number;
  conv?: ConvOptions;        // Conv2DOptions or DepthwiseConv2DOptions
  pool?: PoolOptions;
  fcActivation?: number;
  /** CUSTOM ops: the raw custom_options bytes (a FlexBuffer for TFLite_Detection_PostProcess). */
  customOptions?: Uint8Array;
  /** ADD (AddOptions) and CONCATENATION (ConcatenationOptions): fused activation; CONCATENATION: axis. */
  fusedActivation?: number;
  axis?: number;
}

export interface TfliteModel {
  version: number;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
  subgraphs: number;
  /** Raw bytes of buffer i (empty when the buffer has no data). */
  buffer(i: number): Uint8Array;
  bufferCount: number;
}

/** Whether `bytes` carry the TFLite flatbuffer file identifier ('TFL3' at byte 4): files are recognised by content. */
export function hasTfliteIdentifier(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && String.fromCharCode(bytes[4]!, bytes[5]!, bytes[6]!, bytes[7]!) === 'TFL3';
}

/** Reads the schema subset (first subgraph) with every offset bounds-checked. Does not validate the graph. */
export function readTfliteModel(bytes: Uint8Array, source: string): TfliteModel {
  // A Node Buffer (or any Uint8Array subclass) as a plain Uint8Array view: Buffer's slice() returns a view, not
  // a copy, and the readers copy weight and bias buffers with slice() (a Buffer read every bias from byte 0).
  if (bytes.constructor !== Uint8Array) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r: FbReader = new FbReader(bytes, source);
  if (bytes.byteLength < 8) r.fail(`not a TFLite model: file is ${bytes.byteLength} bytes, too short for a flatbuffer`);
  const ident = String.fromCharCode(bytes[4]!, bytes[5]!, bytes[6]!, bytes[7]!);
  if (ident !== 'TFL3') r.fail(`not a TFLite model: expected file identifier 'TFL3' at byte 4, found ${JSON.stringify(ident)}`);

  const model = r.table(r.deref(0, 'root offset'), 'Model');
  const version = model.u32(0, 'version');
  if (version !== 3) r.fail(`unsupported TFLite schema version ${version}, expected 3`);

  const codeTables = model.tables(1, 'operator_codes');
  const opcodes: Array<{ code: number; custom?: string }> = [];
  for (let i = 0; i < codeTables.length; i++) {
    const t = codeTables.at(i);
    // deprecated_builtin_code (int8, field 0) holds codes < 127; builtin_code (int32, field 3) is authoritative
    // in newer files and 0 in older ones: TFLite's own rule is the larger of the two.
    const deprecated = t.i8(0, 'deprecated_builtin_code');
    const builtin = t.i32(3, 'builtin_code');
    const custom = t.string(1, 'custom_code');
    opcodes.push({ code: Math.max(deprecated, builtin), ...(custom !== undefined ? { custom } : {}) });
  }

  const subgraphTables = model.tables(2, 'subgraphs');
  if (subgraphTables.length < 1) r.fail('not a TFLite model: Model.subgraphs is empty, expected 1 subgraph');
  const sg = subgraphTables.at(0);

  const tensorTables = sg.tables(0, 'tensors');
  const tensors: TfliteTensor[] = [];
  for (let i = 0; i < tensorTables.length; i++) {
    const t = tensorTables.at(i);
    const q = t.table(4, 'quantization');
    const scale = q?.f32Vector(2, 'scale');
    const zeroPoint = q?.i64Vector(3, 'zero_point');
    const qdim = q?.i32(6, 'quantized_dimension') ?? 0;
    tensors.push({
      index: i,
      name: t.string(3, 'name') ?? `#${i}`,
      shape: t.i32Vector(0, 'shape') ?? [],
      type: t.i8(1, 'type'),
      buffer: t.u32(2, 'buffer'),
      ...(scale && scale.length ? { scale } : {}),
      ...(zeroPoint && zeroPoint.length ? { zeroPoint } : {}),
      ...(qdim ? { quantizedDimension: qdim } : {}),
    });
  }
  const checkTensorIndex = (i: number, what: string): number => {
    if (!(i >= -1 && i < tensors.length)) r.fail(`${what} refers to tensor ${i}, but the subgraph has ${tensors.length} tensors`);
    return i;
  };
  const inputs = (sg.i32Vector(1, 'inputs') ?? []).map((i, k) => checkTensorIndex(i, `SubGraph.inputs[${k}]`));
  const outputs = (sg.i32Vector(2, 'outputs') ?? []).map((i, k) => checkTensorIndex(i, `SubGraph.outputs[${k}]`));

  const opTables = sg.tables(3, 'operators');
  const operators: TfliteOperator[] = [];
  for (let i = 0; i < opTables.length; i++) {
    const t = opTables.at(i);
    const opcodeIndex = t.u32(0, 'opcode_index');
    const oc = opcodes[opcodeIndex];
    if (!oc) r.fail(`op ${i}: opcode_index ${opcodeIndex} is out of range, the model has ${opcodes.length} operator codes`);
    const op: TfliteOperator = {
      index: i,
      opcode: oc.code,
      ...(oc.custom !== undefined ? { customCode: oc.custom } : {}),
      inputs: (t.i32Vector(1, 'inputs') ?? []).map((x, k) => checkTensorIndex(x, `op ${i} input ${k}`)),
      outputs: (t.i32Vector(2, 'outputs') ?? []).map((x, k) => checkTensorIndex(x, `op ${i} output ${k}`)),
      optionsType: t.u8(3, 'builtin_options_type'),
    };
    const customOptions = t.bytesVector(5, 'custom_options');
    if (customOptions) op.customOptions = customOptions;
    const o = t.table(4, 'builtin_options');
    if (o && op.optionsType === OptionsType.Conv2DOptions) {
      op.conv = {
        padding: o.i8(0, 'padding'), strideW: o.i32(1, 'stride_w'), strideH: o.i32(2, 'stride_h'),
        activation: o.i8(3, 'fused_activation_function'),
        dilationW: o.i32(4, 'dilation_w_factor', 1), dilationH: o.i32(5, 'dilation_h_factor', 1),
      };
    } else if (o && op.optionsType === OptionsType.DepthwiseConv2DOptions) {
      op.conv = {
        padding: o.i8(0, 'padding'), strideW: o.i32(1, 'stride_w'), strideH: o.i32(2, 'stride_h'),
        depthMultiplier: o.i32(3, 'depth_multiplier'), activation: o.i8(4, 'fused_activation_function'),
        dilationW: o.i32(5, 'dilation_w_factor', 1), dilationH: o.i32(6, 'dilation_h_factor', 1),
      };
    } else if (o && op.optionsType === OptionsType.Pool2DOptions) {
      op.pool = {
        padding: o.i8(0, 'padding'), strideW: o.i32(1, 'stride_w'), strideH: o.i32(2, 'stride_h'),
        filterW: o.i32(3, 'filter_width'), filterH: o.i32(4, 'filter_height'), activation: o.i8(5, 'fused_activation_function'),
      };
    } else if (o && op.optionsType === OptionsType.FullyConnectedOptions) {
      op.fcActivation = o.i8(0, 'fused_activation_function');
    } else if (o && op.optionsType === 10 /* ConcatenationOptions */) {
      op.axis = o.i32(0, 'axis');
      op.fusedActivation = o.i8(1, 'fused_activation_function');
    } else if (o && op.optionsType === 11 /* AddOptions */) {
      op.fusedActivation = o.i8(0, 'fused_activation_function');
    }
    operators.push(op);
  }

  const bufferTables = model.tables(4, 'buffers');
  const bufferCache = new Map<number, Uint8Array>();
  return {
    version, tensors, inputs, outputs, operators, subgraphs: subgraphTables.length,
    bufferCount: bufferTables.length,
    buffer(i: number): Uint8Array {
      if (!(i >= 0 && i < bufferTables.length)) r.fail(`buffer index ${i} is out of range, the model has ${bufferTables.length} buffers`);
      const hit = bufferCache.get(i);
      if (hit) return hit;
      const b = bufferTables.at(i);
      let data = b.bytesVector(0, 'data') ?? new Uint8Array(0);
      // Models over 2 GB keep data outside the flatbuffer: Buffer.offset/size (fields 1, 2), absolute in the file.
      const offset = b.u64(1, 'offset');
      if (data.length === 0 && offset > 1) {
        const size = b.u64(2, 'size');
        r.need(offset, size, `Model.buffers[${i}] external data`);
        data = bytes.subarray(offset, offset + size);
      }
      bufferCache.set(i, data);
      return data;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// MobileNetV1 validation and conversion

const fmtShape = (s: readonly number[]): string => `[${s.join(',')}]`;
const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** conv1's output channels (floor(32·α)) → α. */
const ALPHA_BY_CONV1 = new Map<number, number>(ALPHAS.map((a) => [Math.floor(32 * a), a]));

/** RELU6 in a uint8 model may be fused, or implied by an output range of [0, 6]. */
function relu6Range(t: TfliteTensor): boolean {
  if (t.type !== TensorType.UINT8 || !t.scale || !t.zeroPoint) return false;
  const s = t.scale[0]!, zp = t.zeroPoint[0]!;
  const lo = s * (0 - zp), hi = s * (255 - zp);
  return Math.abs(lo) <= s && Math.abs(hi - 6) <= 0.01 * 6;
}

class Converter {
  /** Output tensor of a DEQUANTIZE op on a constant -> the constant (float16 and int8 weight files). */
  readonly dequantized = new Map<number, TfliteTensor>();

  constructor(private readonly m: TfliteModel, private readonly source: string) {}

  fail(message: string): never { throw new WeightsError(this.source, message); }

  tensor(i: number | undefined, what: string): TfliteTensor {
    const t = i === undefined || i < 0 ? undefined : this.m.tensors[i];
    if (!t) this.fail(`${what}: missing tensor`);
    return t;
  }

  /**
   * Float values of a weight tensor: FLOAT32; FLOAT16 (the converter's float16 files); UINT8 per
   * tensor; INT8 per tensor or per output channel (the converter's default "dynamic range" files and
   * full-integer files); INT32 biases. Quantized values are dequantized: scale * (q - zero_point).
   * `source` is the tensor holding the data when a DEQUANTIZE op feeds `t` (its type and scales win).
   */
  values(t: TfliteTensor, allowed: 'weights' | 'bias', source: TfliteTensor = this.dequantized.get(t.index) ?? t): { data: Float32Array; quantized: boolean } {
    let n = 1;
    for (const d of t.shape) {
      if (!(d >= 0)) this.fail(`tensor '${t.name}' has shape ${fmtShape(t.shape)}, expected non-negative dimensions`);
      n *= d;
    }
    if (source !== t && !sameShape(source.shape, t.shape)) {
      this.fail(`tensor '${source.name}' (shape ${fmtShape(source.shape)}) is dequantized into '${t.name}' of shape ${fmtShape(t.shape)}`);
    }
    const s = source;
    const raw = this.m.buffer(s.buffer);
    const ELEM: Record<number, number> = { [TensorType.FLOAT32]: 4, [TensorType.INT32]: 4, [TensorType.FLOAT16]: 2, [TensorType.UINT8]: 1, [TensorType.INT8]: 1 };
    const okTypes: number[] = allowed === 'weights'
      ? [TensorType.FLOAT32, TensorType.FLOAT16, TensorType.UINT8, TensorType.INT8]
      : [TensorType.FLOAT32, TensorType.FLOAT16, TensorType.INT32];
    if (!okTypes.includes(s.type)) {
      this.fail(`tensor '${s.name}' has type ${tensorTypeName(s.type)}, expected ${okTypes.map(tensorTypeName).join(', ')}`);
    }
    const elem = ELEM[s.type]!;
    if (raw.length !== n * elem) {
      this.fail(`tensor '${s.name}' (shape ${fmtShape(s.shape)}, ${tensorTypeName(s.type)}) expects ${n * elem} bytes of data, ` +
        `found ${raw.length} in buffer ${s.buffer}`);
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = new Float32Array(n);
    let quantized = false;
    if (s.type === TensorType.FLOAT32) {
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
    } else if (s.type === TensorType.FLOAT16) {
      quantized = true;
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
    } else {
      quantized = true;
      if (!s.scale || !s.zeroPoint) this.fail(`tensor '${s.name}' has type ${tensorTypeName(s.type)} but no quantization scale and zero point`);
      // Per-tensor (1 scale) or per-channel along quantized_dimension (INT8 only, TFLite's rule).
      const channels = s.scale.length;
      let axis = s.quantizedDimension ?? 0;
      // Depthwise kernels [1,3,3,C] are quantized along dimension 3; some writers leave the field at its default 0.
      if (axis === 0 && channels > 1 && s.shape[0] === 1 && s.shape[s.shape.length - 1] === channels) axis = s.shape.length - 1;
      // (int8 weights and their int32 biases may be per channel; uint8 only per tensor.)
      if (channels !== 1 && (s.type === TensorType.UINT8 || !(axis >= 0 && axis < s.shape.length) || s.shape[axis] !== channels)) {
        this.fail(`tensor '${s.name}' has ${channels} quantization scales, expected 1 (per-tensor quantization)` +
          (s.type !== TensorType.UINT8 ? ` or ${s.shape[axis] ?? '?'} (per channel along dimension ${axis})` : ''));
      }
      if (s.zeroPoint.length !== 1 && s.zeroPoint.length !== channels) {
        this.fail(`tensor '${s.name}' has ${s.zeroPoint.length} zero points for ${channels} scales`);
      }
      for (let c = 0; c < channels; c++) {
        const scale = s.scale[c]!;
        if (!(Number.isFinite(scale) && scale > 0)) this.fail(`tensor '${s.name}' has quantization scale ${scale}, expected a positive finite number`);
      }
      const [lo, hi] = s.type === TensorType.UINT8 ? [0, 255] : s.type === TensorType.INT8 ? [-128, 127] : [0, 0];
      for (const zp of s.zeroPoint) {
        if (!(zp >= lo && zp <= hi)) {
          this.fail(`tensor '${s.name}' has zero point ${zp}, expected ${lo === hi ? '0 for an INT32 bias' : `${lo}..${hi} for ${tensorTypeName(s.type)}`}`);
        }
      }
      // Element i's channel along `axis`: (i / inner) % channels, inner = product of the later dimensions.
      let inner = 1;
      for (let d = axis + 1; d < s.shape.length; d++) inner *= s.shape[d]!;
      const zps = s.zeroPoint;
      for (let i = 0; i < n; i++) {
        const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
        const q = s.type === TensorType.UINT8 ? raw[i]! : s.type === TensorType.INT8 ? view.getInt8(i) : view.getInt32(4 * i, true);
        out[i] = s.scale[c]! * (q - zps[zps.length === 1 ? 0 : c]!);
      }
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(out[i]!)) this.fail(`tensor '${s.name}' has a non-finite value (${out[i]}) at index ${i}`);
    }
    return { data: out, quantized };
  }
}

/** IEEE 754 binary16 -> number (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function opLabel(op: TfliteOperator, layer?: string): string {
  return `op ${op.index} (${opName(op.opcode)}${layer ? `, ${layer}` : ''})`;
}

/**
 * Parses a .tflite file holding MobileNetV1 (float32 or uint8 per-tensor quantized) into NetWeights.
 * α and the input resolution are read from the file; the graph must be exactly MobileNetV1.
 */
export function parseTflite(bytes: Uint8Array, source: string): NetWeights {
  const m = readTfliteModel(bytes, source);
  try {
    const w = convertMobileNetV1(m, source);
    // Labels the file carries (TFLite metadata), when there is one per class (with or without background).
    const labels = embeddedLabels(bytes);
    if (labels && (labels.length === w.classes || labels.length === w.classes - w.classOffset)) {
      w.labels = labels.length === w.classes ? labels.slice(w.classOffset) : labels;
    }
    return w;
  } catch (e) {
    // A graph that is not MobileNetV1: say what it looks like rather than which op differed.
    const looks = e instanceof WeightsError ? guessNetwork(m) : undefined;
    if (looks) throw new WeightsError(source, `expected a MobileNetV1 model but this looks like ${looks}, which is not supported (${e instanceof Error ? e.message.slice(source.length + 2) : ''})`);
    throw e;
  }
}

/** Names a well-known network from its operators and tensor names, or undefined when it may be MobileNetV1. */
export function guessNetwork(m: TfliteModel): string | undefined {
  const names = m.tensors.map((t) => t.name).join('\n');
  const count = (code: number) => m.operators.filter((o) => o.opcode === code).length;
  const adds = count(BuiltinOp.ADD);
  const custom = m.operators.map((o) => o.customCode).filter((c): c is string => c !== undefined);
  if (custom.includes('TFLite_Detection_PostProcess') || /ssd|BoxPredictor/i.test(names)) return `an SSD object detector (${custom.length ? `custom op ${custom[0]}` : 'box predictor tensors'})`;
  if (/mobilenet_?v3/i.test(names) || count(117) > 0) return `MobileNetV3 (${count(117)} HARD_SWISH ops)`;
  if (/mobilenet_?v2|expanded_conv|block_\d+_expand/i.test(names)) return `MobileNetV2 (inverted residual blocks: ${adds} ADD ops, tensors named ${/mobilenet_?v2/i.exec(names)?.[0] ?? 'expanded_conv'})`;
  if (/efficientnet/i.test(names)) return 'EfficientNet';
  if (/inception/i.test(names)) return 'Inception';
  if (/resnet/i.test(names)) return 'ResNet';
  // A stray ADD is a damaged MobileNetV1; residual networks have one per block (MobileNetV2: 10).
  if (adds >= 3) return `a network with residual connections (${adds} ADD ops; MobileNetV1 has none), e.g. MobileNetV2`;
  if (m.operators.length > 40) return `a network of ${m.operators.length} operators (MobileNetV1 has 28 to 31)`;
  return undefined;
}

function convertMobileNetV1(m: TfliteModel, source: string): NetWeights {
  const c: Converter = new Converter(m, source);
  const fail: (msg: string) => never = (msg) => c.fail(msg);
  // DEQUANTIZE ops on constants (float16 files, some int8 files) are folded away: the consuming
  // op reads the constant, dequantized at load.
  const ops = m.operators.filter((op) => {
    if (op.opcode !== BuiltinOp.DEQUANTIZE || op.inputs.length !== 1 || op.outputs.length !== 1) return true;
    const src = m.tensors[op.inputs[0]!];
    if (!src || m.buffer(src.buffer).length === 0) return true; // a runtime dequantize: not a weight
    c.dequantized.set(op.outputs[0]!, src);
    return false;
  });

  if (m.subgraphs !== 1) fail(`expected 1 subgraph, found ${m.subgraphs}`);
  if (m.inputs.length !== 1) fail(`expected 1 graph input, found ${m.inputs.length}`);

  // Input: [1, R, R, 3], R a multiple of 32.
  const input = c.tensor(m.inputs[0], 'graph input');
  const s = input.shape;
  if (s.length !== 4 || s[0] !== 1 || s[3] !== 3 || s[1] !== s[2] || !(s[1]! >= 32) || s[1]! % 32 !== 0) {
    fail(`input tensor '${input.name}' has shape ${fmtShape(s)}, expected [1,R,R,3] with R a multiple of 32`);
  }
  if (input.type !== TensorType.FLOAT32 && input.type !== TensorType.UINT8 && input.type !== TensorType.INT8) {
    fail(`input tensor '${input.name}' has type ${tensorTypeName(input.type)}, expected FLOAT32, UINT8 or INT8`);
  }
  const resolution = s[1]!;

  if (ops.length < 27) {
    fail(`not a MobileNetV1 graph: ${ops.length} operators, expected at least 27 (conv, 13 depthwise-separable blocks, then pool and classifier)`);
  }

  // α from conv1's output channels (OHWI kernel, dim 0).
  const first = ops[0]!;
  if (first.opcode !== BuiltinOp.CONV_2D) fail(`${opLabel(first)}: expected CONV_2D (conv1), found ${opName(first.opcode)}`);
  const conv1Kernel = c.tensor(first.inputs[1], `${opLabel(first, 'conv1')} kernel`);
  const conv1Out = conv1Kernel.shape[0] ?? -1;
  const alpha = ALPHA_BY_CONV1.get(conv1Out);
  if (alpha === undefined) {
    fail(`tensor '${conv1Kernel.name}' has shape ${fmtShape(conv1Kernel.shape)}, expected [C,3,3,3] with C = 8, 16, 24 or 32 ` +
      `(alpha 0.25, 0.5, 0.75 or 1)`);
  }

  // Classifier width from the op after the pool; none (a headless backbone) when the graph ends
  // after conv_pw_13 or after the pool (Keras include_top=False, pooling None or 'avg').
  const clsOp = ops[28];
  let classes = 0;
  const headless = ops.length === 27 || (ops.length === 28 && ops[27]!.opcode === BuiltinOp.AVERAGE_POOL_2D) ||
    (ops.length === 29 && ops[27]!.opcode === BuiltinOp.AVERAGE_POOL_2D && (ops[28]!.opcode === BuiltinOp.RESHAPE || ops[28]!.opcode === BuiltinOp.SQUEEZE));
  if (clsOp && (clsOp.opcode === BuiltinOp.CONV_2D || clsOp.opcode === BuiltinOp.FULLY_CONNECTED)) {
    classes = c.tensor(clsOp.inputs[1], `${opLabel(clsOp, 'conv_preds')} kernel`).shape[0] ?? 0;
  }
  if (!headless && !(classes >= 1 && classes <= 100000)) classes = 1001; // reported as a mismatch below
  const spec = buildSpec(alpha, resolution, classes);

  const layers: LayerWeights[] = [];
  let quantized = false;
  let prevOut = m.inputs[0]!;

  const checkChain = (op: TfliteOperator, layer: string): void => {
    if (op.inputs[0] !== prevOut) {
      fail(`${opLabel(op, layer)}: expected its input to be the output of the previous op (tensor ${prevOut}), found tensor ${op.inputs[0]}`);
    }
    if (op.outputs.length !== 1) fail(`${opLabel(op, layer)}: expected 1 output, found ${op.outputs.length}`);
    prevOut = op.outputs[0]!;
  };

  const checkOutShape = (op: TfliteOperator, layer: string, expected: number[]): void => {
    const out = c.tensor(op.outputs[0], `${opLabel(op, layer)} output`);
    if (out.shape.length && !sameShape(out.shape, expected)) {
      fail(`${opLabel(op, layer)}: output tensor '${out.name}' has shape ${fmtShape(out.shape)}, expected ${fmtShape(expected)} for alpha ${alpha} at ${resolution}`);
    }
  };

  const checkRelu6 = (op: TfliteOperator, layer: string, activation: number): void => {
    if (activation === Activation.RELU6) return;
    const out = c.tensor(op.outputs[0], `${opLabel(op, layer)} output`);
    if ((activation === Activation.NONE || activation === Activation.RELU) && relu6Range(out)) return;
    fail(`${opLabel(op, layer)}: expected fused activation RELU6, found ${activationName(activation)}`);
  };

  const convLayer = (op: TfliteOperator, spec: LayerSpec): void => {
    const layer = spec.name;
    const kind = spec.kind;
    const expectOp = kind === 'dwconv' ? BuiltinOp.DEPTHWISE_CONV_2D : BuiltinOp.CONV_2D;
    if (op.opcode !== expectOp) fail(`${opLabel(op)}: expected ${opName(expectOp)} (${layer}), found ${opName(op.opcode)}`);
    const expectOptions = kind === 'dwconv' ? OptionsType.DepthwiseConv2DOptions : OptionsType.Conv2DOptions;
    if (op.optionsType !== expectOptions || !op.conv) {
      fail(`${opLabel(op, layer)}: expected ${OPTIONS_NAMES[expectOptions]}, found ${OPTIONS_NAMES[op.optionsType] ?? `options type ${op.optionsType}`}`);
    }
    if (op.inputs.length !== 3 || op.inputs[2]! < 0) fail(`${opLabel(op, layer)}: expected 3 inputs (data, kernel, bias), found ${op.inputs.filter((x) => x >= 0).length}`);
    checkChain(op, layer);
    const o = op.conv;
    const k = kind === 'pwconv' ? 1 : 3;
    const kernel = c.tensor(op.inputs[1], `${opLabel(op, layer)} kernel`);
    const kh = kernel.shape[1], kw = kernel.shape[2];
    if (kernel.shape.length !== 4 || kh !== k || kw !== k) {
      fail(`${opLabel(op, layer)}: expected a ${k}x${k} kernel, found ${kernel.shape.length === 4 ? `${kh}x${kw}` : 'a kernel'} ` +
        `(tensor '${kernel.name}' has shape ${fmtShape(kernel.shape)})`);
    }
    if (o.strideH !== spec.stride || o.strideW !== spec.stride) {
      fail(`${opLabel(op, layer)}: expected stride ${spec.stride}x${spec.stride}, found ${o.strideH}x${o.strideW}`);
    }
    if (o.dilationH !== 1 || o.dilationW !== 1) fail(`${opLabel(op, layer)}: expected dilation 1x1, found ${o.dilationH}x${o.dilationW}`);
    // 1x1 stride-1 convolutions pad nothing under either mode; the 3x3 ones must be TF SAME.
    if (k === 3 && o.padding !== Padding.SAME) fail(`${opLabel(op, layer)}: expected padding SAME, found ${paddingName(o.padding)}`);
    if (kind === 'dwconv' && o.depthMultiplier !== 1) fail(`${opLabel(op, layer)}: expected depth_multiplier 1, found ${o.depthMultiplier}`);
    checkRelu6(op, layer, o.activation);

    // File layouts: conv OHWI [O,kh,kw,I], depthwise 1HWC [1,3,3,C].
    const expected = kind === 'dwconv' ? [1, 3, 3, spec.outChannels] : [spec.outChannels, k, k, spec.inChannels];
    if (!sameShape(kernel.shape, expected)) {
      fail(`tensor '${kernel.name}' has shape ${fmtShape(kernel.shape)}, expected ${fmtShape(expected)} for alpha ${alpha}`);
    }
    const bias = c.tensor(op.inputs[2], `${opLabel(op, layer)} bias`);
    if (!sameShape(bias.shape, [spec.outChannels])) {
      fail(`tensor '${bias.name}' has shape ${fmtShape(bias.shape)}, expected [${spec.outChannels}] for alpha ${alpha}`);
    }
    const kv = c.values(kernel, 'weights');
    const bv = c.values(bias, 'bias');
    quantized ||= kv.quantized;
    layers.push({ kernel: toCanonical(kv.data, kind, spec), bias: bv.data });
    checkOutShape(op, layer, [1, spec.outSize, spec.outSize, spec.outChannels]);
  };

  // conv1 + 13 × (depthwise, pointwise)
  for (let i = 0; i < 27; i++) convLayer(ops[i]!, spec.layers[i]!);

  const inputQuantization = inputQuantizationOf(input, fail);
  const result = (): NetWeights => ({
    format: 'tflite',
    source,
    alpha,
    resolution,
    classes,
    classOffset: classes === 1001 ? 1 : 0,
    // A uint8 input is fed what its quantization says: real = scale * (q - zero_point). Google's
    // uint8 models use 1/128 and 128, i.e. (x - 128) / 128; others e.g. 1/255 and 0 (x / 255).
    normalization: inputQuantization ? (inputQuantization.scale === 0.0078125 && inputQuantization.zeroPoint === 128 ? 'tflite-uint8' : 'quantized') : 'tflite',
    ...(inputQuantization ? { inputQuantization } : {}),
    ...(quantized ? { quantized: true } : {}),
    layers,
  });
  if (headless) {
    // The pool, when present, must be the global one; the native side pools either way (embed()).
    let i = 27;
    if (ops[i]?.opcode === BuiltinOp.AVERAGE_POOL_2D) { checkChain(ops[i]!, 'pool'); i++; }
    if (ops[i]) { checkChain(ops[i]!, 'reshape'); i++; }
    return result();
  }
  if (ops.length < 29) fail(`not a MobileNetV1 graph: ${ops.length} operators, expected 29 (conv, 13 depthwise-separable blocks, pool, classifier)`);

  // Global average pool.
  const features = spec.features;
  const finalSize = spec.layers[26]!.outSize;
  const pool = ops[27]!;
  if (pool.opcode !== BuiltinOp.AVERAGE_POOL_2D) fail(`${opLabel(pool)}: expected AVERAGE_POOL_2D (global average pool), found ${opName(pool.opcode)}`);
  if (pool.optionsType !== OptionsType.Pool2DOptions || !pool.pool) fail(`${opLabel(pool)}: expected Pool2DOptions, found ${OPTIONS_NAMES[pool.optionsType] ?? `options type ${pool.optionsType}`}`);
  checkChain(pool, 'pool');
  const p = pool.pool;
  if (p.filterH !== finalSize || p.filterW !== finalSize) {
    fail(`${opLabel(pool)}: expected a ${finalSize}x${finalSize} filter (global pool at ${resolution}), found ${p.filterH}x${p.filterW}`);
  }
  if (p.activation !== Activation.NONE) fail(`${opLabel(pool)}: expected no fused activation, found ${activationName(p.activation)}`);
  if (p.padding !== Padding.VALID && p.strideH < finalSize) {
    fail(`${opLabel(pool)}: expected padding VALID, found ${paddingName(p.padding)} with stride ${p.strideH}`);
  }
  checkOutShape(pool, 'pool', [1, 1, 1, features]);

  // Classifier: 1x1 CONV_2D or FULLY_CONNECTED, no activation.
  const cls = ops[28]!;
  const clsSpec = spec.layers[27]!;
  if (cls.opcode !== BuiltinOp.CONV_2D && cls.opcode !== BuiltinOp.FULLY_CONNECTED) {
    fail(`${opLabel(cls)}: expected CONV_2D or FULLY_CONNECTED (classifier), found ${opName(cls.opcode)}`);
  }
  if (cls.inputs.length !== 3 || cls.inputs[2]! < 0) fail(`${opLabel(cls, 'conv_preds')}: expected 3 inputs (data, kernel, bias), found ${cls.inputs.filter((x) => x >= 0).length}`);
  checkChain(cls, 'conv_preds');
  const clsKernel = c.tensor(cls.inputs[1], `${opLabel(cls, 'conv_preds')} kernel`);
  if (cls.opcode === BuiltinOp.CONV_2D) {
    if (cls.optionsType !== OptionsType.Conv2DOptions || !cls.conv) fail(`${opLabel(cls, 'conv_preds')}: expected Conv2DOptions, found ${OPTIONS_NAMES[cls.optionsType] ?? `options type ${cls.optionsType}`}`);
    const o = cls.conv;
    if (o.strideH !== 1 || o.strideW !== 1) fail(`${opLabel(cls, 'conv_preds')}: expected stride 1x1, found ${o.strideH}x${o.strideW}`);
    if (o.activation !== Activation.NONE) fail(`${opLabel(cls, 'conv_preds')}: expected no fused activation, found ${activationName(o.activation)}`);
    const expected = [classes, 1, 1, features];
    if (!sameShape(clsKernel.shape, expected)) fail(`tensor '${clsKernel.name}' has shape ${fmtShape(clsKernel.shape)}, expected ${fmtShape(expected)} for alpha ${alpha}`);
  } else {
    const act = cls.fcActivation ?? Activation.NONE;
    if (act !== Activation.NONE) fail(`${opLabel(cls, 'conv_preds')}: expected no fused activation, found ${activationName(act)}`);
    const expected = [classes, features];
    if (!sameShape(clsKernel.shape, expected)) fail(`tensor '${clsKernel.name}' has shape ${fmtShape(clsKernel.shape)}, expected ${fmtShape(expected)} for alpha ${alpha}`);
  }
  const clsBias = c.tensor(cls.inputs[2], `${opLabel(cls, 'conv_preds')} bias`);
  if (!sameShape(clsBias.shape, [classes])) fail(`tensor '${clsBias.name}' has shape ${fmtShape(clsBias.shape)}, expected [${classes}]`);
  {
    const kv = c.values(clsKernel, 'weights');
    const bv = c.values(clsBias, 'bias');
    quantized ||= kv.quantized;
    layers.push({ kernel: toCanonical(kv.data, 'classifier', clsSpec), bias: bv.data });
  }

  // Tail: optional RESHAPE/SQUEEZE, optional SOFTMAX; nothing else.
  let i = 29;
  if (ops[i] && (ops[i]!.opcode === BuiltinOp.RESHAPE || ops[i]!.opcode === BuiltinOp.SQUEEZE)) { checkChain(ops[i]!, 'reshape'); i++; }
  if (ops[i] && ops[i]!.opcode === BuiltinOp.SOFTMAX) { checkChain(ops[i]!, 'softmax'); i++; }
  if (i < ops.length) {
    fail(`${opLabel(ops[i]!)}: expected the graph to end after the classifier (optionally RESHAPE, SOFTMAX), found ${opName(ops[i]!.opcode)}`);
  }
  if (!m.outputs.includes(prevOut)) {
    fail(`expected the graph output to be the result of op ${ops.length - 1}, found output tensors ${fmtShape(m.outputs)}`);
  }

  return result();
}

/** The uint8 input tensor's (scale, zero point), or undefined for a float input. */
function inputQuantizationOf(input: TfliteTensor, fail: (msg: string) => never): { scale: number; zeroPoint: number } | undefined {
  if (input.type !== TensorType.UINT8) return undefined;
  const scale = input.scale?.[0], zeroPoint = input.zeroPoint?.[0];
  if (scale === undefined || zeroPoint === undefined || input.scale!.length !== 1) {
    fail(`input tensor '${input.name}' is UINT8 but has no per-tensor quantization (scale, zero point)`);
  }
  if (!(Number.isFinite(scale) && scale > 0 && scale < 1e6) || !(Number.isInteger(zeroPoint) && zeroPoint >= 0 && zeroPoint <= 255)) {
    fail(`input tensor '${input.name}' has quantization scale ${scale} and zero point ${zeroPoint}, expected a positive scale and a zero point in 0..255`);
  }
  return { scale, zeroPoint };
}


/** File layout (OHWI / 1HWC / [O,I]) → canonical layout (weights/types.ts). */
function toCanonical(src: Float32Array, kind: LayerSpec['kind'], spec: LayerSpec): Float32Array {
  if (kind === 'dwconv') return src; // [1,3,3,C] and [3,3,C] are the same bytes
  const O = spec.outChannels, I = spec.inChannels;
  const taps = kind === 'conv' ? 9 : 1;
  // src [O][taps][I] → dst [taps][I][O]
  const dst = new Float32Array(src.length);
  for (let o = 0; o < O; o++) {
    for (let t = 0; t < taps; t++) {
      const s = (o * taps + t) * I;
      const d = t * I * O + o;
      for (let i = 0; i < I; i++) dst[d + i * O] = src[s + i]!;
    }
  }
  return dst;
}
