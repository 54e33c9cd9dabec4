// Regenerates test/fixtures/tflite-quant/: the integer logits TensorFlow Lite 2.2 computes for every real
// quantized MobileNetV1 file in ../shared/models/tflite and for the project's own int8 per-channel files, on
// the 100 reference inputs and on held-back images. test/tflite-quant.test.ts compares ours with them bit for bit.
//
//   npm install --no-save node-tflite@0.0.2     (or NODE_TFLITE=/path/to/node_modules/node-tflite)
//   (cd node_modules/node-tflite && node .../npm/node_modules/node-gyp/bin/node-gyp.js rebuild)
//   npm run build && npx vite-node bench/tflite-quant-goldens.ts
//
// Runtime: node-tflite 0.0.2 = the prebuilt TensorFlow Lite 2.2.0 C library (x86-64 builtin kernels), 1 thread.
// Its Tensor.name throws, so tensors are addressed by position; copyFrom copies data.buffer whole, so every
// input is a typed array owning its buffer.
//
// What is recorded, per model (goldens.json + one gzip file of N rows x C bytes per array):
// - official uint8 files: the graph ends RESHAPE -> SOFTMAX; the uint8 logits are the SOFTMAX input, so the
//   file is patched in memory (subgraph output := the SOFTMAX op's input tensor; nothing else changes, the
//   arithmetic is TFLite's own) and that tensor is read.
// - Coral: the embedding extractor (conv1 .. average pool, output 1024 uint8) runs on the input; its uint8
//   output is fed to the head (1x1 CONV_2D classifier, RESHAPE, SOFTMAX, patched the same way): together one
//   MobileNetV1 1.0/224, and the two halves meet at the same uint8 tensor (same scale and zero point).
// - int8 per-channel files (test/helpers/tflite-int8.ts) from the real float weights of
//   mobilenet_v1_0.25_224_float.tflite at 224 and 128: the float model is run by TFLite with every op output
//   exposed on 20 calibration inputs (every 5th reference input); the [min, max] per op are stored, and the
//   int8 file's sha256, so tests rebuild the identical file without TFLite.
// - held-back: the sample photos (shared/images/samples) and every 5th ImageNet dev JPEG, decoded by sharp and
//   cropped/resized by the library's own native preprocessing to R x R bytes, which both runtimes then take.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadBinding } from '../lib/binding.js';
import { decodeImage } from '../lib/image.js';
import { parseTflite } from '../lib/weights/tflite.js';
import { floatModelAllOutputs, int8Tflite } from '../test/helpers/tflite-int8.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const shared = resolve(root, '../shared');
const outDir = join(root, 'test/fixtures/tflite-quant');

interface TfTensor { type: string; dims: number[]; copyFrom(d: ArrayBufferView): void; copyTo(d: ArrayBufferView): void }
interface TfInterpreter { inputs: TfTensor[]; outputs: TfTensor[]; allocateTensors(): void; invoke(): void }
const require = createRequire(import.meta.url);
let tflite: { Interpreter: new (m: Uint8Array, o: { numThreads: number }) => TfInterpreter };
try {
  tflite = require(process.env.NODE_TFLITE ? resolve(process.env.NODE_TFLITE) : 'node-tflite');
} catch (e) {
  console.error(`node-tflite is not installed or not built (${(e as Error).message}); see the comment at the top of this script.`);
  process.exit(1);
}

function interpreter(bytes: Uint8Array): TfInterpreter {
  const it = new tflite.Interpreter(new Uint8Array(bytes), { numThreads: 1 });
  it.allocateTensors();
  return it;
}

