// Two streams on one model: load({ concurrency: 2, threads: 1 }), then alternately one call alone
// and two calls at once; reports the medians and their ratio (two at once / one alone; 1.0 would
// be perfect overlap, 2.0 none), and checks the simultaneous results are bit-identical to the
// sequential ones. Needs dist/ and the addon.
//   node bench/streams.mjs [--alpha 1.0] [--resolution 224] [--runs 40] [--threads 1]
import { parseArgs } from 'node:util';
import { load, syntheticWeights } from '../dist/index.js';

const { values } = parseArgs({ options: { alpha: { type: 'string', default: '1.0' }, resolution: { type: 'string', default: '224' }, runs: { type: 'string', default: '40' }, threads: { type: 'string', default: '1' } } });
const alpha = Number(values.alpha), R = Number(values.resolution), runs = Number(values.runs), threads = Number(values.threads);
const model = await load({ weights: syntheticWeights(alpha), resolution: R, threads, concurrency: 2 });
const x = (seed) => Float32Array.from({ length: R * R * 3 }, (_, i) => Math.sin(i * 0.37 + seed));
const a = x(1), b = x(2);
const seqA = await model.infer(a), seqB = await model.infer(b);
const same = (p, q) => Buffer.compare(Buffer.from(p.buffer), Buffer.from(q.buffer)) === 0;
const one = [], two = [];
let identical = true;
for (let i = 0; i < 5; i++) await Promise.all([model.infer(a), model.infer(b)]);
for (let i = 0; i < runs; i++) {
  let t = process.hrtime.bigint();
  await model.infer(a);
  one.push(Number(process.hrtime.bigint() - t) / 1e6);
  t = process.hrtime.bigint();
  const [ra, rb] = await Promise.all([model.infer(a), model.infer(b)]);
  two.push(Number(process.hrtime.bigint() - t) / 1e6);
  identical &&= same(ra, seqA) && same(rb, seqB);
}
const med = (v) => [...v].sort((p, q) => p - q)[v.length >> 1];
const r = { alpha, resolution: R, threads, concurrency: 2, one_ms: med(one), two_at_once_ms: med(two), ratio: med(two) / med(one), identical, memoryBytes: model.info.memoryBytes };
console.log(JSON.stringify(r));
model.dispose();
