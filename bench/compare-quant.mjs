#!/usr/bin/env node
// The integer path against our float path, XNNPACK's quantized operators and TensorFlow Lite 2.2, 1 thread,
// same machine, same minutes: engines alternate process by process (the order rotates every round) and each
// cell is the median of per-process medians (see ../shared/tools/xnnpack-anchor/README.md on shared machines).
//
//   node bench/compare-quant.mjs [-n ROUNDS] [-r RUNS] [--no-tflite] [--real-only | --synthetic-only] [VARIANT...]
//   VARIANT: ALPHA/RES (synthetic weights); default: the real quantized files, then all 16 α×ρ.
//
// Engines: ours uint8 / int8 / float32 (`mobilenet bench --dtype`, synthetic quantized weights, or the real
// file: its integer path, and the same file with precision 'float'), XNNPACK qu8 / qs8 (XNN_BIN, default
// build-xnn/mobilenet-xnn, see compare-xnnpack.sh; synthetic weights of the same α×ρ), TFLite 2.2 uint8
// (bench/tflite-time.ts through vite-node; NODE_TFLITE as for the goldens; fewer runs: it is slow).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let rounds = 3, runs = 30, tfl = true, real = true, synth = true;
const variants = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '-n') rounds = Number(args[++i]);
  else if (a === '-r') runs = Number(args[++i]);
  else if (a === '--no-tflite') tfl = false;
  else if (a === '--real-only') synth = false;
  else if (a === '--synthetic-only') real = false;
  else variants.push(a);
}
const XNN = process.env.XNN_BIN ?? join(root, 'build-xnn/mobilenet-xnn');
if (!existsSync(XNN)) { console.error(`compare-quant: no XNNPACK anchor at ${XNN} (build it as bench/compare-xnnpack.sh does)`); process.exit(1); }
const shared = join(root, '../shared/models/tflite');
const coral = join(root, 'build-quant/coral_mobilenet_v1_1.0_224_quant.tflite');
const vite = join(root, 'node_modules/.bin/vite-node');
if (real && !existsSync(coral)) execFileSync(vite, ['bench/tflite-time.ts', '--', '--write-coral', coral], { cwd: root });

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
// `mobilenet bench --json` prints an array (one object per configuration), the anchor and tflite-time one object.
const json = (out) => {
  const v = JSON.parse(out.slice(out.search(/[[{]/)));
  return (Array.isArray(v) ? v[0] : v).median_ms;
};
const run = (cmd, argv) => json(execFileSync(cmd, argv, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 24 }));
const ours = (dtype, a, r, file) => run(process.execPath, ['dist/cli.js', 'bench', '--json', '--runs', String(runs), '--dtype', dtype,
  ...(file ? ['--weights', file] : ['--alpha', a, '--resolution', r])]);
const xnn = (dtype, a, r) => run(XNN, ['--alpha', a, '--res', r, '--threads', '1', '--runs', String(runs), '--json', '--dtype', dtype]);
const tflite = (a, r, file) => run(vite, ['bench/tflite-time.ts', '--', '--runs', String(Math.max(5, runs >> 2)), ...(file ? ['--file', file] : ['--alpha', a, '--res', r])]);

const cases = [];
if (real && variants.length === 0) {
  for (const [name, a, r] of [['mobilenet_v1_0.25_128_quant', '0.25', '128'], ['mobilenet_v1_0.25_224_quant', '0.25', '224'],
    ['mobilenet_v1_0.5_160_quant', '0.5', '160'], ['mobilenet_v1_0.75_192_quant', '0.75', '192']]) cases.push({ label: name, a, r, file: join(shared, `${name}.tflite`) });
  cases.push({ label: 'Coral mobilenet_v1_1.0_224_quant (extractor + head)', a: '1.0', r: '224', file: coral });
}
if (synth) {
  const vs = variants.length ? variants : ['1.0', '0.75', '0.5', '0.25'].flatMap((a) => ['224', '192', '160', '128'].map((r) => `${a}/${r}`));
  for (const v of vs) { const [a, r] = v.split('/'); cases.push({ label: `synthetic ${v}`, a, r }); }
}

const engines = {
  'ours u8': (c) => ours('uint8', c.a, c.r, c.file),
  'ours s8': (c) => (c.file ? NaN : ours('int8', c.a, c.r)),
  'ours f32': (c) => ours('float32', c.a, c.r, c.file),
  'XNN qu8': (c) => xnn('qu8', c.a, c.r),
  'XNN qs8': (c) => xnn('qs8', c.a, c.r),
  ...(tfl ? { 'TFLite u8': (c) => tflite(c.a, c.r, c.file) } : {}),
};
const names = Object.keys(engines);
const load0 = loadavg().map((x) => x.toFixed(2)).join(' ');
const results = [];
for (const c of cases) {
  const t = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < rounds; i++) {
    const order = names.map((_, k) => names[(k + i) % names.length]);
    for (const n of order) { const ms = engines[n](c); if (Number.isFinite(ms)) t[n].push(ms); }
    process.stderr.write(`\r\x1b[K${c.label} round ${i + 1}/${rounds}`);
  }
  results.push({ c, m: Object.fromEntries(names.map((n) => [n, t[n].length ? median(t[n]) : NaN])) });
}
process.stderr.write('\r\x1b[K');
const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const head = ['model', ...names.map((n) => `${n} ms`), 'f32 / u8', 'u8 / XNN qu8', 's8 / XNN qs8', ...(tfl ? ['TFLite / u8'] : [])];
console.log(`MobileNetV1, 1 thread, ${cpus()[0]?.model} (${cpus().length} cores, load ${load0} → ${loadavg().map((x) => x.toFixed(2)).join(' ')}): ` +
  `median of ${rounds} process medians (${runs} runs each; TFLite ${Math.max(5, runs >> 2)}), engines alternated.\n`);
console.log(`| ${head.join(' | ')} |`);
console.log(`| ${head.map((_, i) => (i ? '---:' : '---')).join(' | ')} |`);
for (const { c, m } of results) {
  const row = [c.label, ...names.map((n) => f(m[n])), f(m['ours f32'] / m['ours u8']), f(m['ours u8'] / m['XNN qu8']), f(m['ours s8'] / m['XNN qs8']),
    ...(tfl ? [f(m['TFLite u8'] / m['ours u8'])] : [])];
  console.log(`| ${row.join(' | ')} |`);
}
