// A FlexBuffers reader for the one place TFLite uses them: a CUSTOM operator's custom_options (e.g. the
// TFLite_Detection_PostProcess map of max_detections, nms_iou_threshold, y_scale...).
//
// Format (flatbuffers/flexbuffers.h): the root sits at the END of the buffer: last byte = root byte width,
// the byte before = root packed type ((type << 2) | bit width), before that the root value. A MAP's value is
// an offset (back from where it is stored) to its values vector; before the values lie the vector length,
// the keys' byte width and the offset to the keys vector; after the values, one packed type byte each.
// Every read is bounds-checked, offsets may only point backwards (as the format requires), so corrupt bytes
// throw WeightsError naming the key and byte, never loop or read outside the buffer.

import { WeightsError } from '../errors.js';

/** FlexBuffers value types (flexbuffers.h `Type`). */
const FBT = {
  NULL: 0, INT: 1, UINT: 2, FLOAT: 3, KEY: 4, STRING: 5, INDIRECT_INT: 6, INDIRECT_UINT: 7, INDIRECT_FLOAT: 8,
  MAP: 9, VECTOR: 10, BLOB: 25, BOOL: 26,
} as const;

export type FlexValue = number | boolean | string | null;

/** One map entry: its decoded value and, for inline scalars, where its bytes are (for tools that patch files). */
export interface FlexEntry {
  key: string;
  value: FlexValue;
  /** FlexBuffers type name of the stored value. */
  type: string;
  /** Byte offset of the value's bytes inside the buffer and their width. */
  offset: number;
  width: number;
}

const TYPE_NAMES: Record<number, string> = {
  0: 'NULL', 1: 'INT', 2: 'UINT', 3: 'FLOAT', 4: 'KEY', 5: 'STRING', 6: 'INDIRECT_INT', 7: 'INDIRECT_UINT',
  8: 'INDIRECT_FLOAT', 9: 'MAP', 10: 'VECTOR', 25: 'BLOB', 26: 'BOOL',
};

class FlexReader {
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array, private readonly source: string, private readonly what: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(message: string): never {
    throw new WeightsError(this.source, `${this.what}: ${message}`);
  }

  need(pos: number, size: number, what: string): void {
    if (!(Number.isSafeInteger(pos) && pos >= 0 && pos + size <= this.bytes.length)) {
      this.fail(`corrupt FlexBuffer: ${what} at byte ${pos} (${size} bytes) lies outside the ${this.bytes.length} bytes`);
    }
  }

  uint(pos: number, width: number, what: string): number {
    this.need(pos, width, what);
    switch (width) {
      case 1: return this.view.getUint8(pos);
      case 2: return this.view.getUint16(pos, true);
      case 4: return this.view.getUint32(pos, true);
      case 8: return Number(this.view.getBigUint64(pos, true));
      default: return this.fail(`corrupt FlexBuffer: ${what} has byte width ${width}, expected 1, 2, 4 or 8`);
    }
  }

  int(pos: number, width: number, what: string): number {
    this.need(pos, width, what);
    switch (width) {
      case 1: return this.view.getInt8(pos);
      case 2: return this.view.getInt16(pos, true);
      case 4: return this.view.getInt32(pos, true);
      case 8: return Number(this.view.getBigInt64(pos, true));
      default: return this.fail(`corrupt FlexBuffer: ${what} has byte width ${width}, expected 1, 2, 4 or 8`);
    }
  }

  float(pos: number, width: number, what: string): number {
    this.need(pos, width, what);
    if (width === 4) return this.view.getFloat32(pos, true);
    if (width === 8) return this.view.getFloat64(pos, true);
    return this.fail(`corrupt FlexBuffer: ${what} is a float of byte width ${width}, expected 4 or 8`);
  }

  /** The target of an offset stored at `pos` (width bytes): offsets point backwards. */
  indirect(pos: number, width: number, what: string): number {
    const off = this.uint(pos, width, what);
    const target = pos - off;
    if (off === 0 || target < 0) this.fail(`corrupt FlexBuffer: ${what} at byte ${pos} has offset ${off}, which does not point back into the buffer`);
    return target;
  }

  /** NUL-terminated key string at `pos`. */
  key(pos: number, what: string): string {
    let end = pos;
    for (;;) {
      this.need(end, 1, what);
      if (this.bytes[end] === 0) break;
      end++;
    }
    return new TextDecoder('utf-8').decode(this.bytes.subarray(pos, end));
  }

