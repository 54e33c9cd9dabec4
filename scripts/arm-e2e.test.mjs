// End-to-end check of a (cross-built) addon through the compiled dist/ API, written for `node --test`
// so it runs on the official ARM Node binaries under qemu-user, where vitest does not run.
// Driven by scripts/run-arm-e2e.sh; also runs natively: `MOBILENET_NATIVE_BINDING=… node --test scripts/arm-e2e.test.mjs`.
//
// Only raw frames are used (the reference input tensors), never image files: sharp has no ARM binary here and
// dist/ must load without it (lib/image.ts imports sharp lazily, only to decode files).
//
// Environment:
//   MOBILENET_NATIVE_BINDING  the .node under test (required: this test is about a specific binary)
//   E2E_IMAGES               reference images to compare (default 10, max 100)
//   E2E_CLASSIFY             how many of those also go through classify() and are checked by label (default 3)
//   E2E_EXPECT_ISA           fail unless model.info.isa equals this (run-arm-e2e.sh sets 'neon' or 'scalar')
//   E2E_ATOL                 max abs logit difference allowed (default 1e-3)
//   E2E_THREADS              threads for the model (default: availableParallelism())
//   E2E_LABEL                name for the summary line (default: process.arch)
//   MOBILENET_ISA            forwarded to the addon by dist/ (e.g. scalar)
//   SHARED                   the shared data folder (default /work/shared)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = process.env.SHARED ?? '/work/shared';
const MODEL_DIR = join(SHARED, 'models/tfjs/mobilenet_v1_0.25_224');
const REF_DIR = join(SHARED, 'reference');
const N = Math.min(100, Math.max(1, Number(process.env.E2E_IMAGES ?? 10)));
const N_CLASSIFY = Math.min(N, Math.max(0, Number(process.env.E2E_CLASSIFY ?? 3)));
const ATOL = Number(process.env.E2E_ATOL ?? 1e-3);
const THREADS = Number(process.env.E2E_THREADS ?? availableParallelism());
const EXPECT_ISA = process.env.E2E_EXPECT_ISA || undefined;
const LABEL = process.env.E2E_LABEL ?? process.arch;
const RES = 224;
const CLASSES = 1000;

const summary = { label: LABEL, arch: process.arch, node: process.versions.node, isa: '?', images: 0, maxDiff: NaN, top1: '0/0', classify: '0/0', ms: 0 };
let failed = false;

