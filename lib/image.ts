// Every input becomes one of two things the native side takes: a byte frame (any size, any of the
// FrameFormats; the native preprocessing converts the pixels it samples to RGB, crops the center
// square and resizes bilinearly, half-pixel centers) or a ready Float32Array at the model
// resolution (NHWC). Files and encoded bytes are decoded by sharp (EXIF orientation applied,
// transparency composited over the background, shrunk on load when much larger than the model
// needs) or by the BMP reader, when the job is about to run, so all paths share one preprocessing.
import { open } from 'node:fs/promises';
import { isDetached, maxEncodedImageBytes, readFileBounded } from './files.js';
import { loadBinding } from './binding.js';
import { describe, describeFileError, RAW_PIXELS_HINT } from './errors.js';
import type { FileUrl } from './validate.js';
import { bmp24Bgr, decodeBmp, isBmp, readBmpHeader } from './image/bmp.js';

/** Pixel layouts of a frame. `stride` counts bytes per row of the first plane. */
export type PixelFormat = 'rgb' | 'rgba' | 'bgr' | 'bgra' | 'gray' | 'i420' | 'nv12' | 'yuyv';
export const PIXEL_FORMATS: readonly PixelFormat[] = ['rgb', 'rgba', 'bgr', 'bgra', 'gray', 'i420', 'nv12', 'yuyv'];

/**
 * Raw pixels. `format` defaults from `channels` (1 gray, 3 rgb, 4 rgba); a `Uint8ClampedArray`
 * without either is RGBA (`ImageData`). Alpha (rgba, bgra) is composited over the model's
 * `background`. YUV is BT.601: I420 (Y plane, then U and V planes of (stride+1)/2 bytes per row),
 * NV12 (Y plane, then interleaved UV rows, both `stride` bytes per row, at least the width rounded up
 * to even), YUYV (Y0 U Y1 V); `range` 'limited'
 * (video: Y 16..235, the default) or 'full' (JPEG/JFIF, 0..255). `data` holds exactly
 * stride x height bytes per plane (the last row padded too).
 */
export type Frame = FrameFields & ({ channels: 1 | 3 | 4 } | { format: PixelFormat } | { data: Uint8ClampedArray });

/**
 * The fields of a {@link Frame}. A frame names its layout with `channels` or `format`, or is RGBA as
 * `Uint8ClampedArray` data (canvas ImageData); the type asks for one of the three, as the runtime check does.
 */
export interface FrameFields {
  /** Row-major pixels; a Uint8ClampedArray (canvas ImageData) works as is. */
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels?: 1 | 3 | 4;
  format?: PixelFormat;
  stride?: number;
  range?: 'full' | 'limited';
}

/** A Float32Array at the model resolution, NHWC (default) or NCHW, values in the model's input range. */
export interface TensorInput {
  data: Float32Array;
  layout?: 'nhwc' | 'nchw';
}

/** sharp's `.raw().toBuffer({ resolveWithObject: true })` result. */
export interface SharpRaw {
  data: Uint8Array;
  info: { width: number; height: number; channels: number; [key: string]: unknown };
}