// --- minimal flatbuffer patch: the subgraph output becomes the SOFTMAX op's input (the logits) ---
function patchOutputToLogits(bytes: Uint8Array): Uint8Array {
  const b = Buffer.from(bytes);
  const u32 = (p: number) => b.readUInt32LE(p), i32 = (p: number) => b.readInt32LE(p), u16 = (p: number) => b.readUInt16LE(p);
  const field = (t: number, id: number) => { const vt = t - i32(t); return id < (u16(vt) - 4) / 2 ? u16(vt + 4 + 2 * id) : 0; };
  const ref = (t: number, id: number) => { const o = field(t, id); return o ? t + o + u32(t + o) : 0; };
  const vec = (p: number) => ({ n: u32(p), at: (i: number) => p + 4 + 4 * i });
  const tableAt = (p: number) => p + u32(p);
  const model = u32(0);
  const codes = vec(ref(model, 1));
  const opcode = (i: number) => {
    const t = tableAt(codes.at(i));
    return Math.max(field(t, 0) ? b.readInt8(t + field(t, 0)) : 0, field(t, 3) ? i32(t + field(t, 3)) : 0);
  };
  const sg = tableAt(vec(ref(model, 2)).at(0));
  const ops = vec(ref(sg, 3));
  for (let i = 0; i < ops.n; i++) {
    const op = tableAt(ops.at(i));
    const idx = field(op, 0) ? u32(op + field(op, 0)) : 0;
    if (opcode(idx) === 25 /* SOFTMAX */) {
      b.writeInt32LE(i32(vec(ref(op, 1)).at(0)), vec(ref(sg, 2)).at(0));
      return new Uint8Array(b);
    }
  }
  throw new Error('no SOFTMAX op found');
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const manifest = JSON.parse(readFileSync(join(shared, 'reference/manifest.json'), 'utf8')) as { stems: string[] };
const stems = manifest.stems;
const refInput = (R: number, stem: string): Uint8Array => {
  const rgb = new Uint8Array(readFileSync(join(shared, `reference/inputs/${R}/${stem}.rgb`)));
  if (rgb.length !== R * R * 3) throw new Error(`${stem}.rgb: ${rgb.length} bytes, expected ${R * R * 3}`);
  return rgb;
};

const binding = loadBinding();
// Held-back: the sample photos and every 5th ImageNet dev JPEG, decoded by sharp (not jpeg-js, so not the
// reference inputs' bytes), paths relative to ../shared.
const heldFiles = [
  ...readdirSync(join(shared, 'images/samples')).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().map((f) => `images/samples/${f}`),
  ...readdirSync(join(shared, 'images/imagenet-dev')).filter((f) => /\.jpe?g$/i.test(f)).sort().filter((_, i) => i % 5 === 2).map((f) => `images/imagenet-dev/${f}`),
];
const heldFrames = await Promise.all(heldFiles.map((f) => decodeImage(join(shared, f))));
const heldInput = (R: number, i: number): Uint8Array => {
  const f = heldFrames[i]!;
  return new Uint8Array(binding.resizeFrame(f.data, f.width, f.height, f.layout.format === 1 ? 4 : 3, R));
};

/** Input bytes → the model's input tensor data (uint8 as is; int8 = byte - 128, the files' scale 1/128 zero point 0). */
function toInput(bytes: Uint8Array, type: string): Uint8Array | Int8Array {
  if (type === 'UInt8') return new Uint8Array(bytes);
  if (type === 'Int8') { const q = new Int8Array(bytes.length); for (let i = 0; i < q.length; i++) q[i] = bytes[i]! - 128; return q; }
  throw new Error(`unexpected input type ${type}`);
}

function runAll(it: TfInterpreter, inputs: Array<Uint8Array | Int8Array>): Uint8Array {
  const C = it.outputs[0]!.dims.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(inputs.length * C);
  const row = it.outputs[0]!.type === 'Int8' ? new Int8Array(C) : new Uint8Array(C);
  inputs.forEach((x, n) => {
    it.inputs[0]!.copyFrom(x);
    it.invoke();
    it.outputs[0]!.copyTo(row);
    out.set(new Uint8Array(row.buffer), n * C);
  });
  return out;
}

mkdirSync(outDir, { recursive: true });
const models: Record<string, unknown> = {};
const store = (key: string, data: Uint8Array, rows: number): string => {
  const file = `${key}.bin.gz`;
  writeFileSync(join(outDir, file), gzipSync(data, { level: 9 }));
  if (data.length % rows) throw new Error(`${key}: ${data.length} bytes are not ${rows} rows`);
  return file;
};
const argmaxRows = (data: Uint8Array, rows: number, signed: boolean): number[] => {
  const C = data.length / rows, out: number[] = [];
  for (let n = 0; n < rows; n++) {
    let k = 0;
    const v = (i: number) => (signed ? (data[n * C + i]! << 24) >> 24 : data[n * C + i]!);
    for (let i = 1; i < C; i++) if (v(i) > v(k)) k = i;
    out.push(k);
  }
  return out;
};

// --- official uint8 files ---
for (const name of ['mobilenet_v1_0.25_128_quant', 'mobilenet_v1_0.25_224_quant', 'mobilenet_v1_0.5_160_quant', 'mobilenet_v1_0.75_192_quant']) {
  const rel = `models/tflite/${name}.tflite`;
  const bytes = new Uint8Array(readFileSync(join(shared, rel)));
  const it = interpreter(patchOutputToLogits(bytes));
  const R = it.inputs[0]!.dims[1]!;
  const logits = runAll(it, stems.map((s) => toInput(refInput(R, s), it.inputs[0]!.type)));
  const held = runAll(it, heldFiles.map((_, i) => toInput(heldInput(R, i), it.inputs[0]!.type)));
  models[name] = {
    file: `shared/${rel}`, sha256: sha256(bytes), dtype: 'uint8', resolution: R, classes: logits.length / stems.length,
    logits: store(name, logits, stems.length), heldback: store(`${name}.heldback`, held, heldFiles.length),
    heldback_top1: argmaxRows(held, heldFiles.length, false),
  };
  console.log(`${name}: ${stems.length} + ${heldFiles.length} inputs`);
}

// --- Coral extractor + head ---
{
  const ex = 'models/tflite/coral/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite';
  const hd = 'models/tflite/coral/mobilenet_v1_1.0_224_quant_head_layers.tflite';
  const exBytes = new Uint8Array(readFileSync(join(shared, ex))), hdBytes = new Uint8Array(readFileSync(join(shared, hd)));
  const itEx = interpreter(exBytes), itHd = interpreter(patchOutputToLogits(hdBytes));
  const R = itEx.inputs[0]!.dims[1]!;
  const emb = runAll(itEx, stems.map((s) => refInput(R, s)));
  const F = emb.length / stems.length;
  const logits = runAll(itHd, stems.map((_, n) => emb.slice(n * F, (n + 1) * F)));
  const embHeld = runAll(itEx, heldFiles.map((_, i) => heldInput(R, i)));
  const held = runAll(itHd, heldFiles.map((_, n) => embHeld.slice(n * F, (n + 1) * F)));
  models['coral_mobilenet_v1_1.0_224_quant'] = {
    file: `shared/${ex}`, head: `shared/${hd}`, sha256: sha256(exBytes), head_sha256: sha256(hdBytes), dtype: 'uint8',
    resolution: R, classes: logits.length / stems.length, features: F,
    embeddings: store('coral_mobilenet_v1_1.0_224_quant.embeddings', emb, stems.length),
    logits: store('coral_mobilenet_v1_1.0_224_quant', logits, stems.length),
    heldback: store('coral_mobilenet_v1_1.0_224_quant.heldback', held, heldFiles.length),
    heldback_top1: argmaxRows(held, heldFiles.length, false),
  };
  console.log(`coral: ${stems.length} + ${heldFiles.length} inputs`);
}

// --- int8 per-channel files of our own making ---
{
  const src = 'models/tflite/mobilenet_v1_0.25_224_float.tflite';
  const w = parseTflite(new Uint8Array(readFileSync(join(shared, src))), src);
  const calib = stems.filter((_, i) => i % 5 === 0);
  for (const R of [224, 128]) {
    const f = floatModelAllOutputs(w, R);
    const it = interpreter(f.bytes);
    const ranges = Array.from({ length: f.outputs }, () => [Infinity, -Infinity] as [number, number]);
    for (const s of calib) {
      const x = refInput(R, s);
      const fx = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) fx[i] = (x[i]! - 128) / 128; // the real value the int8 input (byte - 128, scale 1/128) stands for
      it.inputs[0]!.copyFrom(fx);
      it.invoke();
      it.outputs.forEach((t, k) => {
        const v = new Float32Array(t.dims.reduce((a, b) => a * b, 1));
        t.copyTo(v);
        for (const y of v) { if (y < ranges[k]![0]) ranges[k]![0] = y; if (y > ranges[k]![1]) ranges[k]![1] = y; }
      });
    }
    const r32 = ranges.map(([lo, hi]) => [Math.fround(lo), Math.fround(hi)] as [number, number]);
    const bytes = int8Tflite(w, R, r32);
    const itq = interpreter(bytes);
    const logits = runAll(itq, stems.map((s) => toInput(refInput(R, s), itq.inputs[0]!.type)));
    const held = runAll(itq, heldFiles.map((_, i) => toInput(heldInput(R, i), itq.inputs[0]!.type)));
    const key = `int8_mobilenet_v1_0.25_${R}`;
    models[key] = {
      from: `shared/${src}`, from_sha256: sha256(new Uint8Array(readFileSync(join(shared, src)))), dtype: 'int8', resolution: R,
      classes: logits.length / stems.length, calibration: { inputs: 'every 5th reference input', ranges: r32 },
      sha256: sha256(bytes), logits: store(key, logits, stems.length), heldback: store(`${key}.heldback`, held, heldFiles.length),
      heldback_top1: argmaxRows(held, heldFiles.length, true),
    };
    console.log(`${key}: ${stems.length} + ${heldFiles.length} inputs`);
  }
}

const json = {
  description: 'Integer logits (pre-softmax) of TensorFlow Lite 2.2 on the quantized MobileNetV1 files, N rows x C bytes ' +
    '(int8 files: two\'s complement bytes), gzip. Regenerate: npx vite-node bench/tflite-quant-goldens.ts (see its header).',
  runtime: 'node-tflite@0.0.2 (TensorFlow Lite 2.2.0 C library, linux-x86_64), 1 thread',
  inputs: 'rows: shared/reference/inputs/<R>/<stem>.rgb in manifest.json stems order; uint8 models take the bytes, int8 models byte - 128',
  heldback: { files: heldFiles, relative_to: 'shared', preprocessing: 'sharp decode (lib/image.ts decodeImage) + native resizeFrame (center crop, half-pixel bilinear, round)' },
  models,
};
writeFileSync(join(outDir, 'goldens.json'), JSON.stringify(json, null, 2).replace(/\[\n\s+([-\d.e,\s]+?)\n\s+\]/g, (_, inner: string) => `[${inner.split(/,\s*/).join(', ')}]`) + '\n');
console.log(`wrote ${outDir}`);
