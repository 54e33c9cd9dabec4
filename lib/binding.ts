// Typed native surface and a loader that explains itself (sharp's habit): it says what it tried,
// the platform it saw, and what to do about it.
import { createRequire } from 'node:module';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Graph, GraphLayer } from './graph.js';
import type { LayerWeights } from './weights/types.js';
import type { QuantNet } from './weights/tflite-quant.js';

export type OutputArray = Float32Array | Uint8Array | Int8Array;

/**
 * One layer of the table as the native side takes it: lib/graph.ts's GraphLayer with the weights
 * inline (BatchNorm as flat fields next to the kernel). The native side validates all of it.
 */
export interface NativeLayer extends Omit<GraphLayer, 'weights' | 'kernelShape' | 'params'> {
  kernel?: Float32Array;
  bias?: Float32Array;
  gamma?: Float32Array;
  beta?: Float32Array;
  mean?: Float32Array;
  variance?: Float32Array;
  epsilon?: number;
  /** Integer layers (lib/graph-quant.ts): weights in TFLite's layouts, as the layer's dtype. */
  qkernel?: Uint8Array | Int8Array;
  qbias?: Int32Array;
  multiplier?: Int32Array;
  shift?: Int32Array;
  weightZeroPoint?: number;
}

export interface NativeGraph {
  input: Graph['input'];
  layers: NativeLayer[];
  outputs: Graph['outputs'];
}

/** The layer table with each layer's weights attached (`weights[l.weights]`; integer layers: `quant.layers[l.weights]`). */
export function toNativeGraph(graph: Graph, weights: readonly LayerWeights[], quant?: QuantNet): NativeGraph {
  const layers = graph.layers.map((l): NativeLayer => {
    const { weights: wi, kernelShape: _k, params: _p, ...rest } = l;
    const q = quant && wi >= 0 ? quant.layers[wi] : undefined;
    if (q) return { ...rest, qkernel: q.weights, qbias: q.bias, multiplier: q.multiplier, shift: q.shift, weightZeroPoint: q.weightZeroPoint };
    const w = wi >= 0 ? weights[wi] : undefined;
    if (!w) return rest;
    return {
      ...rest,
      kernel: w.kernel,
      bias: w.bias,
      gamma: w.bn?.gamma,
      beta: w.bn?.beta,
      mean: w.bn?.mean,
      variance: w.bn?.variance,
      epsilon: w.bn?.epsilon,
    };
  });
  return { input: graph.input, layers, outputs: graph.outputs };
}

export interface NativeConfig {
  graph: NativeGraph;
  /** Threads per inference (per workspace). */
  threads: number;
  /** Workspaces: inferences that may run at once. */
  concurrency: number;
  normalization: 'tfjs' | 'tflite' | 'tflite-uint8';
  isa: string;
  /** Where `isa` came from, for the error message: 'isa' (option) or 'MOBILENET_ISA'. */
  isaSource?: string;
  /** Frames: centre square crop (classifiers, default) or the whole frame stretched (detectors). */
  resize?: 'crop' | 'stretch';
}

export interface NativeInfo {
  isa: string;
  /** The graph input's dtype: 'float32', or 'uint8' / 'int8' for an integer graph. */
  dtype: 'float32' | 'uint8' | 'int8';
  threads: number;
  concurrency: number;
  /** weightsBytes + concurrency × workspaceBytes (at the batch each workspace has reserved). */
  memoryBytes: number;
  weightsBytes: number;
  workspaceBytes: number;
  resolution: number;
  cpu: string;
  /** Graph outputs, in graph order: the index is what runSync/runAsync take as `output`. */
  outputs: { name: string; length: number }[];
}

export interface NativeProfile {
  conv: number;
  depthwise: number;
  pointwise: number;
  pool: number;
  classifier: number;
  add: number;
  /** Per layer, in network order: ms per inference and GFLOP/s. */
  layers: { name: string; kind: string; ms: number; gflops: number }[];
}

/** Every method but info/profile/dispose takes the workspace index first (0 .. concurrency - 1). */
export interface NativeModel {
  info(): NativeInfo;
  reserve(workspace: number, batch: number): void;
  stageFrame(workspace: number, index: number, data: Uint8Array, width: number, height: number, channels: number): void;
  stageTensor(workspace: number, index: number, data: Float32Array): void;
  /** `input`: batch tensors read in place instead of the staged inputs. `integer`: an integer output's
   * values themselves (Uint8Array / Int8Array) instead of dequantized floats. */
  runSync(workspace: number, batch: number, output: number, out?: OutputArray, input?: Float32Array, integer?: boolean): OutputArray;
  runAsync(workspace: number, batch: number, output: number, out?: OutputArray, integer?: boolean): Promise<OutputArray>;
  profile(runs: number): NativeProfile;
  dispose(): void;
}

