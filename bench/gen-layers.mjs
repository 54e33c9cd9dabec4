// Generates bench/layers.txt, the layer shapes bench/kernels.cc times, from the layer table
// (lib/graph.ts through dist/: `npm run build:ts` first). test/graph.test.ts checks the file is up to date.
//   node bench/gen-layers.mjs          rewrite bench/layers.txt
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildMobileNetV1 } from '../dist/graph.js';

const ALPHAS = ['1.0', '0.75', '0.5', '0.25'];
const RESOLUTIONS = [224, 192, 160, 128];
const KIND = { conv: 'conv', dwconv: 'dw', pwconv: 'pw', gavgpool: 'gap', classifier: 'fc' };

/** The text of bench/layers.txt. */
export function layersTxt() {
  const lines = [
    '# MobileNetV1 layer shapes for the per-kernel benchmark (bench/kernels.cc), generated from the',
    '# layer table (lib/graph.ts) by bench/gen-layers.mjs: do not edit.',
    '# alpha res kind in_h in_w in_c out_c stride pad_top pad_left out_h out_w pad_bottom pad_right macs name',
    '#   (NHWC, TF SAME padding; rows of one alpha/res form the chain bench/arm-meter/driver.cc runs)',
    '# kind: conv = first 3x3 s2 conv (in_c 3), dw = depthwise 3x3, pw = 1x1 GEMM (M = in_h*in_w),',
    '#       gap = global average pool, fc = classifier GEMM (M = 1, N = 1000, as the XNNPACK anchor the meter and the kernel bench compare against).',
  ];
  for (const a of ALPHAS) {
    for (const r of RESOLUTIONS) {
      for (const l of buildMobileNetV1(Number(a), r, 1000).layers) {
        const [h, w, c] = l.inShape;
        lines.push([a, r, KIND[l.kind], h, w, c, l.outShape[2], l.stride, l.pad[0], l.pad[1], l.outShape[0], l.outShape[1], l.pad[2], l.pad[3], l.macs, l.name].join(' '));
      }
    }
  }
  return lines.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(fileURLToPath(new URL('layers.txt', import.meta.url)), layersTxt());
}
