#!/usr/bin/env node
// onnxruntime-node running the same MobileNetV1 as `mobilenet bench` (same seeded synthetic weights,
// BN folded, ReLU6, TF SAME padding), for bench/compare-xnnpack.sh. No ONNX file to download: the
// model is written here as ONNX protobuf by hand (~15 message types), NCHW as ORT's CPU EP prefers.
//
//   node bench/ort-mobilenet.mjs --alpha 1.0 --res 224 --threads 1 --runs 50 [--warmup 5] [--check] [--save m.onnx]
//   node bench/ort-mobilenet.mjs --probe       (exit 0 when onnxruntime-node can be loaded)
// Prints one JSON object like the XNNPACK anchor. --check compares the logits with ours.
// ORT_PREFIX: where onnxruntime-node is installed (default build-ort/, an npm --prefix folder kept
// out of the shared node_modules).
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = resolve(process.env.ORT_PREFIX ?? join(root, 'build-ort'));

const { values: o } = parseArgs({
  options: {
    alpha: { type: 'string', default: '1.0' }, res: { type: 'string', default: '224' },
    threads: { type: 'string', default: '1' }, runs: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '5' }, check: { type: 'boolean' }, probe: { type: 'boolean' },
    save: { type: 'string' },
  },
});
const ort = createRequire(join(prefix, 'node_modules', 'noop.js'))('onnxruntime-node');
if (o.probe) process.exit(0);

const alpha = Number(o.alpha), R = Number(o.res), threads = Number(o.threads);
const runs = Number(o.runs), warmup = Number(o.warmup);
const { syntheticWeights, seededRandom } = await import(join(root, 'dist', 'weights', 'synthetic.js'));
const { buildSpec } = await import(join(root, 'dist', 'graph.js'));

// ---- protobuf writer (just what ONNX needs) ----
const enc = new TextEncoder();
function varint(n) {
  const out = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}
const cat = (parts) => {
  const len = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
};
const fInt = (field, n) => Uint8Array.from([...varint(field << 3), ...varint(n)]);
const fBytes = (field, bytes) => cat([Uint8Array.from([...varint((field << 3) | 2), ...varint(bytes.length)]), bytes]);
const fStr = (field, s) => fBytes(field, enc.encode(s));
const fMsg = (field, parts) => fBytes(field, cat(parts));

// onnx.proto field numbers
const tensor = (name, dims, data) => fMsg(5 /* GraphProto.initializer */, [
  ...dims.map((d) => fInt(1, d)), fInt(2, 1 /* FLOAT */), fStr(8, name),
  fBytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
]);
const attrInt = (name, i) => fMsg(5, [fStr(1, name), fInt(3, i), fInt(20, 2 /* INT */)]);
const attrInts = (name, xs) => fMsg(5, [fStr(1, name), ...xs.map((x) => fInt(8, x)), fInt(20, 7 /* INTS */)]);
const node = (op, inputs, outputs, name, attrs = []) => fMsg(1, [
  ...inputs.map((s) => fStr(1, s)), ...outputs.map((s) => fStr(2, s)), fStr(3, name), fStr(4, op), ...attrs,
]);
const valueInfo = (field, name, dims) => fMsg(field, [fStr(1, name), fMsg(2, [fMsg(1, [fInt(1, 1), fMsg(2, dims.map((d) => fMsg(1, [fInt(1, d)])))])])]);

/** TF SAME padding as ONNX pads [top, left, bottom, right]: the odd pixel goes bottom/right. */
function samePads(inSize, stride) {
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + 3 - inSize, 0);
  const a = Math.floor(total / 2);
  return [a, a, total - a, total - a];
}

function fold(layer, outCh) {
  const bias = new Float32Array(outCh);
  const scale = new Float32Array(outCh).fill(1);
  if (layer.bn) {
    const { gamma, beta, mean, variance, epsilon } = layer.bn;
    for (let c = 0; c < outCh; c++) {
      scale[c] = gamma[c] / Math.sqrt(variance[c] + epsilon);
      bias[c] = beta[c] - mean[c] * scale[c] + (layer.bias ? layer.bias[c] * scale[c] : 0);
    }
  } else if (layer.bias) bias.set(layer.bias);
  return { scale, bias };
}

