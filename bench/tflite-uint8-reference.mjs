#!/usr/bin/env node
// Regenerates test/fixtures/tflite-uint8-top1.json: top-1 accuracy of REAL uint8 TFLite inference of the four
// quantized MobileNetV1 models in ../shared/models/tflite on the 100 dev images.
//
// Runtime: node-tflite (npm, N-API binding around the prebuilt libtensorflowlite_c.so it ships for
// linux-x86_64: TensorFlow Lite 2.2.0, reference/optimized uint8 kernels). It is not a dependency of this
// package; install it beside the repo for this script only:
//
//   npm install --no-save node-tflite@0.0.2
//   (cd node_modules/node-tflite && node "$(dirname "$(which npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js" rebuild)
//   node bench/tflite-uint8-reference.mjs            # or: NODE_TFLITE=/path/to/node_modules/node-tflite node bench/...
//
// (npm 11 does not run its install script unless approved, hence the explicit node-gyp rebuild.)
//
// Inputs: ../shared/reference/inputs/<R>/<stem>.rgb, the exact preprocessing of reference/README.md
// (jpeg-js decode, center square crop, half-pixel bilinear resize to R, round) in manifest `stems` order;
// the uint8 model takes these raw bytes 0..255 (input scale 1/128, zero point 128). Ground truth =
// manifest `labels`; a 1001-way prediction p maps to ImageNet class p - 1.
//
// Two readings of the same inference are recorded: `top1` = argmax of the pre-softmax uint8 logits (the
// RESHAPE output; the file is patched in memory so that tensor is the graph output), ties to the lowest index;
// `top1_softmax` = argmax of the model's own uint8 softmax output (coarser: 1/256 steps, more ties).

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const shared = resolve(root, '../shared');
const out = join(root, 'test/fixtures/tflite-uint8-top1.json');
const MODELS = ['mobilenet_v1_0.25_128_quant', 'mobilenet_v1_0.25_224_quant', 'mobilenet_v1_0.5_160_quant', 'mobilenet_v1_0.75_192_quant'];

const require = createRequire(import.meta.url);
let tflite, tfliteDir;
try {
  tfliteDir = process.env.NODE_TFLITE ? resolve(process.env.NODE_TFLITE) : dirname(require.resolve('node-tflite/package.json'));
  tflite = require(tfliteDir);
} catch (e) {
  console.error(`node-tflite is not installed or not built (${e.message}). See the comment at the top of ${fileURLToPath(import.meta.url)}.`);
  process.exit(1);
}
const tflitePkg = JSON.parse(readFileSync(join(tfliteDir, 'package.json'), 'utf8'));
const libVersion = (() => {
  // The C library reports its version through TfLiteVersion(); the binding does not expose it, so read the
  // string the library embeds next to the symbol table (it is "2.2.0" for node-tflite 0.0.2).
  try {
    const so = readFileSync(join(tfliteDir, 'tflite/linux_x86_64/libtensorflowlite_c.so')).toString('latin1');
    const m = so.match(/\x00(\d+\.\d+\.\d+(?:-[\w.]+)?)\x00/);
    return m ? m[1] : 'unknown';
  } catch { return 'unknown'; }
})();

// --- minimal flatbuffer access: redirect the subgraph output to the SOFTMAX op's input (the uint8 logits) ---
function patchOutputToLogits(bytes) {
  const b = Buffer.from(bytes);
  const u32 = (p) => b.readUInt32LE(p), i32 = (p) => b.readInt32LE(p), u16 = (p) => b.readUInt16LE(p);
  const field = (t, id) => { const vt = t - i32(t); return id < (u16(vt) - 4) / 2 ? u16(vt + 4 + 2 * id) : 0; };
  const ref = (t, id) => { const o = field(t, id); return o ? t + o + u32(t + o) : 0; };
  const vec = (p) => ({ n: u32(p), at: (i) => p + 4 + 4 * i });
  const tableAt = (p) => p + u32(p);
  const model = u32(0);
  const codes = vec(ref(model, 1));
  const opcode = (i) => { const t = tableAt(codes.at(i)); const d = field(t, 0) ? b.readInt8(t + field(t, 0)) : 0; const c = field(t, 3) ? i32(t + field(t, 3)) : 0; return Math.max(d, c); };
  const sg = tableAt(vec(ref(model, 2)).at(0));
  const ops = vec(ref(sg, 3));
  for (let i = 0; i < ops.n; i++) {
    const op = tableAt(ops.at(i));
    const idx = field(op, 0) ? u32(op + field(op, 0)) : 0;
    if (opcode(idx) === 25 /* SOFTMAX */) {
      const logits = i32(vec(ref(op, 1)).at(0));
      const outs = vec(ref(sg, 2));
      b.writeInt32LE(logits, outs.at(0));
      return { bytes: new Uint8Array(b), logitsTensor: logits };
    }
  }
  throw new Error('no SOFTMAX op found');
}

