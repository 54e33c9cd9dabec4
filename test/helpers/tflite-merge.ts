// Joins a backbone .tflite that ends at the global average pool (Coral's embedding extractor) and a head
// .tflite that starts there (Coral's head_layers: 1x1 CONV_2D classifier, RESHAPE, SOFTMAX) into one
// MobileNetV1 file: the head's input tensor becomes the backbone's output tensor (they must carry the same
// type, shape and quantization), every other tensor, buffer and operator is copied as is.

import { readTfliteModel, type TfliteModel } from '../../lib/weights/tflite.js';
import { serializeTflite, type WModel, type WOperator, type WTensor } from './tflite-writer.js';

export function mergeBackboneHead(backbone: Uint8Array, head: Uint8Array): Uint8Array {
  const a = readTfliteModel(backbone, 'backbone'), b = readTfliteModel(head, 'head');
  const ta = a.tensors[a.outputs[0]!]!, tb = b.tensors[b.inputs[0]!]!;
  if (ta.type !== tb.type || String(ta.shape) !== String(tb.shape) || String(ta.scale) !== String(tb.scale) || String(ta.zeroPoint) !== String(tb.zeroPoint)) {
    throw new Error(`backbone output and head input differ: ${JSON.stringify(ta)} vs ${JSON.stringify(tb)}`);
  }
  const opcodes: number[] = [];
  const tensors: WTensor[] = [];
  const buffers: Uint8Array[] = [new Uint8Array(0)];
  const operators: WOperator[] = [];
  const copy = (m: TfliteModel, remap: Map<number, number>): void => {
    m.tensors.forEach((t) => {
      if (remap.has(t.index)) return;
      let buffer = 0;
      const data = m.buffer(t.buffer);
      if (data.length) { buffer = buffers.length; buffers.push(data.slice()); }
      tensors.push({ name: t.name, shape: t.shape, type: t.type, buffer, ...(t.scale ? { scale: t.scale } : {}), ...(t.zeroPoint ? { zeroPoint: t.zeroPoint } : {}),
        ...(t.quantizedDimension !== undefined ? { quantizedDimension: t.quantizedDimension } : {}) });
      remap.set(t.index, tensors.length - 1);
    });
    for (const op of m.operators) {
      let oc = opcodes.indexOf(op.opcode);
      if (oc < 0) { oc = opcodes.length; opcodes.push(op.opcode); }
      const out = op.outputs.map((i) => remap.get(i)!);
      operators.push({
        opcodeIndex: oc, inputs: op.inputs.map((i) => (i < 0 ? i : remap.get(i)!)), outputs: out, optionsType: op.optionsType,
        ...(op.conv ? { conv: op.conv } : {}), ...(op.pool ? { pool: op.pool } : {}),
        ...(op.fcActivation !== undefined ? { fcActivation: op.fcActivation } : {}),
        ...(op.opcode === 22 ? { reshape: b.tensors[op.outputs[0]!]!.shape } : {}),
        ...(op.opcode === 25 ? { softmaxBeta: 1 } : {}),
      });
    }
  };
  const ra = new Map<number, number>();
  copy(a, ra);
  copy(b, new Map([[b.inputs[0]!, ra.get(a.outputs[0]!)!]]));
  const model: WModel = {
    version: 3, opcodes, opcodeStyle: 'both', tensors, buffers, operators,
    inputs: [ra.get(a.inputs[0]!)!], outputs: [tensors.length - 1],
    description: 'backbone + head (test/helpers/tflite-merge.ts)',
  };
  return serializeTflite(model);
}
