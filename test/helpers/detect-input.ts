// Inputs for the detection goldens (bench/tflite-detect-reference.ts) and the tests that replay them:
// decode an image (BMP here, everything else through the library's sharp decoder), stretch it to the
// detector's square input without cropping (as the TFLite/Coral detection examples do), and hash the bytes
// so a test can tell "the input changed" apart from "the network changed".
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeImage, type Frame } from '../../lib/image.js';

/** Uncompressed 24/32-bit BMP (BITMAPINFOHEADER or later, BI_RGB / BI_BITFIELDS with the usual masks) → RGB. */
export function decodeBmp(bytes: Uint8Array, name = 'bmp'): Frame {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 54 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) throw new Error(`${name}: not a BMP file`);
  const dataOffset = v.getUint32(10, true);
  const width = v.getInt32(18, true);
  const rawHeight = v.getInt32(22, true);
  const bpp = v.getUint16(28, true);
  const compression = v.getUint32(30, true);
  if (!(width > 0 && rawHeight !== 0) || (bpp !== 24 && bpp !== 32) || (compression !== 0 && compression !== 3)) {
    throw new Error(`${name}: unsupported BMP (width ${width}, height ${rawHeight}, ${bpp} bits, compression ${compression}); expected uncompressed 24/32-bit`);
  }
  const height = Math.abs(rawHeight);
  const bottomUp = rawHeight > 0;
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) throw new Error(`${name}: truncated pixel data`);
  const px = bpp / 8;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (bottomUp ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      const s = row + x * px, d = (y * width + x) * 3;
      data[d] = bytes[s + 2]!; data[d + 1] = bytes[s + 1]!; data[d + 2] = bytes[s]!; // BGR(A) → RGB
    }
  }
  return { data, width, height, channels: 3 };
}

/** Decodes a file: BMP by decodeBmp, anything else by the library's decoder (sharp, EXIF orientation applied). */
export async function decodeAny(path: string): Promise<Frame> {
  if (path.toLowerCase().endsWith('.bmp')) return decodeBmp(new Uint8Array(readFileSync(path)), path);
  const f = await decodeImage(path);
  return { data: f.data, width: f.width, height: f.height, channels: f.layout.format === 1 ? 4 : 3 };
}

/**
 * Whole image → size x size x 3 bytes, no crop (aspect ratio not kept), bilinear with half-pixel centers in
 * float64, each axis scaled by its own factor: the reference README's formula with in/out per axis:
 * v = (o + 0.5) * (n / size) - 0.5, lo = max(floor(v), 0), hi = min(ceil(v), n - 1), f = v - floor(v);
 * horizontal then vertical; Math.round, clamped to 0..255.
 */
export function stretchResize(f: Frame, size: number): Uint8Array {
  const { data, width: W, height: H, channels: C } = f;
  const out = new Uint8Array(size * size * 3);
  const taps = (n: number) => Array.from({ length: size }, (_, o) => {
    const v = (o + 0.5) * (n / size) - 0.5;
    const fl = Math.floor(v);
    return { lo: Math.max(fl, 0), hi: Math.min(Math.ceil(v), n - 1), f: v - fl };
  });
  const tx = taps(W), ty = taps(H);
  for (let oy = 0; oy < size; oy++) {
    const { lo: y0, hi: y1, f: fy } = ty[oy]!;
    for (let ox = 0; ox < size; ox++) {
      const { lo: x0, hi: x1, f: fx } = tx[ox]!;
      for (let c = 0; c < 3; c++) {
        const tl = data[(y0 * W + x0) * C + c]!, tr = data[(y0 * W + x1) * C + c]!;
        const bl = data[(y1 * W + x0) * C + c]!, br = data[(y1 * W + x1) * C + c]!;
        const top = tl + (tr - tl) * fx, bottom = bl + (br - bl) * fx;
        out[(oy * size + ox) * 3 + c] = Math.min(255, Math.max(0, Math.round(top + (bottom - top) * fy)));
      }
    }
  }
  return out;
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
