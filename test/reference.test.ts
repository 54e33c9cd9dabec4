// The real TF.js weights reproduce the independent reference logits on all 100 inputs, at every
// released resolution, with every kernel set this CPU supports (issue: correct engine; fast kernels).
import { describe, expect, it } from 'vitest';
import { load } from '../lib/index.js';
import { loadBinding } from '../lib/binding.js';
import { compareLogits, manifest, referenceInput, referenceLogits, tfjsWeights } from './helpers/reference.js';

const N = manifest.stems.length;
const isas = loadBinding().supportedIsas();

describe.each(isas)('reference logits with isa=%s', (isa) => {
  for (const alpha of ['0.25', '0.75'] as const) {
    for (const resolution of [224, 192, 160, 128]) {
      it(`tfjs ${alpha} at ${resolution}: 100 images within 1e-3, same top-1`, async () => {
        const model = await load({ weights: tfjsWeights(alpha), resolution, isa, threads: 2 });
        expect(model.info.isa).toBe(isa);
        expect(model.info.alpha).toBe(Number(alpha));
        const got = new Float32Array(N * 1000);
        // Batches of 10 frames: also exercises batched inference against the same reference.
        for (let i = 0; i < N; i += 10) {
          const frames = Array.from({ length: 10 }, (_, j) => ({ data: referenceInput(resolution, i + j), width: resolution, height: resolution, channels: 3 as const }));
          got.set(await model.infer(frames), i * 1000);
        }
        model.dispose();
        const { maxAbs, top1Agree } = compareLogits(got, referenceLogits(`tfjs_${alpha}`, resolution), 1000);
        expect(maxAbs).toBeLessThanOrEqual(1e-3);
        expect(top1Agree).toBe(N);
      });
    }
  }
});
