// load() and the MobileNet model: options validation, weight reading, the per-model job queue
// (up to `concurrency` native jobs at once, one per workspace, started in call order), and result
// shaping (softmax, top-K, labels).
import { availableParallelism } from 'node:os';
import { MAX_TEXT_FILE_BYTES, readTextBounded } from './files.js';
import { loadBinding, toNativeGraph, type NativeModel, type NativeProfile, type OutputArray } from './binding.js';
import { quantizeGraph, type IntegerIsa } from './graph-quant.js';
import { describe, describeFileError, rangeError, typeError, WeightsError } from './errors.js';
import {
  checkFrame, checkTensor, DEFAULT_MAX_INPUT_PIXELS, decodeImage, isBlobLike, isFrame, isSharpRaw, isTensorInput, parseBackground,
  type Background, type BlobLike, type DecodeOptions, type Frame, type Input, type InputRange, type NativeFrame, type SharpRaw, type TensorInput,
} from './image.js';
import { parseLabels } from './labels.js';
import { IMAGENET_LABELS } from './imagenet-labels.js';
import { buildSpec } from './graph.js';
import { COCO_LABELMAP } from './coco-labels.js';
import { floatGraph, graphModelFromBytes, integerGraph, readGraphModel, toDetections, type Detection, type DetectOptions } from './detect.js';
import type { RecognisedModel } from './weights/tflite-graph.js';
import type { QuantNet } from './weights/tflite-quant.js';
import { readWeights } from './weights/index.js';
import { resolveWeights } from './weights/resolve.js';
import type { AbortSignalLike, ProgressCallback } from './weights/network.js';
import {
  checkAlpha, checkInteger, checkIsa, checkNetworkOptions, checkOneOf, checkOptionNames, checkOptionsObject, checkResolution, checkThreads, FORMATS, LIMITS, pathOfFileUrl, RESOLUTION_EXPECTED, type FileUrl, urlObject,
  type Alpha, type Isa, type WeightsFormat,
} from './validate.js';
import type { NetWeights } from './weights/types.js';

export type { Input, Frame, PixelFormat, TensorInput, SharpRaw, Background, BlobLike } from './image.js';
export type { Detection, DetectOptions } from './detect.js';

export interface LoadOptions {
  /**
   * A TF.js layers model directory (model.json + shards), a model.json or a .tflite file (a path or a `file:` URL);
   * the bytes of a .tflite file (Uint8Array or ArrayBuffer); or weights already in memory. Other URLs are refused:
   * fetch the file first (`mobilenet fetch` for the published models) and pass its path.
   */
  weights?: string | FileUrl | Uint8Array | ArrayBuffer | NetWeights;
  /**
   * A .tflite file that continues `weights` (a .tflite path) from its output (Coral's `…_head_layers.tflite` after
   * the `…_embedding_extractor.tflite`): the two run as one classifier. Without it, such a backbone serves embed() only.
   */
  head?: string | FileUrl;
  /** Width multiplier; read from the weights and checked against this when given. */
  alpha?: Alpha;
  /**
   * Input size in pixels, a multiple of 32 from 32 to 2048 (default: what the file declares, else 224). A fixed-input
   * graph (MobileNetV2 and SSD `.tflite` files) takes only its own size (`info.resolution`, SSD: 300).
   */
  resolution?: number;
  /** Worker threads for one inference (default: the number of cores). */
  threads?: number;
  /**
   * Inferences that may run at the same time (default 1), each on its own workspace (activation
   * arena, staged inputs, results, `threads` threads) over one shared copy of the weights. Calls
   * beyond that wait in call order. Concurrent jobs run on the libuv pool (UV_THREADPOOL_SIZE, 4 by default).
   */
  concurrency?: number;
  /**
   * Class names: a file with one label per line (plain, or Teachable Machine's `index name` lines), or
   * an array (default: the labels the model file carries, else the built-in ImageNet labels for
   * 1000-class models, else the class index as a string).
   */
  labels?: string | FileUrl | readonly string[];
  /** Images with more pixels are refused before decoding (default 50,000,000: any phone or Pi camera photo). */
  maxInputPixels?: number;
  /** Colour under transparent pixels (PNG, WebP, GIF, RGBA frames): '#rrggbb' or { r, g, b } (default white). */
  background?: string | Background;
  /** Force a kernel set this CPU runs (default: MOBILENET_ISA, else the best the CPU has). */
  isa?: Isa | IntegerIsa;
  /** Without `weights`: which published format to resolve ('tfjs' | 'tflite' | 'tflite-quant'); other values throw
   * (TypeError / RangeError naming the accepted ones), with `weights` too. With `weights` it must describe them
   * ('tflite' fits any TFLite file), else Error naming their format. */
  format?: WeightsFormat;
  /** Without `weights`: allow downloading into the cache (default true; MOBILENET_OFFLINE=1 disables). */
  download?: boolean;
  /**
   * Arithmetic for quantized (uint8 / int8) files: 'integer' (their default) runs the integer path,
   * bit-exact with TensorFlow Lite 2.2, and `isa` then names an integer kernel set ('scalar',
   * 'avx512vnni', ...); 'float' dequantizes the weights at load and runs float32. 'integer' on float weights throws.
   */
  precision?: 'integer' | 'float';
  /** Without `weights`, when a download happens: bytes so far (the library prints nothing itself). */
  onProgress?: ProgressCallback;
  /** Without `weights`: aborts a download in progress (the promise rejects with a DownloadError 'ABORTED' as cause). */
  signal?: AbortSignalLike;
}

export interface ModelInfo {
  /** What the weights file holds: a MobileNetV1 or V2 classifier, or the SSD-MobileNetV1 detector. */
  architecture: 'mobilenet_v1' | 'mobilenet_v2' | 'ssd_mobilenet_v1';
  alpha: number;
  resolution: number;
  /** Resolution the weights file declares, when it declares one. */
  nativeResolution?: number;
  /** Logits per image (1000, or 1001 for TFLite files whose index 0 is background). */
  classes: number;
  /** Classes classify() ranks (logits minus TFLite's background): the largest topK; 0 for a headless backbone. */
  numClasses: number;
  /** True when logit 0 is TFLite's background class: classify() never reports it and ranks classes − 1. */
  background: boolean;
  /** Width of embed() output: 1024 * alpha. */
  features: number;
  macs: number;
  params: number;
  /** The kernel set that runs: a float one ('scalar' | 'avx2' | 'avx512' | 'neon') or, when dtype is 'uint8' or
   * 'int8', an integer one ('scalar' | 'avx2' | 'avxvnni' | 'avx512vnni' | 'avx512amx' | 'neon' | 'neondot'). */
  isa: Isa | IntegerIsa;
  threads: number;
  /** Workspaces: inferences that may run at once. */
  concurrency: number;
  /** Packed weights + concurrency × workspace (arena, staged inputs, results), in bytes. */
  memoryBytes: number;
  format: NetWeights['format'];
  weights: string;
  quantized: boolean;
  /** Which path runs: 'float32', or the integer scheme of a quantized file ('uint8' per-tensor, 'int8' per-channel). */
  dtype: 'float32' | 'uint8' | 'int8';
  /** Integer path: the logits' quantization, real = scale · (q - zeroPoint) (what infer() dequantizes with). */
  outputQuantization?: { scale: number; zeroPoint: number };
  /** Integer path: the pooled features' quantization, real = scale · (q - zeroPoint) (what embed() dequantizes with). */
  featuresQuantization?: { scale: number; zeroPoint: number };
  cpu: string;
}

