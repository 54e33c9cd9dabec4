// Every input becomes one of two things the native side takes: a byte frame (any size; the
// native preprocessing crops the center square and resizes bilinearly, half-pixel centers) or a
// ready Float32Array at the model resolution. Files and encoded buffers are decoded by sharp
// (EXIF orientation applied) into a frame, so all paths share one preprocessing.
import { readFile } from 'node:fs/promises';
import { describe } from './errors.js';

export interface Frame {
  /** Row-major pixels; a Uint8ClampedArray (canvas ImageData) works as is. */
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 3 | 4;
}

export type Input = string | Uint8Array | Frame | Float32Array;

type Sharp = typeof import('sharp');
let sharpModule: Promise<Sharp> | undefined;
function loadSharp(): Promise<Sharp> {
  sharpModule ??= import('sharp').then((m) => (m as unknown as { default: Sharp }).default ?? (m as unknown as Sharp));
  return sharpModule;
}

/** Decodes an image file or encoded bytes (JPEG, PNG, WebP, GIF, TIFF, AVIF...) into an RGB frame. */
export async function decodeImage(source: string | Uint8Array, name = 'input'): Promise<Frame> {
  let bytes: Uint8Array;
  const what = typeof source === 'string' ? `image file '${source}'` : `${name} (encoded image of ${source.length} bytes)`;
  if (typeof source === 'string') {
    try {
      bytes = await readFile(source);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(`Cannot read ${what}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
    }
  } else {
    bytes = source;
  }
  if (bytes.length === 0) throw new Error(`Cannot decode ${what}: it is empty`);
  const sharp = await loadSharp();
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: 268_402_689 })
      .rotate() // honour EXIF orientation
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width < 1 || info.height < 1) {
      throw new Error(`unexpected decoded layout ${info.width}x${info.height}x${info.channels}`);
    }
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
  } catch (e) {
    throw new Error(`Cannot decode ${what}: not a supported image (JPEG, PNG, WebP, GIF, TIFF, AVIF): ${(e as Error).message}`);
  }
}

export function isFrame(v: unknown): v is Frame {
  return typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && 'data' in v;
}

/** Validates a raw frame; the messages name the field, the expectation and what was received. */
export function checkFrame(f: Frame, name = 'input'): void {
  const { data, width, height, channels } = f as unknown as Record<string, unknown>;
  if (!(data instanceof Uint8Array) && !(data instanceof Uint8ClampedArray)) {
    throw new TypeError(`Expected a Uint8Array for ${name}.data but received ${describe(data)}`);
  }
  for (const [key, v] of [['width', width], ['height', height]] as const) {
    if (typeof v !== 'number') throw new TypeError(`Expected a positive integer for ${name}.${key} but received ${describe(v)}`);
    if (!Number.isInteger(v) || v < 1 || v > 65536) {
      throw new RangeError(`Expected a positive integer (at most 65536) for ${name}.${key} but received ${describe(v)}`);
    }
  }
  if (channels !== 3 && channels !== 4) {
    const err = typeof channels === 'number' ? RangeError : TypeError;
    throw new err(`Expected 3 or 4 for ${name}.channels but received ${describe(channels)}`);
  }
  const need = (width as number) * (height as number) * channels;
  if (data.length !== need) {
    throw new RangeError(
      `Expected ${name}.data of length ${need} (${width as number} x ${height as number} x ${channels}) but received length ${data.length}`,
    );
  }
}
