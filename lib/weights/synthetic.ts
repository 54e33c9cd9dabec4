// Seeded synthetic weights of the right shapes for any alpha: for benchmarks and for testing
// the alpha/resolution combinations Google's float files do not cover here.
import { buildSpec } from '../graph.js';
import type { LayerWeights, NetWeights } from './types.js';

/** mulberry32: small, fast, good enough for weights. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticOptions {
  seed?: number;
  classes?: number;
  /** Unfolded BatchNorm like the TF.js files (default) or a folded bias like TFLite. */
  batchNorm?: boolean;
}

export function syntheticWeights(alpha: number, options: SyntheticOptions = {}): NetWeights {
  const { seed = 1, classes = 1000, batchNorm = true } = options;
  const rand = seededRandom(seed);
  const uniform = (n: number, lo: number, hi: number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rand();
    return a;
  };
  const spec = buildSpec(alpha, 224, classes);
  const layers: LayerWeights[] = spec.layers.map((l) => {
    const n = l.kernelShape.reduce((a, b) => a * b, 1);
    const fanIn = l.kind === 'dwconv' ? 9 : l.kind === 'conv' ? 27 : l.inChannels;
    const limit = Math.sqrt(6 / fanIn); // He-uniform keeps activations in ReLU6's useful range
    const kernel = uniform(n, -limit, limit);
    const c = l.outChannels;
    if (l.kind === 'classifier' || !batchNorm) return { kernel, bias: uniform(c, -0.1, 0.1) };
    return {
      kernel,
      bn: { gamma: uniform(c, 0.5, 1.5), beta: uniform(c, 0, 0.5), mean: uniform(c, -0.2, 0.2), variance: uniform(c, 0.5, 2), epsilon: 1e-3 },
    };
  });
  return {
    format: 'synthetic',
    source: `synthetic(alpha=${alpha}, seed=${seed})`,
    alpha,
    classes,
    classOffset: classes === 1001 ? 1 : 0,
    normalization: 'tfjs',
    layers,
  };
}
