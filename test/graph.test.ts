import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appendLayer, buildMobileNetV1, buildSpec, NO_ACTIVATION, RELU6, samePadding, type Graph } from '../lib/index.js';
import { loadBinding, toNativeGraph } from '../lib/binding.js';
import { layersTxt } from '../bench/gen-layers.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('buildSpec', () => {
  it('1.0/224 has 568.7M multiply-adds and 4.2M parameters (the paper)', () => {
    const s = buildSpec(1.0, 224);
    expect((s.macs / 1e6).toFixed(1)).toBe('568.7');
    expect((s.params / 1e6).toFixed(1)).toBe('4.2');
    expect(s.layers).toHaveLength(28);
    expect(s.features).toBe(1024);
  });

  it('0.25/128 has 14M multiply-adds', () => {
    expect(Math.round(buildSpec(0.25, 128).macs / 1e6)).toBe(14);
  });

  it('uses TF SAME output sizes and floor(c * alpha) channels', () => {
    const s = buildSpec(0.75, 160);
    expect(s.layers.map((l) => l.outSize)).toEqual([80, 80, 80, 40, 40, 40, 40, 20, 20, 20, 20, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 5, 5, 5, 5, 1]);
    expect(s.layers[0]!.outChannels).toBe(24);
    expect(s.features).toBe(768);
    // Odd input sizes at stride 2 (resolution 32 * 7 = 224 is even; 96 -> 3 at the end).
    expect(buildSpec(1.0, 96).layers.at(-2)!.outSize).toBe(3);
  });
});

describe('samePadding (TF SAME, the one place it is computed)', () => {
  it('matches TF: out = ceil(in / s), extra padding after', () => {
    expect(samePadding(224, 3, 2)).toEqual({ out: 112, before: 0, after: 1 });
    expect(samePadding(7, 3, 2)).toEqual({ out: 4, before: 1, after: 1 });
    expect(samePadding(112, 3, 1)).toEqual({ out: 112, before: 1, after: 1 });
    expect(samePadding(14, 1, 1)).toEqual({ out: 14, before: 0, after: 0 });
    expect(samePadding(5, 5, 2)).toEqual({ out: 3, before: 2, after: 2 });
  });
});

describe('the layer table', () => {
  it('MobileNetV1: tensor ids chain, pool and classifier, two named outputs', () => {
    const g = buildMobileNetV1(1.0, 224);
    expect(g.layers).toHaveLength(29);
    g.layers.forEach((l, i) => expect(l.inputs).toEqual([i]));
    expect(g.layers[27]).toMatchObject({ name: 'global_average_pooling2d', kind: 'gavgpool', outShape: [1, 1, 1024], weights: -1 });
    expect(g.layers[28]).toMatchObject({ name: 'conv_preds', kind: 'classifier', outShape: [1, 1, 1000], weights: 27 });
    expect(g.outputs).toEqual([{ name: 'features', tensor: 28 }, { name: 'logits', tensor: 29 }]);
    expect(g.layers[0]).toMatchObject({ pad: [0, 0, 1, 1], stride: 2, activation: [0, 6], dtype: 'float32' });
  });

  it('bench/layers.txt is generated from the table and up to date (node bench/gen-layers.mjs)', () => {
    expect(readFileSync(path.join(repoRoot, 'bench/layers.txt'), 'utf8')).toBe(layersTxt());
  });
});

describe('native runtime: any graph of supported kinds', () => {
  const binding = loadBinding();
  // input 32x32x3 -> conv 3x3/2 (8) -> dwconv (8) -> pwconv (8) -> add(dwconv, pwconv): a residual
  // block, with three outputs so every intermediate can be checked.
  const g: Graph = { input: { shape: [32, 32, 3], dtype: 'float32' }, layers: [], outputs: [] };
  const conv = appendLayer(g, { name: 'c', kind: 'conv', inputs: [0], outChannels: 8, kernel: 3, stride: 2, activation: RELU6, weights: 0 });
  const dw = appendLayer(g, { name: 'd', kind: 'dwconv', inputs: [conv], outChannels: 8, kernel: 3, activation: RELU6, weights: 1 });
  const pw = appendLayer(g, { name: 'p', kind: 'pwconv', inputs: [dw], outChannels: 8, activation: NO_ACTIVATION, weights: 2 });
  const sum = appendLayer(g, { name: 'add', kind: 'add', inputs: [dw, pw], outChannels: 8, activation: [-1, 5] });
  const pooled = appendLayer(g, { name: 'pool', kind: 'gavgpool', inputs: [sum], outChannels: 8, activation: NO_ACTIVATION });
  g.outputs.push({ name: 'dw', tensor: dw }, { name: 'pw', tensor: pw }, { name: 'sum', tensor: sum }, { name: 'pooled', tensor: pooled });
  const rand = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);
  const weights = [
    { kernel: rand(27 * 8, 1), bias: rand(8, 2) },
    { kernel: rand(9 * 8, 3), bias: rand(8, 4) },
    { kernel: rand(8 * 8, 5), bias: rand(8, 6) },
  ];

  it('residual add and several outputs: add = clamp(dw + pw), pool = mean of add', () => {
    const m = new binding.NativeModel({ graph: toNativeGraph(g, weights), threads: 2, concurrency: 1, normalization: 'tfjs', isa: '' });
    try {
      expect(m.info().outputs).toEqual([
        { name: 'dw', length: 16 * 16 * 8 }, { name: 'pw', length: 16 * 16 * 8 }, { name: 'sum', length: 16 * 16 * 8 }, { name: 'pooled', length: 8 },
      ]);
      const x = rand(32 * 32 * 3, 7);
      const [a, b, s, p] = [0, 1, 2, 3].map((o) => m.runSync(0, 1, o, undefined, x));
      expect(a!.some((v) => v !== 0)).toBe(true);
      for (let i = 0; i < s!.length; i++) expect(s![i]).toBe(Math.min(Math.max(Math.fround(a![i]! + b![i]!), -1), 5));
      for (let c = 0; c < 8; c++) {
        let acc = 0;
        for (let i = c; i < s!.length; i += 8) acc += s![i]!;
        expect(p![c]).toBeCloseTo(acc / 256, 5);
      }
      // pw = dw x W + bias, checked on one pixel in double precision.
      for (let o = 0; o < 8; o++) {
        let ref = weights[2]!.bias[o]!;
        for (let k = 0; k < 8; k++) ref += a![k]! * weights[2]!.kernel[k * 8 + o]!;
        expect(b![o]).toBeCloseTo(ref, 5);
      }
    } finally {
      m.dispose();
    }
  });

  it('refuses an add of two shapes', () => {
    const bad: Graph = { ...g, layers: g.layers.map((l) => (l.name === 'add' ? { ...l, inputs: [conv, 0] } : l)) };
    expect(() => new binding.NativeModel({ graph: toNativeGraph(bad, weights), threads: 1, concurrency: 1, normalization: 'tfjs', isa: '' })).toThrow(
      'layer add: add needs inputs and output of one shape: [16, 16, 8], [32, 32, 3] -> [16, 16, 8]',
    );
  });
});
