// A resolution other than the one a file declares: the network is fully convolutional up to the
// pool, so the same weights run at any multiple of 32, and info reports both.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../lib/index.js';
import { shared } from './helpers/reference.js';

describe('requested vs declared resolution', () => {
  it('a 224 TFLite file runs at 160 and says so', async () => {
    const model = await load({ weights: resolve(shared, 'models/tflite/mobilenet_v1_0.25_224_float.tflite'), resolution: 160, threads: 1 });
    expect(model.info.resolution).toBe(160);
    expect(model.info.nativeResolution).toBe(224);
    expect(model.info.classes).toBe(1001);
    expect(model.info.format).toBe('tflite');
    const top = await model.classify(resolve(shared, 'images/samples/coral_parrot.jpg'), { topK: 1 });
    expect(top[0]!.label).toBe('macaw');
    model.dispose();
  });

  it('a uint8 file declares its own resolution and is reported as quantized', async () => {
    const model = await load({ weights: resolve(shared, 'models/tflite/mobilenet_v1_0.5_160_quant.tflite'), threads: 1 });
    expect(model.info).toMatchObject({ alpha: 0.5, resolution: 160, nativeResolution: 160, quantized: true, features: 512 });
    model.dispose();
  });
});
