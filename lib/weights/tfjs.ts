// TF.js *layers* model reader (model.json + binary shards), e.g. Google's Keras MobileNetV1
// exports. BatchNorm stays unfolded here; the native runtime folds it once at load.
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { buildSpec } from '../graph.js';
import { WeightsError } from '../errors.js';
import type { LayerWeights, NetWeights } from './types.js';

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'uint8' | 'uint16'; min?: number; scale?: number };
}
interface ManifestGroup {
  paths: string[];
  weights: ManifestEntry[];
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2 };

function fmtShape(s: readonly number[]): string {
  return `[${s.join(',')}]`;
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new WeightsError(file, `cannot read model.json (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new WeightsError(file, `expected JSON (a TF.js layers model.json) but it does not parse: ${(e as Error).message}`);
  }
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
        parts.push(await readFile(file));
      } catch (e) {
        throw new WeightsError(file, `weight shard listed in model.json is missing or unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
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
        throw new WeightsError(modelJson, `tensor ${w.name}: expected dtype float32 (or uint8/uint16 quantized) but found ${w.dtype}`);
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
      if (w.quantization) {
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
  config?: { name?: string; epsilon?: number; batch_input_shape?: (number | null)[] };
}

export async function readTfjsWeights(dirOrModelJson: string): Promise<NetWeights> {
  const isJson = basename(dirOrModelJson).endsWith('.json');
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
  const layersList = json?.modelTopology?.model_config?.config?.layers ?? json?.modelTopology?.config?.layers;
  if (!json || typeof json !== 'object' || !Array.isArray(layersList) || !Array.isArray(json.weightsManifest)) {
    throw new WeightsError(
      modelJson,
      `expected a TF.js layers model (modelTopology with Keras layers and a weightsManifest) but found ${
        json && typeof json === 'object' ? `keys ${JSON.stringify(Object.keys(json))}${json.format ? ` (format ${json.format})` : ''}` : typeof json
      }`,
    );
  }
  const tensors = await readTensors(dir, modelJson, json.weightsManifest);
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
  const preds = get('conv_preds/kernel');
  const classes = preds.shape[3] ?? 0;
  const input = layersList.find((l) => l.class_name === 'InputLayer')?.config?.batch_input_shape;
  const declared = input && typeof input[1] === 'number' ? input[1] : undefined;
  const spec = buildSpec(alpha, declared && declared % 32 === 0 ? declared : 224, classes);

  const epsilon = (name: string) => {
    const l = layersList.find((x) => (x.config?.name ?? x.name) === name);
    const eps = l?.config?.epsilon;
    return typeof eps === 'number' && Number.isFinite(eps) && eps >= 0 ? eps : 1e-3;
  };

  const layers: LayerWeights[] = spec.layers.map((l) => {
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

  return {
    format: 'tfjs',
    source: dir,
    alpha,
    resolution: declared,
    classes,
    classOffset: classes === 1001 ? 1 : 0,
    normalization: 'tfjs',
    layers,
  };
}
