// Typed native surface and a loader that explains itself (sharp's habit): it says what it tried,
// the platform it saw, and what to do about it.
import { createRequire } from 'node:module';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LayerWeights } from './weights/types.js';
import type { QuantNet } from './weights/tflite-quant.js';

export type OutputArray = Float32Array | Uint8Array | Int8Array;

export interface NativeLayer {
  kernel: Float32Array;
  bias?: Float32Array;
  gamma?: Float32Array;
  beta?: Float32Array;
  mean?: Float32Array;
  variance?: Float32Array;
  epsilon?: number;
}

/** The native side takes BatchNorm as flat fields next to the kernel. */
export function toNativeLayer(l: LayerWeights): NativeLayer {
  return {
    kernel: l.kernel,
    bias: l.bias,
    gamma: l.bn?.gamma,
    beta: l.bn?.beta,
    mean: l.bn?.mean,
    variance: l.bn?.variance,
    epsilon: l.bn?.epsilon,
  };
}

export interface NativeConfig {
  alpha: number;
  resolution: number;
  classes: number;
  threads: number;
  normalization: 'tfjs' | 'tflite' | 'tflite-uint8';
  isa: string;
  /** Where `isa` came from, for the error message: 'isa' (option) or 'MOBILENET_ISA'. */
  isaSource?: string;
  layers: NativeLayer[];
  /** Integer weights: the model runs the integer path (native/runtime/qnetwork.h) and `isa` names an integer kernel set. */
  quant?: NativeQuant;
}

export interface NativeQuantLayer {
  weights: Uint8Array | Int8Array;
  bias: Int32Array;
  multiplier: Int32Array;
  shift: Int32Array;
  weightZeroPoint: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
  outputMin: number;
  outputMax: number;
}

export interface NativeQuant {
  dtype: 'uint8' | 'int8';
  inputScale: number;
  inputZeroPoint: number;
  poolScale: number;
  poolZeroPoint: number;
  outputScale: number;
  outputZeroPoint: number;
  layers: NativeQuantLayer[];
}

/** QuantNet (lib/weights/tflite-quant.ts) → the native integer configuration. */
export function toNativeQuant(q: QuantNet): NativeQuant {
  return {
    dtype: q.dtype,
    inputScale: q.input.scale, inputZeroPoint: q.input.zeroPoint,
    poolScale: q.pool.scale, poolZeroPoint: q.pool.zeroPoint,
    outputScale: q.output.scale, outputZeroPoint: q.output.zeroPoint,
    layers: q.layers.map((l) => ({
      weights: l.weights, bias: l.bias, multiplier: l.multiplier, shift: l.shift,
      weightZeroPoint: l.weightZeroPoint, inputZeroPoint: l.input.zeroPoint, outputZeroPoint: l.output.zeroPoint,
      outputMin: l.outputMin, outputMax: l.outputMax,
    })),
  };
}

export interface NativeInfo {
  isa: string;
  dtype: 'float32' | 'uint8' | 'int8';
  threads: number;
  macs: number;
  params: number;
  memoryBytes: number;
  features: number;
  classes: number;
  resolution: number;
  cpu: string;
  layers: { name: string; kind: string; macs: number; outSize: number; outChannels: number }[];
}

export interface NativeProfile {
  conv: number;
  depthwise: number;
  pointwise: number;
  pool: number;
  classifier: number;
  /** Per layer, in network order: ms per inference and GFLOP/s. */
  layers: { name: string; kind: string; ms: number; gflops: number }[];
}

export interface NativeModel {
  info(): NativeInfo;
  reserve(batch: number): void;
  stageFrame(index: number, data: Uint8Array, width: number, height: number, channels: number): void;
  stageTensor(index: number, data: Float32Array): void;
  /** `input`: batch tensors read in place instead of the staged inputs. `integer`: the quantized outputs
   * themselves (Uint8Array / Int8Array; integer models only). */
  runSync(batch: number, classify: boolean, output?: OutputArray, input?: Float32Array, integer?: boolean): OutputArray;
  runAsync(batch: number, classify: boolean, output?: OutputArray, integer?: boolean): Promise<OutputArray>;
  profile(runs: number): NativeProfile;
  dispose(): void;
}

export interface NativeBinding {
  NativeModel: new (config: NativeConfig) => NativeModel;
  supportedIsas(): string[];
  /** Integer kernel sets this CPU runs, scalar first. */
  supportedQIsas(): string[];
  cpuModel(): string;
  resizeFrame(data: Uint8Array, width: number, height: number, channels: number, resolution: number): Uint8Array;
}

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Where the loader looks, in order. MOBILENET_NATIVE_BINDING, when set, is the only candidate: a
 * sanitizer or cross build that fails to load must not be silently replaced by another binary.
 */
export function bindingCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
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
