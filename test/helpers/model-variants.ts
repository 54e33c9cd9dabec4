// Model-file variants built from real ones: TFLite float16 (FLOAT16 constants behind DEQUANTIZE
// ops, as the converter writes them), TF.js headless backbones and dense heads.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetWeights } from '../../lib/weights/types.js';
import { mobilenetTflite, serializeTflite, type WModel } from './tflite-writer.js';

/** float32 -> IEEE binary16 bits, round to nearest even (as numpy/TFLite's converter). */
export function floatToHalf(f: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, f);
  const x = b.getUint32(0);
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) { m++; if (m === 0x400) { m = 0; e++; if (e >= 31) return sign | 0x7c00; } }
  return sign | (e << 10) | m;
}

/**
 * A float32 MobileNetV1 .tflite rewritten as the converter's float16 output: every weight and bias
 * becomes a FLOAT16 constant feeding a DEQUANTIZE op (placed first, as the converter does).
 */
export function float16Tflite(w: NetWeights, resolution: number): Uint8Array {
  const { model } = mobilenetTflite(w, { resolution });
  const m: WModel = { ...model, tensors: [...model.tensors], operators: [], buffers: [...model.buffers], opcodes: [...model.opcodes] };
  let deq = m.opcodes.indexOf(6);
  if (deq < 0) { deq = m.opcodes.length; m.opcodes.push(6); }
  const dequantizes: WModel['operators'] = [];
  for (const op of model.operators) {
    for (const k of [1, 2]) {
      const ti = op.inputs[k];
      if (ti === undefined || ti < 0) continue;
      const t = m.tensors[ti]!;
      if (t.type !== 0 || t.buffer === 0) continue;
      const f32 = m.buffers[t.buffer]!;
      const dv = new DataView(f32.buffer, f32.byteOffset, f32.byteLength);
      const half = new Uint8Array(f32.length / 2);
      const hv = new DataView(half.buffer);
      for (let i = 0; i < f32.length / 4; i++) hv.setUint16(2 * i, floatToHalf(dv.getFloat32(4 * i, true)), true);
      m.buffers.push(half);
      m.tensors.push({ ...t, name: `${t.name}_fp16`, type: 1, buffer: m.buffers.length - 1 });
      m.tensors[ti] = { ...t, buffer: 0 }; // now computed by DEQUANTIZE at run time
      dequantizes.push({ opcodeIndex: deq, inputs: [m.tensors.length - 1], outputs: [ti], optionsType: 0 });
    }
  }
  m.operators = [...dequantizes, ...model.operators];
  return serializeTflite(m);
}

/** Copies a TF.js model directory, dropping the tensors `drop` from the manifest and the shard. */
export function tfjsWithout(src: string, dst: string, drop: (name: string) => boolean): void {
  cpSync(src, dst, { recursive: true });
  const json = JSON.parse(readFileSync(join(src, 'model.json'), 'utf8'));
  for (const g of json.weightsManifest as { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[]) {
    const buf = Buffer.concat(g.paths.map((p) => readFileSync(join(src, p))));
    const keep: Buffer[] = [];
    let off = 0;
    for (const w of g.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1) * 4;
      if (!drop(w.name)) keep.push(buf.subarray(off, off + n));
      off += n;
    }
    g.weights = g.weights.filter((w) => !drop(w.name));
    writeFileSync(join(dst, g.paths[0]!), Buffer.concat(keep));
    for (const p of g.paths.slice(1)) writeFileSync(join(dst, p), Buffer.alloc(0));
  }
  writeFileSync(join(dst, 'model.json'), JSON.stringify(json));
}

/**
 * A TF.js model whose conv_preds is replaced by a Dense head computing the same logits: on the
 * pooled features (GlobalAveragePooling2D, Dense), or on the flattened S x S map with the
 * classifier weights divided by S^2 at every position (Flatten, Dense) — the same sum.
 */
export function tfjsDenseHead(src: string, dst: string, flatten: boolean, side: number): void {
  const json = JSON.parse(readFileSync(join(src, 'model.json'), 'utf8'));
  const groups = json.weightsManifest as { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
  const tensors = new Map<string, Float32Array>();
  for (const g of groups) {
    const buf = Buffer.concat(g.paths.map((p) => readFileSync(join(src, p))));
    let off = 0;
    for (const w of g.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      tensors.set(w.name, new Float32Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + n * 4)));
      off += n * 4;
    }
  }
  tfjsWithout(src, dst, (n) => n.startsWith('conv_preds'));
  const k = tensors.get('conv_preds/kernel')!;
  const classes = tensors.get('conv_preds/bias')!.length;
  const F = k.length / classes;
  const rows = flatten ? side * side * F : F;
  const kernel = new Float32Array(rows * classes);
  for (let p = 0; p < rows / F; p++) for (let i = 0; i < F * classes; i++) kernel[p * F * classes + i] = k[i]! / (flatten ? side * side : 1);
  const out = JSON.parse(readFileSync(join(dst, 'model.json'), 'utf8'));
  const layers = out.modelTopology.model_config?.config?.layers ?? out.modelTopology.config.layers;
  const at = layers.findIndex((l: { config?: { name?: string } }) => l.config?.name === 'conv_pw_13_relu');
  layers.splice(at + 1, layers.length, { class_name: flatten ? 'Flatten' : 'GlobalAveragePooling2D', config: { name: 'head_in' } },
    { class_name: 'Dropout', config: { name: 'drop', rate: 0.5 } },
    { class_name: 'Dense', config: { name: 'dense_out', units: classes, activation: 'softmax', use_bias: true } });
  out.weightsManifest.push({ paths: ['head.bin'], weights: [
    { name: 'dense_out/kernel', shape: [rows, classes], dtype: 'float32' },
    { name: 'dense_out/bias', shape: [classes], dtype: 'float32' },
  ] });
  writeFileSync(join(dst, 'head.bin'), Buffer.concat([Buffer.from(kernel.buffer), Buffer.from(tensors.get('conv_preds/bias')!.buffer)]));
  writeFileSync(join(dst, 'model.json'), JSON.stringify(out));
}
