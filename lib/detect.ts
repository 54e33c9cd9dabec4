// MobileNetV2 and SSD-MobileNetV1 TFLite files as models: which files take the layer-table path of
// lib/weights/tflite-graph.ts, and the shaping of SSD's postprocess output into detections.
import { MAX_WEIGHTS_FILE_BYTES, readFileBounded } from './files.js';
import { describeFileError, WeightsError } from './errors.js';
import { BuiltinOp, hasTfliteIdentifier, readTfliteModel } from './weights/tflite.js';
import { recogniseTflite, type Graph, type RecognisedModel } from './weights/tflite-graph.js';

/** One detected object. */
export interface Detection {
  /** The class number as the model outputs it (detect.tflite: 0 = person, the second line of labelmap.txt: its first line is the '???' background). */
  index: number;
  label?: string;
  /** The model's score, 0..1. */
  score: number;
  /** In the input image's pixels (x to the right, y down), clipped to the image. */
  box: { left: number; top: number; width: number; height: number };
  /** The same box as fractions of the image's width and height (0..1). */
  normalizedBox: { left: number; top: number; width: number; height: number };
}

export interface DetectOptions {
  /** Drop detections scoring below this (0..1, default 0.5). */
  minScore?: number;
  /** At most this many, best first (default: all the model reports, detect.tflite: 10). */
  maxResults?: number;
}

/**
 * A .tflite file read into a layer table by lib/weights/tflite-graph.ts: MobileNetV2 (residual ADDs), SSD
 * (TFLite_Detection_PostProcess), a MobileNetV1 backbone ending at the average pool (embed() only), or any of these
 * continued by `headPath` (Coral's head_layers). Undefined for the rest: plain MobileNetV1 files keep their reader.
 */
export async function readGraphModel(path: string, headPath?: string): Promise<RecognisedModel | undefined> {
  // onDirectory: the message for a folder (a TF.js model given where a .tflite is needed), instead of "it is a directory".
  const read = async (f: string, onDirectory?: string): Promise<Uint8Array> => {
    try {
      return new Uint8Array(await readFileBounded(f, MAX_WEIGHTS_FILE_BYTES));
    } catch (e) {
      if (onDirectory !== undefined && (e as { code?: unknown }).code === 'EISDIR') throw new Error(onDirectory);
      throw new Error(`Cannot read weights file '${f}': ${describeFileError(e)}`);
    }
  };
  if (headPath !== undefined) {
    const notTflite = `Expected a .tflite file for weights with a head, but received '${path}'`;
    const bytes = await read(path, `${notTflite}: it is a directory`);
    if (!hasTfliteIdentifier(bytes)) throw new Error(notTflite);
    return recogniseTflite(bytes, path, { bytes: await read(headPath), source: headPath });
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFileBounded(path, MAX_WEIGHTS_FILE_BYTES));
  } catch {
    return undefined; // a directory (TF.js), or the V1 reader reports missing files in its own words
  }
  return hasTfliteIdentifier(bytes) ? graphModelFromBytes(bytes, path) : undefined; // by content, as readWeights(), not by name
}

/** The bytes of a .tflite file, when lib/weights/tflite-graph.ts reads it (see readGraphModel); else undefined. */
export function graphModelFromBytes(bytes: Uint8Array, name: string): RecognisedModel | undefined {
  let graphOps = false;
  try {
    const m = readTfliteModel(bytes, name);
    graphOps = m.operators.some((op) => op.opcode === BuiltinOp.ADD || op.customCode === 'TFLite_Detection_PostProcess') ||
      m.operators.at(-1)?.opcode === BuiltinOp.AVERAGE_POOL_2D;
  } catch (e) {
    if (e instanceof WeightsError) return undefined; // the V1 reader says what is wrong with the file
    throw e;
  }
  return graphOps ? recogniseTflite(bytes, name) : undefined;
}

/** The table run in float: weights dequantized at read, activations float32 (clamped where the integer tensors saturate). */
export function floatGraph(g: Graph): Graph {
  return {
    ...g,
    input: { shape: g.input.shape, dtype: 'float32' },
    layers: g.layers.map(({ quantization: _q, ...l }) => ({ ...l, dtype: 'float32' as const })),
  };
}

/** The table run in integers (uint8, TFLite 2.2's kernels): each layer's clamp is its quantized activation range. */
export function integerGraph(m: RecognisedModel): Graph {
  const q = m.integer;
  if (!q) throw new Error(`${m.source}: ${m.architecture} has no integer form here`);
  return {
    ...m.graph,
    layers: m.graph.layers.map((l, i) => (l.kind === 'detection_postprocess' ? l : { ...l, dtype: 'uint8' as const, activation: q.activation[i]! })),
  };
}

/**
 * One image's postprocess output (boxes slots x 4 as ymin, xmin, ymax, xmax; classes; scores; count) as
 * detections above `minScore`, best first, at most `maxResults`, with boxes in pixels of a width x height image.
 */
export function toDetections(
  out: Float32Array, slots: number, width: number, height: number, labels: readonly string[] | undefined,
  labelOffset: number, minScore: number, maxResults: number,
): Detection[] {
  const count = Math.min(slots, Math.max(0, Math.floor(out[6 * slots]!)));
  const found: Detection[] = [];
  const clip = (v: number) => Math.min(1, Math.max(0, v));
  for (let k = 0; k < count; k++) {
    const score = out[5 * slots + k]!;
    if (!(score >= minScore)) continue;
    const index = out[4 * slots + k]!;
    const ymin = clip(out[4 * k]!), xmin = clip(out[4 * k + 1]!), ymax = clip(out[4 * k + 2]!), xmax = clip(out[4 * k + 3]!);
    const normalizedBox = { left: xmin, top: ymin, width: Math.max(0, xmax - xmin), height: Math.max(0, ymax - ymin) };
    found.push({
      // Trimmed, as classify() trims its labels (' person ' from a labels array or a hand-edited file was kept as is).
      index, ...(labels?.[index + labelOffset]?.trim() ? { label: labels[index + labelOffset]!.trim() } : {}), score,
      box: { left: xmin * width, top: ymin * height, width: normalizedBox.width * width, height: normalizedBox.height * height },
      normalizedBox,
    });
  }
  // The postprocess reports best first already; a stable sort keeps its order among equal scores.
  found.sort((a, b) => b.score - a.score);
  return found.slice(0, maxResults);
}
