// A FlexBuffers writer for a flat map of scalars (what TFLite custom options hold), for tests and the golden
// script: keys sorted bytewise (readers binary-search them), every value 4 bytes wide (INT / FLOAT / BOOL).
export type FlexScalar = { int: number } | { float: number } | { bool: boolean };

export function writeFlexMap(entries: Record<string, FlexScalar>): Uint8Array {
  const keys = Object.keys(entries).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  const out: number[] = [];
  const align4 = () => { while (out.length % 4) out.push(0); };
  const u32 = (v: number) => { out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff); };
  const keyPos = keys.map((k) => { const p = out.length; out.push(...Buffer.from(k), 0); return p; });
  align4();
  u32(keys.length);
  const keysVec = out.length;
  keyPos.forEach((p, i) => u32(keysVec + 4 * i - p));
  // values vector prefix: keys offset, keys byte width, length
  const prefix = out.length;
  u32(0); u32(4); u32(keys.length);
  const values = out.length;
  out.splice(prefix, 4, ...(() => { const o = values - 12 - keysVec; return [o & 0xff, (o >>> 8) & 0xff, (o >>> 16) & 0xff, (o >>> 24) & 0xff]; })());
  const types: number[] = [];
  const f32 = new DataView(new ArrayBuffer(4));
  for (const k of keys) {
    const e = entries[k]!;
    if ('int' in e) { u32(e.int >>> 0); types.push((1 << 2) | 2); }
    else if ('float' in e) { f32.setFloat32(0, e.float, true); out.push(...new Uint8Array(f32.buffer)); types.push((3 << 2) | 2); }
    else { u32(e.bool ? 1 : 0); types.push((26 << 2) | 0); }
  }
  out.push(...types);
  const root = out.length;
  out.push((root - values) & 0xff); // root offset fits in one byte for small maps; checked below
  if (root - values > 255) throw new Error('writeFlexMap: map too large for a 1-byte root offset');
  out.push((9 << 2) | 2, 1); // MAP of 4-byte values, root byte width 1
  return new Uint8Array(out);
}