/** A `Blob` (or `File`), described structurally so the types need neither the DOM lib nor @types/node. */
export interface BlobLike {
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A Blob, a File, or any object with Blob's `size` and `arrayBuffer()` (what the BlobLike type promises). */
export function isBlobLike(x: unknown): x is BlobLike {
  return (typeof Blob !== 'undefined' && x instanceof Blob) ||
    (typeof x === 'object' && x !== null && typeof (x as BlobLike).size === 'number' && typeof (x as BlobLike).arrayBuffer === 'function');
}

/** An image path or `file:` URL (string or URL object), encoded bytes, a Blob, a frame, sharp's raw output or a tensor. */
export type Input = string | FileUrl | Uint8Array | ArrayBuffer | BlobLike | Frame | SharpRaw | Float32Array | TensorInput;

/** RGB 0..255 under transparent pixels. */
export interface Background { r: number; g: number; b: number }

/** What the native stageFrame takes (native/binding/addon.cc frame_arg). */
export interface NativeFrame {
  data: Uint8Array;
  width: number;
  height: number;
  layout: { format: number; stride: number; fullRange: boolean; bottomUp?: boolean; background: number };
}

export interface DecodeOptions {
  /** Refuse images with more pixels than this (before decoding any). */
  maxInputPixels: number;
  background: Background;
  /** Model resolution: large JPEG/WebP images are shrunk on load to about 2x this. */
  resolution: number;
}

/** 50 megapixels: every phone and Pi camera photo; a decompression bomb of 268 MP is refused. */
export const DEFAULT_MAX_INPUT_PIXELS = 50_000_000;

export function backgroundNumber(b: Background): number {
  return (b.r << 16) | (b.g << 8) | b.b;
}

/** Parses the `background` option: '#rgb', '#rrggbb' or { r, g, b } with 0..255 integers. */
export function parseBackground(v: unknown): Background {
  const expected = "a colour '#rrggbb' or { r, g, b } (integers 0..255)";
  if (typeof v === 'string') {
    const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(v);
    if (!m) throw new RangeError(`Expected ${expected} for background but received ${describe(v)}`);
    const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
    const n = parseInt(hex, 16);
    return { r: n >> 16, g: (n >> 8) & 255, b: n & 255 };
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort().join(',');
    if (keys !== 'b,g,r') throw new RangeError(`Expected ${expected} for background but received an object with keys ${JSON.stringify(Object.keys(o))}`);
    for (const k of ['r', 'g', 'b']) {
      if (!(Number.isInteger(o[k]) && (o[k] as number) >= 0 && (o[k] as number) <= 255)) {
        throw new RangeError(`Expected ${expected} for background but received ${k}: ${describe(o[k])}`);
      }
    }
    return { r: o.r as number, g: o.g as number, b: o.b as number };
  }
  throw new (typeof v === 'object' && v !== null ? RangeError : TypeError)(`Expected ${expected} for background but received ${describe(v)}`);
}

type Sharp = typeof import('sharp');
let sharpModule: Promise<Sharp> | undefined;
function loadSharp(): Promise<Sharp> {
  sharpModule ??= import('sharp').then((m) => (m as unknown as { default: Sharp }).default ?? (m as unknown as Sharp));
  return sharpModule;
}

const OOM = /out of memory|cannot allocate|memory allocation|bad_alloc|ENOMEM|unable to allocate/i;

function tooLarge(what: string, width: number, height: number, limit: number): RangeError {
  return new RangeError(
    `Cannot decode ${what}: it is ${width} x ${height} (${((width * height) / 1e6).toFixed(1)} megapixels), over the limit of ` +
      `${limit} pixels (maxInputPixels); raise load({ maxInputPixels }) to accept it`,
  );
}

/**
 * libvips' error text as one line. sharp passes on libvips' whole error buffer, which also holds what its loaders
 * logged while probing the bytes: the HEIF/AVIF loader's reason comes after eight lines of "source: bad seek to 1024".
 * Those lines go, repeated lines go, the rest is joined with spaces.
 */
export function libvipsSummary(message: string): string {
  const lines = message.replace(/source: bad seek to \d+/g, '').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return [...new Set(lines)].join(' ');
}

/** sharp's metadata().format as people write it ('jpeg' -> JPEG, 'heif' -> HEIF/AVIF). */
function formatName(format: string): string {
  return ({ jpeg: 'JPEG', png: 'PNG', webp: 'WebP', gif: 'GIF', tiff: 'TIFF', heif: 'HEIF/AVIF', svg: 'SVG' } as Record<string, string>)[format] ?? format.toUpperCase();
}

/**
 * The one place a sharp failure becomes this library's error. `size` is the header's width x height once it was
 * read (decoding failed), undefined when reading the header failed.
 */
function sharpError(what: string, e: unknown, size?: { w: number; h: number; limit: number; format?: string | undefined }): Error {
  const msg = libvipsSummary(e instanceof Error ? e.message : String(e));
  if (size) {
    const { w, h, limit, format } = size;
    if (/pixel limit/i.test(msg)) return tooLarge(what, w, h, limit);
    // libheif's own cap (16384 x 16384) reads "Memory allocation error: Security limit exceeded": not out of memory.
    if (/security limit exceeded/i.test(msg)) {
      return new RangeError(`Cannot decode ${what}: it is ${w} x ${h} (${((w * h) / 1e6).toFixed(1)} megapixels), more than its decoder accepts (${msg})`);
    }
    if (OOM.test(msg)) return new Error(`Cannot decode ${what}: out of memory while decoding ${w} x ${h} pixels (${msg})`);
    // The header was read, so the format is one sharp reads: the pixel data is what is broken (a cut-off download,
    // a file still being written by the camera), not the format.
    if (format) return new Error(`Cannot decode ${what}: a damaged or truncated ${formatName(format)} (${w} x ${h}): ${msg}`);
  } else if (OOM.test(msg)) {
    return new Error(`Cannot decode ${what}: out of memory while reading the header (${msg})`);
  } else if (/corrupt header/i.test(msg)) {
    // libvips recognised the format from the first bytes, then the header did not read: cut off, or damaged.
    return new Error(`Cannot decode ${what}: a damaged or truncated image (its header does not read): ${msg}`);
  }
  return new Error(`Cannot decode ${what}: not a supported image (JPEG, PNG, WebP, GIF, TIFF, AVIF, BMP, SVG): ${msg}`);
}

/** Files at least this large have their header read first (PROBE_BYTES of them) before the whole file is. */
const PROBE_FILE_BYTES = 8 << 20;
const PROBE_BYTES = 1 << 20;

/**
 * A large image file over maxInputPixels is refused from its first megabyte, before the whole file is read into
 * memory (a 167 MB 10000 x 10000 PNG cost 174 MB of RSS just to be refused). When the header is not in that first
 * megabyte (a TIFF whose directory is at the end) or does not read, nothing is decided here: the full read and the
 * decoder give their own answer.
 */
async function refuseLargeFile(path: string, what: string, maxInputPixels: number): Promise<void> {
  let head: Uint8Array;
  try {
    const f = await open(path, 'r');
    try {
      if ((await f.stat()).size < PROBE_FILE_BYTES) return;
      head = new Uint8Array(PROBE_BYTES);
      head = head.subarray(0, (await f.read(head, 0, PROBE_BYTES, 0)).bytesRead);
    } finally {
      await f.close();
    }
  } catch {
    return;  // not readable: encodedBytes() says why
  }
  let w = 0, h = 0;
  try {
    if (isBmp(head)) ({ width: w, height: h } = readBmpHeader(head));
    else ({ width: w = 0, height: h = 0 } = await (await loadSharp())(head, { limitInputPixels: false }).metadata());
  } catch {
    return;
  }
  if (w * h > maxInputPixels) throw tooLarge(what, w, h, maxInputPixels);
}

/** Encoded bytes whose buffer was transferred away (postMessage, structuredClone), before the call or during it. */
function detachedInput(what: string): Error {
  return new Error(`Cannot decode ${what}: its buffer was detached (transferred) before the bytes were read; encoded bytes are read when the job runs, so keep them until its promise settles`);
}

/**
 * Encoded bytes of a file, an ArrayBuffer, a Blob or a Uint8Array, read when the job runs. A file (or pipe, or device)
 * is read up to maxEncodedImageBytes(maxInputPixels): beyond that no image under the pixel limit could be.
 */
export async function encodedBytes(source: string | Uint8Array | ArrayBuffer | BlobLike, what: string, maxInputPixels: number): Promise<Uint8Array> {
  if (typeof source === 'string') {
    try {
      return await readFileBounded(source, maxEncodedImageBytes(maxInputPixels));
    } catch (e) {
      // Read first: only a URL that is no file gets this answer (load({ weights }) refuses URLs the same way).
      if (/^https?:\/\//i.test(source) && (e as { code?: string }).code === 'ENOENT') {
        throw new Error(`Cannot read ${what}: it is a URL, and images are read from files or bytes, not downloaded; download it first and pass the file or its bytes`);
      }
      throw new Error(`Cannot read ${what}: ${describeFileError(e)}`);
    }
  }
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) {
    if (isDetached(source)) throw detachedInput(what);
    return new Uint8Array(source);
  }
  const ab: unknown = await source.arrayBuffer();
  if (!(ab instanceof ArrayBuffer)) throw new TypeError(`Expected ${what}'s arrayBuffer() to resolve to an ArrayBuffer but it resolved to ${describe(ab)}`);
  return new Uint8Array(ab);
}

