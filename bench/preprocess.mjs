// Time of the shared preprocessing: a 640x480 RGBA camera frame -> 224x224x3 (center square
// crop + bilinear resize, half-pixel centers), through the binding's resizeFrame (the same
// code that stages frames into a model, which then normalises through a 256-entry table).
// Usage: node bench/preprocess.mjs [--json]   (after `npm run build`)
import { loadBinding } from '../dist/binding.js';

const b = loadBinding();
const W = 640, H = 480, C = 4, R = 224, RUNS = 500;
const frame = new Uint8Array(W * H * C).map((_, i) => (i * 2654435761) >>> 24);
for (let i = 0; i < 50; i++) b.resizeFrame(frame, W, H, C, R);
const t = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = process.hrtime.bigint();
  b.resizeFrame(frame, W, H, C, R);
  t.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
t.sort((x, y) => x - y);
const out = { frame: `${W}x${H}x${C}`, resolution: R, runs: RUNS, median_ms: +t[RUNS >> 1].toFixed(4), min_ms: +t[0].toFixed(4), cpu: b.cpuModel() };
if (process.argv.includes('--json')) console.log(JSON.stringify(out));
else console.log(`640x480 RGBA -> 224x224x3 crop+bilinear: median ${out.median_ms} ms, min ${out.min_ms} ms (${out.cpu})`);