function argmax(a) { let k = 0; for (let i = 1; i < a.length; i++) if (a[i] > a[k]) k = i; return k; }
function ties(a) { const k = argmax(a); let n = 0; for (let i = 0; i < a.length; i++) if (a[i] === a[k]) n++; return n - 1; }
function top5(a) { return [...a.keys()].sort((x, y) => a[y] - a[x] || x - y).slice(0, 5); }

const manifest = JSON.parse(readFileSync(join(shared, 'reference/manifest.json'), 'utf8'));
const { stems, labels } = manifest;

const results = {};
for (const name of MODELS) {
  const file = join(shared, 'models/tflite', `${name}.tflite`);
  const original = new Uint8Array(readFileSync(file));
  const patched = patchOutputToLogits(original);
  const run = (bytes) => {
    const it = new tflite.Interpreter(bytes, { numThreads: 1 });
    it.allocateTensors();
    return it;
  };
  const itSoft = run(original), itLogits = run(patched.bytes);
  const [, R, R2, C3] = itSoft.inputs[0].dims;
  if (itSoft.inputs[0].type !== 'UInt8' || R !== R2 || C3 !== 3) throw new Error(`${name}: unexpected input ${itSoft.inputs[0].type} ${itSoft.inputs[0].dims}`);
  const classes = itSoft.outputs[0].dims.at(-1);
  const preds = [], predsSoft = [];
  let correct = 0, correctSoft = 0, correct5 = 0, tiesLogits = 0, tiesSoft = 0;
  for (let n = 0; n < stems.length; n++) {
    const rgb = readFileSync(join(shared, `reference/inputs/${R}/${stems[n]}.rgb`));
    if (rgb.length !== R * R * 3) throw new Error(`${stems[n]}.rgb: ${rgb.length} bytes, expected ${R * R * 3}`);
    const input = new Uint8Array(rgb); // own ArrayBuffer: the binding copies data.buffer whole
    const logits = new Uint8Array(classes), probs = new Uint8Array(classes);
    itLogits.inputs[0].copyFrom(input); itLogits.invoke(); itLogits.outputs[0].copyTo(logits);
    itSoft.inputs[0].copyFrom(input); itSoft.invoke(); itSoft.outputs[0].copyTo(probs);
    const p = argmax(logits) - 1, ps = argmax(probs) - 1;
    preds.push(p); predsSoft.push(ps);
    if (p === labels[n]) correct++;
    if (ps === labels[n]) correctSoft++;
    if (top5(logits).map((k) => k - 1).includes(labels[n])) correct5++;
    if (ties(logits)) tiesLogits++;
    if (ties(probs)) tiesSoft++;
  }
  const alpha = Number(name.split('_')[2]);
  results[name] = {
    file: `shared/models/tflite/${name}.tflite`, alpha, resolution: R, classes, class_offset: 1, n: stems.length,
    top1: correct / stems.length, top5: correct5 / stems.length, top1_softmax: correctSoft / stems.length,
    images_with_tied_top_logit: tiesLogits, images_with_tied_top_softmax: tiesSoft,
    logits_tensor: patched.logitsTensor,
    predictions: preds,
  };
  console.log(`${name}: top-1 ${correct}/${stems.length} (softmax argmax ${correctSoft}), top-5 ${correct5}, ties ${tiesLogits}/${tiesSoft}`);
}

const json = {
  description: 'Top-1 accuracy of real uint8 TFLite inference of the released quantized MobileNetV1 models on the 100 dev images ' +
    '(shared/images/imagenet-dev, preprocessed bytes from shared/reference/inputs/<R>). Regenerate: node bench/tflite-uint8-reference.mjs',
  runtime: { name: 'TensorFlow Lite C API via node-tflite', package: `node-tflite@${tflitePkg.version}`, tflite_version: libVersion, threads: 1, platform: `${process.platform}-${process.arch}`, node: process.version },
  preprocessing: 'shared/reference/README.md: jpeg-js 0.4.4 decode, center square crop, half-pixel bilinear resize to the model resolution, Math.round; uint8 input bytes as is',
  labels: 'manifest.json labels (0..999); prediction = argmax over 1001 outputs - 1',
  top1_definition: 'argmax of the uint8 pre-softmax logits (RESHAPE output), ties to the lowest index; top1_softmax: argmax of the uint8 softmax output',
  stems_order: 'manifest.json stems',
  models: results,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(json, null, 2).replace(/\[\n\s+([-\d,\s]+?)\n\s+\]/g, (_, inner) => `[${inner.split(/,\s*/).join(', ')}]`) + '\n');
console.log(`wrote ${out}`);
