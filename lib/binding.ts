// Typed native surface and a loader that explains itself (sharp's habit): it says what it tried,
// the platform it saw, and what to do about it. Before it dlopens a candidate it checks the ELF machine and the
// build stamp (package version + source hash, native/binding/build_stamp.cc), so a stale or foreign .node gets
// a clear error instead of running, and a glibc or ARMv7 binary is never offered to a musl or ARMv6 system.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { packageRoot, packageVersion } from './package-root.cjs';
import type { Graph, GraphLayer } from './graph.js';
import type { IntegerIsa } from './graph-quant.js';
import type { Isa } from './validate.js';
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

/** native/runtime/preprocess.h FrameView: format is the FrameFormat code (index in image.ts PIXEL_FORMATS). */
export interface FrameLayout {
  format: number;
  stride?: number;
  fullRange?: boolean;
  /** Rows stored last first (a BMP's usual order); single-plane formats only. */
  bottomUp?: boolean;
  /** 0xRRGGBB under transparent pixels. */
  background?: number;
}

export interface NativeConfig {
  graph: NativeGraph;
  /** Threads per inference (per workspace). */
  threads: number;
  /** Workspaces: inferences that may run at once. */
  concurrency: number;
  normalization: 'tfjs' | 'tflite' | 'tflite-uint8' | 'quantized';
  /** normalization 'quantized': the input tensor's scale and zero point (real = scale * (q - zeroPoint)). */
  inputScale?: number;
  inputZeroPoint?: number;
  isa: string;
  /** Where `isa` came from, for the error message: 'isa' (option) or 'MOBILENET_ISA'. */
  isaSource?: string;
  /** Frames: centre square crop (classifiers, default) or the whole frame stretched (detectors). */
  resize?: 'crop' | 'stretch';
}

