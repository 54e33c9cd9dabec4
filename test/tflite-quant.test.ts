// The integer path against TensorFlow Lite 2.2, bit for bit: the uint8 logits of every real quantized
// MobileNetV1 file (and int8 per-channel files of our own making) on the 100 reference inputs equal the
// goldens bench/tflite-quant-goldens.ts recorded from TFLite, on every integer kernel set this CPU has.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBinding } from '../lib/binding.js';
import { buildSpec, load, type MobileNet } from '../lib/index.js';
import {
  activationRange, int8ConvMultiplier, parseTfliteQuantized, quantizeMultiplier, uint8ConvMultiplier, type QuantNet,
} from '../lib/weights/tflite-quant.js';
import { parseTflite } from '../lib/weights/tflite.js';
import type { NetWeights } from '../lib/weights/types.js';
import { WeightsError } from '../lib/errors.js';
import { seededRandom } from '../lib/weights/synthetic.js';
import { syntheticQuantWeights } from '../lib/weights/synthetic-quant.js';
import { main } from '../lib/cli/main.js';
import { qref, rdbpot, requantize, srdhm } from './helpers/qref.js';
import { int8Tflite } from './helpers/tflite-int8.js';
import { mergeBackboneHead } from './helpers/tflite-merge.js';
import { mobilenetTflite, serializeTflite, foldedRandomWeights } from './helpers/tflite-writer.js';

const shared = resolve(__dirname, '../../shared');
const fixtures = resolve(__dirname, 'fixtures/tflite-quant');
const goldens = JSON.parse(readFileSync(join(fixtures, 'goldens.json'), 'utf8')) as {
  heldback: { files: string[] };
  models: Record<string, {
    file?: string; head?: string; from?: string; sha256: string; dtype: 'uint8' | 'int8'; resolution: number; classes: number;
    logits: string; heldback: string; heldback_top1: number[]; embeddings?: string;
    calibration?: { ranges: [number, number][] };
  }>;
};
const stems = (JSON.parse(readFileSync(join(shared, 'reference/manifest.json'), 'utf8')) as { stems: string[] }).stems;
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const golden = (file: string): Uint8Array => new Uint8Array(gunzipSync(readFileSync(join(fixtures, file))));
const refInput = (R: number, n: number): Uint8Array => new Uint8Array(readFileSync(join(shared, `reference/inputs/${R}/${stems[n]}.rgb`)));

/** The model bytes of a goldens entry: the file itself, the Coral pair joined, or our int8 file rebuilt. */
function modelBytes(key: string): Uint8Array {
  const m = goldens.models[key]!;
  let bytes: Uint8Array;
  if (m.head) bytes = mergeBackboneHead(new Uint8Array(readFileSync(join(shared, '..', m.file!))), new Uint8Array(readFileSync(join(shared, '..', m.head))));
  else if (m.from) bytes = int8Tflite(parseTflite(new Uint8Array(readFileSync(join(shared, '..', m.from))), m.from), m.resolution, m.calibration!.ranges);
  else bytes = new Uint8Array(readFileSync(join(shared, '..', m.file!)));
  if (!m.head && sha256(bytes) !== m.sha256) throw new Error(`${key}: the model bytes are not the ones the goldens were made from`);
  return bytes;
}
function weightsOf(key: string): NetWeights {
  const { weights, quant } = parseTfliteQuantized(modelBytes(key), key);
  return { ...weights, quant: quant! };
}

const KEYS = Object.keys(goldens.models);
const qisas = loadBinding().supportedQIsas();
const best = qisas[qisas.length - 1]!;

