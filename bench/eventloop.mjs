#!/usr/bin/env node
// Event-loop responsiveness during back-to-back inference: a robot's control loop keeps running
// while the model works on the libuv pool. Loads MobileNetV1 1.0/224 (synthetic weights, default
// threads), runs N sequential `await model.infer(frame)` under perf_hooks.monitorEventLoopDelay,
// and prints p50/p99/max event-loop delay and the inference median, in ms.
//
// --bmp WxH: the input is a synthetic 24-bit BMP file's bytes of that size (what a Pi camera writes) instead of a
// 640x480 RGB frame, e.g. --bmp 4000x3000 for 12 MP.
//
// Usage: npx tsc -p tsconfig.json && node bench/eventloop.mjs [--runs 200] [--threads N] [--bmp WxH] [--json]
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { load, syntheticWeights } from '../dist/index.js';

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : dflt;
};
const json = args.includes('--json');
const runs = flag('runs', 200);
const threads = flag('threads', undefined);

const model = await load({ weights: syntheticWeights(1.0, { seed: 1 }), resolution: 224, ...(threads ? { threads } : {}) });
const bmpAt = args.indexOf('--bmp');
const [W, H] = bmpAt >= 0 ? args[bmpAt + 1].split('x').map(Number) : [640, 480];
let frame = { data: new Uint8Array(W * H * 3), width: W, height: H, channels: 3 };
for (let i = 0; i < frame.data.length; i++) frame.data[i] = (i * 2654435761) >>> 24;
if (bmpAt >= 0) {
  // BITMAPINFOHEADER, bottom-up rows padded to 4 bytes.
  const row = Math.ceil((W * 3) / 4) * 4, b = Buffer.alloc(54 + row * H);
  b.write('BM'); b.writeUInt32LE(b.length, 2); b.writeUInt32LE(54, 10); b.writeUInt32LE(40, 14);
  b.writeInt32LE(W, 18); b.writeInt32LE(H, 22); b.writeUInt16LE(1, 26); b.writeUInt16LE(24, 28);
  for (let y = 0; y < H; y++) b.set(frame.data.subarray(y * W * 3, (y + 1) * W * 3), 54 + y * row);
  frame = new Uint8Array(b.buffer, b.byteOffset, b.length);
}
const output = new Float32Array(model.info.classes);

for (let i = 0; i < 5; i++) await model.infer(frame, { output }); // warm-up outside the measurement

const histogram = monitorEventLoopDelay({ resolution: 1 });
const times = [];
histogram.enable();
const t0 = performance.now();
for (let i = 0; i < runs; i++) {
  const s = performance.now();
  await model.infer(frame, { output });
  times.push(performance.now() - s);
}
const wall = performance.now() - t0;
histogram.disable();
model.dispose();

times.sort((a, b) => a - b);
const ms = (ns) => Math.round((ns / 1e6) * 1000) / 1000;
const round = (v) => Math.round(v * 1000) / 1000;
const result = {
  model: '1.0/224 (synthetic weights)',
  input: bmpAt >= 0 ? `${W}x${H} 24-bit BMP bytes` : `${W}x${H}x3 frame (resized natively)`,
  isa: model.info.isa,
  threads: model.info.threads,
  runs,
  eventLoopDelayMs: {
    // monitorEventLoopDelay samples every `resolution` ms; its values include that 1 ms timer period.
    p50: ms(histogram.percentile(50)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
    mean: ms(histogram.mean),
  },
  inferMs: { median: round(times[Math.floor(times.length / 2)]), p99: round(times[Math.min(times.length - 1, Math.floor(times.length * 0.99))]), min: round(times[0]) },
  wallMs: round(wall),
};
if (json) {
  process.stdout.write(JSON.stringify(result) + '\n');
} else {
  const d = result.eventLoopDelayMs;
  console.log(`MobileNetV1 ${result.model}, isa ${result.isa}, ${result.threads} threads, ${runs} x await infer(${result.input})`);
  console.log(`event-loop delay: p50 ${d.p50} ms  p99 ${d.p99} ms  max ${d.max} ms  (mean ${d.mean} ms; 1 ms sampling period included)`);
  console.log(`inference: median ${result.inferMs.median} ms  p99 ${result.inferMs.p99} ms  min ${result.inferMs.min} ms  (wall ${result.wallMs} ms)`);
}
