// End-to-end smoke for the sanitizer build of the addon (run by native/tests/run-sanitizers.sh under
// LD_PRELOAD=libasan+libubsan with MOBILENET_NATIVE_BINDING pointing at build-asan-addon). Exercises
// the native paths a user reaches: load (fold + pack) for every ISA and several thread counts, frame
// and tensor staging (resize), batches, output buffers, embed, async and sync runs, dispose with
// jobs in flight, and malformed arguments at the API and at the raw binding. Any sanitizer report
// aborts the process (halt_on_error); a wrong result exits 1.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSpec, load, syntheticWeights } from '../../dist/index.js';
import { loadBinding, toNativeGraph } from '../../dist/binding.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = path.resolve(root, '../shared');
const REAL = path.join(shared, 'models/tfjs/mobilenet_v1_0.25_224');
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
};
async function rejects(fn, what) {
  try {
    await fn();
    check(false, `${what}: expected an error`);
  } catch (e) {
    check(e instanceof Error, `${what}: ${e.constructor.name}: ${e.message.slice(0, 90)}`);
  }
}

const binding = loadBinding();
const isas = binding.supportedIsas();
console.log(`binding: ${process.env.MOBILENET_NATIVE_BINDING ?? '(default)'}; ISAs: ${isas.join(', ')}`);

// 1. Real weights on a reference input: top-1 and logits against the independent reference.
const manifest = JSON.parse(readFileSync(path.join(shared, 'reference/manifest.json'), 'utf8'));
const stem = manifest.stems[0];
const refAll = new Float32Array(readFileSync(path.join(shared, 'reference/logits/tfjs_0.25_224.f32')).buffer.slice(0));
const ref = refAll.subarray(0, 1000);
const rgb = new Uint8Array(readFileSync(path.join(shared, 'reference/inputs/224', `${stem}.rgb`)));
const frame = { data: rgb, width: 224, height: 224, channels: 3 };
for (const isa of isas) {
  for (const threads of [1, 3]) {
    const model = await load({ weights: REAL, isa, threads });
    const logits = await model.infer(frame);
    let maxErr = 0;
    for (let i = 0; i < 1000; i++) maxErr = Math.max(maxErr, Math.abs(logits[i] - ref[i]));
    check(maxErr < 1e-3, `real 0.25/224 ${isa} x${threads}: ${stem} max |logit - reference| = ${maxErr.toExponential(2)}`);
    const sync = model.inferSync(frame);
    check(sync.every((v, i) => Object.is(v, logits[i])), `${isa} x${threads}: inferSync == infer`);
    model.dispose();
  }
}

// 2. Batches, odd frame sizes (resize paths), RGBA, output buffers, embed, classify.
const model = await load({ weights: REAL, resolution: 128 });
const odd = { data: new Uint8Array(301 * 173 * 4).map((_, i) => (i * 37) & 255), width: 301, height: 173, channels: 4 };
const tall = { data: new Uint8Array(1 * 999 * 3).fill(200), width: 1, height: 999, channels: 3 };
const tensor = new Float32Array(128 * 128 * 3).fill(0.1);
const batch = await model.infer([odd, tall, tensor, frame]);
check(batch.length === 4000 && batch.every(Number.isFinite), 'batch of 4 mixed inputs');
const out = new Float32Array(4 * model.info.features);
check((await model.embed([odd, tall, tensor, frame], { output: out })) === out, 'embed into a caller buffer');
const top = await model.classify(frame, { topK: 5 });
check(top.length === 5, `classify: ${top[0].label} ${top[0].probability.toFixed(3)}`);
const nan = await model.infer(new Float32Array(128 * 128 * 3).fill(NaN));
check(nan.every((v) => Number.isNaN(v) || Number.isFinite(v)), 'NaN pixels: no crash');
console.log('profile:', JSON.stringify(model.profile(2)));

// 3. Malformed arguments.
await rejects(() => model.infer(null), 'infer(null)');
await rejects(() => model.infer(new Float32Array(5)), 'short tensor');
await rejects(() => model.infer({ data: new Uint8Array(11), width: 2, height: 2, channels: 3 }), 'short frame');
await rejects(() => model.infer({ data: new Uint8Array(12), width: 2, height: 2, channels: 5 }), 'channels 5');
await rejects(() => model.infer(tensor, { output: new Float32Array(3) }), 'short output');
const detach = (a) => (structuredClone(a.buffer, { transfer: [a.buffer] }), a);
await rejects(() => model.infer(detach(new Float32Array(128 * 128 * 3))), 'detached input');
const o = new Float32Array(1000);
const p = model.infer(tensor, { output: o });
detach(o);
await rejects(() => p, 'output detached during the run');
await rejects(() => load({ weights: REAL, threads: 0 }), 'threads 0');
await rejects(() => load({ weights: { ...syntheticWeights(0.25), layers: syntheticWeights(0.25).layers.slice(1) } }), 'missing layer');