function buildOnnx(weights, R) {
  const spec = buildSpec(weights.alpha, R, weights.classes);
  const nodes = [], inits = [];
  inits.push(tensor('relu6_min', [], new Float32Array([0])), tensor('relu6_max', [], new Float32Array([6])));
  let x = 'input';
  spec.layers.forEach((l, i) => {
    const w = weights.layers[i];
    const { scale, bias } = fold(w, l.outChannels);
    const k = w.kernel;
    if (l.kind === 'classifier') {
      nodes.push(node('GlobalAveragePool', [x], ['pool'], 'pool'), node('Flatten', ['pool'], ['flat'], 'flatten'));
      inits.push(tensor('fc_w', [l.inChannels, l.outChannels], k), tensor('fc_b', [l.outChannels], bias));
      nodes.push(node('Gemm', ['flat', 'fc_w', 'fc_b'], ['logits'], 'fc'));
      return;
    }
    let dims, W;
    const O = l.outChannels, I = l.inChannels;
    if (l.kind === 'conv') { // HWIO -> OIHW
      dims = [O, 3, 3, 3]; W = new Float32Array(O * 27);
      for (let h = 0; h < 3; h++) for (let ww = 0; ww < 3; ww++) for (let c = 0; c < 3; c++) for (let oc = 0; oc < O; oc++)
        W[((oc * 3 + c) * 3 + h) * 3 + ww] = k[((h * 3 + ww) * 3 + c) * O + oc] * scale[oc];
    } else if (l.kind === 'dwconv') { // HWC -> C1HW
      dims = [O, 1, 3, 3]; W = new Float32Array(O * 9);
      for (let h = 0; h < 3; h++) for (let ww = 0; ww < 3; ww++) for (let c = 0; c < O; c++)
        W[(c * 3 + h) * 3 + ww] = k[(h * 3 + ww) * O + c] * scale[c];
    } else { // [I, O] -> OI11
      dims = [O, I, 1, 1]; W = new Float32Array(O * I);
      for (let ic = 0; ic < I; ic++) for (let oc = 0; oc < O; oc++) W[oc * I + ic] = k[ic * O + oc] * scale[oc];
    }
    inits.push(tensor(`${l.name}_w`, dims, W), tensor(`${l.name}_b`, [O], bias));
    const attrs = [attrInts('strides', [l.stride, l.stride])];
    if (l.kind !== 'pwconv') {
      const [t, lft, b, r] = samePads(l.inSize, l.stride);
      attrs.push(attrInts('kernel_shape', [3, 3]), attrInts('pads', [t, lft, b, r]));
    } else attrs.push(attrInts('kernel_shape', [1, 1]));
    if (l.kind === 'dwconv') attrs.push(attrInt('group', O));
    nodes.push(node('Conv', [x, `${l.name}_w`, `${l.name}_b`], [`${l.name}_conv`], l.name, attrs));
    nodes.push(node('Clip', [`${l.name}_conv`, 'relu6_min', 'relu6_max'], [`${l.name}_out`], `${l.name}_relu6`));
    x = `${l.name}_out`;
  });
  const graph = [
    ...nodes, fStr(2, 'mobilenet_v1'), ...inits,
    valueInfo(11, 'input', [1, 3, R, R]), valueInfo(12, 'logits', [1, weights.classes]),
  ];
  return cat([fInt(1, 7 /* ir_version */), fStr(2, 'mobilenet-native bench'), fMsg(7, graph), fMsg(8, [fStr(1, ''), fInt(2, 13)])]);
}

const weights = syntheticWeights(alpha, { seed: 1 });
const bytes = buildOnnx(weights, R);
if (o.save) writeFileSync(o.save, bytes);
const session = await ort.InferenceSession.create(bytes, {
  intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
});
// Same pseudo-random image as `mobilenet bench` (NHWC there), transposed to NCHW.
const rand = seededRandom(12345);
const nhwc = new Float32Array(R * R * 3);
for (let i = 0; i < nhwc.length; i++) nhwc[i] = rand() * 2 - 1;
const nchw = new Float32Array(R * R * 3);
for (let p = 0; p < R * R; p++) for (let c = 0; c < 3; c++) nchw[c * R * R + p] = nhwc[p * 3 + c];
const feeds = { input: new ort.Tensor('float32', nchw, [1, 3, R, R]) };

for (let i = 0; i < warmup; i++) await session.run(feeds);
const times = [];
let last;
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  last = await session.run(feeds);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
const q = (f) => { const p = (times.length - 1) * f, lo = Math.floor(p), hi = Math.ceil(p); return times[lo] + (times[hi] - times[lo]) * (p - lo); };
const result = {
  tool: 'onnxruntime-node', version: ort.env?.versions?.common ?? 'unknown', alpha, res: R, threads, runs, warmup,
  median_ms: +q(0.5).toFixed(4), p90_ms: +q(0.9).toFixed(4), min_ms: +times[0].toFixed(4),
};
if (o.check) {
  const { load } = await import(join(root, 'dist', 'model.js'));
  const model = await load({ weights, resolution: R, threads: 1 });
  const ours = model.inferSync(nhwc);
  const theirs = last.logits.data;
  let maxAbs = 0, maxRef = 0, am = 0, at = 0;
  for (let i = 0; i < ours.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(ours[i] - theirs[i]));
    maxRef = Math.max(maxRef, Math.abs(theirs[i]));
    if (ours[i] > ours[am]) am = i;
    if (theirs[i] > theirs[at]) at = i;
  }
  Object.assign(result, { check_max_abs_diff: +maxAbs.toPrecision(3), check_max_abs_logit: +maxRef.toPrecision(4), check_argmax_match: am === at });
  model.dispose();
}
console.log(JSON.stringify(result));