export interface NativeInfo {
  /** The kernel set the native side chose (one of the names it was asked for or detected). */
  isa: Isa | IntegerIsa;
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

/** ms per inference by layer type (every type, 0 where the network has none) and per layer. */
export interface NativeProfile {
  conv: number;
  depthwise: number;
  pointwise: number;
  pool: number;
  classifier: number;
  add: number;
  concat: number;
  logistic: number;
  postprocess: number;
  /** Per layer, in network order: the median over the runs of its ms per inference, and GFLOP/s at that median.
   * The per-type totals above are sums of these medians. */
  layers: { name: string; kind: string; ms: number; gflops: number }[];
}

/** Every method but info/profile/dispose takes the workspace index first (0 .. concurrency - 1). */
export interface NativeModel {
  info(): NativeInfo;
  reserve(workspace: number, batch: number): void;
  /** `layout`: 3/4 channels (RGB/RGBA), or a FrameFormat code with stride, YUV range and background. */
  stageFrame(workspace: number, index: number, data: Uint8Array, width: number, height: number, layout: number | FrameLayout): void;
  /** data: R*R*3 floats, NHWC, or with nchw 3 planes of R*R (the native side transposes while it stages). */
  stageTensor(workspace: number, index: number, data: Float32Array, nchw?: boolean): void;
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
  /** The kernel set a float (`integer` false) or integer model loads with MOBILENET_ISA = `requested` ('' = the best this
   * CPU runs): the native selection itself (an integer set's name means its generation's float set for a float model;
   * a float set's name the best integer set of its generation for an integer model). Throws the Error load() would. */
  selectIsa(requested: string, integer: boolean): string;
  cpuModel(): string;
  /** The bounds native/runtime/graph.h enforces (each equal to the same key of lib/validate.ts LIMITS). */
  limits(): { maxResolution: number; maxClasses: number; maxThreads: number; maxBatch: number; maxConcurrency: number; maxLayers: number };
  /** stretch: the whole frame to R x R (detectors) instead of the centre square. */
  resizeFrame(data: Uint8Array, width: number, height: number, layout: number | FrameLayout, resolution: number, stretch?: boolean): Uint8Array;
  /** Index of the first element of data outside [lo, hi] (NaN included), or -1: the tensor input range check. */
  firstOutside(data: Float32Array, lo: number, hi: number): number;
  /** The build stamp compiled in: `version=<package version> source=<sha256 of the native sources>`. */
  buildStamp: string;
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

// ---- Build stamp: which sources and package version a .node was built from.

/** Precedes the stamp in the binary (native/binding/build_stamp.cc); read from the file before it is loaded. */
const STAMP_MARKER = 'mobilenet-native build stamp: ';

export interface BuildStamp {
  version: string;
  /** sha256 (hex) over the native sources, as sourceHash() computes it. */
  source: string;
}

/** Parses `version=<v> source=<64 hex>`; undefined when the text is not a stamp. */
export function parseBuildStamp(text: string): BuildStamp | undefined {
  const m = /^version=(\S+) source=([0-9a-f]{64})$/.exec(text);
  return m ? { version: m[1], source: m[2] } : undefined;
}

/** The stamp inside a built addon file (any architecture), or undefined when it has none. */
export function readBuildStamp(bytes: Uint8Array): BuildStamp | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = buf.indexOf(STAMP_MARKER, 0, 'latin1');
  if (at < 0) return undefined;
  const start = at + STAMP_MARKER.length;
  const end = buf.indexOf(0, start);
  return parseBuildStamp(buf.toString('latin1', start, end < 0 ? Math.min(buf.length, start + 200) : end));
}

/** Which files the source hash covers; native/build-stamp.cmake selects the same ones. */
const SOURCE_FILE = /\.(cc|cpp|c|h|hpp|inc|S|s)$/;
const NOT_HASHED = ['native/tests/', 'native/toolchains/'];

/**
 * The native sources the addon is built from, relative to `root` with '/' separators, in byte order:
 * CMakeLists.txt and every C/C++ source or header under native/ except native/tests/ and native/toolchains/
 * (test and cross-compile files are not in the package). Empty when `root` has no native/ folder.
 */
export function sourceFiles(root: string): string[] {
  const nativeDir = join(root, 'native');
  if (!existsSync(nativeDir) || !existsSync(join(root, 'CMakeLists.txt'))) return [];
  const files = ['CMakeLists.txt'];
  // Walked by hand: readdirSync's `recursive` option misses entries on some Node 18/20 releases.
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!NOT_HASHED.includes(`${path}/`)) walk(join(dir, entry.name), path);
      } else if (entry.isFile() && SOURCE_FILE.test(entry.name)) files.push(path);
    }
  };
  walk(nativeDir, 'native');
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * sha256 (hex) of the lines `<sha256 of file>  <path>\n` (sha256sum's format) over sourceFiles(root), the
 * value native/build-stamp.cmake compiles into the addon; undefined when `root` holds no native sources.
 */
export function sourceHash(root: string): string | undefined {
  const files = sourceFiles(root);
  if (files.length === 0) return undefined;
  const manifest = files.map((f) => `${createHash('sha256').update(readFileSync(join(root, f))).digest('hex')}  ${f}\n`).join('');
  return createHash('sha256').update(manifest).digest('hex');
}

/**
 * Why a built addon does not match `expected` (undefined when it does). `expected.source` undefined skips the
 * source check (a package folder without native/).
 */
export function stampProblem(stamp: BuildStamp | undefined, expected: { version: string; source?: string }, rebuild = 'npm run build:native'): string | undefined {
  if (!stamp) return 'no mobilenet-native build stamp: not built from this package\'s CMakeLists.txt';
  if (stamp.version !== expected.version) {
    return `built for mobilenet-native ${stamp.version}, this package is ${expected.version}`;
  }
  if (expected.source && stamp.source !== expected.source) {
    return (
      `built from other sources (stamp source=${stamp.source.slice(0, 12)}…, native/ here hashes to ` +
      `${expected.source.slice(0, 12)}…): stale, rebuild it (${rebuild})`
    );
  }
  return undefined;
}

// ---- Platform and prebuild names (prebuildify's layout, which node-gyp-build also reads).

const ELF_MACHINES: Record<number, string> = { 3: 'ia32', 40: 'arm', 62: 'x64', 183: 'arm64' };

/**
 * The newest glibc the release prebuilds may need: expf@GLIBC_2.27 (glibc's current expf, used by the logistic and
 * SSD box decoding); scripts/build-prebuilds.sh binds every other symbol to its baseline version. `npm run package`
 * refuses a prebuild that needs more, so the loader's advice and the README stay true.
 */
export const PREBUILD_GLIBC = '2.27';

/** The highest GLIBC_x.y version an ELF names in its dynamic strings (the glibc it needs at least), or undefined. */
export function glibcNeeded(bytes: Uint8Array): string | undefined {
  let best: number[] | undefined;
  for (const m of Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1').matchAll(/GLIBC_(\d+)\.(\d+)(?:\.(\d+))?\0/g)) {
    const v = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
    if (!best || compareVersions(v, best) > 0) best = v;
  }
  return best && (best[2] ? best.join('.') : `${best[0]}.${best[1]}`);
}

/** Compares dotted versions given as number arrays: negative, 0 or positive. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** The Node arch an ELF image was built for, when it is an ELF image of a known machine. */
export function elfArch(bytes: Uint8Array): string | undefined {
  if (bytes.length < 20 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return undefined;
  return ELF_MACHINES[bytes[18] | (bytes[19] << 8)];
}

export interface Platform {
  platform: string;
  arch: string;
  /** Linux only: 'glibc' when Node reports a glibc runtime, else 'musl'. */
  libc?: 'glibc' | 'musl';
  /** 32-bit ARM only: the ARM architecture version Node was built for (process.config arm_version). */
  armVersion?: number;
}

/** This process's platform, libc and ARM version. */
export function currentPlatform(): Platform {
  const p: Platform = { platform: process.platform, arch: process.arch };
  if (p.platform === 'linux') {
    // glibcVersionRuntime is set exactly when Node runs on glibc (detect-libc's first test too, also without the
    // network section of the report, which can be slow to gather).
    const report = process.report as NodeJS.ProcessReport & { excludeNetwork?: boolean };
    const excludeNetwork = report.excludeNetwork;
    report.excludeNetwork = true;
    try {
      const header = (report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
      p.libc = header?.glibcVersionRuntime ? 'glibc' : 'musl';
    } finally {
      report.excludeNetwork = excludeNetwork;
    }
  }
  if (p.arch === 'arm') p.armVersion = Number((process.config.variables as { arm_version?: string }).arm_version ?? 7);
  return p;
}

/**
 * The prebuild file for a platform, relative to the package root, in prebuildify's naming (tags `napi`, libc,
 * `armv7`): prebuilds/linux-x64/node.napi.glibc.node, prebuilds/linux-arm/node.napi.glibc.armv7.node, …
 * `why` says why no prebuild can fit (32-bit ARM older than ARMv7).
 */
export function prebuildPath(p: Platform): { file?: string; why?: string } {
  const tags = ['node', 'napi'];
  if (p.libc) tags.push(p.libc);
  if (p.arch === 'arm') {
    if ((p.armVersion ?? 7) < 7) {
      return {
        why:
          `this Node is built for ARMv${p.armVersion} (Raspberry Pi Zero/1): the linux-arm prebuild needs ARMv7 ` +
          '(NEON, Pi 2 and later), so the addon must be built from source here',
      };
    }
    tags.push('armv7');
  }
  return { file: ['prebuilds', `${p.platform}-${p.arch}`, `${tags.join('.')}.node`].join('/') };
}

/**
 * Where the loader looks, in order. MOBILENET_NATIVE_BINDING, when set, is the only candidate: a
 * sanitizer or cross build that fails to load must not be silently replaced by another binary.
 * Otherwise a source build in build/Release, then the prebuild for this platform (when one can fit).
 */
export function bindingCandidates(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: Platform = currentPlatform(),
): string[] {
  if (env.MOBILENET_NATIVE_BINDING) return [resolve(env.MOBILENET_NATIVE_BINDING)];
  const prebuild = prebuildPath(platform).file;
  return [join(packageRoot, 'build', 'Release', 'mobilenet_native.node'), ...(prebuild ? [join(packageRoot, prebuild)] : [])];
}

/**
 * Why `file` cannot be this package's addon for this process, judged from its bytes without loading it
 * (undefined: worth a dlopen). `source`: the expected source hash (undefined skips that check).
 */
export function candidateProblem(file: string, expected: { version: string; source?: string }): string | undefined {
  if (!existsSync(file)) return 'not found';
  const bytes = readFileSync(file);
  const arch = elfArch(bytes);
  if (arch && arch !== process.arch) return `built for ${arch}, this Node is ${process.arch}`;
  // A prebuild is remade by the release script (cross-compiled), a source build by cmake-js.
  const prebuilt = /[\\/]prebuilds[\\/]/.test(file);
  return stampProblem(readBuildStamp(bytes), expected, prebuilt ? 'npm run package: it cross-compiles the prebuilds' : 'npm run build:native');
}

let cached: { binding: NativeBinding; file: string } | undefined;

/** The error loadBinding() throws: its message explains; `tried` and `noPrebuild` are the parts, for scripts. */
export class BindingLoadError extends Error {
  constructor(
    message: string,
    /** `<file> (<why it was not used>)` per candidate, in order. */
    readonly tried: string[],
    /** Why no prebuild can fit this platform, when none can. */
    readonly noPrebuild?: string,
  ) {
    super(message);
    this.name = 'Error';
  }
}

/** The addon file loadBinding() loaded, once it has. */
export function loadedBindingPath(): string | undefined {
  return cached?.file;
}

/**
 * Loads the addon: the first candidate (bindingCandidates()) of this machine's architecture whose build stamp
 * matches this package's version and native sources, and that dlopens. Cached after the first success.
 * @throws BindingLoadError naming every candidate and why it was not used, the platform seen, and the fixes.
 */
export function loadBinding(): NativeBinding {
  if (cached) return cached.binding;
  const require = createRequire(join(packageRoot, 'package.json'));
  const platform = currentPlatform();
  const expected = { version: packageVersion, source: sourceHash(packageRoot) };
  const tried: string[] = [];
  for (const file of bindingCandidates(process.env, platform)) {
    const problem = candidateProblem(file, expected);
    if (problem) {
      tried.push(`${file} (${problem})`);
      continue;
    }
    try {
      cached = { binding: require(file) as NativeBinding, file };
      return cached.binding;
    } catch (e) {
      tried.push(`${file} (${(e as Error).message.split('\n')[0]})`);
    }
  }
  const why = prebuildPath(platform).why;
  throw new BindingLoadError(
    [
      `Could not load the mobilenet-native addon for ${platform.platform}-${platform.arch}` +
        `${platform.libc ? ` (${platform.libc})` : ''}${platform.armVersion ? ` ARMv${platform.armVersion}` : ''}, ` +
        `Node ${process.versions.node} (Node-API ${process.versions.napi}).`,
      'Tried:',
      ...tried.map((t) => `  - ${t}`),
      ...(why ? [`No prebuild: ${why}.`] : []),
      'Possible solutions:',
      '  - Build from source: install cmake and a C++17 compiler (Debian/Raspberry Pi OS: sudo apt-get install cmake g++),',
      '    add the build tools beside it (npm install cmake-js node-addon-api), then `npm rebuild mobilenet-native --build-from-source`.',
      `  - Use a platform with prebuilt binaries: linux-x64, linux-arm64 or linux-arm (ARMv7 or later), glibc >= ${PREBUILD_GLIBC}.`,
      '  - Set MOBILENET_NATIVE_BINDING to the path of a mobilenet_native.node built from these sources.',
    ].join('\n'),
    tried,
    why,
  );
}
