// readWeights(path): one entry point for every weight format on disk.
import { stat, readFile } from 'node:fs/promises';
import { WeightsError } from '../errors.js';
import { readTfjsWeights } from './tfjs.js';
import type { NetWeights } from './types.js';

export type { NetWeights, LayerWeights, BatchNorm, Normalization } from './types.js';
export { syntheticWeights } from './synthetic.js';

export async function readWeights(path: string): Promise<NetWeights> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new WeightsError(
      path,
      'weights not found: expected a TF.js layers model directory (model.json + shards), a model.json or a .tflite file',
    );
  }
  if (st.isDirectory() || path.endsWith('.json')) return readTfjsWeights(path);
  if (path.endsWith('.tflite')) {
    // Quantized files keep their integer form next to the dequantized weights (lib/weights/tflite-quant.ts).
    const { parseTfliteQuantized } = await import('./tflite-quant.js');
    const { weights, quant } = parseTfliteQuantized(new Uint8Array(await readFile(path)), path);
    return quant ? { ...weights, quant } : weights;
  }
  throw new WeightsError(path, 'expected a TF.js layers model directory, a model.json or a .tflite file');
}