export function describeEncoded(source: string | Uint8Array | ArrayBuffer | BlobLike, name: string): string {
  if (typeof source === 'string') return `image file '${source}'`;
  const size = source instanceof ArrayBuffer || ArrayBuffer.isView(source) ? source.byteLength : source.size;
  return `${name} (encoded image of ${size} bytes)`;
}

/**
 * Decodes an image file or encoded bytes (JPEG, PNG, WebP, GIF, TIFF, AVIF, BMP; SVG rendered by librsvg) into a frame.
 * Throws: RangeError over `maxInputPixels` (from the header, nothing decoded), or over the decoder's own cap (libheif:
 * 16384 x 16384); Error "out of memory" when the decoder cannot allocate; Error "a damaged or truncated JPEG" (PNG...)
 * when the header reads but the pixels do not, "a damaged or truncated image" when the header does not; Error "not a
 * supported image" for anything else it cannot read. Messages are one line (see libvipsSummary).
 */
export async function decodeImage(
  source: string | Uint8Array | ArrayBuffer | BlobLike,
  name = 'input',
  opts: DecodeOptions = { maxInputPixels: DEFAULT_MAX_INPUT_PIXELS, background: { r: 255, g: 255, b: 255 }, resolution: 224 },
): Promise<NativeFrame> {
  const what = describeEncoded(source, name);
  if (typeof source === 'string') await refuseLargeFile(source, what, opts.maxInputPixels);
  const bytes = await encodedBytes(source, what, opts.maxInputPixels);
  if (bytes.length === 0) {
    // Bytes that had a length when the job began and none now were transferred (postMessage, structuredClone) meanwhile.
    if (what !== describeEncoded(source, name) || (ArrayBuffer.isView(source) && isDetached(source.buffer))) throw detachedInput(what);
    throw new Error(`Cannot decode ${what}: it is empty`);
  }
  const background = backgroundNumber(opts.background);
  if (isBmp(bytes)) {
    try {
      const h = readBmpHeader(bytes);
      if (h.width * h.height > opts.maxInputPixels) throw tooLarge(what, h.width, h.height, opts.maxInputPixels);
      const bgr = bmp24Bgr(bytes);
      if (bgr) {
        const { data, width, height, stride, bottomUp } = bgr;
        return { data, width, height, layout: { format: PIXEL_FORMATS.indexOf('bgr'), stride, fullRange: false, bottomUp, background } };
      }
      const img = decodeBmp(bytes);
      return frameOf(img.data, img.width, img.height, img.channels === 4 ? 1 : 0, background);
    } catch (e) {
      if (e instanceof RangeError) throw e;
      if (OOM.test((e as Error).message)) throw new Error(`Cannot decode ${what}: out of memory (${(e as Error).message})`);
      throw new Error(`Cannot decode ${what}: not a readable BMP: ${(e as Error).message}`);
    }
  }
  const sharp = await loadSharp();
  let meta: { width?: number; height?: number; hasAlpha?: boolean; orientation?: number; format?: string };
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    const err = sharpError(what, e);
    // Bytes in no image format are most often a camera's raw pixels handed over without their size.
    if (typeof source !== 'string' && / not a supported image /.test(err.message)) {
      err.message += RAW_PIXELS_HINT;
    }
    throw err;
  }
  const w = meta.width ?? 0, h = meta.height ?? 0;
  if (w * h > opts.maxInputPixels) throw tooLarge(what, w, h, opts.maxInputPixels);
  try {
    let img = sharp(bytes, { failOn: 'error', limitInputPixels: Math.max(1, opts.maxInputPixels) }).rotate(); // honour EXIF orientation
    // Shrink on load: a 12 MP JPEG decodes at 1/4 or 1/8 scale, never at full size. Only when the
    // image's shorter side is over 8x the model resolution (1792 px at 224), so ordinary photos keep
    // the one shared resize and give exactly the pixels TFLite's reference pipeline sees.
    const target = 2 * opts.resolution;
    if (Math.min(w, h) > 4 * target) {
      img = img.resize({ width: target, height: target, fit: 'outside', fastShrinkOnLoad: true });
    }
    if (meta.hasAlpha) img = img.flatten({ background: opts.background });
    const { data, info } = await img.toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width < 1 || info.height < 1) {
      throw new Error(`unexpected decoded layout ${info.width}x${info.height}x${info.channels}`);
    }
    return frameOf(new Uint8Array(data.buffer, data.byteOffset, data.length), info.width, info.height, 0, background);
  } catch (e) {
    throw sharpError(what, e, { w, h, limit: opts.maxInputPixels, format: meta.format });
  }
}

