// TF.js *layers* model reader (model.json + binary shards), e.g. Google's Keras MobileNetV1
// exports. BatchNorm stays unfolded here; the native runtime folds it once at load.
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { buildSpec } from '../graph.js';
import { WeightsError, errnoOrMessage } from '../errors.js';
import { MAX_TEXT_FILE_BYTES, MAX_WEIGHTS_FILE_BYTES, readFileBounded, readTextBounded } from '../files.js';
import type { DenseHead, LayerWeights, NetWeights } from './types.js';
import { halfToFloat } from './tflite.js';

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; min?: number; scale?: number };
}
interface ManifestGroup {
  paths: string[];
  weights: ManifestEntry[];
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

function fmtShape(s: readonly number[]): string {
  return `[${s.join(',')}]`;
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readTextBounded(file, MAX_TEXT_FILE_BYTES);
  } catch (e) {
    throw new WeightsError(file, `cannot read model.json (${errnoOrMessage(e)})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new WeightsError(file, `expected JSON (a TF.js layers model.json) but it does not parse: ${(e as Error).message}`);
  }
}

/** What a model.json that is no TF.js layers model holds instead, for the error (each part it lacks, by name). */
function found(json: unknown, topLayers: unknown): string {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json;
  const j = json as { modelTopology?: unknown; weightsManifest?: unknown; format?: unknown };
  const keys = Object.keys(j);
  const format = j.format ? ` (format ${String(j.format)})` : '';
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v);
  if (!keys.includes('modelTopology') || !keys.includes('weightsManifest') || !Array.isArray(topLayers)) return `keys ${JSON.stringify(keys)}${format}`;
  return `weightsManifest as ${kind(j.weightsManifest)}, not an array of { paths, weights } groups${format}`;
}

/** Reads every tensor listed in the manifest into Float32Arrays, by name. */
async function readTensors(dir: string, modelJson: string, groups: ManifestGroup[]): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const g of groups) {
    if (!g || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
      throw new WeightsError(modelJson, 'expected weightsManifest entries with "paths" and "weights" arrays');
    }
    const parts: Buffer[] = [];
    for (const p of g.paths) {
      if (typeof p !== 'string' || p.includes('..') || p.startsWith('/')) {
        throw new WeightsError(modelJson, `expected a shard file name in weightsManifest paths but found ${JSON.stringify(p)}`);
      }
      const file = join(dir, p);
      try {
        parts.push(await readFileBounded(file, MAX_WEIGHTS_FILE_BYTES));
      } catch (e) {
        throw new WeightsError(file, `weight shard listed in model.json is missing or unreadable (${errnoOrMessage(e)})`);
      }
    }
    const buf = Buffer.concat(parts);
    const shardName = g.paths.length === 1 ? join(dir, g.paths[0]!) : `${join(dir, g.paths[0] ?? '')} (+${g.paths.length - 1} shards)`;
    let offset = 0;
    let expected = 0;
    for (const w of g.weights) {
      const storage = w.quantization?.dtype ?? w.dtype;
      const size = BYTES[storage];
      if (!size || (w.dtype !== 'float32' && !w.quantization)) {
        throw new WeightsError(modelJson, `tensor ${w.name}: expected dtype float32 (stored as float32, float16, or uint8/uint16 quantized) but found ${w.dtype}${w.quantization ? ` stored as ${String(w.quantization.dtype)}` : ''}`);
      }
      if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && d >= 0 && d < 1e8)) {
        throw new WeightsError(modelJson, `tensor ${w.name}: expected a shape of non-negative integers but found ${JSON.stringify(w.shape)}`);
      }
      expected += w.shape.reduce((a, b) => a * b, 1) * size;
    }
    if (buf.length !== expected) {
      throw new WeightsError(
        shardName,
        `expected ${expected} bytes for ${g.weights.map((w) => w.name).join(', ')} but the shard has ${buf.length} bytes` +
          (buf.length < expected ? ' (truncated?)' : ''),
      );
    }
    for (const w of g.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      if (w.quantization?.dtype === 'float16') {
        // tensorflowjs_converter --quantize_float16: IEEE half floats, little-endian.
        for (let i = 0; i < n; i++) data[i] = halfToFloat(buf.readUInt16LE(offset + 2 * i));
        offset += n * 2;
      } else if (w.quantization) {
        const { dtype, min = 0, scale = 1 } = w.quantization;
        const q = dtype === 'uint8' ? new Uint8Array(buf.buffer, buf.byteOffset + offset, n) : null;
        for (let i = 0; i < n; i++) data[i] = min + scale * (q ? q[i]! : buf.readUInt16LE(offset + 2 * i));
        offset += n * (dtype === 'uint8' ? 1 : 2);
      } else {
        // Every target (x86-64, aarch64, armv7) is little-endian like the file: copy bytes as they are.
        new Uint8Array(data.buffer).set(buf.subarray(offset, offset + n * 4));
        offset += n * 4;
      }
      out.set(w.name, { shape: w.shape, data });
    }
  }
  return out;
}

interface KerasLayer {
  class_name?: string;
  name?: string;
  config?: {
    name?: string; epsilon?: number; batch_input_shape?: (number | null)[];
    units?: number; activation?: string; use_bias?: boolean; layers?: KerasLayer[];
  };
}

/** Every layer, nested Sequential/Model containers (Teachable Machine) opened in order; bounded depth. */
function allLayers(layers: unknown, depth = 0): KerasLayer[] {
  if (!Array.isArray(layers) || depth > 8) return [];
  const out: KerasLayer[] = [];
  for (const l of layers as KerasLayer[]) {
    if (typeof l !== 'object' || l === null) continue;
    out.push(l);
    if (Array.isArray(l.config?.layers)) out.push(...allLayers(l.config!.layers, depth + 1));
  }
  return out;
}

/** Layers a dense head may hold after the backbone; anything else is refused by name. */
const HEAD_LAYERS = new Set(['Dense', 'Flatten', 'Dropout', 'GlobalAveragePooling2D', 'InputLayer', 'Sequential', 'Model', 'Functional', 'Activation']);

export async function readTfjsWeights(dirOrModelJson: string): Promise<NetWeights> {
  // A file is the model.json whatever its name; a directory holds model.json.
  const isJson = basename(dirOrModelJson).endsWith('.json') || (await stat(dirOrModelJson).then((s) => s.isFile(), () => false));
  const dir = isJson ? join(dirOrModelJson, '..') : dirOrModelJson;
  const modelJson = isJson ? dirOrModelJson : join(dir, 'model.json');
  try {
    await stat(modelJson);
  } catch {
    throw new WeightsError(dir, 'expected model.json in this directory (a TF.js layers model) but found none');
  }
  const json = (await readJson(modelJson)) as {
    modelTopology?: { model_config?: { config?: { layers?: KerasLayer[] } }; config?: { layers?: KerasLayer[] } };
    weightsManifest?: ManifestGroup[];
    format?: string;
  } | null;
  const topLayers = json?.modelTopology?.model_config?.config?.layers ?? json?.modelTopology?.config?.layers;
  const layersList = allLayers(topLayers);
  if (!json || typeof json !== 'object' || !Array.isArray(topLayers) || !Array.isArray(json.weightsManifest)) {
    throw new WeightsError(
      modelJson,
      `expected a TF.js layers model (modelTopology with Keras layers and a weightsManifest) but found ${found(json, topLayers)}`,
    );
  }
  const tensors = await readTensors(dir, modelJson, json.weightsManifest);
  const looks = guessTfjsNetwork([...tensors.keys()]);
  if (looks) throw new WeightsError(modelJson, `expected a MobileNetV1 model but this looks like ${looks}, which is not supported`);
  const get = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new WeightsError(modelJson, `expected tensor ${name} (MobileNetV1) but the weights manifest has none`);
    return t;
  };

  const conv1 = get('conv1/kernel');
  if (conv1.shape.length !== 4 || conv1.shape[0] !== 3 || conv1.shape[1] !== 3 || conv1.shape[2] !== 3) {
    throw new WeightsError(modelJson, `tensor conv1/kernel has shape ${fmtShape(conv1.shape)}, expected [3,3,3,C]`);
  }
  const alpha = conv1.shape[3]! / 32;
  // No conv_preds: a dense head (Teachable Machine, Keras transfer learning), else a headless
  // backbone (Keras include_top=False), for embed() only.
  const preds = tensors.get('conv_preds/kernel');
  const head = preds ? undefined : denseHead(layersList, tensors, modelJson, alpha);
  const classes = preds ? preds.shape[3] ?? 0 : head ? head.head.layers[head.head.layers.length - 1]!.units : 0;
  const input = layersList.find((l) => l.class_name === 'InputLayer' || Array.isArray(l.config?.batch_input_shape))?.config?.batch_input_shape;
  const declared = head?.resolution ?? (input && typeof input[1] === 'number' ? input[1] : undefined);
  const spec = buildSpec(alpha, declared && declared % 32 === 0 ? declared : 224, classes);

  const epsilon = (name: string) => {
    const l = layersList.find((x) => (x.config?.name ?? x.name) === name);
    const eps = l?.config?.epsilon;
    return typeof eps === 'number' && Number.isFinite(eps) && eps >= 0 ? eps : 1e-3;
  };

  const layers: LayerWeights[] = spec.layers.filter((l) => (preds !== undefined) || l.kind !== 'classifier').map((l) => {
    const keras = l.kind === 'dwconv' ? `${l.name}/depthwise_kernel` : `${l.name}/kernel`;
    const t = get(keras);
    // TF shapes of the canonical layouts: dw [3,3,C,1], pw and classifier [1,1,Cin,Cout].
    const tfShape = l.kind === 'dwconv' ? [...l.kernelShape, 1] : l.kind === 'conv' ? l.kernelShape : [1, 1, ...l.kernelShape];
    if (fmtShape(t.shape) !== fmtShape(tfShape)) {
      throw new WeightsError(
        modelJson,
        `tensor ${keras} has shape ${fmtShape(t.shape)}, expected ${fmtShape(tfShape)} for MobileNetV1 alpha ${alpha}`,
      );
    }
    const lw: LayerWeights = { kernel: t.data };
    if (l.kind === 'classifier') {
      const b = get(`${l.name}/bias`);
      if (b.data.length !== l.outChannels) {
        throw new WeightsError(modelJson, `tensor ${l.name}/bias has shape ${fmtShape(b.shape)}, expected [${l.outChannels}]`);
      }
      lw.bias = b.data;
    } else {
      const bn = `${l.name}_bn`;
      const parts = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((p) => {
        const x = get(`${bn}/${p}`);
        if (x.data.length !== l.outChannels) {
          throw new WeightsError(modelJson, `tensor ${bn}/${p} has shape ${fmtShape(x.shape)}, expected [${l.outChannels}]`);
        }
        return x.data;
      });
      lw.bn = { gamma: parts[0]!, beta: parts[1]!, mean: parts[2]!, variance: parts[3]!, epsilon: epsilon(bn) };
    }
    return lw;
  });

  if (head) layers.push(...head.weights);
  const labels = head ? await metadataLabels(dir, classes) : undefined;
  return {
    format: 'tfjs',
    source: dir,
    alpha,
    resolution: declared,
    classes,
    classOffset: classes === 1001 ? 1 : 0,
    normalization: 'tfjs',
    ...(head ? { head: head.head } : {}),
    ...(labels ? { labels } : {}),
    layers,
  };
}

/**
 * The Dense layers after the backbone, in order, with their weights: on the pooled features
 * (GlobalAveragePooling2D) or on the flattened conv_pw_13 map (Flatten, Teachable Machine), which
 * fixes the resolution. Undefined when there are none (a headless backbone).
 */
function denseHead(
  layers: KerasLayer[], tensors: Map<string, { shape: number[]; data: Float32Array }>, modelJson: string, alpha: number,
): { head: DenseHead; weights: LayerWeights[]; resolution?: number } | undefined {
  const fail = (msg: string): never => { throw new WeightsError(modelJson, msg); };
  const start = layers.findIndex((l) => (l.config?.name ?? l.name) === 'conv_pw_13_relu');
  const after = start >= 0 ? layers.slice(start + 1) : layers.filter((l) => l.class_name === 'Dense' || l.class_name === 'Flatten');
  const dense = after.filter((l) => l.class_name === 'Dense');
  if (dense.length === 0) return undefined;
  const odd = after.find((l) => !HEAD_LAYERS.has(l.class_name ?? ''));
  if (odd) fail(`expected a head of Flatten, Dense and Dropout layers after conv_pw_13_relu but found ${odd.class_name} (${odd.config?.name ?? odd.name})`);
  if (dense.length > 16) fail(`expected at most 16 Dense layers in the head but found ${dense.length}`);
  const features = Math.floor(1024 * alpha);
  const out: LayerWeights[] = [];
  const head: DenseHead = { flatten: false, layers: [] };
  let resolution: number | undefined;
  let inUnits = 0;
  dense.forEach((l, i) => {
    const name = l.config?.name ?? l.name ?? `dense ${i}`;
    const kernel = tensors.get(`${name}/kernel`);
    if (!kernel) fail(`expected tensor ${name}/kernel (Dense layer ${name}) but the weights manifest has none`);
    const [rows, units] = kernel!.shape;
    if (kernel!.shape.length !== 2 || !(rows! >= 1) || !(units! >= 1 && units! <= 100000)) {
      fail(`tensor ${name}/kernel has shape ${fmtShape(kernel!.shape)}, expected [inputs, units]`);
    }
    if (i === 0) {
      if (rows === features) {
        head.flatten = false;
      } else {
        // Flatten of an S x S x features map: S = resolution / 32.
        const side = Math.round(Math.sqrt(rows! / features));
        if (side < 1 || side * side * features !== rows) {
          fail(`tensor ${name}/kernel has shape ${fmtShape(kernel!.shape)}: its ${rows} inputs are neither the ${features} pooled features nor a flattened S x S x ${features} map`);
        }
        head.flatten = true;
        resolution = side * 32;
      }
    } else if (rows !== inUnits) {
      fail(`tensor ${name}/kernel has shape ${fmtShape(kernel!.shape)}, expected [${inUnits},units] after the previous Dense layer`);
    }
    const activation = l.config?.activation ?? 'linear';
    if (activation !== 'relu' && activation !== 'linear' && !(activation === 'softmax' && i === dense.length - 1)) {
      fail(`Dense layer ${name} has activation '${activation}', expected relu or linear (softmax on the last layer)`);
    }
    const bias = l.config?.use_bias === false ? new Float32Array(units!) : tensors.get(`${name}/bias`)?.data;
    if (!bias || bias.length !== units) fail(`expected tensor ${name}/bias of shape [${units}]`);
    out.push({ kernel: kernel!.data, bias: bias! });
    head.layers.push({ units: units!, activation: activation as DenseHead['layers'][number]['activation'] });
    inUnits = units!;
  });
  return { head, weights: out, ...(resolution ? { resolution } : {}) };
}

/** Teachable Machine's metadata.json labels, when there is one per class. */
async function metadataLabels(dir: string, classes: number): Promise<string[] | undefined> {
  let text: string;
  try {
    text = await readTextBounded(join(dir, 'metadata.json'), MAX_TEXT_FILE_BYTES);
  } catch {
    return undefined;
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (e) {
    throw new WeightsError(join(dir, 'metadata.json'), `expected JSON (Teachable Machine metadata) but it does not parse: ${(e as Error).message}`);
  }
  const labels = (meta as { labels?: unknown } | null)?.labels;
  if (!Array.isArray(labels)) return undefined;
  if (labels.length !== classes || !labels.every((l) => typeof l === 'string')) {
    throw new WeightsError(join(dir, 'metadata.json'), `expected ${classes} label strings (one per class) but found ${JSON.stringify(labels).slice(0, 80)}`);
  }
  return labels as string[];
}

/** Names a network that is not MobileNetV1 from its weight names, or undefined. */
export function guessTfjsNetwork(names: string[]): string | undefined {
  const all = names.join('\n');
  const dense = names.filter((n) => /dense[^/]*\/kernel$/i.test(n));
  if (/block_\d+_expand|expanded_conv|mobilenetv2/i.test(all) || names.includes('Conv1/kernel')) return 'MobileNetV2 (inverted residual blocks, e.g. block_1_expand)';
  if (/mobilenetv3|expanded_conv\/squeeze_excite|re_lu_\d+|hard_swish/i.test(all)) return 'MobileNetV3';
  if (!names.includes('conv1/kernel') && /efficientnet|resnet|inception|vgg/i.test(all)) return /efficientnet|resnet|inception|vgg/i.exec(all)![0]!;
  return undefined;
}