describe('TFLite requantization arithmetic', () => {
  it('QuantizeMultiplier: frexp, Q31 rounding half away, 2^31 carried into the shift, tiny multipliers flushed', () => {
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 1610612736, shift: 0 });
    expect(quantizeMultiplier(0.0078125)).toEqual({ multiplier: 2 ** 30, shift: -6 });
    // q = 1 - 2^-33 rounds to 2^31 in Q31: becomes 2^30 with the exponent one higher.
    expect(quantizeMultiplier((1 - 2 ** -33) / 4)).toEqual({ multiplier: 2 ** 30, shift: -1 });
    // (2^31 - 1.5) / 2^31 lies halfway between two Q31 values: rounds away from zero.
    expect(quantizeMultiplier((2 ** 31 - 1.5) / 2 ** 32).multiplier).toBe(2 ** 31 - 1);
    expect(quantizeMultiplier(2 ** -40)).toEqual({ multiplier: 0, shift: 0 });
    expect(() => quantizeMultiplier(-1)).toThrow('quantizeMultiplier: expected a finite multiplier >= 0, got -1');
  });

  it('uint8 multipliers use the float32 product of the scales, int8 the double one', () => {
    const [si, sw, so] = [0.023528477177023888, 0.29219913482666016, 0.023528477177023888];
    expect(uint8ConvMultiplier(si, sw, so)).toBe(Math.fround(si * sw) / so);
    expect(int8ConvMultiplier(si, sw, so)).toBe((si * sw) / so);
    expect(uint8ConvMultiplier(si, sw, so)).not.toBe(int8ConvMultiplier(si, sw, so));
  });

  it('gemmlowp rounding: doubling high multiply ties up, divide by a power of two ties away from zero', () => {
    expect(srdhm(-(2 ** 31), -(2 ** 31))).toBe(2 ** 31 - 1);
    expect(srdhm(3, 2 ** 30)).toBe(2); // 1.5 → 2
    expect(srdhm(-3, 2 ** 30)).toBe(-1); // -1.5 → -1 (nudge 1 - 2^30, truncation toward zero)
    expect(rdbpot(5, 1)).toBe(3);
    expect(rdbpot(-5, 1)).toBe(-3);
    expect(rdbpot(-4, 1)).toBe(-2);
    expect(requantize(1000, 2 ** 30, -2)).toBe(125);
  });

  it('activation ranges: RELU6 from the output scale (float division, half away), none = the type range', () => {
    expect(activationRange('relu6', { scale: 0.023528477177023888, zeroPoint: 0 }, 'uint8')).toEqual({ min: 0, max: 255 });
    expect(activationRange('relu6', { scale: 0.05, zeroPoint: 10 }, 'uint8')).toEqual({ min: 10, max: 130 });
    expect(activationRange('relu6', { scale: 0.05, zeroPoint: -128 }, 'int8')).toEqual({ min: -128, max: -8 });
    expect(activationRange('none', { scale: 0.1, zeroPoint: 3 }, 'int8')).toEqual({ min: -128, max: 127 });
  });
});

