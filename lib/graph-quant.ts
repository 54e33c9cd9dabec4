// The integer form of the layer table (lib/graph.ts): a quantized TFLite file's QuantNet
// (lib/weights/tflite-quant.ts) laid onto the same graph. Every tensor gets the file's dtype ('uint8' or
// 'int8') and its per-tensor quantization; each layer's `activation` becomes the quantized clamp
// [outputMin, outputMax] (TFLite's activation range: RELU6 as integers, the full type range for none);
// the weights travel as integers in TFLite's layouts (see NativeLayer in lib/binding.ts). The native
// runtime then runs the integer kernels (native/runtime/qlayers.h), bit-exact with TensorFlow Lite 2.2.

import type { Graph, GraphLayer } from './graph.js';
import type { QuantNet } from './weights/tflite-quant.js';

/** `graph` (buildMobileNetV1 at the file's α, ρ and classes) with the dtype and quantization of `q`. */
export function quantizeGraph(graph: Graph, q: QuantNet): Graph {
  const [qmin, qmax] = q.dtype === 'uint8' ? [0, 255] : [-128, 127];
  const one = (p: { scale: number; zeroPoint: number }) => ({ scale: [p.scale], zeroPoint: [p.zeroPoint] });
  const layers = graph.layers.map((l): GraphLayer => {
    if (l.kind === 'gavgpool') return { ...l, dtype: q.dtype, quantization: one(q.pool), activation: [qmin, qmax] };
    const ql = q.layers[l.weights];
    if (!ql || ql.name !== l.name) throw new Error(`quantized weights for layer ${l.name} are missing (found ${ql?.name ?? 'none'})`);
    return { ...l, dtype: q.dtype, quantization: one(ql.output), activation: [ql.outputMin, ql.outputMax] };
  });
  return { ...graph, input: { ...graph.input, dtype: q.dtype, quantization: one(q.input) }, layers };
}

/** Integer kernel sets (native/dispatch/qdispatch.cc): the values `isa` takes for an integer model. */
export const INTEGER_ISAS = ['scalar', 'avx2', 'avxvnni', 'avx512vnni', 'avx512amx', 'neon', 'neondot'] as const;
export type IntegerIsa = (typeof INTEGER_ISAS)[number];