/** Largest frame row, in bytes (1 MiB: 65536 pixels of 16 bytes would be more than any format here has). */
const MAX_STRIDE = 1 << 20;

/**
 * A decoded image (decodeImage) as packed, top-down RGB or RGBA bytes: what detect() hands on as a frame and the
 * CLI draws its boxes on. A 24-bit BMP decodes to the file's own BGR rows (bottom-up, padded): those are copied
 * with the channels swapped; RGB and RGBA decodes are returned as they are.
 */
export function rgbFrame(f: NativeFrame): { data: Uint8Array; width: number; height: number; format: 'rgb' | 'rgba' } {
  const { width, height } = f;
  if (f.layout.format === 0 || f.layout.format === 1) return { data: f.data, width, height, format: f.layout.format === 1 ? 'rgba' : 'rgb' };
  if (f.layout.format !== PIXEL_FORMATS.indexOf('bgr')) throw new Error(`rgbFrame: unexpected decoded format ${PIXEL_FORMATS[f.layout.format]}`);
  const stride = f.layout.stride || width * 3, out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const src = (f.layout.bottomUp ? height - 1 - y : y) * stride;
    for (let i = 0, o = y * width * 3; i < width * 3; i += 3, o += 3) {
      out[o] = f.data[src + i + 2]!;
      out[o + 1] = f.data[src + i + 1]!;
      out[o + 2] = f.data[src + i]!;
    }
  }
  return { data: out, width, height, format: 'rgb' };
}

