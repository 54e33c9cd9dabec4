#!/usr/bin/env node
// MobileNetV2 (Coral uint8 file) and SSD-MobileNetV1 (detect.tflite) latency: ours (V2: integer, bit-exact; SSD: float, weights dequantized
// at load) against TensorFlow Lite 2.2 (node-tflite, uint8 kernels) on the same files, 1 and 2 threads, in one
// process, alternating ours and TFLite run by run so both see the same machine load; medians and the ratio.
// Also prints our per-layer profile (the 8 slowest layers) of each model.
//
//   npm install --no-save node-tflite@0.0.2   (and build it: see bench/tflite-detect-reference.ts)
//   npm run build:ts && node bench/detect-compare.mjs [--runs 40] [--warmup 5] [--json out.json]
//
// Inputs: one 224 reference input (V2) and the 300x300 grace_hopper stretch (SSD), fed to both as the same bytes
// (ours as a frame of the model's size: normalised, not resized). Ours includes the postprocess for SSD, as
// TFLite's invoke() does.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(root, '../shared');
const { values: o } = parseArgs({ options: { runs: { type: 'string', default: '40' }, warmup: { type: 'string', default: '5' }, json: { type: 'string' } } });
const runs = Number(o.runs), warmup = Number(o.warmup);
const { load } = await import(join(root, 'dist/index.js'));
const require = createRequire(import.meta.url);
const tflite = require(process.env.NODE_TFLITE ? resolve(process.env.NODE_TFLITE) : 'node-tflite');

const stems = JSON.parse(readFileSync(join(shared, 'reference/manifest.json'), 'utf8')).stems;
const v2Input = new Uint8Array(readFileSync(join(shared, `reference/inputs/224/${stems[3]}.rgb`)));
// The SSD input: the photo stretched to 300 x 300 by our native resize (same bytes to both runtimes).
const binding = require(join(root, 'build/Release/mobilenet_native.node'));
const sharp = (await import('sharp')).default;
const { data, info } = await sharp(join(shared, 'images/samples/grace_hopper.jpg')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
const ssdInput = binding.resizeFrame(new Uint8Array(data), info.width, info.height, 3, 300, true);

const models = [
  { name: 'MobileNetV2 1.0/224 (uint8 file)', file: join(shared, 'models/tflite/coral/mobilenet_v2_1.0_224_quant.tflite'), R: 224, input: v2Input, detect: false },
  { name: 'SSD-MobileNetV1 0.75/300 (detect.tflite)', file: join(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite'), R: 300, input: ssdInput, detect: true },
];
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const rows = [];
for (const m of models) {
  for (const threads of [1, 2]) {
    const ours = await load({ weights: m.file, threads });
    const frame = { data: m.input, width: m.R, height: m.R, channels: 3 };
    const runOurs = m.detect ? () => ours.detect(frame, { minScore: 0 }) : () => ours.infer(frame);
    const it = new tflite.Interpreter(new Uint8Array(readFileSync(m.file)), { numThreads: threads });
    it.allocateTensors();
    const runTflite = () => { it.inputs[0].copyFrom(m.input.slice()); it.invoke(); };
    for (let i = 0; i < warmup; i++) { await runOurs(); runTflite(); }
    const a = [], b = [];
    for (let i = 0; i < runs; i++) {
      let t = process.hrtime.bigint(); await runOurs(); a.push(Number(process.hrtime.bigint() - t) / 1e6);
      t = process.hrtime.bigint(); runTflite(); b.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const row = { model: m.name, threads, ours_ms: median(a), tflite_ms: median(b), ratio: median(b) / median(a), isa: ours.info.isa, dtype: ours.info.dtype };
    rows.push(row);
    console.log(`${m.name}, ${threads} thread(s): ours ${row.ours_ms.toFixed(2)} ms (${row.isa}, ${ours.info.dtype}), TFLite 2.2 ${row.tflite_ms.toFixed(2)} ms (uint8); TFLite/ours ${row.ratio.toFixed(2)}`);
    if (threads === 1) {
      const p = ours.profile(10);
      const top = [...p.layers].sort((x, y) => y.ms - x.ms).slice(0, 8);
      console.log('  slowest layers (1 thread): ' + top.map((l) => `${l.name} ${l.ms.toFixed(2)} ms (${l.gflops.toFixed(1)} GFLOP/s)`).join(', '));
      row.profile = p;
    }
    ours.dispose();
  }
}
const meta = { cpu: cpus()[0]?.model, node: process.version, runs, warmup, date: new Date().toISOString() };
console.log(JSON.stringify(meta));
if (o.json) writeFileSync(o.json, JSON.stringify({ meta, rows }, null, 2) + '\n');
