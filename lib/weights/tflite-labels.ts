// Labels embedded in a .tflite file: TFLite metadata (Model Maker, the metadata writer) appends a zip
// archive holding the associated files, e.g. labels.txt. This reads the zip's central directory,
// bounds-checked like the flatbuffer reader, and returns the first stored or deflated entry whose
// name contains "label" and ends in .txt. Reference: PKWARE APPNOTE.TXT 4.3 (zip file format).
import { inflateRawSync } from 'node:zlib';
import { parseLabels } from '../labels.js';

const MAX_LABELS_BYTES = 16 << 20;

/** The embedded labels, or undefined when the file carries none. Never throws on a damaged archive. */
export function embeddedLabels(bytes: Uint8Array): string[] | undefined {
  try {
    return readLabels(bytes);
  } catch {
    return undefined; // the model itself is fine; damaged metadata is ignored
  }
}

function readLabels(bytes: Uint8Array): string[] | undefined {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  const need = (pos: number, size: number): void => {
    if (!(pos >= 0 && pos + size <= n)) throw new Error('zip record outside the file');
  };
  // End of central directory: signature 0x06054b50 within the last 22 + 65535 bytes.
  let eocd = -1;
  for (let p = n - 22; p >= Math.max(0, n - 22 - 65535); p--) {
    if (v.getUint32(p, true) === 0x06054b50) { eocd = p; break; }
  }
  if (eocd < 0) return undefined;
  const entries = v.getUint16(eocd + 10, true);
  let p = v.getUint32(eocd + 16, true);
  // The zip is appended to the flatbuffer: offsets are relative to the archive start when the
  // writer did not adjust them. The archive starts where the central directory's size says it ends.
  const cdSize = v.getUint32(eocd + 12, true);
  const shift = eocd - cdSize - p;
  p += shift;
  for (let i = 0; i < entries; i++) {
    need(p, 46);
    if (v.getUint32(p, true) !== 0x02014b50) return undefined;
    const method = v.getUint16(p + 10, true);
    const compressed = v.getUint32(p + 20, true);
    const size = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true), extraLen = v.getUint16(p + 30, true), commentLen = v.getUint16(p + 32, true);
    const local = v.getUint32(p + 42, true) + shift;
    need(p + 46, nameLen);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
    if (!/label/i.test(name) || !/\.txt$/i.test(name) || size > MAX_LABELS_BYTES) continue;
    need(local, 30);
    if (v.getUint32(local, true) !== 0x04034b50) return undefined;
    const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    need(start, compressed);
    const raw = bytes.subarray(start, start + compressed);
    const data = method === 0 ? raw : method === 8 ? inflateRawSync(raw, { maxOutputLength: MAX_LABELS_BYTES }) : undefined;
    if (!data) continue;
    return parseLabels(new TextDecoder().decode(data));
  }
  return undefined;
}
