// The new readers under seeded mutation, 1,000 each: float16 and dynamic-range int8 TFLite files,
// custom-head TFLite, TF.js float16 shards, Teachable Machine model.json/weights/metadata, BMP files.
// Every mutation loads (decodes) with finite values or throws an Error that names the file.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { load } from '../lib/index.js';
import { loadBinding } from '../lib/binding.js';
import { WeightsError } from '../lib/errors.js';
import { decodeImage } from '../lib/image.js';
import { seededRandom } from '../lib/weights/synthetic.js';
import { parseTflite, readTfliteModel } from '../lib/weights/tflite.js';
import type { NetWeights } from '../lib/weights/types.js';
import { shared } from './helpers/reference.js';
import { float16Tflite } from './helpers/model-variants.js';
import { foldedRandomWeights } from './helpers/tflite-writer.js';
import { writeBmp } from './helpers/images.js';

const tmp = mkdtempSync(join(tmpdir(), 'mobilenet-fuzz-readers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const RUNS = 1000;

function allFinite(w: NetWeights): boolean {
  return w.layers.every((l) => [l.kernel, l.bias, l.bn?.gamma, l.bn?.beta, l.bn?.mean, l.bn?.variance].every((a) => !a || a.every(Number.isFinite)));
}

/** Byte flips, random bytes, interesting u32s (mostly in the structure, outside tensor data), truncation, splices. */
function mutator(bytes: Uint8Array, rand: () => number, structure: Array<[number, number]> = [[0, bytes.length]]): () => { m: Uint8Array; what: string } {
  const int = (n: number) => Math.floor(rand() * n);
  const total = structure.reduce((s, [a, b]) => s + b - a, 0);
  const structPos = () => {
    let k = int(total);
    for (const [a, b] of structure) { if (k < b - a) return a + k; k -= b - a; }
    return 0;
  };
  const interesting = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, bytes.length, bytes.length - 4];
  let r = 0;
  return () => {
    let m = bytes.slice();
    const kind = r++ % 6;
    if (kind === 0) { const p = structPos(); m[p] = m[p]! ^ (1 << int(8)); }
    else if (kind === 1) { const p = structPos(), n = 1 + int(16); for (let i = 0; i < n && p + i < m.length; i++) m[p + i] = int(256); }
    else if (kind === 2) { const p = structPos() & ~3; if (p + 4 <= m.length) new DataView(m.buffer).setUint32(p, interesting[int(interesting.length)]! >>> 0, true); }
    else if (kind === 3) { const p = int(m.length), n = 1 + int(4); for (let i = 0; i < n && p + i < m.length; i++) m[p + i] = int(256); }
    else if (kind === 4) { m = m.slice(0, int(m.length)); }
    else { const n = 1 + int(64), from = int(Math.max(1, m.length - n)), to = structPos(); m.copyWithin(to, from, from + n); }
    return { m, what: `mutation ${kind}` };
  };
}

/** TFLite bytes outside tensor data, where flips hit the flatbuffer structure. */
function tfliteStructure(bytes: Uint8Array): Array<[number, number]> {
  const raw = readTfliteModel(bytes, 'x');
  const data: Array<[number, number]> = [];
  for (let i = 0; i < raw.bufferCount; i++) {
    const b = raw.buffer(i);
    if (b.length) data.push([b.byteOffset - bytes.byteOffset, b.byteOffset - bytes.byteOffset + b.length]);
  }
  data.sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  let at = 0;
  for (const [s, e] of data) { if (s > at) out.push([at, s]); at = Math.max(at, e); }
  if (at < bytes.length) out.push([at, bytes.length]);
  return out;
}

/** Lets the test runner's RPC through during long synchronous loops. */
const breathe = (i: number) => (i % 25 === 0 ? new Promise<void>((r) => setImmediate(r)) : undefined);

async function fuzzTflite(name: string, bytes: Uint8Array, seed: number): Promise<void> {
  const next = mutator(bytes, seededRandom(seed), tfliteStructure(bytes));
  let ok = 0, rejected = 0;
  for (let r = 0; r < RUNS; r++) {
    await breathe(r);
    const { m, what } = next();
    try {
      const w = parseTflite(m, name);
      if (!allFinite(w)) throw new Error(`run ${r}: parsed with non-finite weights`);
      ok++;
    } catch (e) {
      if (!(e instanceof WeightsError)) throw new Error(`run ${r} (${what}): expected WeightsError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
      expect(e.message.startsWith(`${name}: `)).toBe(true);
      rejected++;
    }
  }
  expect(ok + rejected).toBe(RUNS);
  expect(rejected).toBeGreaterThan(RUNS / 4);
  expect(ok).toBeGreaterThan(0);
}

describe('fuzzing the new TFLite readers: finite weights or a WeightsError naming the file', () => {
  it('dynamic-range int8 weights (per-channel), 1000 mutations', async () => {
    await fuzzTflite('dynamic-range.tflite', new Uint8Array(readFileSync(resolve(shared, 'cases/tflite/dynamic-range-int8-weights.tflite'))), 101);
  }, 120_000);

  it('custom head (5 classes, FULLY_CONNECTED), 1000 mutations', async () => {
    await fuzzTflite('custom-head.tflite', new Uint8Array(readFileSync(resolve(shared, 'cases/tflite/custom-head-5-classes.tflite'))), 102);
  }, 120_000);

  it('float16 constants behind DEQUANTIZE, 1000 mutations', async () => {
    await fuzzTflite('fp16.tflite', float16Tflite(foldedRandomWeights(0.25, { seed: 13, classes: 10 }), 32), 103);
  }, 120_000);

  it('TFLite metadata (embedded labels zip), 1000 mutations of the archive', async () => {
    const bytes = new Uint8Array(readFileSync(resolve(shared, 'models/tflite/mobilenet_v1_0.25_224_float_metadata.tflite')));
    const zipStart = bytes.length - 10_602; // the appended archive (labels.txt, 10,484 bytes stored)
    const next = mutator(bytes, seededRandom(104), [[zipStart, bytes.length]]);
    for (let r = 0; r < RUNS; r++) {
      await breathe(r);
      const { m } = next();
      try {
        const w = parseTflite(m, 'meta.tflite');
        if (w.labels) expect(w.labels).toHaveLength(1000); // used only when there is one per class
      } catch (e) {
        expect(e).toBeInstanceOf(WeightsError); // truncation into the flatbuffer
      }
    }
  }, 120_000);
});

describe('fuzzing the TF.js readers through load(): finite weights or an error naming the file', () => {
  async function fuzzDir(src: string, seed: number, resolution: number | undefined, jsonEdit: (json: any, rand: () => number) => string): Promise<void> {
    const dir = join(tmp, `dir-${seed}`);
    cpSync(src, dir, { recursive: true });
    const files = readdirSync(dir).sort();
    const originals = new Map(files.map((f) => [f, readFileSync(join(dir, f))]));
    const rand = seededRandom(seed);
    const binaries = files.filter((f) => f.endsWith('.bin'));
    const mutators = new Map(binaries.map((f) => [f, mutator(new Uint8Array(originals.get(f)!), rand)]));
    let loaded = 0, rejected = 0;
    for (let i = 0; i < RUNS; i++) {
      const k = i % 4;
      let file: string, bytes: Uint8Array;
      if (k === 0 || k === 1) {
        file = 'model.json';
        bytes = Buffer.from(jsonEdit(JSON.parse(originals.get('model.json')!.toString('utf8')), rand));
      } else if (k === 2 && files.includes('metadata.json') && rand() < 0.5) {
        file = 'metadata.json';
        const meta = JSON.parse(originals.get('metadata.json')!.toString('utf8'));
        meta.labels = [[], ['a'], ['a', 'b', 'c', 'd'], [1, 2, 3], 'cat', null][Math.floor(rand() * 6)];
        bytes = Buffer.from(rand() < 0.2 ? '{"labels": [' : JSON.stringify(meta));
      } else {
        file = binaries[Math.floor(rand() * binaries.length)]!;
        bytes = mutators.get(file)!().m;
      }
      writeFileSync(join(dir, file), bytes);
      try {
        const model = await load({ weights: dir, threads: 1, ...(resolution ? { resolution } : {}) });
        const R = model.info.resolution;
        const out = model.info.classes > 0 ? model.inferSync(new Float32Array(R * R * 3)) : await model.embed(new Float32Array(R * R * 3));
        expect(out.every(Number.isFinite), `${file} run ${i}`).toBe(true);
        model.dispose();
        loaded++;
      } catch (e) {
        expect(e, `${file} run ${i}`).toBeInstanceOf(Error);
        expect((e as Error).message, `${file} run ${i}`).toContain(dir);
        rejected++;
      } finally {
        writeFileSync(join(dir, file), originals.get(file)!);
      }
    }
    expect(loaded + rejected).toBe(RUNS);
    expect(rejected).toBeGreaterThan(RUNS / 10);
    expect(loaded).toBeGreaterThan(0);
  }

  const pick = <T>(rand: () => number, a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;

  it('TF.js --quantize_float16 weights, 1000 mutations', async () => {
    await fuzzDir(resolve(shared, 'cases/tfjs/float16-weights'), 201, 32, (json, rand) => {
      const g = pick(rand, json.weightsManifest as { weights: { name: string; shape: number[]; dtype: string; quantization?: { dtype: string } }[] }[]);
      const w = pick(rand, g.weights);
      const r = rand();
      if (r < 0.4) w.shape[Math.floor(rand() * w.shape.length)] = pick(rand, [0, 1, 3, 1e9, -1, 2.5]);
      else if (r < 0.7) w.quantization = { dtype: pick(rand, ['float16', 'uint8', 'uint16', 'int4', 'bfloat16']) };
      else w.dtype = pick(rand, ['float16', 'int32', 'string', 'float32']);
      return JSON.stringify(json);
    });
  }, 600_000);

  it('Teachable Machine export (model.json head, weights.bin, metadata.json), 1000 mutations', async () => {
    await fuzzDir(resolve(shared, 'cases/tfjs/teachable-machine'), 202, undefined, (json, rand) => {
      const head = json.modelTopology.config.layers[1].config.layers as { class_name: string; config: Record<string, unknown> }[];
      const r = rand();
      if (r < 0.25) pick(rand, head).config.units = pick(rand, [0, 1, 2, 3, 99, 100, 101, 1e6, -3, 'x']);
      else if (r < 0.45) pick(rand, head).config.activation = pick(rand, ['relu', 'sigmoid', 'softmax', 'linear', 'tanh', 7]);
      else if (r < 0.6) pick(rand, head).class_name = pick(rand, ['Dense', 'BatchNormalization', 'Conv2D', 'Flatten']);
      else if (r < 0.7) head.splice(Math.floor(rand() * head.length), 1);
      else if (r < 0.8) head.push(structuredClone(head[head.length - 1]!));
      else {
        const g = json.weightsManifest[0] as { weights: { name: string; shape: number[] }[] };
        const w = g.weights.filter((x) => x.name.startsWith('dense'));
        const t = pick(rand, w);
        t.shape[Math.floor(rand() * t.shape.length)] = pick(rand, [0, 1, 3, 100, 12544, 1e9]);
      }
      return JSON.stringify(json);
    });
  }, 600_000);
});

describe('fuzzing the BMP reader: a frame or an error naming the file', () => {
  it('1000 mutations of real and generated BMPs (24-bit, palettes, bit fields, top-down)', async () => {
    const px = new Uint8Array(37 * 23 * 4).map((_, i) => (i * 37) & 255);
    const palette = Array.from({ length: 16 }, (_, i) => [i * 16, 255 - i * 16, i * 8] as [number, number, number]);
    const sources = [
      new Uint8Array(readFileSync(resolve(shared, 'cases/images/bmp-v3-24bit.bmp'))).subarray(0, 8000 * 3), // header + first rows
      new Uint8Array(readFileSync(resolve(shared, 'cases/images/bmp-v3-24bit.bmp'))),
      writeBmp(px, 37, 23, { bpp: 24, topDown: true }),
      writeBmp(px.map((v) => v & 15), 37, 23, { bpp: 4, palette }),
      writeBmp(px.map((v) => v & 15), 37, 23, { bpp: 8, palette }),
      writeBmp(px.map((v) => v & 1), 37, 23, { bpp: 1, palette: palette.slice(0, 2) }),
      writeBmp(px, 37, 23, { bpp: 32, masks: [0xff0000, 0xff00, 0xff, 0xff000000], headerSize: 108 }),
      writeBmp(px, 37, 23, { bpp: 16, masks: [0xf800, 0x7e0, 0x1f, 0] }),
    ];
    const rand = seededRandom(301);
    const mutators = sources.map((s) => mutator(s, rand, [[0, Math.min(s.length, 200)], [0, s.length]]));
    const file = join(tmp, 'fuzz.bmp');
    const resize = loadBinding().resizeFrame;
    let ok = 0, rejected = 0;
    for (let i = 0; i < RUNS; i++) {
      const { m, what } = mutators[i % mutators.length]!();
      writeFileSync(file, m);
      try {
        const f = await decodeImage(file);
        // RGB, RGBA, or (24-bit files) the file's own BGR rows, padded: `stride` bytes each.
        expect([0, 1, 2]).toContain(f.layout.format);
        expect(f.data.length).toBe((f.layout.stride || f.width * (f.layout.format === 1 ? 4 : 3)) * f.height);
        resize(f.data, f.width, f.height, f.layout, 8); // the native side takes it
        ok++;
      } catch (e) {
        expect(e, `run ${i} (${what})`).toBeInstanceOf(Error);
        expect((e as Error).message, `run ${i} (${what})`).toContain(`image file '${file}'`);
        rejected++;
      }
    }
    expect(ok + rejected).toBe(RUNS);
    expect(rejected).toBeGreaterThan(RUNS / 10);
    expect(ok).toBeGreaterThan(RUNS / 10);
  }, 300_000);
});