export interface Classification {
  /** ImageNet class id 0..999 (TFLite's background-first indices are shifted to match). */
  index: number;
  /** The class name; the index as text when the model has no label for it. */
  label: string;
  probability: number;
}

export interface InferOptions {
  /** Caller-owned result buffer (batch x classes, or batch x features for embed): no allocation per call.
   * A Uint8Array / Int8Array (as info.dtype) with `dequantize: false`. */
  output?: OutputArray;
  /** false (integer models only): return the integer outputs themselves, Uint8Array or Int8Array as info.dtype. */
  dequantize?: boolean;
}

/** InferOptions asking for the integer outputs. */
export type IntegerInferOptions = InferOptions & { dequantize: false };

export interface ClassifyOptions {
  topK?: number;
}

export interface MobileNet {
  readonly info: ModelInfo;
  /** Pre-softmax logits; for an array of inputs, batch x classes in input order. Integer models:
   * dequantized from the integer logits, or those themselves with `dequantize: false`. */
  infer(input: Input | Input[], options: IntegerInferOptions): Promise<Uint8Array | Int8Array>;
  infer(input: Input | Input[], options?: InferOptions): Promise<Float32Array>;
  /** Synchronous inference on a raw frame or a Float32Array (blocks the event loop). Throws Error while an
   * asynchronous call (infer, classify, embed, detect) is queued or running on this model, whatever its `concurrency`:
   * await those first, or use a second model for the synchronous calls. */
  inferSync(input: Frame | SharpRaw | Float32Array | TensorInput | (Frame | SharpRaw | Float32Array | TensorInput)[], options: IntegerInferOptions): Uint8Array | Int8Array;
  inferSync(input: Frame | SharpRaw | Float32Array | TensorInput | (Frame | SharpRaw | Float32Array | TensorInput)[], options?: InferOptions): Float32Array;
  /** Softmax top-K; `options` may be the number K itself, as in tfjs-models (`classify(img, 3)`). */
  classify(input: Input, options?: ClassifyOptions | number): Promise<Classification[]>;
  classify(input: Input[], options?: ClassifyOptions | number): Promise<Classification[][]>;
  classify(input: Input | Input[], options?: ClassifyOptions | number): Promise<Classification[] | Classification[][]>;
  /** The pooled 1024·α features, for transfer learning (integer models: dequantized unless `dequantize: false`). */
  embed(input: Input | Input[], options: IntegerInferOptions): Promise<Uint8Array | Int8Array>;
  embed(input: Input | Input[], options?: InferOptions): Promise<Float32Array>;
  /**
   * Objects in an image (SSD models): class number, label, score and box (pixels of the input image, and
   * normalised), best first, at most `maxResults`, scoring at least `minScore`. Frames are resized whole to the
   * detector's input (no crop). Throws on classifier models.
   */
  detect(input: Input, options?: DetectOptions): Promise<Detection[]>;
  detect(input: Input[], options?: DetectOptions): Promise<Detection[][]>;
  /** Time per layer and per layer type over `runs` synchronous inferences (1 to LIMITS.maxProfileRuns): each layer's
   * median over the runs, ms per inference; a type's time is the sum of its layers' medians. Throws while an
   * asynchronous inference runs on this model. */
  profile(runs?: number): NativeProfile;
  dispose(): void;
  /** The same as dispose(), for `using model = await load(...)`. */
  [Symbol.dispose](): void;
  readonly disposed: boolean;
}

// Symbol.dispose is in Node >= 18.18 / 20.4; TypeScript's own downlevel `using` falls back to this name.
const disposeSymbol: typeof Symbol.dispose = Symbol.dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);

