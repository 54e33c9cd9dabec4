// Test images: RGB -> YUV (BT.601) and BGR/stride layouts, a BMP writer, PNG chunk editing.
import { deflateSync, inflateSync } from 'node:zlib';

/** BT.601 RGB -> YUV, full (JFIF) or limited (video) range, rounded and clamped. */
export function rgbToYuv(r: number, g: number, b: number, full: boolean): [number, number, number] {
  const y = 0.299 * r + 0.587 * g + 0.114 * b;
  const u = (b - y) / 1.772, v = (r - y) / 1.402;
  const c = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
  return full ? [c(y), c(u + 128), c(v + 128)] : [c(16 + (y * 219) / 255), c(128 + (u * 224) / 255), c(128 + (v * 224) / 255)];
}

/** An RGB image (w x h x 3) as I420, NV12 or YUYV with rows padded to `stride` bytes (first plane). */
export function toYuv(rgb: Uint8Array, w: number, h: number, format: 'i420' | 'nv12' | 'yuyv', full: boolean, stride?: number): Uint8Array {
  const minStride = format === 'yuyv' ? Math.ceil(w / 2) * 4 : format === 'nv12' ? Math.ceil(w / 2) * 2 : w;
  const s = stride ?? minStride;
  const ch = Math.ceil(h / 2), cw = Math.ceil(w / 2);
  const cs = format === 'i420' ? Math.ceil(s / 2) : s;
  const out = new Uint8Array(s * h + (format === 'i420' ? 2 * cs * ch : format === 'nv12' ? cs * ch : 0)).fill(77); // padding garbage
  const px = (x: number, y: number) => rgbToYuv(rgb[(y * w + x) * 3]!, rgb[(y * w + x) * 3 + 1]!, rgb[(y * w + x) * 3 + 2]!, full);
  // Chroma: the top-left pixel of each 2x2 (I420/NV12) or 2x1 (YUYV) block.
  if (format === 'yuyv') {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const [Y, U, V] = px(x, y);
        const o = y * s + Math.floor(x / 2) * 4;
        out[o + (x & 1) * 2] = Y;
        if ((x & 1) === 0) { out[o + 1] = U; out[o + 3] = V; if (x + 1 >= w) out[o + 2] = Y; }
      }
    }
    return out;
  }
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * s + x] = px(x, y)[0];
  const base = s * h;
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const [, U, V] = px(2 * x, 2 * y);
      if (format === 'i420') {
        out[base + y * cs + x] = U;
        out[base + cs * ch + y * cs + x] = V;
      } else {
        out[base + y * cs + 2 * x] = U;
        out[base + y * cs + 2 * x + 1] = V;
      }
    }
  }
  return out;
}

/** Packs RGB pixels into another layout with rows padded to `stride` (padding filled with garbage). */
export function repack(rgb: Uint8Array, w: number, h: number, layout: 'rgb' | 'bgr' | 'rgba' | 'bgra', stride?: number, alpha = 255): Uint8Array {
  const bpp = layout.length;
  const s = stride ?? w * bpp;
  const out = new Uint8Array(s * h);
  for (let i = 0; i < out.length; i++) out[i] = (i * 131 + 17) & 255;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const src = (y * w + x) * 3, dst = y * s + x * bpp;
      const [r, g, b] = [rgb[src]!, rgb[src + 1]!, rgb[src + 2]!];
      if (layout.startsWith('rgb')) { out[dst] = r; out[dst + 2] = b; } else { out[dst] = b; out[dst + 2] = r; }
      out[dst + 1] = g;
      if (bpp === 4) out[dst + 3] = alpha;
    }
  }
  return out;
}

export interface BmpOptions {
  bpp: 1 | 4 | 8 | 16 | 24 | 32;
  topDown?: boolean;
  /** 16/32-bit: BI_BITFIELDS masks [r, g, b, a]. */
  masks?: [number, number, number, number];
  headerSize?: 40 | 108 | 124;
  palette?: [number, number, number][];
}

/** Writes a BMP from RGBA pixels (for palettes: pixels are palette indices in the R byte). */
export function writeBmp(px: Uint8Array, w: number, h: number, o: BmpOptions): Uint8Array {
  const headerSize = o.headerSize ?? 40;
  const bitfields = o.masks !== undefined;
  const maskBytes = bitfields && headerSize === 40 ? 16 : 0;
  const paletteBytes = o.bpp <= 8 ? (o.palette?.length ?? 1 << o.bpp) * 4 : 0;
  const rowBytes = Math.ceil((w * o.bpp) / 32) * 4;
  const offset = 14 + headerSize + maskBytes + paletteBytes;
  const out = new Uint8Array(offset + rowBytes * h);
  const v = new DataView(out.buffer);
  out[0] = 0x42; out[1] = 0x4d;
  v.setUint32(2, out.length, true);
  v.setUint32(10, offset, true);
  v.setUint32(14, headerSize, true);
  v.setInt32(18, w, true);
  v.setInt32(22, o.topDown ? -h : h, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, o.bpp, true);
  v.setUint32(30, bitfields ? 3 : 0, true);
  if (o.bpp <= 8) v.setUint32(46, o.palette?.length ?? 0, true);
  if (bitfields) o.masks!.forEach((m, i) => { if (headerSize > 40 || i < 3 || maskBytes) v.setUint32(54 + 4 * i, m, true); });
  (o.palette ?? []).forEach(([r, g, b], i) => { const p = 14 + headerSize + maskBytes + 4 * i; out[p] = b; out[p + 1] = g; out[p + 2] = r; });
  for (let y = 0; y < h; y++) {
    const row = offset + (o.topDown ? y : h - 1 - y) * rowBytes;
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 4;
      const [r, g, b, a] = [px[s]!, px[s + 1]!, px[s + 2]!, px[s + 3]!];
      if (o.bpp === 24) { out[row + 3 * x] = b; out[row + 3 * x + 1] = g; out[row + 3 * x + 2] = r; }
      else if (o.bpp === 32) {
        const m = o.masks ?? [0xff0000, 0xff00, 0xff, 0];
        const pack = (val: number, mask: number) => { if (!mask) return 0; let sh = 0; while (!((mask >>> sh) & 1)) sh++; return (val << sh) >>> 0; };
        v.setUint32(row + 4 * x, (pack(r, m[0]) | pack(g, m[1]) | pack(b, m[2]) | pack(a, m[3])) >>> 0, true);
      } else if (o.bpp === 16) {
        // 5-6-5 when masks are given, else 5-5-5.
        const v16 = o.masks ? ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3) : ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
        v.setUint16(row + 2 * x, v16, true);
      } else {
        const perByte = 8 / o.bpp;
        out[row + Math.floor(x / perByte)]! |= r << (8 - o.bpp * ((x % perByte) + 1));
      }
    }
  }
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 255]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Rewrites a PNG's chunks: `edit(type, data)` returns new data (CRCs recomputed). */
export function editPng(png: Uint8Array, edit: (type: string, data: Uint8Array) => Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [png.subarray(0, 8)];
  let p = 8;
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  while (p < png.length) {
    const len = v.getUint32(p);
    const type = String.fromCharCode(...png.subarray(p + 4, p + 8));
    const data = edit(type, png.subarray(p + 8, p + 8 + len));
    const chunk = new Uint8Array(12 + data.length);
    const cv = new DataView(chunk.buffer);
    cv.setUint32(0, data.length);
    chunk.set(png.subarray(p + 4, p + 8), 4);
    chunk.set(data, 8);
    cv.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
    parts.push(chunk);
    p += 12 + len;
  }
  return Buffer.concat(parts);
}

export { deflateSync, inflateSync };
