// One validation vocabulary (sharp's lib/is.mjs habit): the limits and the value sets in one place,
// and the checks the API, the CLI and the binding loader share. A check takes the parameter's name as
// the caller's user knows it: 'topK' from classify(), '--top' from the CLI. Messages come from the
// helpers in errors.ts.
import { fileURLToPath } from 'node:url';
import { rangeError, typeError, unknownOptionError } from './errors.js';

/**
 * A `file:` URL object: what `new URL('./model.tflite', import.meta.url)` gives (described structurally, so the
 * types need neither the DOM lib nor @types/node). The API takes one wherever it takes a file path (load()'s weights,
 * head and labels, readWeights(), image inputs), as Node's fs does; a URL of any other protocol is a TypeError. The
 * CLI takes paths.
 */
export interface FileUrl {
  readonly href: string;
  readonly protocol: string;
}

/** A URL object (a WHATWG URL, or anything with string `href` and `protocol`), else undefined. */
export function urlObject(v: unknown): FileUrl | undefined {
  return typeof v === 'object' && v !== null && typeof (v as Partial<FileUrl>).href === 'string' &&
    typeof (v as Partial<FileUrl>).protocol === 'string' ? (v as FileUrl) : undefined;
}

/**
 * The path of a `file:` URL (a URL object with protocol 'file:', or a 'file://…' string); anything else is returned
 * unchanged. Throws TypeError naming `name` for a URL object of another protocol (nothing is downloaded), and for a
 * file: URL that names no local path (a host other than localhost, an encoded '/').
 */
export function pathOfFileUrl<T>(v: T, name: string): T | string {
  const url = urlObject(v);
  if (url && url.protocol !== 'file:') {
    throw new TypeError(`Expected a path or a file: URL for ${name} but received URL ${url.href}: other URLs are not supported; download the file and pass its path`);
  }
  const href = typeof v === 'string' ? (/^file:\/\//i.test(v) ? v : undefined) : url?.href;
  if (href === undefined) return v;
  try {
    return fileURLToPath(href);
  } catch (e) {
    throw new TypeError(`Expected a file: URL of a local file for ${name} but received '${href}': ${(e as Error).message}`);
  }
}

/** Width multipliers with published weights. */
export const ALPHAS = [1.0, 0.75, 0.5, 0.25] as const;
export type Alpha = (typeof ALPHAS)[number];
/** Input resolutions with published weights (the network itself runs at any multiple of 32 in RESOLUTION_LIMITS). */
export const RESOLUTIONS = [224, 192, 160, 128] as const;
/** Kernel sets a build can have; which of them this CPU runs is the binding's supportedIsas(). */
export const ISAS = ['scalar', 'avx2', 'avx512', 'neon'] as const;
export type Isa = (typeof ISAS)[number];
/** Published weight formats. */
export const FORMATS = ['tfjs', 'tflite', 'tflite-quant'] as const;
export type WeightsFormat = (typeof FORMATS)[number];

/**
 * Bounds on what the API accepts. The native runtime enforces the same ones (native/runtime/graph.h
 * `Limits`, exposed as `binding.limits()`; test/hostile.test.ts checks every native key equals the one
 * here). Resolution is also a multiple of 32, at least 32.
 */
export const LIMITS = {
  /** Largest input side (pixels): 2048² × 3 floats = 48 MiB per staged image. */
  maxResolution: 2048,
  maxClasses: 100_000,
  maxThreads: 256,
  /** Inputs in one infer()/classify() call. */
  maxBatch: 4096,
  /** Weights alpha (synthetic and custom weights may use any value in (0, maxAlpha]). */
  maxAlpha: 4,
  maxProfileRuns: 100_000,
  /** Workspaces per model (`load({ concurrency })`). */
  maxConcurrency: 64,
  /** Layers in one layer table (lib/graph.ts). */
  maxLayers: 1024,
} as const;

export const RESOLUTION_EXPECTED = `a multiple of 32 from 32 to ${LIMITS.maxResolution} (e.g. 224, 192, 160, 128)`;

/** Refuses keys outside `allowed`, suggesting the closest one. */
export function checkOptionNames(options: object, allowed: readonly string[], fn: string): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw unknownOptionError(key, fn, allowed);
  }
}

export function checkOptionsObject(options: unknown, fn: string): asserts options is object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw typeError(fn, 'an options object', options);
}