describe('reading quantized files', () => {
  it('the official uint8 file: per-tensor parameters, TFLite layouts, multipliers per channel', () => {
    const { weights, quant } = parseTfliteQuantized(modelBytes('mobilenet_v1_0.25_128_quant'), 'q');
    const q = quant!;
    expect(weights.quantized).toBe(true);
    expect(q.dtype).toBe('uint8');
    expect(q.input).toEqual({ scale: 0.0078125, zeroPoint: 128 });
    expect(q.layers.map((l) => l.name)).toEqual(parseTflite(modelBytes('mobilenet_v1_0.25_128_quant'), 'q').layers.map((_, i) => (
      i === 0 ? 'conv1' : i === 27 ? 'conv_preds' : i % 2 ? `conv_dw_${(i + 1) / 2}` : `conv_pw_${i / 2}`)));
    const [conv1, dw1, pw1, cls] = [q.layers[0]!, q.layers[1]!, q.layers[2]!, q.layers[27]!];
    expect([conv1.weights.length, dw1.weights.length, pw1.weights.length, cls.weights.length]).toEqual([8 * 27, 9 * 8, 16 * 8, 1001 * 256]);
    expect(conv1.weights).toBeInstanceOf(Uint8Array);
    expect(conv1.multiplier.length).toBe(8);
    expect(new Set(conv1.multiplier).size).toBe(1);
    expect(conv1.multiplier[0]).toBe(quantizeMultiplier(uint8ConvMultiplier(q.input.scale, conv1.weightScales[0]!, conv1.output.scale)).multiplier);
    expect(cls.outputMin).toBe(0);
    expect(cls.outputMax).toBe(255);
    expect(q.output).toEqual(cls.output);
    expect(q.pool).toEqual(q.layers[26]!.output);
  });

  it('an int8 per-channel file: symmetric int8 weights, one scale per output channel', () => {
    const q = weightsOf('int8_mobilenet_v1_0.25_128').quant!;
    expect(q.dtype).toBe('int8');
    expect(q.input).toEqual({ scale: 0.0078125, zeroPoint: 0 });
    const dw = q.layers[1]!;
    expect(dw.weights).toBeInstanceOf(Int8Array);
    expect(dw.weightScales.length).toBe(8);
    expect(dw.weightZeroPoint).toBe(0);
    expect(new Set(dw.multiplier).size).toBeGreaterThan(1);
  });

  it('a float file has no integer form', () => {
    const f = new Uint8Array(readFileSync(join(shared, 'models/tflite/mobilenet_v1_0.25_224_float.tflite')));
    expect(parseTfliteQuantized(f, 'f').quant).toBeUndefined();
  });

  it('rejects files the integer path cannot run as TFLite would, naming the tensor', () => {
    const base = () => mobilenetTflite(foldedRandomWeights(0.25, { seed: 3 }), { resolution: 64, quantized: true }).model;
    const F = 'bad.tflite';
    let m = base();
    const pw = m.tensors[m.operators[2]!.inputs[2]!]!;
    pw.scale = [pw.scale![0]! * 1.01];
    expect(() => parseTfliteQuantized(serializeTflite(m), F)).toThrow(
      new RegExp(`^${F}: tensor 'MobilenetV1/MobilenetV1/Conv2d_1_pointwise/Conv2D_bias' has scale [0-9.e-]+ for channel 0, expected input scale · weight scale = `));
    m = base();
    const pooled = m.tensors[m.operators[27]!.outputs[0]!]!;
    pooled.zeroPoint = [3];
    expect(() => parseTfliteQuantized(serializeTflite(m), F)).toThrow(
      `${F}: op 27 (AVERAGE_POOL_2D): input quantization (scale ${Math.fround(6 / 255)}, zero point 0) differs from its output's (scale ${Math.fround(6 / 255)}, zero point 3); TFLite requires them equal`);
    m = base();
    m.tensors[m.operators[5]!.outputs[0]!]!.type = 9; // INT8 activation in a uint8 graph
    expect(() => parseTfliteQuantized(serializeTflite(m), F)).toThrow(
      `${F}: conv_dw_3 output tensor 'MobilenetV1/MobilenetV1/Conv2d_3_depthwise/Relu6' has type INT8, expected UINT8 like the input`);
  });
});

describe('the integer reference (test/helpers/qref.ts) is TFLite', () => {
  // The oracle for the formulas, checked on a few inputs per file (it is slow); the runtime is checked on all.
  it.each(['mobilenet_v1_0.25_128_quant', 'int8_mobilenet_v1_0.25_128'])('%s, 3 inputs', (key) => {
    const m = goldens.models[key]!;
    const q = weightsOf(key).quant!;
    const gold = golden(m.logits);
    for (let n = 0; n < 3; n++) {
      const x = refInput(m.resolution, n);
      const y = qref(q, m.resolution, m.dtype === 'int8' ? Array.from(x, (v) => v - 128) : x, 'half-away');
      const g = m.dtype === 'int8' ? new Int8Array(gold.buffer, n * m.classes, m.classes) : gold.subarray(n * m.classes, (n + 1) * m.classes);
      expect(Array.from(y)).toEqual(Array.from(g));
    }
  });
});

describe.each(KEYS)('%s: bit-exact with TensorFlow Lite 2.2', (key) => {
  const m = goldens.models[key]!;
  let weights: NetWeights;
  beforeAll(() => { weights = weightsOf(key); });

  it.each(qisas)('integer logits on the reference inputs, isa %s', async (isa) => {
    const model = await load({ weights, threads: 2, isa });
    try {
      expect(model.info.dtype).toBe(m.dtype);
      expect(model.info.isa).toBe(isa);
      const gold = golden(m.logits);
      // Every input on the best kernel set, every 5th on the others (the scalar twins are slow).
      const rows = stems.map((_, n) => n).filter((n) => isa === best || n % 5 === 0);
      const R = m.resolution;
      const out = await model.infer(rows.map((n) => ({ data: refInput(R, n), width: R, height: R, channels: 3 as const })), { dequantize: false });
      expect(out).toBeInstanceOf(m.dtype === 'int8' ? Int8Array : Uint8Array);
      const bytes = new Uint8Array(out.buffer, out.byteOffset, out.length);
      const mismatched = rows.filter((n, i) => Buffer.compare(bytes.subarray(i * m.classes, (i + 1) * m.classes), gold.subarray(n * m.classes, (n + 1) * m.classes)) !== 0);
      expect(mismatched).toEqual([]);
    } finally {
      model.dispose();
    }
  }, 300_000);

  it('held-back images (decoded from files): logits and top-1 equal TFLite\'s', async () => {
    const model = await load({ weights, threads: 2 });
    try {
      const files = goldens.heldback.files.map((f) => join(shared, f));
      const out = await model.infer(files, { dequantize: false });
      const gold = golden(m.heldback);
      // Encoded bytes in memory are the same input as the file.
      const encoded = await model.infer(new Uint8Array(readFileSync(files[0]!)), { dequantize: false });
      expect(Buffer.compare(new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.length), gold.subarray(0, m.classes))).toBe(0);
      expect(Buffer.compare(new Uint8Array(out.buffer, out.byteOffset, out.length), gold)).toBe(0);
      const top1 = files.map((_, i) => {
        const row = Array.from(out.subarray(i * m.classes, (i + 1) * m.classes));
        return row.indexOf(Math.max(...row));
      });
      expect(top1).toEqual(m.heldback_top1);
    } finally {
      model.dispose();
    }
  }, 120_000);
});

