// A bounded BMP reader (Windows bitmap: what `raspistill -e bmp` and the Coral test images are).
// sharp/libvips cannot read BMP, and the npm BMP decoders (bmp-js, a jimp dependency, and its
// forks bmp-ts, decode-bmp) are small, little-maintained and not hardened against malformed
// headers, so this reads the common layouts itself, under the same fuzz tests as the weight
// readers: every offset is checked against the file before it is read.
//
// Supported: BITMAPINFOHEADER and its V2-V5 extensions (header size 40..124) and the OS/2 core
// header (12); 1/4/8-bit palettes, 16/24/32-bit BI_RGB, 16/32-bit BI_BITFIELDS/ALPHABITFIELDS;
// bottom-up and top-down rows. RLE and embedded JPEG/PNG compression are refused by name.
// Reference: Microsoft, "Bitmap Header Types" (BITMAPINFOHEADER, BITMAPV5HEADER).

export interface BmpHeader {
  width: number;
  height: number;
  bitsPerPixel: number;
  compression: number;
  topDown: boolean;
}

export interface BmpImage {
  /** width x height x channels bytes, RGB or RGBA (alpha only when the file has an alpha mask in use). */
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

const COMPRESSION_NAMES: Record<number, string> = { 0: 'BI_RGB', 1: 'BI_RLE8', 2: 'BI_RLE4', 3: 'BI_BITFIELDS', 4: 'BI_JPEG', 5: 'BI_PNG', 6: 'BI_ALPHABITFIELDS' };

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

class BmpError extends Error {}

function fail(message: string): never {
  throw new BmpError(message);
}

/** Reads the header only (for the pixel limit before any pixel is decoded). Throws Error naming what is wrong. */
export function readBmpHeader(bytes: Uint8Array): BmpHeader & { headerSize: number; dataOffset: number } {
  if (!isBmp(bytes)) fail("not a BMP file (no 'BM' signature)");
  if (bytes.length < 26) fail(`truncated BMP: ${bytes.length} bytes, too short for a header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = v.getUint32(10, true);
  const headerSize = v.getUint32(14, true);
  let width: number, height: number, bitsPerPixel: number, compression = 0;
  if (headerSize === 12) {
    width = v.getUint16(18, true);
    height = v.getInt16(20, true);
    bitsPerPixel = v.getUint16(24, true);
  } else if (headerSize >= 40 && headerSize <= 124) {
    if (bytes.length < 14 + 40) fail(`truncated BMP: ${bytes.length} bytes, too short for a ${headerSize}-byte info header`);
    width = v.getInt32(18, true);
    height = v.getInt32(22, true);
    bitsPerPixel = v.getUint16(28, true);
    compression = v.getUint32(30, true);
  } else {
    fail(`unsupported BMP info header size ${headerSize} (expected 12, or 40 to 124)`);
  }
  const topDown = height < 0;
  height = Math.abs(height);
  if (!(width >= 1 && width <= 65536 && height >= 1 && height <= 65536)) fail(`BMP size ${width} x ${height} is out of range (1..65536)`);
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel)) fail(`unsupported BMP bit depth ${bitsPerPixel} (expected 1, 4, 8, 16, 24 or 32)`);
  if (compression !== 0 && compression !== 3 && compression !== 6) {
    fail(`unsupported BMP compression ${COMPRESSION_NAMES[compression] ?? compression} (only uncompressed and bit-field BMPs are read)`);
  }
  if (compression !== 0 && bitsPerPixel !== 16 && bitsPerPixel !== 32) fail(`BMP bit fields need 16 or 32 bits per pixel, found ${bitsPerPixel}`);
  return { width, height, bitsPerPixel, compression, topDown, headerSize, dataOffset };
}

/** One channel mask: shift and bit count, to scale the field to 0..255. */
function maskOf(mask: number): { shift: number; bits: number } {
  if (mask === 0) return { shift: 0, bits: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while (shift + bits < 32 && ((mask >>> (shift + bits)) & 1) === 1) bits++;
  return { shift, bits };
}

function scaleField(value: number, bits: number): number {
  if (bits >= 8) return value >>> (bits - 8);
  return Math.round((value * 255) / ((1 << bits) - 1));
}

/** Bytes per stored pixel row (padded to 4); throws when the rows run past the file's end (the last row's padding may be missing). */
function pixelRowBytes(bytes: Uint8Array, h: ReturnType<typeof readBmpHeader>): number {
  const { width, height, bitsPerPixel: bpp } = h;
  const rowBytes = Math.ceil((width * bpp) / 32) * 4;
  const need = h.dataOffset + rowBytes * (height - 1) + Math.ceil((width * bpp) / 8);
  if (!(h.dataOffset >= 14 + h.headerSize) || need > bytes.length) {
    fail(`truncated BMP: ${width} x ${height} at ${bpp} bits needs ${need} bytes from pixel offset ${h.dataOffset}, the file has ${bytes.length}`);
  }
  return rowBytes;
}

/**
 * The common camera layout (24-bit BI_RGB, what `raspistill -e bmp` writes) as BGR rows for the native resize to
 * read as a 'bgr' frame: a view of the file's own pixel rows (`stride` bytes apart, `bottomUp` when stored last row
 * first), so a 12 MP photo is neither converted nor copied on the event loop (a per-pixel JS loop blocked it ~125 ms,
 * a row copy ~20 ms on x86). A file whose last row lacks its padding gets packed copied rows instead.
 * Undefined for every other layout (decodeBmp reads those). Throws Error naming what is wrong (a truncated file), as decodeBmp.
 */
export function bmp24Bgr(
  bytes: Uint8Array,
): { data: Uint8Array; width: number; height: number; stride: number; bottomUp: boolean } | undefined {
  const h = readBmpHeader(bytes);
  if (h.bitsPerPixel !== 24 || h.compression !== 0) return undefined;
  const { width, height } = h;
  const rowBytes = pixelRowBytes(bytes, h), packed = width * 3;
  if (h.dataOffset + rowBytes * height <= bytes.length) {
    return { data: bytes.subarray(h.dataOffset, h.dataOffset + rowBytes * height), width, height, stride: rowBytes, bottomUp: !h.topDown };
  }
  const out = new Uint8Array(packed * height);
  for (let y = 0; y < height; y++) {
    const src = h.dataOffset + (h.topDown ? y : height - 1 - y) * rowBytes;
    out.set(bytes.subarray(src, src + packed), y * packed);
  }
  return { data: out, width, height, stride: packed, bottomUp: false };
}

/** Decodes a BMP into RGB (or RGBA when an alpha mask is present and used). Throws Error naming what is wrong. */
export function decodeBmp(bytes: Uint8Array): BmpImage {
  const h = readBmpHeader(bytes);
  const { width, height, bitsPerPixel: bpp } = h;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rowBytes = pixelRowBytes(bytes, h);

  // Palette (1/4/8 bits): BGR0 quads (BGR triples for the OS/2 core header) after the info header.
  let palette: Uint8Array | undefined;
  if (bpp <= 8) {
    const entry = h.headerSize === 12 ? 3 : 4;
    const declared = h.headerSize >= 40 ? v.getUint32(46, true) : 0;
    const count = declared > 0 && declared <= 1 << bpp ? declared : 1 << bpp;
    const start = 14 + h.headerSize;
    const available = Math.floor((h.dataOffset - start) / entry);
    if (available < 1) fail(`BMP palette is missing: ${bpp}-bit pixels but no room for a palette before byte ${h.dataOffset}`);
    const n = Math.min(count, available);
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < n; i++) {
      palette[i * 3] = bytes[start + i * entry + 2]!;
      palette[i * 3 + 1] = bytes[start + i * entry + 1]!;
      palette[i * 3 + 2] = bytes[start + i * entry]!;
    }
  }

  // Channel masks: explicit bit fields (after the 40-byte header, or inside a V2+ header), else the defaults.
  let masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0x00ff0000, 0x0000ff00, 0x000000ff, 0];
  if (h.compression !== 0) {
    const at = 14 + 40;
    const n = h.compression === 6 || h.headerSize >= 56 ? 4 : 3;
    if (at + 4 * n > bytes.length) fail('truncated BMP: bit field masks lie outside the file');
    masks = [0, 1, 2, 3].map((i) => (i < n ? v.getUint32(at + 4 * i, true) : 0));
    if (masks.slice(0, 3).some((m) => m === 0)) fail('BMP bit fields have an empty red, green or blue mask');
  } else if (bpp === 32 && h.headerSize >= 56) {
    // BI_RGB 32-bit: the fourth byte is unused unless a V3+ header declares an alpha mask.
    const alpha = v.getUint32(14 + 52, true);
    if (alpha === 0xff000000) masks[3] = alpha;
  }
  const fields = masks.map(maskOf);
  const hasAlpha = bpp >= 16 && fields[3]!.bits > 0;
  const channels = hasAlpha ? 4 : 3;
  const out = new Uint8Array(width * height * channels);
  // 16/32-bit pixels, read byte by byte (DataView and a per-channel 2 ** bits cost 130 ns a pixel: a 12 MP 32-bit file held
  // the event loop 1.6 s on x86). Whole-byte fields of a 32-bit pixel (BGRX, BGRA: nearly every such file) are copied
  // as bytes; other fields are shifted and masked, and those under 8 bits scaled through a table.
  const byteFields = bpp === 32 && fields.every((f, c) => c >= channels || (f.bits === 8 && f.shift % 8 === 0));
  const [rAt, gAt, bAt, aAt] = fields.map((f) => f.shift >>> 3) as [number, number, number, number];
  const fieldMask = fields.map((f) => (f.bits >= 32 ? -1 : 2 ** f.bits - 1));
  const scale = fields.map((f) => (f.bits > 0 && f.bits < 8 ? Uint8Array.from({ length: 1 << f.bits }, (_, x) => scaleField(x, f.bits)) : undefined));

  for (let y = 0; y < height; y++) {
    const src = h.dataOffset + (h.topDown ? y : height - 1 - y) * rowBytes;
    let o = y * width * channels;
    if (bpp === 24 && h.compression === 0) {
      for (let x = 0; x < width; x++, o += 3) {
        const p = src + x * 3;
        out[o] = bytes[p + 2]!;
        out[o + 1] = bytes[p + 1]!;
        out[o + 2] = bytes[p]!;
      }
    } else if (bpp <= 8) {
      const perByte = 8 / bpp, mask = (1 << bpp) - 1;
      for (let x = 0; x < width; x++, o += 3) {
        const byte = bytes[src + Math.floor(x / perByte)]!;
        const idx = (byte >> (8 - bpp * ((x % perByte) + 1))) & mask;
        out[o] = palette![idx * 3]!;
        out[o + 1] = palette![idx * 3 + 1]!;
        out[o + 2] = palette![idx * 3 + 2]!;
      }
    } else if (byteFields) {
      for (let x = 0, p = src; x < width; x++, o += channels, p += 4) {
        out[o] = bytes[p + rAt]!;
        out[o + 1] = bytes[p + gAt]!;
        out[o + 2] = bytes[p + bAt]!;
        if (channels === 4) out[o + 3] = bytes[p + aAt]!;
      }
    } else {
      for (let x = 0; x < width; x++, o += channels) {
        const p = src + x * (bpp >>> 3);
        const px = bpp === 16 ? bytes[p]! | (bytes[p + 1]! << 8) : (bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24)) >>> 0;
        for (let c = 0; c < channels; c++) {
          const f = fields[c]!;
          if (!f.bits) { out[o + c] = 255; continue; }
          const value = (px >>> f.shift) & fieldMask[c]!;
          out[o + c] = scale[c] ? scale[c]![value]! : value >>> (f.bits - 8);
        }
      }
    }
  }
  // A 32-bit file whose alpha is 0 everywhere was written with an unused fourth byte: opaque.
  if (hasAlpha) {
    let allZero = true;
    for (let i = 3; i < out.length && allZero; i += 4) allZero = out[i] === 0;
    if (allZero) for (let i = 3; i < out.length; i += 4) out[i] = 255;
  }
  return { data: out, width, height, channels };
}

export { BmpError };