// 4. Raw binding: bad configs and out-of-range calls must throw, never touch memory out of bounds.
const w = syntheticWeights(0.25);
const graph = toNativeGraph(buildSpec(0.25, 64).graph, w.layers);
const cfg = { graph, threads: 2, concurrency: 2, normalization: 'tfjs', isa: '' };
const withLayer = (i, over) => ({ ...cfg, graph: { ...graph, layers: graph.layers.map((l, j) => (j === i ? { ...l, ...over } : l)) } });
const N = binding.NativeModel;
await rejects(() => new N(withLayer(5, { kernel: graph.layers[5].kernel.subarray(3) })), 'short kernel');
await rejects(() => new N(withLayer(1, { beta: graph.layers[1].beta.subarray(1) })), 'mismatched BN');
await rejects(() => new N(withLayer(3, { outShape: [1, 1, 1] })), 'shape that does not follow');
await rejects(() => new N(withLayer(3, { inputs: [9] })), 'input from a later layer');
await rejects(() => new N({ ...cfg, graph: { ...graph, layers: new Array(2 ** 32 - 1) } }), 'huge layers array');
const n = new N(cfg);
await rejects(() => n.stageTensor(0, 1, new Float32Array(64 * 64 * 3)), 'stage index out of range');
await rejects(() => n.stageTensor(2, 0, new Float32Array(64 * 64 * 3)), 'workspace out of range');
await rejects(() => n.stageFrame(0, 0, new Uint8Array(0), 65536, 65536, 4), 'stageFrame length overflow');
await rejects(() => n.runSync(0, 2, 1), 'batch beyond reserve');
n.reserve(0, 3);
n.stageFrame(0, 2, odd.data, odd.width, odd.height, 4);
check(n.runSync(0, 3, 0).length === 3 * 256, 'raw: reserve 3, run 3');
const inflight = n.runAsync(0, 3, 1);
const other = n.runAsync(1, 1, 1); // the second workspace runs at the same time
await rejects(() => n.reserve(0, 64), 'reserve while a run is in flight');
await rejects(() => n.runSync(0, 1, 1), 'runSync while a run is in flight');
await inflight;
await other;
n.dispose();
n.dispose();
await rejects(() => n.runSync(0, 1, 1), 'raw: run after dispose');

// 5. Dispose with jobs running and queued; a model dropped without dispose is finalized.
const m2 = await load({ weights: REAL, resolution: 160, threads: 2 });
const jobs = [m2.infer(frame), m2.infer(odd), m2.embed(tensor.subarray(0, 0)), m2.infer(frame)].map((j) => j.then(() => 'ok', (e) => e.message));
m2.dispose();
console.log('dispose with jobs:', JSON.stringify(await Promise.all(jobs)));
for (let i = 0; i < 5; i++) await (await load({ weights: w, resolution: 64, threads: 2 })).infer(tensor.subarray(0, 64 * 64 * 3));
model.dispose();

// 6. MobileNetV2 and SSD (issue 14): integer and float paths, residual ADD, im2col conv, concat, logistic, the
//    postprocess (uint8 and float inputs), odd frame sizes (stretch resize), two streams at once.
const ssdFile = path.join(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
const v2File = path.join(shared, 'models/tflite/coral/mobilenet_v2_1.0_224_quant.tflite');
for (const precision of ['integer', 'float']) {
  const ssd = await load({ weights: ssdFile, threads: 2, concurrency: 2, precision });
  const found = await Promise.all([ssd.detect(odd, { minScore: 0 }), ssd.detect(frame, { minScore: 0 })]);
  check(found.every((f) => f.length <= 10), `ssd ${precision}: detections`);
  ssd.dispose();
  const v2 = await load({ weights: v2File, threads: 2, precision });
  check((await v2.infer(odd)).length === 1001, `v2 ${precision}: logits`);
  v2.dispose();
}

if (failures) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
console.log('sanitizer smoke: all checks passed');
