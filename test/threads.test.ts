// Determinism across thread counts: every output element is computed by exactly one thread in a
// fixed order, so logits and features must be bit-identical for any `threads`, for every ISA
// (each ISA compared with its own single-thread result; ISAs may differ from each other).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { load, syntheticWeights, type Frame, type LoadOptions, type NetWeights } from '../lib/index.js';
import { loadBinding } from '../lib/binding.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(repoRoot, '../shared');
const REAL_025 = path.join(shared, 'models/tfjs/mobilenet_v1_0.25_224');
const THREADS = [1, 2, 3, 4];
const ISAS = loadBinding().supportedIsas();

function referenceFrame(stem: string, R: number): Frame {
  const data = new Uint8Array(readFileSync(path.join(shared, 'reference/inputs', String(R), `${stem}.rgb`)));
  return { data, width: R, height: R, channels: 3 };
}

function oddFrame(seed: number): Frame {
  const width = 301;
  const height = 173;
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761 + seed * 97) >>> 24;
  return { data, width, height, channels: 4 };
}

interface Outputs {
  logits: Float32Array;
  features: Float32Array;
}

async function run(options: LoadOptions, inputs: Frame[]): Promise<Outputs> {
  const model = await load(options);
  try {
    expect(model.info.threads).toBe(options.threads);
    if (options.isa) expect(model.info.isa).toBe(options.isa);
    const logits = await model.infer(inputs);
    const features = await model.embed(inputs);
    // inferSync goes through the same executor: identical to the async path.
    expect(model.inferSync(inputs)).toEqual(logits);
    return { logits, features };
  } finally {
    model.dispose();
  }
}

function expectBitIdentical(a: Float32Array, b: Float32Array, what: string): void {
  expect(a.length, what).toBe(b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let first = -1;
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) {
      first = i;
      break;
    }
  }
  expect(first, `${what}: first differing element ${first} (${a[first]} vs ${b[first]})`).toBe(-1);
}

const configs: { name: string; weights: () => string | NetWeights; resolution: number; inputs: () => Frame[] }[] = [
  {
    name: 'real tfjs 0.25 @224',
    weights: () => REAL_025,
    resolution: 224,
    inputs: () => [referenceFrame('n01440764_tench', 224), referenceFrame('n01530575_brambling', 224), oddFrame(1)],
  },
  {
    name: 'synthetic 1.0 @128',
    weights: (() => {
      let w: NetWeights | undefined;
      return () => (w ??= syntheticWeights(1.0, { seed: 17 }));
    })(),
    resolution: 128,
    inputs: () => [referenceFrame('n01440764_tench', 128), oddFrame(2)],
  },
  {
    // One thread runs the early layers in band pairs (native/runtime/model.cc: band_groups; here conv1 + dw_1,
    // pw_1 + dw_2, pw_2 + dw_3 and pw_3 + dw_4: stride 1 and 2, SAME padding), two or more threads layer by layer,
    // so this compares the two orders bit for bit. (1.0 @128 above bands only pw_1 + dw_2.)
    name: 'synthetic 0.5 @224, band pairs',
    weights: (() => {
      let w: NetWeights | undefined;
      return () => (w ??= syntheticWeights(0.5, { seed: 23 }));
    })(),
    resolution: 224,
    inputs: () => [referenceFrame('n01530575_brambling', 224), oddFrame(3)],
  },
];

describe('logits are bit-identical for threads 1..4', () => {
  for (const isa of ISAS) {
    for (const cfg of configs) {
      it(`${cfg.name}, isa ${isa}`, async () => {
        const inputs = cfg.inputs();
        const base = await run({ weights: cfg.weights(), resolution: cfg.resolution, threads: 1, isa }, inputs);
        expect(base.logits.every(Number.isFinite)).toBe(true);
        for (const threads of THREADS.slice(1)) {
          const r = await run({ weights: cfg.weights(), resolution: cfg.resolution, threads, isa }, inputs);
          expectBitIdentical(r.logits, base.logits, `${isa} logits, ${threads} threads vs 1`);
          expectBitIdentical(r.features, base.features, `${isa} features, ${threads} threads vs 1`);
        }
      });
    }
  }

  it('the default ISA with the default thread count matches its 1-thread result', async () => {
    const inputs = configs[0]!.inputs();
    const model = await load({ weights: REAL_025 });
    const isa = model.info.isa;
    const logits = await model.infer(inputs);
    model.dispose();
    const base = await run({ weights: REAL_025, threads: 1, isa }, inputs);
    expectBitIdentical(logits, base.logits, `default (${isa}) vs 1 thread`);
  });
});