export function checkInteger(name: string, v: unknown, lo: number, hi: number, expected = `an integer between ${lo} and ${hi}`): number {
  if (typeof v !== 'number') throw typeError(name, expected, v);
  if (!Number.isInteger(v) || v < lo || v > hi) throw rangeError(name, expected, v);
  return v;
}

export function checkResolution(v: unknown, name = 'resolution'): number {
  if (typeof v !== 'number') throw typeError(name, RESOLUTION_EXPECTED, v);
  if (!Number.isInteger(v) || v < 32 || v % 32 !== 0 || v > LIMITS.maxResolution) throw rangeError(name, RESOLUTION_EXPECTED, v);
  return v;
}

const ALPHA_EXPECTED = 'a number (0.25, 0.5, 0.75 or 1.0)';

export function checkAlpha(v: unknown, name = 'alpha'): number {
  if (typeof v !== 'number') throw typeError(name, ALPHA_EXPECTED, v);
  if (!(v > 0 && v <= LIMITS.maxAlpha)) throw rangeError(name, ALPHA_EXPECTED, v);
  return v;
}

export function checkThreads(v: unknown, name = 'threads'): number {
  return checkInteger(name, v, 1, LIMITS.maxThreads);
}

export function checkOneOf<T extends string>(name: string, v: unknown, values: readonly T[]): T {
  const expected = `one of ${values.map((x) => `'${x}'`).join(', ')}`;
  if (typeof v !== 'string') throw typeError(name, expected, v);
  if (!values.includes(v as T)) throw rangeError(name, expected, v);
  return v as T;
}

/**
 * A kernel set this build and CPU run. `source` names where the value came from ('isa' option,
 * MOBILENET_ISA, --isa), `supported` is the binding's list for this CPU.
 */
export function checkIsa(v: unknown, source: string, supported: readonly string[]): Isa {
  const expected = `one of ${supported.map((x) => `'${x}'`).join(', ')} (the kernel sets this CPU runs)`;
  if (typeof v !== 'string') throw typeError(source, expected, v);
  if (!supported.includes(v)) {
    const known = (ISAS as readonly string[]).includes(v) ? `; ${v} needs a CPU that has it` : '';
    throw new RangeError(`Expected ${expected} for ${source} but received '${v}'${known}`);
  }
  return v as Isa;
}

/**
 * The download options of load(), resolveWeights() and fetchWeights(): `download` a boolean, `onProgress` a
 * function, `signal` an AbortSignal (anything with `aborted` and `addEventListener`), the timeouts and retries
 * non-negative numbers, `baseUrl` a string. Checked before anything is read or fetched: a wrong type must not
 * pass silently (`download: 'no'` would download) nor fail later inside the downloader.
 */
export function checkNetworkOptions(opts: Readonly<Record<string, unknown>>): void {
  const { download, onProgress, signal, baseUrl } = opts;
  if (download !== undefined && typeof download !== 'boolean') throw typeError('download', 'a boolean', download);
  if (onProgress !== undefined && typeof onProgress !== 'function') throw typeError('onProgress', 'a function', onProgress);
  if (signal !== undefined) {
    const s = signal as { aborted?: unknown; addEventListener?: unknown; removeEventListener?: unknown } | null;
    if (typeof s !== 'object' || s === null || typeof s.aborted !== 'boolean' || typeof s.addEventListener !== 'function' ||
      typeof s.removeEventListener !== 'function') {
      throw typeError('signal', 'an AbortSignal (e.g. AbortSignal.timeout(ms) or new AbortController().signal)', signal);
    }
  }
  if (baseUrl !== undefined && typeof baseUrl !== 'string') throw typeError('baseUrl', 'a URL as a string', baseUrl);
  for (const name of ['timeoutMs', 'totalTimeoutMs', 'retries', 'retryDelayMs'] as const) {
    const v = opts[name];
    if (v === undefined) continue;
    const expected = name === 'retries' ? 'a non-negative integer' : 'a non-negative number (milliseconds)';
    if (typeof v !== 'number') throw typeError(name, expected, v);
    if (!(v >= 0) || (name === 'retries' && !Number.isInteger(v))) throw rangeError(name, expected, v);
  }
}

/** A number written as text (a CLI flag or an environment variable). */
export function parseNumber(name: string, raw: string, expected: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw rangeError(name, expected, raw);
  return n;
}