function frameOf(data: Uint8Array, width: number, height: number, format: number, background: number): NativeFrame {
  return { data, width, height, layout: { format, stride: 0, fullRange: false, background } };
}

/** A frame-shaped object: not a typed array, has `data` (frames, ImageData, sharp's { data, info }). */
export function isFrame(v: unknown): v is Frame | SharpRaw {
  return typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer) && 'data' in v && !isTensorInput(v);
}

/** { data: Float32Array, layout? } */
export function isTensorInput(v: unknown): v is TensorInput {
  return typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && 'data' in v && v.data instanceof Float32Array && !('width' in v);
}

const FRAME_KEYS = ['data', 'width', 'height', 'channels', 'format', 'stride', 'range'];
/** ImageData's own fields besides data/width/height (node-canvas and browsers). */
const IMAGE_DATA_KEYS = ['colorSpace', 'pixelFormat'];

function formatOf(channels: unknown, format: unknown, data: unknown, name: string): PixelFormat {
  if (format !== undefined) {
    if (typeof format !== 'string' || !PIXEL_FORMATS.includes(format as PixelFormat)) {
      throw new (typeof format === 'string' ? RangeError : TypeError)(
        `Expected one of ${PIXEL_FORMATS.map((f) => `'${f}'`).join(', ')} for ${name}.format but received ${describe(format)}`,
      );
    }
    const f = format as PixelFormat;
    const bpp = f === 'rgb' || f === 'bgr' ? 3 : f === 'rgba' || f === 'bgra' ? 4 : f === 'gray' ? 1 : undefined;
    if (channels !== undefined && channels !== bpp) {
      throw new RangeError(`Expected ${name}.channels to be ${bpp ?? 'absent'} for format '${f}' but received ${describe(channels)}`);
    }
    return f;
  }
  if (channels === undefined && data instanceof Uint8ClampedArray) return 'rgba'; // ImageData
  if (channels === 3) return 'rgb';
  if (channels === 4) return 'rgba';
  if (channels === 1) return 'gray';
  const err = typeof channels === 'number' ? RangeError : TypeError;
  throw new err(`Expected 1, 3 or 4 for ${name}.channels (or a format) but received ${describe(channels)}`);
}

/** Bytes per row without padding, and the total length with `stride` (mirrors native frame_check). */
export function frameBytes(format: PixelFormat, width: number, height: number, stride?: number): { minStride: number; length: number } {
  const minStride = format === 'rgb' || format === 'bgr' ? width * 3 : format === 'rgba' || format === 'bgra' ? width * 4
    : format === 'yuyv' ? Math.ceil(width / 2) * 4 : format === 'nv12' ? Math.ceil(width / 2) * 2 : width;
  const s = stride ?? minStride;
  const ch = Math.ceil(height / 2);
  const length = s * height + (format === 'i420' ? 2 * Math.ceil(s / 2) * ch : format === 'nv12' ? s * ch : 0);
  return { minStride, length };
}