describe('Coral: the embedding extractor alone', () => {
  it('embed() gives the extractor\'s uint8 output as TFLite computes it (1024 features, 100 inputs)', async () => {
    const key = 'coral_mobilenet_v1_1.0_224_quant';
    const m = goldens.models[key]!;
    const model = await load({ weights: weightsOf(key), threads: 2 });
    try {
      const gold = golden(m.embeddings!);
      const R = m.resolution;
      const out = await model.embed(stems.map((_, n) => ({ data: refInput(R, n), width: R, height: R, channels: 3 as const })), { dequantize: false });
      expect(out.length).toBe(100 * 1024);
      expect(Buffer.compare(out as Uint8Array, gold)).toBe(0);
    } finally {
      model.dispose();
    }
  }, 120_000);
});

describe('the integer model through the public API', () => {
  const key = 'mobilenet_v1_0.25_128_quant';
  const file = join(shared, 'models/tflite', `${key}.tflite`);
  const R = 128;
  let model: MobileNet;
  beforeAll(async () => { model = await load({ weights: file, threads: 1 }); });

  it('info: dtype, output quantization; infer() dequantizes the integer logits', async () => {
    expect(model.info.dtype).toBe('uint8');
    expect(model.info.quantized).toBe(true);
    const oq = model.info.outputQuantization!;
    const frame = { data: refInput(R, 7), width: R, height: R, channels: 3 as const };
    const q = await model.infer(frame, { dequantize: false });
    const f = await model.infer(frame);
    expect(f).toBeInstanceOf(Float32Array);
    expect(Array.from(f)).toEqual(Array.from(q, (v) => Math.fround(Math.fround(oq.scale) * (v - oq.zeroPoint))));
    const gold = golden(goldens.models[key]!.logits);
    expect(Buffer.compare(q as Uint8Array, gold.subarray(7 * 1001, 8 * 1001))).toBe(0);
  });

  it('every input kind gives the same integer logits: frame RGB/RGBA, Float32Array, encoded file, inferSync', async () => {
    const x = refInput(R, 11);
    const rgba = new Uint8Array(R * R * 4);
    for (let i = 0; i < R * R; i++) { rgba.set(x.subarray(3 * i, 3 * i + 3), 4 * i); rgba[4 * i + 3] = 255; }
    const tensor = Float32Array.from(x, (v) => (v - 128) / 128); // quantizes back to exactly x (scale 1/128, zero point 128)
    const a = await model.infer({ data: x, width: R, height: R, channels: 3 }, { dequantize: false });
    expect(await model.infer({ data: rgba, width: R, height: R, channels: 4 }, { dequantize: false })).toEqual(a);
    expect(await model.infer(tensor, { dequantize: false })).toEqual(a);
    expect(model.inferSync(tensor, { dequantize: false })).toEqual(a);
    expect(model.inferSync({ data: x, width: R, height: R, channels: 3 }, { dequantize: false })).toEqual(a);
    const out = new Uint8Array(1001);
    expect(model.inferSync(tensor, { dequantize: false, output: out })).toBe(out);
    expect(out).toEqual(a);
  });

  it('embed(): the pooled uint8 features, dequantized by default', async () => {
    const frame = { data: refInput(R, 3), width: R, height: R, channels: 3 as const };
    const qf = await model.embed(frame, { dequantize: false });
    const ff = await model.embed(frame);
    expect(qf.length).toBe(256);
    const q = weightsOf(key).quant!;
    expect(Array.from(ff)).toEqual(Array.from(qf, (v) => Math.fround(Math.fround(q.pool.scale) * (v - q.pool.zeroPoint))));
  });

  it('concurrent infer() calls give each caller its own image\'s logits', async () => {
    const frames = [0, 1, 2, 3, 4, 5].map((n) => ({ data: refInput(R, n), width: R, height: R, channels: 3 as const }));
    const all = await Promise.all(frames.map((f) => model.infer(f, { dequantize: false })));
    const gold = golden(goldens.models[key]!.logits);
    all.forEach((y, n) => expect(Buffer.compare(y as Uint8Array, gold.subarray(n * 1001, (n + 1) * 1001))).toBe(0));
  });

  it('concurrency: three workspaces over one integer model, each call gets TFLite\'s bytes for its image', async () => {
    const m3 = await load({ weights: file, threads: 1, concurrency: 3 });
    try {
      expect(m3.info.concurrency).toBe(3);
      const gold = golden(goldens.models[key]!.logits);
      const ns = [10, 11, 12, 13, 14, 15, 16, 17];
      const all = await Promise.all(ns.map((n) => m3.infer({ data: refInput(R, n), width: R, height: R, channels: 3 }, { dequantize: false })));
      all.forEach((y, i) => expect(Buffer.compare(y as Uint8Array, gold.subarray(ns[i]! * 1001, (ns[i]! + 1) * 1001))).toBe(0));
    } finally {
      m3.dispose();
    }
  });

  it('an integer model takes an integer kernel set name', async () => {
    const m = await load({ weights: file, isa: 'scalar', threads: 1 });
    expect(m.info.isa).toBe('scalar');
    m.dispose();
    await expect(load({ weights: file, isa: 'sse9' as never })).rejects.toThrow(/^Expected one of 'scalar'.* for isa but received 'sse9'$/);
  });

  // MOBILENET_ISA applies to every model of the process, float and integer: a name that is also an integer set
  // (scalar, avx2, neon) selects that set; avx512 the best integer set of its generation or older (avx512amx, else
  // avx512vnni, else avxvnni or avx2).
  it.each(loadBinding().supportedIsas())('a float kernel set name (%s) selects the matching integer set, option and MOBILENET_ISA', async (fisa) => {
    const floats = loadBinding().supportedIsas();
    const generation: Record<string, string> = { avxvnni: 'avx2', avx512vnni: 'avx512', avx512amx: 'avx512', neondot: 'neon' };
    const expected = qisas.includes(fisa) ? fisa : qisas.filter((q) => floats.indexOf(generation[q] ?? q) >= 0 && floats.indexOf(generation[q] ?? q) <= floats.indexOf(fisa)).at(-1);
    expect(expected).toBeDefined();
    if (fisa === 'avx512' && qisas.includes('avx512vnni')) expect(expected).toBe(qisas.includes('avx512amx') ? 'avx512amx' : 'avx512vnni');
    if (fisa === 'scalar') expect(expected).toBe('scalar');
    const gold = golden(goldens.models[key]!.logits);
    const byOption = await load({ weights: file, isa: fisa as never, threads: 1 });
    process.env.MOBILENET_ISA = fisa;
    let byEnv: MobileNet | undefined;
    try {
      byEnv = await load({ weights: file, threads: 1 });
      for (const m of [byOption, byEnv]) {
        expect(m.info.isa).toBe(expected);
        const y = await m.infer({ data: refInput(R, 3), width: R, height: R, channels: 3 }, { dequantize: false });
        expect(Buffer.compare(y as Uint8Array, gold.subarray(3 * 1001, 4 * 1001))).toBe(0);
      }
    } finally {
      delete process.env.MOBILENET_ISA;
      byOption.dispose();
      byEnv?.dispose();
    }
  });

  it('threads give bit-identical results (uint8 and int8)', async () => {
    for (const k of [key, 'int8_mobilenet_v1_0.25_224']) {
      const w = weightsOf(k);
      const Rk = goldens.models[k]!.resolution;
      const frames = [0, 1, 2].map((n) => ({ data: refInput(Rk, n), width: Rk, height: Rk, channels: 3 as const }));
      const outs: Uint8Array[] = [];
      for (const threads of [1, 2, 3, 5]) {
        const mdl = await load({ weights: w, threads });
        const o = await mdl.infer(frames, { dequantize: false });
        outs.push(new Uint8Array(o.buffer, o.byteOffset, o.length));
        mdl.dispose();
      }
      for (const o of outs.slice(1)) expect(Buffer.compare(o, outs[0]!)).toBe(0);
    }
  }, 120_000);

  it('profile(): every layer of the integer graph', () => {
    const p = model.profile(2);
    expect(p.layers.map((l) => l.name)).toEqual(buildSpec(0.25, R, 1001).graph.layers.map((l) => l.name));
    expect(p.layers.every((l) => l.ms >= 0)).toBe(true);
    expect(p.pointwise).toBeGreaterThan(0);
  });

  it("precision: 'float' dequantizes at load and runs float32 with the same top-1 on most inputs", async () => {
    const f = await load({ weights: file, threads: 1, precision: 'float' });
    try {
      expect(f.info.dtype).toBe('float32');
      expect(f.info.outputQuantization).toBeUndefined();
      const frames = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => ({ data: refInput(R, n), width: R, height: R, channels: 3 as const }));
      const a = await f.infer(frames), b = await model.infer(frames);
      const top = (v: Float32Array, i: number) => { const r = Array.from(v.subarray(i * 1001, (i + 1) * 1001)); return r.indexOf(Math.max(...r)); };
      expect(frames.filter((_, i) => top(a, i) === top(b, i)).length).toBeGreaterThanOrEqual(8);
      await expect(f.infer(frames[0]!, { dequantize: false })).rejects.toThrow(
        "dequantize: false needs an integer model, but this model runs in float32 (loaded with precision: 'float')");
    } finally {
      f.dispose();
    }
  });

  it('errors: bad precision, integer precision on float weights, wrong output array type', async () => {
    await expect(load({ weights: file, precision: 'int4' as never })).rejects.toThrow("Expected 'integer' or 'float' for precision but received 'int4'");
    const floatFile = join(shared, 'models/tflite/mobilenet_v1_0.25_224_float.tflite');
    await expect(load({ weights: floatFile, precision: 'integer' })).rejects.toThrow(
      `precision: 'integer' needs a quantized (uint8 or int8) file, but ${floatFile} holds float weights`);
    const frame = { data: refInput(R, 0), width: R, height: R, channels: 3 as const };
    await expect(model.infer(frame, { dequantize: false, output: new Float32Array(1001) })).rejects.toThrow('Expected a Uint8Array for output but received');
    await expect(model.infer(frame, { output: new Uint8Array(1001) })).rejects.toThrow('Expected a Float32Array for output but received');
    await expect(model.infer(frame, { dequantize: 0 as never })).rejects.toThrow('Expected a boolean for dequantize but received 0');
  });
});