  /** A value stored at `pos` with the parent's byte width, whose packed type is `packed`. */
  value(pos: number, parentWidth: number, packed: number, what: string): { value: FlexValue; type: string; offset: number; width: number } {
    const type = packed >> 2;
    const childWidth = 1 << (packed & 3);
    const name = TYPE_NAMES[type] ?? `type ${type}`;
    switch (type) {
      case FBT.NULL: return { value: null, type: name, offset: pos, width: parentWidth };
      case FBT.INT: return { value: this.int(pos, parentWidth, what), type: name, offset: pos, width: parentWidth };
      case FBT.UINT: return { value: this.uint(pos, parentWidth, what), type: name, offset: pos, width: parentWidth };
      case FBT.BOOL: return { value: this.uint(pos, parentWidth, what) !== 0, type: name, offset: pos, width: parentWidth };
      case FBT.FLOAT: return { value: this.float(pos, parentWidth, what), type: name, offset: pos, width: parentWidth };
      case FBT.INDIRECT_INT: { const p = this.indirect(pos, parentWidth, what); return { value: this.int(p, childWidth, what), type: name, offset: p, width: childWidth }; }
      case FBT.INDIRECT_UINT: { const p = this.indirect(pos, parentWidth, what); return { value: this.uint(p, childWidth, what), type: name, offset: p, width: childWidth }; }
      case FBT.INDIRECT_FLOAT: { const p = this.indirect(pos, parentWidth, what); return { value: this.float(p, childWidth, what), type: name, offset: p, width: childWidth }; }
      case FBT.STRING: case FBT.KEY: {
        const p = this.indirect(pos, parentWidth, what);
        if (type === FBT.KEY) return { value: this.key(p, what), type: name, offset: p, width: 0 };
        const n = this.uint(p - childWidth, childWidth, `${what} length`);
        this.need(p, n, what);
        return { value: new TextDecoder('utf-8').decode(this.bytes.subarray(p, p + n)), type: name, offset: p, width: n };
      }
      default:
        return this.fail(`${what} is a FlexBuffer ${name}, expected a number, bool or string`);
    }
  }
}

/**
 * Reads a FlexBuffer whose root is a map of scalars (ints, uints, floats, bools, strings), the shape TFLite's
 * custom options take. Keys are returned in stored (sorted) order. `what` names the buffer in errors, e.g.
 * "op 63 (TFLite_Detection_PostProcess) custom_options". Throws WeightsError on corrupt bytes or non-map roots.
 */
export function readFlexMap(bytes: Uint8Array, source: string, what: string): FlexEntry[] {
  const r = new FlexReader(bytes, source, what);
  if (bytes.length < 3) r.fail(`corrupt FlexBuffer: ${bytes.length} bytes, too short for a root`);
  const rootWidth = bytes[bytes.length - 1]!;
  const rootPacked = bytes[bytes.length - 2]!;
  const rootPos = bytes.length - 2 - rootWidth;
  if (![1, 2, 4, 8].includes(rootWidth) || rootPos < 0) r.fail(`corrupt FlexBuffer: root byte width ${rootWidth}, expected 1, 2, 4 or 8`);
  if (rootPacked >> 2 !== FBT.MAP) r.fail(`expected a FlexBuffer map at the root, found ${TYPE_NAMES[rootPacked >> 2] ?? `type ${rootPacked >> 2}`}`);
  const width = 1 << (rootPacked & 3);
  const values = r.indirect(rootPos, rootWidth, 'root map');
  const length = r.uint(values - width, width, 'map length');
  const keysWidth = r.uint(values - 2 * width, width, 'map keys byte width');
  const keys = r.indirect(values - 3 * width, width, 'map keys');
  const keysLength = r.uint(keys - keysWidth, keysWidth, 'map keys length');
  if (keysLength !== length) r.fail(`corrupt FlexBuffer: map has ${length} values but ${keysLength} keys`);
  r.need(values, length * width + length, 'map values');
  const out: FlexEntry[] = [];
  for (let i = 0; i < length; i++) {
    const key = r.key(r.indirect(keys + i * keysWidth, keysWidth, `map key ${i}`), `map key ${i}`);
    const packed = bytes[values + length * width + i]!;
    const v = r.value(values + i * width, width, packed, `value of '${key}'`);
    out.push({ key, ...v });
  }
  return out;
}
