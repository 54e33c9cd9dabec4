// readWeights(): one entry point for every weight format, on disk or in memory.
import { stat, readFile } from 'node:fs/promises';
import { WeightsError } from '../errors.js';
import { readTfjsWeights } from './tfjs.js';
import type { NetWeights } from './types.js';

export type { NetWeights, LayerWeights, BatchNorm, Normalization } from './types.js';
export { syntheticWeights } from './synthetic.js';

/**
 * Reads weights from a TF.js layers model directory (model.json + shards), a model.json or a .tflite
 * file, or from the bytes of a .tflite file (as onnxruntime's InferenceSession.create(bytes) takes a
 * model). Throws WeightsError naming the file (or 'weights (N bytes)') and what did not fit.
 */
export async function readWeights(source: string | Uint8Array | ArrayBuffer): Promise<NetWeights> {
  if (typeof source !== 'string') {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    const { parseTflite } = await import('./tflite.js');
    return parseTflite(bytes, `weights (${bytes.length} bytes)`);
  }
  const path = source;
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
