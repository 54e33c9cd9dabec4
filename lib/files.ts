// Reading files whose size is not ours to trust: a path may name a pipe, a device (/dev/zero) or a file far larger
// than anything the reader could use, and readFile() would then grow without bound until the process is killed.
// readFileBounded() stops at a limit with an error that names it. (fs has no bounded read; Node's own readFile
// refuses only above 2 GiB, which a Pi cannot hold anyway.)
import { open } from 'node:fs/promises';

/** Largest weights file read (a .tflite, a model.json's shard): MobileNet 1.0 float is 17 MB, V2 1.4 float 25 MB. */
export const MAX_WEIGHTS_FILE_BYTES = 256 * 2 ** 20;
/** Largest text file read (model.json, labels). */
export const MAX_TEXT_FILE_BYTES = 64 * 2 ** 20;

/**
 * The bytes of an encoded image of at most `maxInputPixels` pixels can take: 8 bytes a pixel (16-bit RGBA TIFF,
 * uncompressed) plus 16 MiB of metadata (EXIF, ICC, XMP). 416 MiB at the default 50,000,000 pixels.
 */
export function maxEncodedImageBytes(maxInputPixels: number): number {
  return maxInputPixels * 8 + 16 * 2 ** 20;
}

/** '416777216 bytes (397 MiB)'. */
export function bytesAndMib(n: number): string {
  return `${n} bytes (${Math.round(n / 2 ** 20)} MiB)`;
}

/** Error with code 'EFBIG' (describeFileError and errnoOrMessage print its message). */
export function tooBig(limit: number, size?: number): Error {
  const what = size === undefined ? 'it does not end within' : `it is ${size} bytes, more than`;
  return Object.assign(new Error(`${what} ${bytesAndMib(limit)}, the most this reads from one file`), { code: 'EFBIG' });
}

/**
 * Reads a whole file of at most `limit` bytes. A regular file larger than that is refused from its size, before it
 * is read; anything else (a pipe, a character device) is read until it ends or passes the limit.
 * Throws the fs errors of open/read (code ENOENT, EACCES...), an Error with code 'EISDIR' for a directory, and one
 * with code 'EFBIG' (tooBig) past the limit.
 */
export async function readFileBounded(path: string, limit: number): Promise<Buffer> {
  const f = await open(path, 'r');
  try {
    const st = await f.stat();
    if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: 'EISDIR' });
    if (st.isFile()) {
      if (st.size > limit) throw tooBig(limit, st.size);
      return await f.readFile();
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(2 ** 20, limit + 1 - total));
      const { bytesRead } = await f.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit) throw tooBig(limit);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await f.close();
  }
}

/**
 * A stream's bytes whole (standard input), or undefined once they pass `limit` (a stream that never ends: a camera,
 * /dev/zero). Strings are taken as UTF-8.
 */
export async function readStreamBounded(stream: AsyncIterable<Uint8Array | string>, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    total += b.length;
    if (total > limit) return undefined;
    chunks.push(b);
  }
  return Buffer.concat(chunks, total);
}

/** Text without a leading byte-order mark (Windows editors write one; JSON.parse and a labels file's first line would
 * otherwise see U+FEFF). */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A UTF-8 text file of at most `limit` bytes, without a leading byte-order mark. Throws as readFileBounded. */
export async function readTextBounded(path: string, limit: number): Promise<string> {
  return withoutBom((await readFileBounded(path, limit)).toString('utf8'));
}

/** True when `buf` was transferred away (postMessage, structuredClone): a view on it cannot even be constructed. */
export function isDetached(buf: ArrayBufferLike): boolean {
  if (buf.byteLength !== 0) return false;
  try {
    new Uint8Array(buf);
    return false;
  } catch {
    return true;
  }
}
