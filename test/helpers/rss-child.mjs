// Child process for test/inputs.test.ts: peak RSS (VmHWM) of 100 concurrent classify() calls on one
// 12-megapixel JPEG. Uses the built package (dist/), so nothing else shares the process.
// Run with: node test/helpers/rss-child.mjs <tmpdir>
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { load } = await import(join(root, 'dist/index.js'));
const file = join(process.argv[2], 'photo-12mp.jpg');
await sharp(resolve(root, '../shared/images/samples/grace_hopper.jpg')).resize(4000, 3000, { fit: 'fill' }).jpeg({ quality: 90 }).toFile(file);
const hwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const model = await load({ weights: resolve(root, '../shared/models/tfjs/mobilenet_v1_0.25_224'), threads: 1 });
const results = await Promise.all(Array.from({ length: 100 }, () => model.classify(file, { topK: 1 })));
console.log(JSON.stringify({ results: results.length, peakMB: Math.round(hwm()), top1: results[0][0].label }));
