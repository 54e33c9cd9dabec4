#!/usr/bin/env node
// Soak test: 10,000 inferences of MobileNetV1 0.25/128 into one caller-owned output buffer, the
// allocation-free control-loop pattern. RSS is sampled every 500 inferences after a warm-up of 500;
// prints the samples and max - min RSS after warm-up, and exits 1 if it grew more than 2 MB.
//
// Usage: npx tsc -p tsconfig.json && node bench/soak.mjs [--runs 10000] [--warmup 500] [--limit-mb 2] [--no-gc] [--v8-threads] [--json]
//
// V8's own worker threads (concurrent marking, compilation) malloc from per-thread glibc arenas that
// grow and shrink by a few MB during the first thousands of inferences and then stay flat (seen: +3 MB
// then flat for 30,000 runs; the same with inferSync, so not libuv nor the addon). That noise alone
// exceeds 2 MB, so by default the soak re-runs itself under `node --single-threaded` (V8 flag: no V8
// worker threads; the addon's thread pool and the libuv pool are unaffected). --v8-threads keeps them.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { load, syntheticWeights } from '../dist/index.js';

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : dflt;
};
if (!args.includes('--v8-threads') && !process.execArgv.includes('--single-threaded')) {
  const r = spawnSync(process.execPath, [...process.execArgv, '--single-threaded', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const json = args.includes('--json');
const runs = flag('runs', 10_000);
const warmup = flag('warmup', 500);
const every = flag('every', 500);
const limitMB = flag('limit-mb', 2);
// A full GC before each sample, so the samples show retained memory (a leak, native or JS) rather
// than where the young generation happens to be. --no-gc samples the raw RSS.
let gc = () => {};
if (!args.includes('--no-gc')) {
  setFlagsFromString('--expose-gc');
  gc = runInNewContext('gc');
}

const model = await load({ weights: syntheticWeights(0.25, { seed: 1 }), resolution: 128 });
const W = 320;
const H = 240;
const frame = { data: new Uint8Array(W * H * 3), width: W, height: H, channels: 3 };
const output = new Float32Array(model.info.classes);

const MB = 2 ** 20;
const samples = [];
const t0 = performance.now();
for (let i = 1; i <= warmup + runs; i++) {
  frame.data[i % frame.data.length] = i & 255; // a "new" camera frame each time, same buffer
  const r = await model.infer(frame, { output });
  if (r !== output) throw new Error('infer() did not return the caller-owned output buffer');
  if (i > warmup && (i - warmup) % every === 0) {
    gc();
    samples.push({ after: i - warmup, rssMB: Math.round((process.memoryUsage().rss / MB) * 100) / 100 });
  }
}
const wall = performance.now() - t0;
model.dispose();

const rss = samples.map((s) => s.rssMB);
const growthMB = Math.round((Math.max(...rss) - Math.min(...rss)) * 100) / 100;
const pass = growthMB <= limitMB;
const result = { model: '0.25/128 (synthetic weights)', gcBeforeSample: !args.includes('--no-gc'), v8Threads: !process.execArgv.includes('--single-threaded'), isa: model.info.isa, threads: model.info.threads, runs, warmup, samples, growthMB, limitMB, pass, msPerInference: Math.round((wall / (warmup + runs)) * 1000) / 1000 };
if (json) {
  process.stdout.write(JSON.stringify(result) + '\n');
} else {
  console.log(`soak: ${runs} inferences of ${result.model} (isa ${result.isa}, ${result.threads} threads, ${result.msPerInference} ms each) after ${warmup} warm-up`);
  console.log(samples.map((s) => `${s.after}: ${s.rssMB} MB`).join('\n'));
  console.log(`RSS max - min after warm-up: ${growthMB} MB (limit ${limitMB} MB): ${pass ? 'PASS' : 'FAIL'}`);
}
process.exitCode = pass ? 0 : 1;
