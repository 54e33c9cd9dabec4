// Times TensorFlow Lite 2.2 (node-tflite@0.0.2, 1 thread) on a quantized MobileNetV1, for
// bench/compare-quant.mjs. Prints one JSON line { median_ms, ... } like `mobilenet bench --json`.
//
//   npx vite-node bench/tflite-time.ts -- --file model.tflite [--runs 50] [--warmup 5]
//   npx vite-node bench/tflite-time.ts -- --alpha 0.5 --res 160 [--dtype uint8|int8]   (synthetic weights)
//   npx vite-node bench/tflite-time.ts -- --write-coral out.tflite   (Coral extractor + head as one file)
//
// Synthetic files: foldedRandomWeights (seed 1) written by test/helpers/tflite-writer.ts as uint8 per-tensor,
// or by test/helpers/tflite-int8.ts as int8 per-channel (activation ranges [0, 6]), cached under build-quant/.
// Latency does not depend on the weight values. node-tflite: see bench/tflite-quant-goldens.ts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildSpec } from '../lib/graph.js';
import { int8Tflite } from '../test/helpers/tflite-int8.js';
import { mergeBackboneHead } from '../test/helpers/tflite-merge.js';
import { foldedRandomWeights, writeTflite } from '../test/helpers/tflite-writer.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: v } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    file: { type: 'string' }, alpha: { type: 'string' }, res: { type: 'string' }, dtype: { type: 'string' },
    runs: { type: 'string' }, warmup: { type: 'string' }, 'write-coral': { type: 'string' },
  },
});

if (v['write-coral']) {
  const c = join(root, '../shared/models/tflite/coral');
  writeFileSync(v['write-coral'], mergeBackboneHead(
    new Uint8Array(readFileSync(join(c, 'mobilenet_v1_1.0_224_quant_embedding_extractor.tflite'))),
    new Uint8Array(readFileSync(join(c, 'mobilenet_v1_1.0_224_quant_head_layers.tflite')))));
  process.exit(0);
}

let file = v.file;
if (!file) {
  const alpha = Number(v.alpha ?? 1), R = Number(v.res ?? 224), dtype = v.dtype ?? 'uint8';
  file = join(root, 'build-quant', `synthetic_${alpha}_${R}_${dtype}.tflite`);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const w = foldedRandomWeights(alpha, { seed: 1 });
    const n = buildSpec(alpha, R, 1001).graph.layers.length;
    writeFileSync(file, dtype === 'int8'
      ? int8Tflite(w, R, Array.from({ length: n }, (_, i) => (i === n - 1 ? [-20, 20] : [0, 6]) as [number, number]))
      : writeTflite(w, { resolution: R, quantized: true, tail: 'none' }));
  }
}

const require = createRequire(import.meta.url);
const tflite = require(process.env.NODE_TFLITE ? resolve(process.env.NODE_TFLITE) : 'node-tflite') as {
  Interpreter: new (m: Uint8Array, o: { numThreads: number }) => {
    inputs: { dims: number[]; type: string; copyFrom(d: ArrayBufferView): void }[]; allocateTensors(): void; invoke(): void;
  };
};
const it = new tflite.Interpreter(new Uint8Array(readFileSync(file)), { numThreads: 1 });
it.allocateTensors();
const [, R] = it.inputs[0]!.dims;
const input = it.inputs[0]!.type === 'Int8' ? new Int8Array(R! * R! * 3) : new Uint8Array(R! * R! * 3);
for (let i = 0; i < input.length; i++) input[i] = (i * 7919) % 251 - (input instanceof Int8Array ? 125 : 0);
it.inputs[0]!.copyFrom(input);
const runs = Number(v.runs ?? 50), warmup = Number(v.warmup ?? 5);
for (let i = 0; i < warmup; i++) it.invoke();
const t: number[] = [];
for (let i = 0; i < runs; i++) {
  const a = process.hrtime.bigint();
  it.invoke();
  t.push(Number(process.hrtime.bigint() - a) / 1e6);
}
t.sort((a, b) => a - b);
console.log(JSON.stringify({ tool: 'tflite-2.2', file, runs, median_ms: t[t.length >> 1], min_ms: t[0] }));