export interface NativeBinding {
  NativeModel: new (config: NativeConfig) => NativeModel;
  supportedIsas(): string[];
  /** Integer kernel sets this CPU runs, scalar first (the `isa` values of integer models). */
  supportedQIsas(): string[];
  cpuModel(): string;
  /** The bounds native/runtime/graph.h enforces (each equal to the same key of lib/validate.ts LIMITS). */
  limits(): { maxResolution: number; maxClasses: number; maxThreads: number; maxBatch: number; maxConcurrency: number; maxLayers: number };
  /** stretch: the whole frame to R x R (detectors) instead of the centre square. */
  resizeFrame(data: Uint8Array, width: number, height: number, channels: number, resolution: number, stretch?: boolean): Uint8Array;
  /** TFLite_Detection_PostProcess on its own (native/binding/detection.cc); uint8 tensors are dequantized as TFLite does. */
  detectionPostprocess(
    boxes: NativeTensorArg, scores: NativeTensorArg, anchors: NativeTensorArg,
    numBoxes: number, boxCodeLength: number, classesWithBackground: number, options: NativeDetectionOptions,
  ): { boxes: Float32Array; classes: Float32Array; scores: Float32Array; count: number };
}

export interface NativeTensorArg { data: Float32Array | Uint8Array; scale?: number; zeroPoint?: number }
/** TFLite_Detection_PostProcess custom options, TFLite's key names. */
export interface NativeDetectionOptions {
  max_detections?: number; max_classes_per_detection?: number; detections_per_class?: number;
  nms_score_threshold?: number; nms_iou_threshold?: number; num_classes?: number; use_regular_nms?: boolean;
  y_scale?: number; x_scale?: number; h_scale?: number; w_scale?: number;
}

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Where the loader looks, in order. MOBILENET_NATIVE_BINDING, when set, is the only candidate: a
 * sanitizer or cross build that fails to load must not be silently replaced by another binary.
 */
export function bindingCandidates(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  if (env.MOBILENET_NATIVE_BINDING) return [resolve(env.MOBILENET_NATIVE_BINDING)];
  return [
    join(packageRoot, 'build', 'Release', 'mobilenet_native.node'),
    join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`, 'mobilenet_native.node'),
  ];
}

const ELF_MACHINES: Record<number, string> = { 3: 'ia32', 40: 'arm', 62: 'x64', 183: 'arm64' };

/** The Node arch an ELF file was built for, when it is an ELF file of a known machine. */
function elfArch(file: string): string | undefined {
  try {
    const fd = openSync(file, 'r');
    try {
      const h = Buffer.alloc(20);
      if (readSync(fd, h, 0, 20, 0) < 20 || h.readUInt32BE(0) !== 0x7f454c46) return undefined;
      return ELF_MACHINES[h.readUInt16LE(18)];
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

let cached: NativeBinding | undefined;

export function loadBinding(): NativeBinding {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  for (const file of bindingCandidates()) {
    if (!existsSync(file)) {
      tried.push(`${file} (not found)`);
      continue;
    }
    try {
      cached = require(file) as NativeBinding;
      return cached;
    } catch (e) {
      // dlopen says "No such file or directory" for a file of the wrong machine: say what it is.
      const built = elfArch(file);
      const hint = built && built !== process.arch ? `; it was built for ${built}, this Node is ${process.arch}` : '';
      tried.push(`${file} (${(e as Error).message.split('\n')[0]}${hint})`);
    }
  }
  const libc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
    ?.glibcVersionRuntime;
  throw new Error(
    [
      `Could not load the mobilenet-native addon for ${process.platform}-${process.arch}` +
        `${libc ? ` (glibc ${libc})` : ' (non-glibc libc)'}, Node ${process.versions.node} (Node-API ${process.versions.napi}).`,
      'Tried:',
      ...tried.map((t) => `  - ${t}`),
      'Possible solutions:',
      '  - Build from source: install cmake and a C++17 compiler (Debian/Raspberry Pi OS: sudo apt-get install cmake g++), then run `npm rebuild mobilenet-native`.',
      '  - Use a supported platform for prebuilt binaries: linux-x64, linux-arm64 or linux-arm (armv7, glibc >= 2.31).',
      '  - Set MOBILENET_NATIVE_BINDING to the path of a mobilenet_native.node you built.',
    ].join('\n'),
  );
}
