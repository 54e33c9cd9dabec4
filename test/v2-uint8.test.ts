// MobileNetV2 uint8 files run in integers: logits bit-identical with TensorFlow Lite 2.2 (test/fixtures/v2, made by
// bench/tflite-detect-reference.ts) on the 100 reference inputs, with every integer kernel set this CPU runs; the
// iNaturalist heads (FULLY_CONNECTED) too. Residual ADDs use TFLite's integer ADD (native/runtime/qadd.h).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadBinding } from '../lib/binding.js';
import { load } from '../lib/index.js';
import { manifest, referenceInput, repoRoot, shared } from './helpers/reference.js';

const qisas = loadBinding().supportedQIsas();
const golden = (name: string) => gunzipSync(readFileSync(resolve(repoRoot, `test/fixtures/v2/${name}.logits.u8.gz`)));
const file = (name: string) => resolve(shared, `models/tflite/coral/${name}.tflite`);

async function logits(name: string, isa: string, images: number[]): Promise<Uint8Array[]> {
  const m = await load({ weights: file(name), threads: 2, isa });
  try {
    expect([m.info.architecture, m.info.dtype]).toEqual(['mobilenet_v2', 'uint8']);
    const out: Uint8Array[] = [];
    for (const n of images) out.push((await m.infer({ data: referenceInput(224, n), width: 224, height: 224, channels: 3 }, { dequantize: false })) as Uint8Array);
    return out;
  } finally {
    m.dispose();
  }
}

describe('MobileNetV2 uint8, bit-exact with TFLite 2.2', () => {
  const all = manifest.stems.map((_, i) => i);
  // The best kernel set on all 100 inputs, every other one (scalar twins included) on the first 25.
  for (const isa of qisas) {
    const images = isa === qisas.at(-1) ? all : all.slice(0, 25);
    it(`${isa}: mobilenet_v2_1.0_224_quant logits on ${images.length} reference inputs`, async () => {
      const g = golden('mobilenet_v2_1.0_224_quant');
      const got = await logits('mobilenet_v2_1.0_224_quant', isa, images);
      let differing = 0;
      got.forEach((row, n) => { if (!row.every((v, i) => v === g[n * 1001 + i])) differing++; });
      expect(differing).toBe(0);
    });
  }

  it('the iNaturalist heads (FULLY_CONNECTED classifier, no background) on 20 inputs', async () => {
    for (const [name, classes] of [['mobilenet_v2_1.0_224_inat_bird_quant', 965], ['mobilenet_v2_1.0_224_inat_insect_quant', 1022]] as const) {
      const g = golden(name);
      const got = await logits(name, qisas.at(-1)!, all.slice(0, 20));
      expect(got[0]!.length).toBe(classes);
      got.forEach((row, n) => expect(Array.from(row), `${name} image ${n}`).toEqual(Array.from(g.subarray(n * classes, (n + 1) * classes))));
    }
  });

  it("precision: 'float' runs the same files dequantized, 'integer' in integers", async () => {
    const ssd = resolve(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
    for (const [weights, precision, dtype] of [[file('mobilenet_v2_1.0_224_quant'), 'float', 'float32'], [ssd, 'float', 'float32'], [ssd, 'integer', 'uint8']] as const) {
      const m = await load({ weights, threads: 1, precision });
      expect(m.info.dtype).toBe(dtype);
      m.dispose();
    }
  });
});