function argmax(a) {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

test('arm e2e', { timeout: 30 * 60_000 }, async (t) => {
  t.after(() => {
    // One greppable line per run (run-arm-e2e.sh collects it); printed even when a subtest failed.
    const d = Number.isFinite(summary.maxDiff) ? summary.maxDiff.toExponential(2) : 'n/a';
    console.log(
      `E2E-SUMMARY ${summary.label}: arch=${summary.arch} node=${summary.node} isa=${summary.isa} images=${summary.images} ` +
        `max|dlogit|=${d} top1=${summary.top1} classify=${summary.classify} infer=${summary.ms.toFixed(0)}ms/img ${failed ? 'FAIL' : 'PASS'}`,
    );
  });
  const sub = (name, fn) =>
    t.test(name, async (st) => {
      try {
        await fn(st);
      } catch (e) {
        failed = true;
        throw e;
      }
    });

  const bindingPath = process.env.MOBILENET_NATIVE_BINDING;
  let api;
  let model;

  await sub('the binding under test exists', async () => {
    assert.ok(bindingPath, 'set MOBILENET_NATIVE_BINDING to the .node under test');
    assert.ok(existsSync(bindingPath), `MOBILENET_NATIVE_BINDING=${bindingPath} does not exist`);
  });

  await sub('dist/ loads without sharp (pure JS, arch independent)', async (st) => {
    const entry = join(ROOT, 'dist/index.js');
    assert.ok(existsSync(entry), `${entry} missing: run npx tsc -p tsconfig.json first`);
    api = await import(pathToFileURL(entry).href);
    assert.equal(typeof api.load, 'function');
    const { bindingCandidates, loadBinding } = await import(pathToFileURL(join(ROOT, 'dist/binding.js')).href);
    assert.equal(bindingCandidates()[0], resolve(bindingPath), 'MOBILENET_NATIVE_BINDING must be the first candidate');
    const b = loadBinding(); // throws the loader's explanation if this .node does not load here
    summary.supported = b.supportedIsas();
    st.diagnostic(`supportedIsas=${summary.supported.join(',')} cpu=${b.cpuModel()}`);
    // C++ exceptions thrown inside the addon must reach JS as typed errors: exercises the statically linked
    // libstdc++ with the system libgcc_s unwinder (a broken unwinder aborts the process here instead).
    assert.throws(() => new b.NativeModel({}), TypeError);
    assert.throws(() => new b.NativeModel(42), { name: 'TypeError', message: /config object/ });
  });
  if (!api) return;

  await sub('loads the α=0.25 TF.js weights', async (st) => {
    model = await api.load({ weights: MODEL_DIR, threads: THREADS });
    summary.isa = model.info.isa;
    assert.equal(model.info.alpha, 0.25);
    assert.equal(model.info.resolution, RES);
    assert.equal(model.info.classes, CLASSES);
    st.diagnostic(`isa=${model.info.isa} threads=${model.info.threads} memoryBytes=${model.info.memoryBytes} cpu=${model.info.cpu}`);
  });
  if (!model) return;

  await sub(`model.info.isa is ${EXPECT_ISA ?? '(not checked)'}`, async () => {
    if (EXPECT_ISA) assert.equal(model.info.isa, EXPECT_ISA);
  });

  const manifest = JSON.parse(readFileSync(join(REF_DIR, 'manifest.json'), 'utf8'));
  const stems = manifest.stems.slice(0, N);
  const refAll = new Float32Array(readFileSync(join(REF_DIR, 'logits/tfjs_0.25_224.f32')).buffer.slice(0));
  assert.equal(refAll.length, manifest.stems.length * CLASSES, 'reference logits file has the wrong size');
  const labels = readFileSync(join(SHARED, 'labels/imagenet_1000.txt'), 'utf8').split('\n').filter((l) => l.length > 0);
  const frame = (stem) => {
    const data = new Uint8Array(readFileSync(join(REF_DIR, `inputs/${RES}/${stem}.rgb`)));
    assert.equal(data.length, RES * RES * 3, `${stem}.rgb has the wrong size`);
    return { data, width: RES, height: RES, channels: 3 };
  };

  await sub(`logits of ${stems.length} reference inputs within ${ATOL} and same top-1`, async (st) => {
    let maxDiff = 0;
    let agree = 0;
    const bad = [];
    const t0 = performance.now();
    for (let i = 0; i < stems.length; i++) {
      const logits = await model.infer(frame(stems[i]));
      assert.equal(logits.length, CLASSES);
      const ref = refAll.subarray(i * CLASSES, (i + 1) * CLASSES);
      let d = 0;
      for (let c = 0; c < CLASSES; c++) {
        const e = Math.abs(logits[c] - ref[c]);
        if (!(e <= d)) d = e; // NaN-propagating max
      }
      maxDiff = Number.isNaN(d) || Number.isNaN(maxDiff) ? NaN : Math.max(maxDiff, d);
      const same = argmax(logits) === argmax(ref);
      if (same) agree++;
      if (!(d <= ATOL) || !same) bad.push(`${stems[i]}: max|d|=${d} top1 ${argmax(logits)} vs ref ${argmax(ref)}`);
    }
    summary.ms = (performance.now() - t0) / stems.length;
    summary.images = stems.length;
    summary.maxDiff = maxDiff;
    summary.top1 = `${agree}/${stems.length}`;
    st.diagnostic(`max|dlogit|=${maxDiff} top1 agreement ${agree}/${stems.length} (${summary.ms.toFixed(0)} ms/img; under qemu this timing means nothing)`);
    assert.deepEqual(bad, [], `images outside tolerance or with a different top-1:\n${bad.join('\n')}`);
  });

  await sub(`classify() of the first ${N_CLASSIFY} gives the reference top-1 label`, async () => {
    let ok = 0;
    const bad = [];
    for (let i = 0; i < N_CLASSIFY; i++) {
      const ref = refAll.subarray(i * CLASSES, (i + 1) * CLASSES);
      const want = argmax(ref);
      const [top] = await model.classify(frame(stems[i]), { topK: 1 });
      if (top.index === want && top.label === labels[want] && top.probability > 0 && top.probability <= 1) ok++;
      else bad.push(`${stems[i]}: got ${top.index} '${top.label}' p=${top.probability}, want ${want} '${labels[want]}'`);
    }
    summary.classify = `${ok}/${N_CLASSIFY}`;
    assert.deepEqual(bad, []);
  });

  await sub('inferSync on a batch of 2 matches single async inferences', async (st) => {
    const k = Math.min(2, stems.length);
    const frames = stems.slice(0, k).map(frame);
    const sync = model.inferSync(frames);
    assert.equal(sync.length, k * CLASSES);
    let d = 0;
    for (let i = 0; i < k; i++) {
      const single = await model.infer(frames[i]);
      for (let c = 0; c < CLASSES; c++) d = Math.max(d, Math.abs(sync[i * CLASSES + c] - single[c]));
    }
    st.diagnostic(`batch vs single max|d|=${d}${d === 0 ? ' (bit-identical)' : ''}`);
    assert.ok(d <= 1e-5, `batch rows differ from single inferences by ${d}`);
  });

  // One-thread models run pw_1 + dw_2 here as a band pair (native/runtime/model.cc: band_groups), more threads layer
  // by layer: the two orders must agree bit for bit on ARM too (test/threads.test.ts checks it on x86).
  await sub('one thread (band pairs) gives the same logits bit for bit as two', async () => {
    const frames = stems.slice(0, Math.min(2, stems.length)).map(frame);
    const one = await api.load({ weights: MODEL_DIR, threads: 1 });
    const two = await api.load({ weights: MODEL_DIR, threads: 2 });
    try {
      const bits = (x) => new Uint32Array(x.buffer, x.byteOffset, x.length);
      const a = bits(await one.infer(frames));
      const b = bits(await two.infer(frames));
      assert.equal(a.length, frames.length * CLASSES);
      assert.equal(a.findIndex((v, i) => v !== b[i]), -1, 'first logit that differs between 1 and 2 threads');
    } finally {
      one.dispose();
      two.dispose();
    }
  });

  model.dispose();

  // 32-bit size_t (armv7): a batch whose staging size wraps (4096 x 1024 x 1024 x 3 floats is 0 mod 2^32) allocated the
  // wrapped size and the staging then wrote past it: SIGSEGV. It is an error, and the model works afterwards.
  await sub('a batch too large for the address space is an error, and the model keeps working', async () => {
    const big = await api.load({ weights: MODEL_DIR, resolution: 1024, threads: THREADS });
    try {
      const f = { data: new Uint8Array(8 * 8 * 3).fill(9), width: 8, height: 8, channels: 3 };
      const want = Array.from(big.inferSync(f));
      await assert.rejects(big.infer(Array(4096).fill(f)), { message: 'out of memory reserving a batch of 4096' });
      assert.deepEqual(Array.from(await big.infer(f)), want);
    } finally {
      big.dispose();
    }
  });

  // The integer path with residual adds (the NEON vadd kernel): Coral's MobileNetV2 uint8 file gives TFLite 2.2's bytes.
  await sub('MobileNetV2 uint8 logits are identical to TFLite 2.2 on 2 reference inputs', async (st) => {
    const v2 = await api.load({ weights: join(SHARED, 'models/tflite/coral/mobilenet_v2_1.0_224_quant.tflite'), threads: THREADS });
    try {
      assert.deepEqual([v2.info.architecture, v2.info.dtype], ['mobilenet_v2', 'uint8']);
      const golden = gunzipSync(readFileSync(join(ROOT, 'test/fixtures/v2/mobilenet_v2_1.0_224_quant.logits.u8.gz')));
      for (let i = 0; i < Math.min(2, manifest.stems.length); i++) {
        const got = await v2.infer(frame(manifest.stems[i]), { dequantize: false });
        assert.deepEqual(Array.from(got), Array.from(golden.subarray(i * 1001, (i + 1) * 1001)), `${manifest.stems[i]}: uint8 logits differ`);
      }
      st.diagnostic(`isa=${v2.info.isa}`);
    } finally {
      v2.dispose();
    }
  });
});