describe('native checks of the integer configuration', () => {
  it('names the layer and the value for inconsistent integer weights', async () => {
    const w = weightsOf('mobilenet_v1_0.25_128_quant');
    const bad = (f: (q: QuantNet) => void): NetWeights => {
      const q: QuantNet = { ...w.quant!, layers: w.quant!.layers.map((l) => ({ ...l })) };
      f(q);
      return { ...w, quant: q };
    };
    await expect(load({ weights: bad((q) => { q.layers[3]!.bias = q.layers[3]!.bias.subarray(1); }) })).rejects.toThrow(
      'layer conv_dw_2: expected an int32 bias of length 16 but received length 15');
    await expect(load({ weights: bad((q) => { q.layers[2]!.weights = q.layers[2]!.weights.subarray(2); }) })).rejects.toThrow(
      'layer conv_pw_1: expected integer weights of length 128 but received length 126');
    await expect(load({ weights: bad((q) => { q.layers[5]!.shift = Int32Array.from(q.layers[5]!.shift, () => 40); }) })).rejects.toThrow(
      'layer conv_dw_3: integer weight packing: qu8 dwconv3x3: shift[0] = 40 is outside [-31, 30]');
  });
});

describe('synthetic quantized weights (any α × ρ): the native integer path equals the integer reference', () => {
  it.each([
    [0.5, 64, 'uint8'], [0.75, 96, 'int8'], [1.0, 32, 'uint8'], [0.25, 160, 'int8'],
  ] as const)('α %s at %s, %s', async (alpha, R, dtype) => {
    const w = syntheticQuantWeights(alpha, dtype, { seed: 5 });
    const model = await load({ weights: w, resolution: R, threads: 2 });
    try {
      expect(model.info.dtype).toBe(dtype);
      const rand = seededRandom(R);
      const x = Uint8Array.from({ length: R * R * 3 }, () => Math.floor(rand() * 256));
      const y = await model.infer({ data: x, width: R, height: R, channels: 3 }, { dequantize: false });
      const ref = qref(w.quant!, R, dtype === 'int8' ? Array.from(x, (v) => v - 128) : x, 'half-away');
      expect(Array.from(y)).toEqual(Array.from(ref));
      // Not a degenerate network: the logits spread over many values.
      expect(new Set(y).size).toBeGreaterThan(10);
    } finally {
      model.dispose();
    }
  }, 60_000);
});

