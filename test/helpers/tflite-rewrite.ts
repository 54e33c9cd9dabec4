// Rewrites a real .tflite file through plain data: read it (lib/weights/tflite.ts), let a test change tensors,
// operators or options, serialise it again (test/helpers/tflite-writer.ts). For recogniser error tests on the
// real MobileNetV2 / SSD graphs. Keeps what the readers look at: tensors (shape, type, buffer, name,
// quantization), operator codes (builtin and custom), inputs/outputs, the builtin options the readers parse,
// custom_options, buffers.
import { OptionsType, readTfliteModel, type TfliteModel, type TfliteOperator, type TfliteTensor } from '../../lib/weights/tflite.js';
import { serializeFlatbuffer, type FbField, type FbObject } from './tflite-writer.js';

export interface EditableModel {
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
  buffers: Uint8Array[];
}

export function editable(bytes: Uint8Array, source = 'model.tflite'): EditableModel {
  const m: TfliteModel = readTfliteModel(bytes, source);
  return {
    tensors: m.tensors.map((t) => ({ ...t, shape: [...t.shape] })),
    inputs: [...m.inputs], outputs: [...m.outputs],
    operators: m.operators.map((op) => ({ ...op, inputs: [...op.inputs], outputs: [...op.outputs], ...(op.conv ? { conv: { ...op.conv } } : {}), ...(op.pool ? { pool: { ...op.pool } } : {}) })),
    buffers: Array.from({ length: m.bufferCount }, (_, i) => m.buffer(i)),
  };
}

const i8 = (v: number): FbField => ({ t: 'i8', v });
const i32 = (v: number): FbField => ({ t: 'i32', v });
const vec = (elem: 'i32' | 'f32' | 'i64' | 'u8', values: ArrayLike<number>, align?: number): FbField => ({ t: 'off', v: { kind: 'vec', elem, values, ...(align ? { align } : {}) } });

function options(op: TfliteOperator): FbObject | undefined {
  const c = op.conv, p = op.pool;
  switch (op.optionsType) {
    case OptionsType.Conv2DOptions: return c && { kind: 'table', fields: [i8(c.padding), i32(c.strideW), i32(c.strideH), i8(c.activation), i32(c.dilationW), i32(c.dilationH)] };
    case OptionsType.DepthwiseConv2DOptions: return c && { kind: 'table', fields: [i8(c.padding), i32(c.strideW), i32(c.strideH), i32(c.depthMultiplier ?? 1), i8(c.activation), i32(c.dilationW), i32(c.dilationH)] };
    case OptionsType.Pool2DOptions: return p && { kind: 'table', fields: [i8(p.padding), i32(p.strideW), i32(p.strideH), i32(p.filterW), i32(p.filterH), i8(p.activation)] };
    case OptionsType.FullyConnectedOptions: return { kind: 'table', fields: [i8(op.fcActivation ?? 0)] };
    case 10: return { kind: 'table', fields: [i32(op.axis ?? 0), i8(op.fusedActivation ?? 0)] }; // ConcatenationOptions
    case 11: return { kind: 'table', fields: [i8(op.fusedActivation ?? 0)] }; // AddOptions
    default: return undefined;
  }
}

export function serialize(m: EditableModel): Uint8Array {
  const codes: Array<{ code: number; custom?: string }> = [];
  const codeIndex = (op: TfliteOperator): number => {
    let k = codes.findIndex((c) => c.code === op.opcode && c.custom === op.customCode);
    if (k < 0) { codes.push({ code: op.opcode, ...(op.customCode !== undefined ? { custom: op.customCode } : {}) }); k = codes.length - 1; }
    return k;
  };
  const operators: FbObject[] = m.operators.map((op) => {
    const o = options(op);
    return {
      kind: 'table',
      fields: [
        { t: 'u32', v: codeIndex(op) }, vec('i32', op.inputs), vec('i32', op.outputs), { t: 'u8', v: o ? op.optionsType : 0 },
        o ? { t: 'off', v: o } : undefined, op.customOptions ? vec('u8', op.customOptions) : undefined,
      ],
    };
  });
  const tensors: FbObject[] = m.tensors.map((t) => ({
    kind: 'table',
    fields: [
      vec('i32', t.shape), i8(t.type), { t: 'u32', v: t.buffer }, { t: 'off', v: { kind: 'str', value: t.name } },
      t.scale || t.zeroPoint ? { t: 'off', v: { kind: 'table', fields: [undefined, undefined, t.scale ? vec('f32', t.scale) : undefined, t.zeroPoint ? vec('i64', t.zeroPoint) : undefined] } } : undefined,
    ],
  }));
  const model: FbObject = {
    kind: 'table',
    fields: [
      { t: 'u32', v: 3 },
      { t: 'off', v: { kind: 'tables', items: codes.map((c) => ({ kind: 'table', fields: [i8(Math.min(c.code, 127)), c.custom !== undefined ? { t: 'off', v: { kind: 'str', value: c.custom } } : undefined, i32(1), i32(c.code)] })) } },
      { t: 'off', v: { kind: 'tables', items: [{ kind: 'table', fields: [{ t: 'off', v: { kind: 'tables', items: tensors } }, vec('i32', m.inputs), vec('i32', m.outputs), { t: 'off', v: { kind: 'tables', items: operators } }] }] } },
      { t: 'off', v: { kind: 'str', value: 'rewritten by test/helpers/tflite-rewrite.ts' } },
      { t: 'off', v: { kind: 'tables', items: m.buffers.map((b) => ({ kind: 'table', fields: b.length ? [vec('u8', b, 16)] : [] })) } },
    ],
  };
  return serializeFlatbuffer(model, 'TFL3');
}

/** Reads `bytes`, applies `edit`, serialises. */
export function rewrite(bytes: Uint8Array, edit: (m: EditableModel) => void): Uint8Array {
  const m = editable(bytes);
  edit(m);
  return serialize(m);
}
