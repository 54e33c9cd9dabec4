// Coral's two-file MobileNetV1 1.0 (embedding_extractor + head_layers): loaded as one classifier with `head`, and the
// backbone alone for embed(); integer logits and embeddings identical to TensorFlow Lite 2.2's
// (test/fixtures/tflite-quant, made by bench/tflite-quant-goldens.ts).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { load } from '../lib/index.js';
import { referenceInput, repoRoot, shared } from './helpers/reference.js';

const dir = resolve(shared, 'models/tflite/coral');
const backbone = resolve(dir, 'mobilenet_v1_1.0_224_quant_embedding_extractor.tflite');
const head = resolve(dir, 'mobilenet_v1_1.0_224_quant_head_layers.tflite');
const fixtures = resolve(repoRoot, 'test/fixtures/tflite-quant');
const g = JSON.parse(readFileSync(resolve(fixtures, 'goldens.json'), 'utf8')).models['coral_mobilenet_v1_1.0_224_quant'] as { logits: string; embeddings: string };
const frame = (n: number) => ({ data: referenceInput(224, n), width: 224, height: 224, channels: 3 as const });

describe('Coral MobileNetV1 1.0 in two files', () => {
  it('backbone + head: one uint8 classifier, logits identical to TFLite 2.2 on 25 inputs', async () => {
    const logits = gunzipSync(readFileSync(resolve(fixtures, g.logits)));
    const m = await load({ weights: backbone, head, threads: 2, labels: resolve(shared, 'labels/coral_imagenet_labels.txt') });
    try {
      expect([m.info.architecture, m.info.alpha, m.info.classes, m.info.features, m.info.dtype]).toEqual(['mobilenet_v1', 1, 1001, 1024, 'uint8']);
      for (let n = 0; n < 25; n++) {
        const out = (await m.infer(frame(n), { dequantize: false })) as Uint8Array;
        expect(Buffer.compare(Buffer.from(out), logits.subarray(n * 1001, (n + 1) * 1001)), `image ${n}`).toBe(0);
      }
      expect((await m.classify(resolve(shared, 'images/samples/grace_hopper.jpg'), { topK: 1 }))[0]!.label).toBe('military uniform');
    } finally {
      m.dispose();
    }
  });

  it('the backbone alone serves embed() (features identical to TFLite 2.2) and says it has no classifier', async () => {
    const emb = gunzipSync(readFileSync(resolve(fixtures, g.embeddings)));
    const m = await load({ weights: backbone, threads: 2 });
    try {
      expect([m.info.architecture, m.info.classes, m.info.features]).toEqual(['mobilenet_v1', 0, 1024]);
      for (let n = 0; n < 25; n++) {
        const out = (await m.embed(frame(n), { dequantize: false })) as Uint8Array;
        expect(Buffer.compare(Buffer.from(out), emb.subarray(n * 1024, (n + 1) * 1024)), `image ${n}`).toBe(0);
      }
      await expect(m.classify(frame(0))).rejects.toThrow(`classify() needs a classifier but ${backbone} is a headless backbone (no classification layer); use embed() for its features, or load it with its head`);
      await expect(m.infer(frame(0))).rejects.toThrow(`infer() needs a classifier but ${backbone} is a headless backbone (no classification layer); use embed() for its features, or load it with its head`);
    } finally {
      m.dispose();
    }
  });

  it('a head that does not continue the backbone, or a head without weights, is refused by name', async () => {
    await expect(load({ weights: backbone, head: resolve(dir, 'mobilenet_v2_1.0_224_quant.tflite') }))
      .rejects.toThrow(/mobilenet_v2_1\.0_224_quant\.tflite: its input tensor 'input' \(UINT8 \[1,224,224,3\], scale 0\.0078125, zero point 128\) does not continue .*embedding_extractor\.tflite's output/);
    await expect(load({ head } as never)).rejects.toThrow('Expected a .tflite file path for weights with head (the backbone the head continues');
    await expect(load({ weights: backbone, head: '/nonexistent.tflite' })).rejects.toThrow("Cannot read weights file '/nonexistent.tflite': no such file");
  });
});