describe('fuzzed quantized files', () => {
  // Mutations of the structure and of the data: the reader parses or throws WeightsError; whatever parses
  // with an integer form, the native side loads and runs or refuses with an Error (never a crash).
  it.each([
    ['mobilenet_v1_0.25_128_quant', 120, 7],
    ['int8_mobilenet_v1_0.25_128', 80, 8],
  ] as const)('%s: %s seeded mutations', async (key, runs, seed) => {
    const bytes = modelBytes(key);
    const rand = seededRandom(seed);
    const int = (n: number): number => Math.floor(rand() * n);
    const interesting = [0, 1, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff];
    let parsed = 0, loaded = 0;
    for (let r = 0; r < runs; r++) {
      const m = bytes.slice();
      const kind = r % 4;
      if (kind === 0) { const p = int(m.length); m[p] = m[p]! ^ (1 << int(8)); }
      else if (kind === 1) { const p = int(m.length - 4) & ~3; new DataView(m.buffer).setUint32(p, interesting[int(interesting.length)]! >>> 0, true); }
      else if (kind === 2) { const p = int(m.length), n = 1 + int(32); for (let i = 0; i < n && p + i < m.length; i++) m[p + i] = int(256); }
      else { const n = 1 + int(64), from = int(m.length - n), to = int(m.length - n); m.copyWithin(to, from, from + n); }
      let w: NetWeights;
      try {
        const p = parseTfliteQuantized(m, key);
        if (!p.quant) continue;
        w = { ...p.weights, quant: p.quant };
        parsed++;
      } catch (e) {
        if (!(e instanceof WeightsError)) throw new Error(`run ${r} (mutation ${kind}): expected WeightsError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
        continue;
      }
      let model: MobileNet | undefined;
      try {
        model = await load({ weights: w, threads: 1 });
        const R = model.info.resolution;
        const y = model.inferSync({ data: new Uint8Array(R * R * 3).fill(100), width: R, height: R, channels: 3 }, { dequantize: false });
        expect(y.length).toBe(model.info.classes);
        loaded++;
      } catch (e) {
        if (!(e instanceof Error) || e.message.length === 0) throw new Error(`run ${r}: load threw ${String(e)}`);
      } finally {
        model?.dispose();
      }
    }
    expect(parsed).toBeGreaterThan(runs / 4); // data mutations leave most files readable
    expect(loaded).toBeGreaterThan(0);
  }, 300_000);
});

describe('mobilenet bench --dtype', () => {
  const bench = async (argv: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '', err = '';
    const io = {
      stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s), isTTY: false },
      stdin: (async function* () {})(), env: {},
    };
    const code = await main(['bench', ...argv], io);
    return { code, out, err };
  };

  it('times the integer path on synthetic weights and says so', async () => {
    const ok = await bench(['--alpha', '0.25', '--resolution', '64', '--dtype', 'int8', '--runs', '2', '--warmup', '0', '--json']);
    expect(ok.code).toBe(0);
    const [r] = JSON.parse(ok.out) as { dtype: string; isa: string; weights: string; median_ms: number }[];
    expect(r!.dtype).toBe('int8');
    expect(qisas).toContain(r!.isa);
    expect(r!.weights).toBe('synthetic(alpha=0.25, seed=1, int8)');
    expect(r!.median_ms).toBeGreaterThan(0);
    const bad = await bench(['--dtype', 'int4']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--dtype");
    expect(bad.err).toContain("'int4'");
  }, 60_000);
});