declare global {
  // Declared here (as @types/node does) so the public types compile without lib esnext.disposable.
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

const LOAD_OPTIONS = ['weights', 'alpha', 'resolution', 'threads', 'labels', 'isa', 'format', 'download', 'onProgress', 'signal', 'concurrency', 'precision', 'head', 'maxInputPixels', 'background'] as const;

export { checkResolution };

async function readLabels(labelsOption: string | FileUrl | readonly string[]): Promise<readonly string[]> {
  const labels = pathOfFileUrl(labelsOption, 'labels');
  if (Array.isArray(labels)) {
    const bad = labels.findIndex((l) => typeof l !== 'string');
    if (bad >= 0) throw new TypeError(`Expected an array of strings for labels but labels[${bad}] is ${describe(labels[bad])}`);
    return labels as readonly string[];
  }
  if (typeof labels !== 'string') {
    throw new TypeError(`Expected a file path or an array of strings for labels but received ${describe(labels)}`);
  }
  let text: string;
  try {
    text = await readTextBounded(labels, MAX_TEXT_FILE_BYTES);
  } catch (e) {
    throw new Error(`Cannot read labels file '${labels}': ${describeFileError(e)}`);
  }
  return parseLabels(text);
}

function noClassifier(source: string, fn: string): Error {
  return new Error(`${fn} needs a classifier but ${source} is a headless backbone (no classification layer); use embed() for its features, or load it with its head`);
}

function disposedError(): Error {
  return new Error('This MobileNet model has been disposed; load() a new one');
}

/** Re-throws a rejection with the stack of the user's call site (native errors have none). */
function withCallerStack(e: unknown, caller: Error): never {
  if (e instanceof Error && caller.stack) {
    e.stack = `${e.name}: ${e.message}\n${caller.stack.split('\n').slice(1).join('\n')}`;
  }
  throw e;
}

/** Marks a promise as observed: a decode that fails while its job waits in the queue must reject
 * that job, not raise an unhandled rejection that takes the process down. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

type Staged = { kind: 'tensor'; data: Float32Array; nchw: boolean } | { kind: 'frame'; frame: NativeFrame };
/** Encoded input, decoded only when its job is next (bounded memory, whatever the queue length). */
interface Encoded {
  kind: 'encoded'; source: string | Uint8Array | ArrayBuffer | BlobLike; name: string; decoding?: Promise<Staged>;
  /** Decode options other than the model's (detect(): full size, so that boxes are in the image's own pixels). */
  opts?: DecodeOptions;
  /** The decoded image's width and height, once decoded (detect() scales its boxes to them). */
  size?: [number, number];
}

type Target = 'logits' | 'features' | 'detections';
/** Native output index of each result; -1 when the model has none (a classifier's detections, a detector's logits). */
type Outputs = Record<Target, number>;

/** A copy the caller cannot change (new Uint8Array(): a Buffer's slice() is a view, not a copy). */
function own(s: Staged): Staged {
  return s.kind === 'tensor' ? { kind: 'tensor', data: s.data.slice(), nchw: s.nchw } : { kind: 'frame', frame: { ...s.frame, data: new Uint8Array(s.frame.data) } };
}

interface Job {
  items: (Staged | Encoded)[];
  target: Target;
  output?: OutputArray;
  integer: boolean;
  resolve(v: OutputArray): void;
  reject(e: unknown): void;
}

class MobileNetModel implements MobileNet {
  readonly info: ModelInfo;
  #native: NativeModel | undefined;
  #labels: readonly string[];
  #classOffset: number;
  #queue: Job[] = [];
  /** `output` arrays of calls that have not settled (concurrency > 1): a second call writing the same bytes is refused. */
  #pendingOutputs = new Set<OutputArray>();
  /** Workspaces no job holds; a job takes one from decode to settle. */
  #free: number[];
  #outputs: Outputs;
  #slots: number;
  #decode: DecodeOptions;
  #range: InputRange;

  constructor(
    native: NativeModel, info: ModelInfo, labels: readonly string[], classOffset: number, outputs: Outputs,
    decode: DecodeOptions, range: InputRange, slots = 0,
  ) {
    this.#native = native;
    this.info = info;
    this.#labels = labels;
    this.#classOffset = classOffset;
    this.#outputs = outputs;
    this.#slots = slots;
    this.#free = Array.from({ length: info.concurrency }, (_, i) => info.concurrency - 1 - i);
    this.#decode = decode;
    this.#range = range;
  }

  get #busy(): boolean {
    return this.#free.length < this.info.concurrency;
  }

  get disposed(): boolean {
    return this.#native === undefined;
  }

  #alive(): NativeModel {
    if (!this.#native) throw disposedError();
    return this.#native;
  }

  /** Validates one input synchronously; copies caller-owned bytes when `copy` (a job is queued). Encoded
   * inputs (paths, bytes, Blobs) are kept as they are and decoded when their job is next. */
  #prepare(x: unknown, name: string, copy: boolean, opts?: DecodeOptions): Staged | Encoded {
    const R = this.info.resolution;
    x = pathOfFileUrl(x, name);
    if (typeof x === 'string' || x instanceof ArrayBuffer) return { kind: 'encoded', source: x, name, opts };
    if (x instanceof Float32Array || isTensorInput(x)) {
      return { kind: 'tensor', ...checkTensor(x as Float32Array | TensorInput, name, R, this.#range, copy) };
    }
    if (isFrame(x)) {
      const frame = checkFrame(x, name, this.#decode.background);
      if (!copy) return { kind: 'frame', frame };
      // Queued: keep the crop + resize the native side would compute (R x R RGB bytes), not a full-size
      // copy, so a long queue of camera frames costs R*R*3 bytes each. Staged later as is: same logits.
      const data = loadBinding().resizeFrame(frame.data, frame.width, frame.height, frame.layout, R, this.#outputs.detections >= 0);
      return { kind: 'frame', frame: { data, width: R, height: R, layout: { format: 0, stride: 0, fullRange: false, background: frame.layout.background } } };
    }
    if (x instanceof Uint8Array || isBlobLike(x)) return { kind: 'encoded', source: x, name, opts };
    throw new TypeError(
      `Expected an image path, encoded image bytes (Uint8Array, Buffer, ArrayBuffer, Blob), a frame { data, width, height, format }, ImageData, sharp's { data, info } or a Float32Array for ${name} but received ${describe(x)}`,
    );
  }

  #decodeItem(item: Staged | Encoded): Staged | Promise<Staged> {
    if (item.kind !== 'encoded') return item;
    item.decoding ??= handled(decodeImage(item.source, item.name, item.opts ?? this.#decode).then((frame) => {
      item.size = [frame.width, frame.height];
      return { kind: 'frame', frame };
    }));
    return item.decoding;
  }

  /** Decode-ahead: while every workspace is busy, the next job's images decode (one job ahead, no more). */
  #prefetch(): void {
    if (this.#free.length === 0) this.#queue[0]?.items.forEach((it) => void this.#decodeItem(it));
  }

  #stage(native: NativeModel, ws: number, items: Staged[]): void {
    native.reserve(ws, items.length);
    items.forEach((s, i) => {
      if (s.kind === 'tensor') native.stageTensor(ws, i, s.data, s.nchw);
      else native.stageFrame(ws, i, s.frame.data, s.frame.width, s.frame.height, s.frame.layout);
    });
  }

  #checkOutput(options: InferOptions | undefined, fn: string, per: number, batch: number): { output?: OutputArray; integer: boolean } {
    if (options === undefined) return { integer: false };
    if (typeof options !== 'object' || options === null) throw new TypeError(`Expected an options object for ${fn} but received ${describe(options)}`);
    checkOptionNames(options, ['output', 'dequantize'], fn);
    const dq = options.dequantize;
    if (dq !== undefined && typeof dq !== 'boolean') throw new TypeError(`Expected a boolean for dequantize but received ${describe(dq)}`);
    const integer = dq === false;
    if (integer && this.info.dtype === 'float32') {
      throw new Error(`dequantize: false needs an integer model, but this model runs in float32 (${this.info.quantized ? "loaded with precision: 'float'" : 'float weights'})`);
    }
    const out = options.output;
    if (out === undefined) return { integer };
    const Want = !integer ? Float32Array : this.info.dtype === 'int8' ? Int8Array : Uint8Array;
    if (!(out instanceof Want) || out instanceof Uint8ClampedArray) throw new TypeError(`Expected a ${Want.name} for output but received ${describe(out)}`);
    // Node-API cannot hand the addon a SharedArrayBuffer's memory (it failed with a bare "Invalid argument").
    if (typeof SharedArrayBuffer !== 'undefined' && out.buffer instanceof SharedArrayBuffer) {
      throw new TypeError(`Expected a ${Want.name} over an ArrayBuffer for output but received ${describe(out)} over a SharedArrayBuffer; ` +
        'pass an ordinary one and copy the result into shared memory (e.g. shared.set(result))');
    }
    if (out.length !== per * batch) {
      throw new RangeError(`Expected a ${Want.name} of length ${per * batch} (${batch} x ${per}) for output but received ${describe(out)}`);
    }
    return { output: out, integer };
  }

  #submit(input: unknown, target: Target, options: InferOptions | undefined, fn: string): Promise<OutputArray> {
    return this.#enqueue(input, target, options, fn).settled;
  }

  /** Validates, copies what the caller owns and queues one call; `items` are its inputs as queued (encoded ones
   * learn their decoded size when decoded). `decode`: decode options for its encoded inputs (default the model's). */
  #enqueue(input: unknown, target: Target, options: InferOptions | undefined, fn: string, decode?: DecodeOptions): { settled: Promise<OutputArray>; items: (Staged | Encoded)[] } {
    const native = this.#alive();
    if (this.#outputs[target] < 0) {
      if (target !== 'detections' && this.#outputs.detections < 0) throw noClassifier(this.info.weights, fn);
      const needs = target === 'detections' ? 'a detector (SSD)' : target === 'features' ? 'a classifier or backbone (pooled features)' : 'a classifier';
      throw new Error(`${fn} needs ${needs}; this model is ${this.info.architecture}` +
        (target === 'detections' ? ': use classify() or infer()' : ': use detect()'));
    }
    const list = Array.isArray(input) ? input : [input];
    if (list.length === 0 || list.length > 4096) {
      throw new RangeError(`Expected 1 to 4096 inputs for ${fn} but received ${describe(input)}`);
    }
    const per = target === 'logits' ? this.info.classes : target === 'features' ? this.info.features : this.#slots * 6 + 1;
    const { output, integer } = this.#checkOutput(options, fn, per, list.length);
    if (output && this.info.concurrency > 1) {
      // With concurrency > 1 two runs writing one buffer at once interleave their results (torn rows, no error): refuse
      // the second. With concurrency 1 calls run one after another, each writing the whole buffer in turn.
      const end = output.byteOffset + output.byteLength;
      for (const o of this.#pendingOutputs) {
        if (o.buffer === output.buffer && o.byteOffset < end && output.byteOffset < o.byteOffset + o.byteLength) {
          throw new Error(`Expected an output that no pending call writes, but ${fn}'s output overlaps the output of an earlier call that has not settled; await that call first or pass another buffer`);
        }
      }
    }
    const idle = this.#free.length > 0 && this.#queue.length === 0;
    // Array.from visits holes too (map would skip them and run on stale staged data).
    const items = Array.from(list as unknown[], (x, i) => this.#prepare(x, Array.isArray(input) ? `input[${i}]` : 'input', !idle, decode));
    if (output && this.info.concurrency > 1) this.#pendingOutputs.add(output);
    const settled = new Promise<OutputArray>((resolve, reject) => {
      const job: Job = { items, target, output, integer, resolve, reject };
      if (idle && items.every((s) => s.kind !== 'encoded')) {
        // Stage now, before returning: the caller may reuse its buffer as soon as we return.
        const ws = this.#free.pop()!;
        try {
          this.#stage(native, ws, items as Staged[]);
        } catch (e) {
          this.#free.push(ws);
          throw e;
        }
        this.#start(native, ws, job, items.length);
      } else {
        // Staged later: inputs prepared without a copy (idle, but a file to decode first) must be
        // copied now, as the caller may reuse its buffers once this returns.
        if (idle) job.items = items.map((s) => (s.kind === 'encoded' ? s : own(s)));
        this.#queue.push(job);
        this.#pump();
        this.#prefetch();
      }
    });
    if (output && this.info.concurrency > 1) {
      const release = () => { this.#pendingOutputs.delete(output); };
      settled.then(release, release);
    }
    return { settled, items };
  }

  /** Runs `job` on workspace `ws`, which it holds until the run settles. */
  #start(native: NativeModel, ws: number, job: Job, batch: number): void {
    let run: Promise<OutputArray>;
    try {
      run = native.runAsync(ws, batch, this.#outputs[job.target], job.output, job.integer);
    } catch (e) {
      run = Promise.reject(e);
    }
    run.then(job.resolve, job.reject).finally(() => {
      this.#free.push(ws);
      this.#pump();
    });
  }

  /** Hands free workspaces to queued jobs in call order. */
  #pump(): void {
    while (this.#free.length > 0 && this.#queue.length > 0) {
      const job = this.#queue.shift()!;
      const ws = this.#free.pop()!;
      Promise.all(job.items.map((it) => this.#decodeItem(it))).then(
        (staged) => {
          const native = this.#native;
          if (!native) throw disposedError();
          this.#stage(native, ws, staged);
          this.#start(native, ws, job, staged.length);
          this.#prefetch();
        },
      ).catch((e: unknown) => {
        job.reject(e);
        this.#free.push(ws);
        this.#pump();
      });
    }
  }

  infer(input: Input | Input[], options: IntegerInferOptions): Promise<Uint8Array | Int8Array>;
  infer(input: Input | Input[], options?: InferOptions): Promise<Float32Array>;
  infer(input: Input | Input[], options?: InferOptions): Promise<OutputArray> {
    const caller = new Error();
    try {
      return this.#submit(input, 'logits', options, 'infer()').catch((e) => withCallerStack(e, caller));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  embed(input: Input | Input[], options: IntegerInferOptions): Promise<Uint8Array | Int8Array>;
  embed(input: Input | Input[], options?: InferOptions): Promise<Float32Array>;
  embed(input: Input | Input[], options?: InferOptions): Promise<OutputArray> {
    const caller = new Error();
    try {
      return this.#submit(input, 'features', options, 'embed()').catch((e) => withCallerStack(e, caller));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  inferSync(input: Frame | SharpRaw | Float32Array | TensorInput | (Frame | SharpRaw | Float32Array | TensorInput)[], options: IntegerInferOptions): Uint8Array | Int8Array;
  inferSync(input: Frame | SharpRaw | Float32Array | TensorInput | (Frame | SharpRaw | Float32Array | TensorInput)[], options?: InferOptions): Float32Array;
  inferSync(input: Frame | SharpRaw | Float32Array | TensorInput | (Frame | SharpRaw | Float32Array | TensorInput)[], options?: InferOptions): OutputArray {
    const native = this.#alive();
    if (this.#busy || this.#queue.length > 0) {
      throw new Error('inferSync() cannot run while an asynchronous inference is queued or running on this model');
    }
    if (this.info.classes === 0) throw noClassifier(this.info.weights, 'inferSync()');
    const list = Array.isArray(input) ? input : [input];
    if (list.length === 0 || list.length > 4096) throw new RangeError(`Expected 1 to 4096 inputs for inferSync() but received ${describe(input)}`);
    const items = Array.from(list as unknown[], (x, i) => {
      const staged = this.#prepare(x, Array.isArray(input) ? `input[${i}]` : 'input', false);
      if (staged.kind === 'encoded') {
        throw new TypeError(`inferSync() takes a raw frame { data, width, height, format } or a Float32Array for ${Array.isArray(input) ? `input[${i}]` : 'input'} (image files and encoded bytes need the async infer()) but received ${describe(x)}`);
      }
      return staged;
    });
    const { output, integer } = this.#checkOutput(options, 'inferSync()', this.info.classes, items.length);
    const only = items[0]!;
    const logits = this.#outputs.logits;
    if (logits < 0) {
      if (this.#outputs.detections < 0) throw noClassifier(this.info.weights, 'inferSync()');
      throw new Error(`inferSync() needs a classifier; this model is ${this.info.architecture}: use detect()`);
    }
    if (items.length === 1 && only.kind === 'tensor' && !only.nchw) return native.runSync(0, 1, logits, output, only.data, integer); // no staging copy
    this.#stage(native, 0, items);
    return native.runSync(0, items.length, logits, output, undefined, integer);
  }

  classify(input: Input, options?: ClassifyOptions | number): Promise<Classification[]>;
  classify(input: Input[], options?: ClassifyOptions | number): Promise<Classification[][]>;
  classify(input: Input | Input[], options?: ClassifyOptions | number): Promise<Classification[] | Classification[][]>;
  async classify(input: Input | Input[], options: ClassifyOptions | number = {}): Promise<Classification[] | Classification[][]> {
    const opts = typeof options === 'number' ? { topK: options } : options;
    if (typeof opts !== 'object' || opts === null) throw typeError('classify()', 'an options object or a number (topK)', opts);
    checkOptionNames(opts, ['topK'], 'classify()');
    if (this.info.classes === 0) throw noClassifier(this.info.weights, 'classify()');
    // A detector has classes but no logits: name the call the user made, not the infer() it goes through.
    if (this.#outputs.logits < 0) throw new Error(`classify() needs a classifier; this model is ${this.info.architecture}: use detect()`);
    const real = this.info.classes - this.#classOffset;
    const topK = opts.topK === undefined ? Math.min(5, real) : checkInteger('topK', opts.topK, 1, real);
    const logits = await this.infer(input);
    const C = this.info.classes;
    const results: Classification[][] = [];
    for (let b = 0; b * C < logits.length; b++) {
      results.push(this.#topK(logits.subarray(b * C, (b + 1) * C), topK));
    }
    return Array.isArray(input) ? results : results[0]!;
  }

  /** Softmax over the real classes (background excluded), then the K most probable. */
  #topK(logits: Float32Array, k: number): Classification[] {
    const off = this.#classOffset;
    let max = -Infinity;
    for (let i = off; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
    let sum = 0;
    const p = new Float64Array(logits.length - off);
    for (let i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i + off]! - max);
    const order = Array.from(p.keys()).sort((a, b) => p[b]! - p[a]! || a - b);
    return order.slice(0, k).map((index) => ({ index, label: this.#labels[index]?.trim() || String(index), probability: p[index]! / sum }));
  }

  detect(input: Input, options?: DetectOptions): Promise<Detection[]>;
  detect(input: Input[], options?: DetectOptions): Promise<Detection[][]>;
  detect(input: Input | Input[], options: DetectOptions = {}): Promise<Detection[] | Detection[][]> {
    const caller = new Error();
    try {
      return this.#detect(input, options).catch((e) => withCallerStack(e, caller));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Queues the call before it returns, as infer() does: frames are copied now (the camera may reuse its buffer and its
   * frame object at once) and files are decoded when the job is next (one ahead), not all at the call. */
  #detect(input: Input | Input[], options: DetectOptions): Promise<Detection[] | Detection[][]> {
    if (typeof options !== 'object' || options === null) throw new TypeError(`Expected an options object for detect() but received ${describe(options)}`);
    checkOptionNames(options, ['minScore', 'maxResults'], 'detect()');
    const { minScore = 0.5 } = options;
    if (typeof minScore !== 'number') throw typeError('minScore', 'a number between 0 and 1', minScore);
    if (!(minScore >= 0 && minScore <= 1)) throw rangeError('minScore', 'a number between 0 and 1', minScore);
    const slots = this.#slots;
    const maxResults = options.maxResults === undefined ? slots : checkInteger('maxResults', options.maxResults, 1, 100000);
    const R = this.info.resolution;
    // Boxes are given in the pixels of the frame as it was at the call, or of the decoded image: files and encoded
    // bytes are decoded at full size (no shrink-on-load), so that the boxes are in the image's own pixels.
    const full = { ...this.#decode, resolution: Infinity };
    const { settled, items } = this.#enqueue(input, 'detections', undefined, 'detect()', full);
    const list = Array.isArray(input) ? input : [input];
    const sizes = list.map((x): [number, number] | undefined => {
      if (!isFrame(x)) return undefined;
      const f = x as Frame | SharpRaw;
      return isSharpRaw(f) ? [f.info.width, f.info.height] : [f.width, f.height];
    });
    return settled.then((result) => {
      const out = result as Float32Array; // the postprocess output is float
      const per = slots * 6 + 1;
      const results = items.map((item, b) => {
        const [w, h] = item.kind === 'encoded' ? item.size! : sizes[b] ?? [R, R];
        return toDetections(out.subarray(b * per, (b + 1) * per), slots, w, h, this.#labels, this.#classOffset, minScore, maxResults);
      });
      return Array.isArray(input) ? results : results[0]!;
    });
  }

  profile(runs = 10): NativeProfile {
    const native = this.#alive();
    if (this.#busy) throw new Error('profile() cannot run while an asynchronous inference is running on this model');
    checkInteger('runs', runs, 1, LIMITS.maxProfileRuns);
    return native.profile(runs);
  }

  dispose(): void {
    const native = this.#native;
    if (!native) return;
    this.#native = undefined;
    for (const job of this.#queue.splice(0)) job.reject(disposedError());
    native.dispose(); // a running job keeps the network alive natively and settles normally
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}

/** Reads weights (or resolves them), folds and packs them natively, and warms the model up. */
export async function load(options: LoadOptions = {}): Promise<MobileNet> {
  checkOptionsObject(options, 'load()');
  checkOptionNames(options, LOAD_OPTIONS, 'load()');
  // file: URLs (new URL('./model.tflite', import.meta.url)) name files, as they do for fs: from here on, paths
  // (labels: readLabels). Other URL objects for weights reach weightsFor(), whose refusal names the published models' way in.
  const weightsUrl = urlObject(options.weights);
  if (typeof options.weights === 'string' || weightsUrl?.protocol === 'file:') options = { ...options, weights: pathOfFileUrl(options.weights, 'weights') };
  if (options.head !== undefined) options = { ...options, head: pathOfFileUrl(options.head, 'head') };
  const { alpha, threads, isa, precision } = options;
  if (precision !== undefined && precision !== 'integer' && precision !== 'float') {
    throw new TypeError(`Expected 'integer' or 'float' for precision but received ${describe(precision)}`);
  }
  if (alpha !== undefined) checkAlpha(alpha);
  // A fixed-input graph (SSD: 300) takes its own size; every other model a multiple of 32 (checked below).
  if (options.resolution !== undefined) checkInteger('resolution', options.resolution, 1, LIMITS.maxResolution, RESOLUTION_EXPECTED);
  // Checked here, not only by the resolver: with `weights` it is never consulted, and a typo must not pass silently.
  if (options.format !== undefined) checkOneOf('format', options.format, FORMATS);
  checkNetworkOptions(options as Record<string, unknown>);
  const nThreads = threads === undefined ? availableParallelism() : checkThreads(threads);
  const concurrency = options.concurrency === undefined ? 1 : checkInteger('concurrency', options.concurrency, 1, LIMITS.maxConcurrency);
  const binding = loadBinding();
  const isaSource = isa !== undefined ? 'isa' : 'MOBILENET_ISA';
  const isaValue = isa ?? process.env.MOBILENET_ISA;
  // Float kernel sets, or integer ones for quantized files (checked against the file's path natively).
  if (isaValue !== undefined && isaValue !== '') checkIsa(isaValue, isaSource, [...new Set([...binding.supportedIsas(), ...binding.supportedQIsas()])]);

  if (options.head !== undefined && typeof options.head !== 'string') {
    throw new TypeError(`Expected a file path for head (with a file path for weights) but received ${describe(options.head)}`);
  }
  // The head was fine: what is missing is the backbone it continues (the message named the head's own path).
  if (options.head !== undefined && typeof options.weights !== 'string') {
    throw new TypeError(`Expected a .tflite file path for weights with head (the backbone the head continues, e.g. Coral's …_embedding_extractor.tflite) but received ${describe(options.weights)}`);
  }
  const wv = options.weights;
  const graphModel = typeof wv === 'string' ? await readGraphModel(wv, options.head)
    : wv instanceof Uint8Array ? graphModelFromBytes(wv, 'weights (bytes)')
    : wv instanceof ArrayBuffer ? graphModelFromBytes(new Uint8Array(wv), 'weights (bytes)') : undefined;
  if (graphModel) {
    checkFormatMatches(options.format, graphModel.quantized ? 'tflite-quant' : 'tflite', graphModel.source);
    return loadGraphModel(graphModel, options, nThreads, concurrency);
  }
  if (options.resolution !== undefined) checkResolution(options.resolution);
  const w = await weightsFor(options);
  if (options.weights !== undefined) checkFormatMatches(options.format, w.format === 'tflite' && w.quantized ? 'tflite-quant' : w.format, w.source);
  checkFinite(w);
  if (alpha !== undefined && Math.abs(alpha - w.alpha) > 1e-9) {
    throw new Error(`Expected weights of alpha ${alpha} (the alpha option) but ${w.source} has alpha ${w.alpha}`);
  }
  const resolution = options.resolution ?? (w.resolution && w.resolution % 32 === 0 ? w.resolution : 224);
  if (w.head?.flatten && resolution !== w.resolution) {
    // A Flatten head's first Dense layer takes exactly the map of the resolution it was trained at.
    throw new RangeError(`Expected resolution ${w.resolution} for ${w.source} (its Dense head reads the flattened ${w.resolution}x${w.resolution} feature map) but received ${resolution}`);
  }
  const maxInputPixels = options.maxInputPixels === undefined
    ? DEFAULT_MAX_INPUT_PIXELS
    : checkInteger('maxInputPixels', options.maxInputPixels, 1, Number.MAX_SAFE_INTEGER, 'a positive integer (pixels)');
  const background = options.background === undefined ? { r: 255, g: 255, b: 255 } : parseBackground(options.background);
  const real = w.classes - w.classOffset;
  // Default labels: the file's own, else ImageNet's for a 1000-class model, else the index as a string.
  const labels = options.labels !== undefined ? await readLabels(options.labels)
    : w.labels ?? (real === 1000 ? IMAGENET_LABELS : Array.from({ length: real }, (_, i) => String(i)));
  if (labels.length !== real && labels.length !== w.classes) {
    throw new RangeError(`Expected ${real} labels (one per class) for labels but received ${labels.length}`);
  }
  const spec = buildSpec(w.alpha, resolution, w.classes, w.head);
  if (w.layers.length !== spec.layers.length) {
    throw new WeightsError(w.source, `expected ${spec.layers.length} layers of weights but received ${w.layers.length}`);
  }
  if (precision === 'integer' && !w.quant) {
    throw new Error(`precision: 'integer' needs a quantized (uint8 or int8) file, but ${w.source} holds float weights`);
  }
  if (precision !== 'float' && w.quantError) {
    throw new Error(`${w.quantError} (so its integer form cannot run; precision: 'float' runs it dequantized)`);
  }
  const quant = precision !== 'float' ? w.quant : undefined;
  checkIsaKind(isaValue, isaSource, quant !== undefined, w.source);
  const native = new binding.NativeModel({
    graph: quant ? toNativeGraph(quantizeGraph(spec.graph, quant), w.layers, quant) : toNativeGraph(spec.graph, w.layers),
    threads: nThreads,
    concurrency,
    normalization: w.normalization,
    ...(w.inputQuantization ? { inputScale: w.inputQuantization.scale, inputZeroPoint: w.inputQuantization.zeroPoint } : {}),
    isa: isaValue ?? '',
    isaSource,
  });
  const ni = native.info();
  const outputs = { logits: ni.outputs.findIndex((o) => o.name === 'logits'), features: ni.outputs.findIndex((o) => o.name === 'features'), detections: -1 };
  const info: ModelInfo = {
    architecture: 'mobilenet_v1',
    alpha: w.alpha,
    resolution,
    nativeResolution: w.resolution,
    classes: w.classes,
    numClasses: real,
    background: w.classOffset > 0,
    features: spec.features,
    macs: spec.macs,
    params: spec.params,
    isa: ni.isa,
    threads: ni.threads,
    concurrency: ni.concurrency,
    memoryBytes: ni.memoryBytes,
    format: w.format,
    weights: w.source,
    quantized: w.quantized ?? false,
    dtype: ni.dtype,
    ...(quant ? { outputQuantization: { scale: quant.output.scale, zeroPoint: quant.output.zeroPoint } } : {}),
    ...(quant ? { featuresQuantization: { scale: quant.pool.scale, zeroPoint: quant.pool.zeroPoint } } : {}),
    cpu: ni.cpu,
  };
  // Labels aligned to ImageNet class ids (a 1001-line list starts with background).
  const aligned = labels.length === w.classes && w.classOffset > 0 ? labels.slice(w.classOffset) : labels;
  const model = new MobileNetModel(native, Object.freeze(info), aligned, w.classOffset, outputs, { maxInputPixels, background, resolution }, inputRange(w));
  // Warm-up: first-touch every arena and the packed weights so the first real frame is not slow
  // (the logits when there are any: they need every layer).
  const zeros = new Float32Array(resolution * resolution * 3);
  const warm = outputs.logits >= 0 ? outputs.logits : outputs.features;
  for (let ws = 0; ws < concurrency; ws++) native.runSync(ws, 1, warm, undefined, zeros);
  return model;
}

/**
 * An integer kernel set's name (avx512vnni) in the `isa` option of a model that runs in float32 is refused with a
 * RangeError that says so, rather than the native "not a kernel set of this build". (A float set's name on an integer
 * model picks that generation's integer set.) Named by MOBILENET_ISA, which applies to every model of the process, it
 * means the float set of its family (native: float_isa_for), as a float set there means an integer set for a
 * quantized model.
 */
function checkIsaKind(isa: string | undefined, source: string, integer: boolean, file: string): void {
  if (integer || !isa || source === 'MOBILENET_ISA') return;
  const b = loadBinding();
  const float = b.supportedIsas();
  if (float.includes(isa) || !b.supportedQIsas().includes(isa)) return;
  throw new RangeError(`Expected one of ${float.map((x) => `'${x}'`).join(', ')} (the float kernel sets this CPU runs) for ${source} but received ` +
    `'${isa}', an integer kernel set: ${file} runs in float32 (integer sets apply to uint8/int8 .tflite files)`);
}

/** What bytes 0..255 normalise to: the range a Float32Array input must stay in. */
function inputRange(w: NetWeights): InputRange {
  switch (w.normalization) {
    case 'tfjs': return { min: -1, max: 1, formula: 'x / 127.5 - 1' };
    case 'tflite': return { min: -1, max: 1, formula: '(x - 127.5) / 127.5' };
    case 'tflite-uint8': return { min: -1, max: 127 / 128, formula: '(x - 128) / 128' };
    case 'quantized': {
      const { scale, zeroPoint } = w.inputQuantization!;
      return { min: scale * (0 - zeroPoint), max: scale * (255 - zeroPoint), formula: `${scale} * (x - ${zeroPoint})` };
    }
  }
}

/** MobileNetV2 and SSD files (lib/weights/tflite-graph.ts): their own layer table, weights dequantized to float. */
async function loadGraphModel(m: RecognisedModel, options: LoadOptions, threads: number, concurrency: number): Promise<MobileNet> {
  // uint8 files run in integers (bit-exact with TFLite 2.2) when every layer has an integer kernel here (MobileNetV2,
  // SSD); precision: 'float' runs them dequantized.
  const integer = options.precision !== 'float' && m.integer !== undefined;
  if (options.precision === 'integer' && !integer) {
    throw new Error(`precision: 'integer' is not available for ${m.architecture} files yet (${m.source}); it runs in float (weights dequantized): leave precision unset or 'float'`);
  }
  if (options.alpha !== undefined && Math.abs(options.alpha - (m.alpha ?? NaN)) > 1e-9) {
    throw new Error(`Expected weights of alpha ${options.alpha} (the alpha option) but ${m.source} has alpha ${m.alpha}`);
  }
  if (options.resolution !== undefined && options.resolution !== m.resolution) {
    throw new Error(`Expected weights of resolution ${options.resolution} (the resolution option) but ${m.source} is a graph of fixed input ${m.resolution} (${m.architecture})`);
  }
  const detector = m.architecture === 'ssd_mobilenet_v1';
  // Built-in names: COCO for the detector, ImageNet for 1000 real classes; a custom head without `labels` has none.
  const realClasses = detector ? m.classes : m.classes - m.classOffset;
  const labels = options.labels !== undefined ? await readLabels(options.labels) : detector ? COCO_LABELMAP : realClasses === 1000 ? IMAGENET_LABELS : [];
  // Real classes (no background) and the count with the background line (detector: labelmap.txt's '???').
  const real = detector ? m.classes : m.classes - m.classOffset;
  const full = detector ? m.classes + m.classOffset : m.classes;
  if (labels.length !== 0 && labels.length !== real && labels.length !== full) {
    throw new RangeError(`Expected ${real} labels (one per class) for labels but received ${labels.length}`);
  }
  const normalization = m.graph.input.dtype === 'uint8' ? 'tflite-uint8' : 'tflite';
  const isaSource = options.isa !== undefined ? 'isa' : 'MOBILENET_ISA';
  checkIsaKind(options.isa ?? process.env.MOBILENET_ISA, isaSource, integer, m.source);
  const binding = loadBinding();
  const native = new binding.NativeModel({
    graph: integer ? toNativeGraph(integerGraph(m), m.weights, { layers: m.integer!.layers } as unknown as QuantNet) : toNativeGraph(floatGraph(m.graph), m.weights),
    threads, concurrency, normalization,
    isa: options.isa ?? process.env.MOBILENET_ISA ?? '',
    isaSource,
    resize: detector ? 'stretch' : 'crop',
  });
  const ni = native.info();
  const find = (name: string) => ni.outputs.findIndex((o) => o.name === name);
  const outputs: Outputs = { logits: find('logits'), features: find('features'), detections: find('detections') };
  const slots = m.detection ? m.detection.options.max_detections * m.detection.options.max_classes_per_detection : 0;
  const info: ModelInfo = {
    architecture: m.architecture,
    background: !detector && m.classOffset > 0,
    alpha: m.alpha ?? 1,
    resolution: m.resolution,
    nativeResolution: m.resolution,
    classes: m.classes,
    features: outputs.features >= 0 ? ni.outputs[outputs.features]!.length : 0,
    macs: m.graph.layers.reduce((s, l) => s + l.macs, 0),
    params: m.graph.layers.reduce((s, l) => s + l.params, 0),
    isa: ni.isa, threads: ni.threads, concurrency: ni.concurrency, memoryBytes: ni.memoryBytes,
    format: 'tflite', weights: m.source, quantized: m.quantized, cpu: ni.cpu, dtype: integer ? 'uint8' : 'float32',
    numClasses: real,
  };
  // Integer models: the logits' and the features' quantization, what infer() and embed() dequantize with (as for V1).
  // Graph tensor t is layer t - 1's output.
  const outputQ = (name: string) => {
    const o = m.graph.outputs.find((g) => g.name === name);
    const q = integer && o ? m.graph.layers[o.tensor - 1]?.quantization : undefined;
    return q && q.scale.length === 1 ? { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]! } : undefined;
  };
  const logitsQ = outputQ('logits'), featuresQ = outputQ('features');
  if (logitsQ) info.outputQuantization = logitsQ;
  if (featuresQ) info.featuresQuantization = featuresQ;
  // Classifiers: labels aligned to class ids without background (as for V1). Detectors: class k is labels[k + offset].
  const aligned = detector ? labels : labels.length === m.classes && m.classOffset > 0 ? labels.slice(m.classOffset) : labels;
  const labelOffset = detector ? (labels.length === real ? 0 : m.classOffset) : m.classOffset;
  const maxInputPixels = options.maxInputPixels === undefined
    ? DEFAULT_MAX_INPUT_PIXELS
    : checkInteger('maxInputPixels', options.maxInputPixels, 1, Number.MAX_SAFE_INTEGER, 'a positive integer (pixels)');
  const background = options.background === undefined ? { r: 255, g: 255, b: 255 } : parseBackground(options.background);
  const range = inputRange({ normalization } as NetWeights);
  const model = new MobileNetModel(native, Object.freeze(info), aligned, labelOffset, outputs, { maxInputPixels, background, resolution: m.resolution }, range, slots);
  const zeros = new Float32Array(m.resolution * m.resolution * 3);
  const warm = detector ? outputs.detections : outputs.logits >= 0 ? outputs.logits : outputs.features;
  for (let ws = 0; ws < concurrency; ws++) native.runSync(ws, 1, warm, undefined, zeros);
  return model;
}

/** A flipped exponent bit makes Infinity or NaN: refuse such weights instead of producing NaN logits. */
function checkFinite(w: NetWeights): void {
  const names = buildSpec(w.alpha, 224, w.classes, w.head).layers.map((l) => l.name);
  w.layers.forEach((l, i) => {
    // Hand-built NetWeights: name the layer and the part, rather than fail reading a property of null.
    const where = `weights.layers[${i}]${names[i] ? ` (${names[i]})` : ''}`;
    if (typeof l !== 'object' || l === null) throw new TypeError(`Expected an object { kernel, bias?, bn? } for ${where} but received ${describe(l)}`);
    if (l.bn !== undefined && (typeof l.bn !== 'object' || l.bn === null)) {
      throw new TypeError(`Expected { gamma, beta, mean, variance, epsilon } for ${where}.bn but received ${describe(l.bn)}`);
    }
    const parts: [string, string, unknown][] = [
      ['kernel', 'kernel', l.kernel], ['bias', 'bias', l.bias], ['gamma', 'bn.gamma', l.bn?.gamma], ['beta', 'bn.beta', l.bn?.beta],
      ['moving_mean', 'bn.mean', l.bn?.mean], ['moving_variance', 'bn.variance', l.bn?.variance],
    ];
    for (const [part, field, v] of parts) {
      const required = field === 'kernel' || (l.bn !== undefined && field.startsWith('bn.'));
      if (v === undefined && !required) continue;
      if (!(v instanceof Float32Array)) throw new TypeError(`Expected a Float32Array for ${where}.${field} but received ${describe(v)}`);
      const a = v;
      for (let j = 0; j < a.length; j++) {
        if (!Number.isFinite(a[j]!)) {
          throw new WeightsError(w.source, `expected finite weights but ${names[i] ?? `layer ${i}`}/${part}[${j}] is ${a[j]}`);
        }
      }
    }
    if (l.bn && (l.bn.variance.some((v) => v < 0) || !(l.bn.epsilon >= 0))) {
      throw new WeightsError(w.source, `expected non-negative variances and epsilon in ${names[i] ?? `layer ${i}`}_bn`);
    }
  });
}

/**
 * `format` given with `weights` must describe them ('tflite' any TFLite file, 'tflite-quant' a quantized one):
 * it only steers the resolver, so a contradicting value is a mistake to name, not to ignore.
 * @throws Error naming the format the weights have.
 */
function checkFormatMatches(format: WeightsFormat | undefined, actual: WeightsFormat | 'synthetic', source: string): void {
  if (format === undefined || format === actual || (format === 'tflite' && actual === 'tflite-quant')) return;
  const what = actual === 'tfjs' ? 'TF.js weights' : actual === 'synthetic' ? 'weights given as an object' : actual === 'tflite' ? 'a float TFLite file' : 'a quantized TFLite file';
  throw new Error(
    `Expected weights in format '${format}' (the format option) but ${source} is ${what}` +
      (actual === 'synthetic' ? '' : ` (format '${actual}')`) + '; format only chooses what the resolver looks for: leave it out with weights',
  );
}

async function weightsFor(options: LoadOptions): Promise<NetWeights> {
  const { weights } = options;
  if (weights === undefined) {
    // Offline-first: MOBILENET_WEIGHTS, then the cache, then the official download.
    const found = await resolveWeights({
      alpha: options.alpha,
      resolution: options.resolution,
      format: options.format,
      download: options.download,
      onProgress: options.onProgress,
      signal: options.signal,
    });
    return readWeights(found.path);
  }
  const expected = 'a path, the bytes of a .tflite file (Uint8Array or ArrayBuffer) or NetWeights';
  if ((typeof weights === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(weights)) || weights instanceof URL) {
    throw new TypeError(
      `Expected ${expected} for weights but received ${describe(weights)}: URLs are not supported; download the file and pass its path ` +
        `(for the published models, \`mobilenet fetch --alpha A --resolution R\` puts them in the cache and load({ alpha, resolution }) finds them)`,
    );
  }
  if (typeof weights === 'string') {
    if (weights.length === 0) throw typeError('weights', 'a path', weights);
    return readWeights(weights);
  }
  if (weights instanceof Uint8Array || weights instanceof ArrayBuffer) {
    if (weights.byteLength === 0) throw typeError('weights', expected, weights);
    return readWeights(weights);
  }
  if (typeof weights === 'object' && weights !== null && Array.isArray((weights as NetWeights).layers)) {
    const w = weights as NetWeights;
    const ok =
      typeof w.alpha === 'number' && w.alpha > 0 && w.alpha <= LIMITS.maxAlpha &&
      Number.isInteger(w.classes) && w.classes >= 0 && w.classes <= LIMITS.maxClasses &&
      (w.classOffset === 0 || (w.classOffset === 1 && w.classes > 1)) &&
      (['tfjs', 'tflite', 'tflite-uint8'].includes(w.normalization) ||
        (w.normalization === 'quantized' && w.inputQuantization !== undefined && w.inputQuantization.scale > 0 &&
          Number.isInteger(w.inputQuantization.zeroPoint) && w.inputQuantization.zeroPoint >= 0 && w.inputQuantization.zeroPoint <= 255));
    if (!ok) {
      throw new TypeError(
        `Expected NetWeights with alpha in (0, 4], integer classes, classOffset 0 or 1 and a known normalization for weights but received alpha ${describe(w.alpha)}, classes ${describe(w.classes)}, classOffset ${describe(w.classOffset)}, normalization ${describe(w.normalization)}`,
      );
    }
    return w;
  }
  throw typeError('weights', expected, weights);
}
