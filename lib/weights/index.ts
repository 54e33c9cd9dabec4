// readWeights(): one entry point for every weight format, on disk or in memory.
import { stat } from 'node:fs/promises';
import { MAX_WEIGHTS_FILE_BYTES, readFileBounded } from '../files.js';
import { WeightsError, errnoOrMessage } from '../errors.js';
import { pathOfFileUrl, type FileUrl } from '../validate.js';
import { readTfjsWeights } from './tfjs.js';
import { hasTfliteIdentifier, parseTflite } from './tflite.js';
import type { NetWeights } from './types.js';

export type { NetWeights, LayerWeights, BatchNorm, Normalization, DenseHead } from './types.js';
export { syntheticWeights } from './synthetic.js';

/** What a file that is not a model we read looks like, from its first bytes. */
function sniff(head: Uint8Array): string {
  const ascii = String.fromCharCode(...head.subarray(0, 8));
  if (ascii.startsWith('\x89HDF')) return 'a Keras HDF5 (.h5) file: convert it with tensorflowjs_converter or the TFLite converter';
  if (ascii.startsWith('PK')) return 'a zip archive (e.g. a Keras .keras file): convert it with tensorflowjs_converter or the TFLite converter';
  if (ascii.startsWith('\x08') ) return 'a protobuf (e.g. a TensorFlow .pb or ONNX file), which is not read';
  const image = ascii.startsWith('\xff\xd8\xff') ? 'JPEG' : ascii.startsWith('\x89PNG') ? 'PNG' : ascii.startsWith('GIF8') ? 'GIF'
    : ascii.startsWith('RIFF') ? 'RIFF (WebP)' : ascii.startsWith('BM') ? 'BMP' : undefined;
  if (image) return `a ${image} image, not weights`;
  const hex = [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `neither a TFLite flatbuffer (no 'TFL3' at byte 4) nor JSON (first bytes ${/^[\x20-\x7e]*$/.test(ascii) ? JSON.stringify(ascii) : hex})`;
}

/**
 * Reads weights from a TF.js layers model directory (model.json + shards), a model.json or a .tflite
 * file (a path or a file: URL), or from the bytes of a .tflite file (as onnxruntime's InferenceSession.create(bytes) takes a
 * model). Files are recognised by content ('TFL3' file identifier, or JSON), not by the file name.
 * Throws WeightsError naming the file (or 'weights (N bytes)') and what did not fit.
 */
export async function readWeights(sourceOrUrl: string | FileUrl | Uint8Array | ArrayBuffer): Promise<NetWeights> {
  const source = pathOfFileUrl(sourceOrUrl, 'weights') as string | Uint8Array | ArrayBuffer;
  if (typeof source !== 'string') {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    // Bytes are read as a .tflite file, in integers when it is quantized, as a path to the same file is.
    return readTfliteBytes(bytes, `weights (${bytes.length} bytes)`);
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
  if (st.isDirectory()) return readTfjsWeights(path);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFileBounded(path, MAX_WEIGHTS_FILE_BYTES));
  } catch (e) {
    throw new WeightsError(path, `cannot read the weights file (${errnoOrMessage(e)})`);
  }
  if (hasTfliteIdentifier(bytes)) return readTfliteBytes(bytes, path);
  let first = 0;
  while (first < bytes.length && (bytes[first] === 0x20 || bytes[first] === 0x0a || bytes[first] === 0x0d || bytes[first] === 0x09 || bytes[first] === 0xef || bytes[first] === 0xbb || bytes[first] === 0xbf)) first++;
  if (bytes[first] === 0x7b /* { */) return readTfjsWeights(path);
  if (/\.tflite$/i.test(path)) {
    return parseTflite(bytes, path); // names what is wrong with the flatbuffer
  }
  throw new WeightsError(path, `expected a TF.js layers model directory, a model.json or a .tflite file, but this is ${sniff(bytes)}`);
}

/** A .tflite file's bytes; `name` (a path, or 'weights (N bytes)') names it in errors. */
async function readTfliteBytes(bytes: Uint8Array, name: string): Promise<NetWeights> {
  // Quantized files keep their integer form next to the dequantized weights (lib/weights/tflite-quant.ts).
  const { parseTfliteQuantized } = await import('./tflite-quant.js');
  try {
    const { weights, quant } = parseTfliteQuantized(bytes, name);
    return quant ? { ...weights, quant } : weights;
  } catch (e) {
    // A file TFLite's float reader takes but whose integer form is inconsistent (e.g. bias scales that
    // are not input scale x weight scale): still readable for precision: 'float'; load() names why not integer.
    // Bytes that are no TFLite file at all get the float reader's own error.
    if (!(e instanceof WeightsError)) throw e;
    return { ...parseTflite(bytes, name), quantError: e.message };
  }
}