/** sharp's { data, info } (a frame has its own width). */
export function isSharpRaw(x: Frame | SharpRaw): x is SharpRaw {
  return 'info' in x && typeof x.info === 'object' && x.info !== null && !('width' in x);
}

/**
 * Validates a frame, ImageData or sharp { data, info } and returns what the native side takes (a
 * view, no copy). Messages name the field, the expectation and what was received.
 */
export function checkFrame(x: Frame | SharpRaw, name: string, background: Background): NativeFrame {
  let f: Frame;
  let fname = name;
  if (isSharpRaw(x)) {
    // sharp's { data, info }: channels 1 (grey), 3, 4; 2 (grey + alpha) has no native layout.
    const info = x.info;
    if (info.channels === 2) {
      throw new RangeError(`Expected ${name}.info.channels 1, 3 or 4 but received 2 (grey + alpha): call sharp's .toColourspace('srgb') before .raw()`);
    }
    // 16-bit samples (`.raw({ depth: 'ushort' })`, a 16-bit PNG or TIFF kept deep) are twice the 8-bit length.
    if (x.data?.length === 2 * info.width * info.height * info.channels) {
      throw new RangeError(`Expected 8-bit samples in ${name}.data but it holds 2 bytes per sample (${info.width} x ${info.height} x ${info.channels} x 2): call sharp's .raw({ depth: 'uchar' })`);
    }
    const extra = Object.keys(x).filter((k) => k !== 'data' && k !== 'info');
    if (extra.length) throw new TypeError(`Unknown field '${extra[0]}' in ${name} (sharp's { data, info })`);
    f = { data: x.data, width: info.width, height: info.height, channels: info.channels as 1 | 3 | 4 };
    fname = `${name}.info`;
  } else {
    f = x as Frame;
    const own = Object.keys(f);
    const isImageData = f.data instanceof Uint8ClampedArray;
    const unknown = own.find((k) => !FRAME_KEYS.includes(k) && !(isImageData && IMAGE_DATA_KEYS.includes(k)));
    if (unknown !== undefined) {
      throw new TypeError(`Unknown field '${unknown}' in ${name}; a frame has ${FRAME_KEYS.join(', ')}`);
    }
  }
  const { data, width, height, channels, format, stride, range } = f as unknown as Record<string, unknown>;
  if (!(data instanceof Uint8Array) && !(data instanceof Uint8ClampedArray)) {
    throw new TypeError(`Expected a Uint8Array for ${name}.data but received ${describe(data)}`);
  }
  for (const [key, v] of [['width', width], ['height', height]] as const) {
    if (typeof v !== 'number') throw new TypeError(`Expected a positive integer for ${fname}.${key} but received ${describe(v)}`);
    if (!Number.isInteger(v) || v < 1 || v > 65536) {
      throw new RangeError(`Expected a positive integer (at most 65536) for ${fname}.${key} but received ${describe(v)}`);
    }
  }
  const fmt = formatOf(channels, format, data, fname);
  const W = width as number, H = height as number;
  const { minStride } = frameBytes(fmt, W, H);
  if (stride !== undefined) {
    // The upper bound is named too: a stride over it was refused as "at least N" though it was more than N.
    const expected = `an integer from ${minStride} to ${MAX_STRIDE}${fmt === 'nv12' ? ', even,' : ''} (bytes per row)`;
    if (typeof stride !== 'number') throw new TypeError(`Expected ${expected} for ${name}.stride but received ${describe(stride)}`);
    if (!Number.isInteger(stride) || stride < minStride || stride > MAX_STRIDE || (fmt === 'nv12' && stride % 2 !== 0)) {
      throw new RangeError(`Expected ${expected} for ${name}.stride but received ${describe(stride)}`);
    }
  }
  if (range !== undefined && range !== 'full' && range !== 'limited') {
    throw new (typeof range === 'string' ? RangeError : TypeError)(`Expected 'full' or 'limited' for ${name}.range but received ${describe(range)}`);
  }
  // Only YUV has a range to choose: on an RGB or gray frame it was ignored (the bytes are used as they are).
  if (range !== undefined && !['i420', 'nv12', 'yuyv'].includes(fmt)) {
    throw new RangeError(`Expected no range for ${name} (a '${fmt}' frame: range applies to the YUV formats i420, nv12 and yuyv) but received range '${range as string}'`);
  }
  const { length } = frameBytes(fmt, W, H, stride as number | undefined);
  if (data.length !== length) {
    const how = fmt === 'rgb' || fmt === 'rgba' || fmt === 'gray' || fmt === 'bgr' || fmt === 'bgra'
      ? stride === undefined ? `${W} x ${H} x ${minStride / W}` : `${stride as number} x ${H}, stride x height`
      : `${fmt} ${W} x ${H}${stride === undefined ? '' : `, stride ${stride as number}`}`;
    if (isDetached(data.buffer)) throw new RangeError(`Expected ${name}.data of length ${length} (${how}) but its buffer was detached (transferred by postMessage or structuredClone)`);
    throw new RangeError(`Expected ${name}.data of length ${length} (${how}) but received length ${data.length}`);
  }
  let bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (fmt === 'rgba' || fmt === 'bgra') bytes = opaqueIfAlphaUnused(bytes, W, H, (stride as number | undefined) ?? W * 4);
  return {
    data: bytes,
    width: W,
    height: H,
    layout: { format: PIXEL_FORMATS.indexOf(fmt), stride: (stride as number | undefined) ?? 0, fullRange: range === 'full', background: backgroundNumber(background) },
  };
}

/**
 * A 4-byte frame whose alpha is 0 everywhere has an unused fourth byte (V4L2 XR24/XB24, DRM XRGB8888; BMP files too,
 * decodeBmp): composited as alpha, every pixel would become the background. Such a frame is returned as a copy with
 * alpha 255; any other is returned as it is, after a scan that stops at the first alpha that is not 0.
 */
function opaqueIfAlphaUnused(data: Uint8Array, width: number, height: number, stride: number): Uint8Array {
  for (let y = 0; y < height; y++) {
    for (let i = y * stride + 3, end = y * stride + width * 4; i < end; i += 4) if (data[i] !== 0) return data;
  }
  const copy = data.slice();
  for (let y = 0; y < height; y++) for (let i = y * stride + 3, end = y * stride + width * 4; i < end; i += 4) copy[i] = 255;
  return copy;
}

/** The model's input range for a float tensor: what bytes 0..255 normalise to. */
export interface InputRange { min: number; max: number; formula: string }

/**
 * Validates a Float32Array (or { data, layout }) at resolution R: length R*R*3, finite values in
 * `range` (a little slack for rounding). Returns the data (a copy when `copy`) and whether it is NCHW: the native
 * side transposes it while staging (stageTensor), since a transpose here into a fresh array held the event loop
 * 3 ms per call (page faults on the new 600 KB array) where staging NHWC took 0.06 ms.
 */
export function checkTensor(x: Float32Array | TensorInput, name: string, R: number, range: InputRange, copy: boolean): { data: Float32Array; nchw: boolean } {
  let data: Float32Array;
  let layout: unknown = 'nhwc';
  if (x instanceof Float32Array) {
    data = x;
  } else {
    const unknown = Object.keys(x).find((k) => k !== 'data' && k !== 'layout');
    if (unknown !== undefined) throw new TypeError(`Unknown field '${unknown}' in ${name}; a tensor input has data, layout`);
    data = x.data;
    layout = x.layout ?? 'nhwc';
    if (layout !== 'nhwc' && layout !== 'nchw') {
      throw new (typeof layout === 'string' ? RangeError : TypeError)(`Expected 'nhwc' or 'nchw' for ${name}.layout but received ${describe(layout)}`);
    }
  }
  const need = R * R * 3;
  if (data.length !== need) {
    throw new RangeError(
      `Expected a Float32Array of length ${need} (${layout === 'nchw' ? `3 x ${R} x ${R}, NCHW` : `${R} x ${R} x 3, NHWC`}) for ${name} but received ${describe(data)}`,
    );
  }
  const slack = (range.max - range.min) * 1e-3;
  const i = loadBinding().firstOutside(data, range.min - slack, range.max + slack);  // native: a JS loop cost up to 0.6 ms
  if (i >= 0) {
    throw new RangeError(
      `Expected values in [${+range.min.toFixed(6)}, ${+range.max.toFixed(6)}] (this model's input: bytes 0..255 as ${range.formula}) for ${name} but ` +
        `found ${data[i]} at index ${i}; pass bytes as a frame { data, width, height, format } to have them normalised`,
    );
  }
  return { data: copy ? data.slice() : data, nchw: layout === 'nchw' };
}
