// Downloading weights safely: HTTP(S) GET with redirects, a stall timeout (no bytes for N ms) and an
// overall one, a Content-Length check, SHA-256 computed while streaming, and an atomic write
// (`<dest>.partial-<pid>-<random>`, fsync, rename) so the cache never holds half a file, even with
// several processes fetching the same model at once (each writes its own partial; rename is atomic).
//
// Integrity records (`<file>.integrity.json`, or `<dir>/.integrity.json` for a TF.js model folder) hold
// size + SHA-256 of every file as first downloaded (or as known in the registry); later loads verify
// against them, so a cached file that changed is reported instead of used.
//
// The progress bar is a 30-line renderer on a TTY stderr, not cli-progress/progress: one bar, no
// multi-bar or theming needed, and every dependency is one more thing to install on a Pi Zero.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, openSync, writeSync, closeSync, fsyncSync, unlinkSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { Parser, type ReadEntry } from 'tar';

export type DownloadErrorCode =
  | 'HTTP_STATUS' | 'TIMEOUT' | 'TRUNCATED' | 'CHECKSUM' | 'SIZE' | 'NETWORK' | 'REDIRECT' | 'ARCHIVE';

export class DownloadError extends Error {
  constructor(readonly code: DownloadErrorCode, readonly url: string, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DownloadError';
    if (options?.status !== undefined) this.status = options.status;
  }
  status?: number | undefined;
}

/** A cached file that no longer matches its record or its known hash. */
export class IntegrityError extends Error {
  constructor(readonly target: string, readonly problems: readonly string[], hint: string) {
    super(`${target}: integrity check failed\n  ${problems.join('\n  ')}\n${hint}`);
    this.name = 'IntegrityError';
  }
}

export interface FileDigest {
  size: number;
  sha256: string;
}

export interface ExpectedFile {
  size?: number | undefined;
  sha256?: string | undefined;
  /** model.json: hash of the canonical JSON; matches when the raw hash does not (re-serialised mirrors). */
  jsonSha256?: string | undefined;
}

export type ProgressCallback = (received: number, total: number | undefined) => void;

export interface DownloadOptions {
  /** Fail when no bytes arrive for this long (connect included). Default 30 s. */
  timeoutMs?: number | undefined;
  /** Fail when the whole transfer takes longer. Default 30 min. */
  totalTimeoutMs?: number | undefined;
  maxRedirects?: number | undefined;
  expected?: ExpectedFile | undefined;
  /** Called with bytes received so far (this file) and the Content-Length if sent. */
  onProgress?: ProgressCallback | undefined;
  /** Called with the byte count of each chunk as it arrives. */
  onBytes?: ((n: number) => void) | undefined;
}

export interface DownloadResult extends FileDigest {
  path: string;
  /** The URL the bytes came from, after redirects. */
  url: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_TOTAL_TIMEOUT_MS = 30 * 60_000;

export function partialName(dest: string): string {
  return `${dest}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** JSON with sorted keys and no whitespace, so two serialisations of one model.json hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export async function sha256File(file: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest('hex') };
}

/** Returns a problem description, or undefined when `actual` (of `file`) is what was expected. */
export async function checkExpected(file: string, actual: FileDigest, expected: ExpectedFile | undefined): Promise<string | undefined> {
  if (!expected) return undefined;
  if (expected.sha256 !== undefined && actual.sha256 === expected.sha256) return undefined;
  if (expected.jsonSha256 !== undefined) {
    try {
      const text = await fsp.readFile(file, 'utf8');
      const h = createHash('sha256').update(canonicalJson(JSON.parse(text))).digest('hex');
      if (h === expected.jsonSha256) return undefined;
    } catch { /* not JSON: falls through to the mismatch below */ }
  }
  if (expected.size !== undefined && actual.size !== expected.size && expected.jsonSha256 === undefined) {
    return `${path.basename(file)}: expected ${expected.size} bytes, found ${actual.size}`;
  }
  if (expected.sha256 !== undefined) {
    return `${path.basename(file)}: expected sha256 ${expected.sha256}, found ${actual.sha256} (${actual.size} bytes)`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// HTTP

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return err.message || code || err.name;
  }
  return String(err);
}

interface Opened {
  res: IncomingMessage;
  url: string;
  req: http.ClientRequest;
}

/**
 * Open a GET, following redirects. The returned request keeps its stall timer: a body that stops
 * arriving destroys it with a TIMEOUT error stored in `state.failure`.
 */
function open(url: string, timeoutMs: number, maxRedirects: number, state: { failure?: DownloadError; req?: http.ClientRequest }): Promise<Opened> {
  return new Promise<Opened>((resolve, reject) => {
    let current: URL;
    try {
      current = new URL(url);
    } catch (e) {
      reject(new DownloadError('NETWORK', url, `invalid URL ${url}`, { cause: e }));
      return;
    }
    const go = (u: URL, redirectsLeft: number): void => {
      const mod = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
      if (!mod) {
        reject(new DownloadError('NETWORK', u.href, `unsupported protocol in ${u.href}`));
        return;
      }
      const req = mod.get(u, {
        timeout: timeoutMs,
        headers: { 'accept-encoding': 'identity', 'user-agent': 'mobilenet-native' },
      });
      state.req = req;
      req.on('timeout', () => {
        state.failure ??= new DownloadError('TIMEOUT', u.href, `no data from ${u.href} for ${timeoutMs} ms`);
        req.destroy(state.failure);
      });
      req.on('error', (err) => {
        reject(state.failure ?? new DownloadError('NETWORK', u.href, `${u.href}: ${describeNetworkError(err)}`, { cause: err }));
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (status >= 300 && status < 400 && location !== undefined && status !== 304) {
          res.resume();
          if (redirectsLeft <= 0) {
            reject(new DownloadError('REDIRECT', u.href, `too many redirects fetching ${url}`));
            return;
          }
          let next: URL;
          try {
            next = new URL(location, u);
          } catch (e) {
            reject(new DownloadError('REDIRECT', u.href, `bad redirect from ${u.href} to ${location}`, { cause: e }));
            return;
          }
          if (u.protocol === 'https:' && next.protocol !== 'https:') {
            reject(new DownloadError('REDIRECT', u.href, `refusing redirect from ${u.href} to insecure ${next.href}`));
            return;
          }
          go(next, redirectsLeft - 1);
          return;
        }
        if (status !== 200) {
          res.resume();
          reject(new DownloadError('HTTP_STATUS', u.href, `${u.href}: HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`, { status }));
          return;
        }
        resolve({ res, url: u.href, req });
      });
    };
    go(current, maxRedirects);
  });
}

/**
 * Download `url` to `dest` atomically: the bytes go to a private partial file, are checked
 * (Content-Length, expected size/SHA-256), fsynced, and only then renamed to `dest`.
 * On any failure the partial file is removed and `dest` is untouched.
 */
export async function downloadFile(url: string, dest: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const totalTimeoutMs = opts.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS;
  const state: { failure?: DownloadError; req?: http.ClientRequest } = {};
  const overall = setTimeout(() => {
    state.failure ??= new DownloadError('TIMEOUT', url, `${url}: not finished after ${totalTimeoutMs} ms`);
    state.req?.destroy(state.failure);
  }, totalTimeoutMs);
  overall.unref?.();

  const partial = partialName(dest);
  let fh: fsp.FileHandle | undefined;
  let received = 0;
  let contentLength: number | undefined;
  let finalUrl = url;
  try {
    const { res, url: u } = await open(url, timeoutMs, opts.maxRedirects ?? 5, state);
    finalUrl = u;
    const cl = res.headers['content-length'];
    contentLength = cl !== undefined && /^\d+$/.test(cl) ? Number(cl) : undefined;
    if (contentLength !== undefined && opts.expected?.size !== undefined && opts.expected.jsonSha256 === undefined
        && contentLength !== opts.expected.size) {
      res.destroy();
      throw new DownloadError('SIZE', u, `${u}: server sends ${contentLength} bytes, expected ${opts.expected.size}`);
    }
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    fh = await fsp.open(partial, 'wx');
    const hash = createHash('sha256');
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        hash.update(chunk);
        received += chunk.length;
        await fh.write(chunk);
        opts.onBytes?.(chunk.length);
        opts.onProgress?.(received, contentLength);
      }
    } catch (err) {
      if (state.failure) throw state.failure;
      if (contentLength !== undefined && received < contentLength) {
        throw new DownloadError('TRUNCATED', u, `${u}: connection closed after ${received} of ${contentLength} bytes`, { cause: err });
      }
      throw new DownloadError('NETWORK', u, `${u}: ${describeNetworkError(err)}`, { cause: err });
    }
    if (state.failure) throw state.failure;
    if (contentLength !== undefined && received !== contentLength) {
      throw new DownloadError('TRUNCATED', u, `${u}: connection closed after ${received} of ${contentLength} bytes`);
    }
    const digest: FileDigest = { size: received, sha256: hash.digest('hex') };
    await fh.sync();
    await fh.close();
    fh = undefined;
    const problem = await checkExpected(partial, digest, opts.expected);
    if (problem) {
      throw new DownloadError('CHECKSUM', u, `${u}: integrity check failed: ${problem.replace(/^[^:]*: /, '')}`);
    }
    await fsp.rename(partial, dest);
    await fsyncDir(path.dirname(dest));
    return { path: dest, url: u, ...digest };
  } catch (err) {
    if (err instanceof DownloadError) throw err;
    throw new DownloadError('NETWORK', finalUrl, `${finalUrl}: ${describeNetworkError(err)}`, { cause: err });
  } finally {
    clearTimeout(overall);
    state.req?.destroy();
    if (fh) await fh.close().catch(() => {});
    await fsp.rm(partial, { force: true }).catch(() => {});
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  // Makes the rename durable; not every filesystem lets a directory be opened for fsync.
  try {
    const h = await fsp.open(dir, 'r');
    try { await h.sync(); } finally { await h.close(); }
  } catch { /* best effort */ }
}

/** Write a small file atomically (partial + fsync + rename). */
export async function atomicWriteFile(dest: string, data: string | Uint8Array): Promise<void> {
  const partial = partialName(dest);
  try {
    const fh = await fsp.open(partial, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(partial, dest);
  } finally {
    await fsp.rm(partial, { force: true }).catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Archives

/**
 * Extract the regular file whose base name is `member` from a (gzipped) tarball to `dest`, atomically,
 * checking it against `expected`. Uses node-tar in strict mode so a truncated archive is an error.
 */
export async function extractTarMember(archive: string, member: string, dest: string, expected?: ExpectedFile): Promise<FileDigest> {
  const partial = partialName(dest);
  const fd = openSync(partial, 'wx');
  let open = true;
  const hash = createHash('sha256');
  let size = 0;
  let found = false;
  let declared = -1;
  try {
    await new Promise<void>((resolve, reject) => {
      const parser = new Parser({
        strict: true,
        onReadEntry: (entry: ReadEntry) => {
          const name = entry.path.replace(/^(\.\/)+/, '');
          if (!found && (entry.type === 'File' || entry.type === 'OldFile') && path.posix.basename(name) === member) {
            found = true;
            declared = entry.size;
            entry.on('data', (chunk: Buffer) => {
              writeSync(fd, chunk);
              hash.update(chunk);
              size += chunk.length;
            });
          } else {
            entry.resume();
          }
        },
      });
      parser.on('error', reject);
      parser.on('abort', (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))));
      parser.on('close', () => resolve());
      const input = createReadStream(archive);
      input.on('error', reject);
      input.pipe(parser);
    }).catch((err: unknown) => {
      throw new DownloadError('ARCHIVE', archive, `${path.basename(archive)}: not a readable .tgz (${describeNetworkError(err)})`, { cause: err });
    });
    if (!found) throw new DownloadError('ARCHIVE', archive, `${path.basename(archive)}: no ${member} in the archive`);
    if (size !== declared) throw new DownloadError('ARCHIVE', archive, `${path.basename(archive)}: ${member} is truncated (${size} of ${declared} bytes)`);
    fsyncSync(fd);
    closeSync(fd);
    open = false;
    const digest = { size, sha256: hash.digest('hex') };
    const problem = await checkExpected(partial, digest, expected);
    if (problem) throw new DownloadError('CHECKSUM', archive, `${member} from ${path.basename(archive)}: integrity check failed: ${problem.replace(/^[^:]*: /, '')}`);
    await fsp.rename(partial, dest);
    await fsyncDir(path.dirname(dest));
    return digest;
  } finally {
    if (open) closeSync(fd);
    try { unlinkSync(partial); } catch { /* renamed or never written */ }
  }
}

// ---------------------------------------------------------------------------------------------
// Integrity records

export type RecordBasis = 'known' | 'first-download' | 'first-seen';

export interface IntegrityRecord {
  version: 1;
  /** Cache-relative path of the model, e.g. 'tfjs/mobilenet_v1_0.25_224'. */
  variant: string;
  /** Where the bytes came from (URL), or 'local' for files placed by hand. */
  source: string;
  /** 'known': the registry's hashes were checked; otherwise the first download (or sighting) set them. */
  basis: RecordBasis;
  recordedAt: string;
  files: Record<string, FileDigest>;
  archive?: ({ url: string } & FileDigest) | undefined;
}

export function recordPath(target: string, kind: 'dir' | 'file'): string {
  return kind === 'dir' ? path.join(target, '.integrity.json') : `${target}.integrity.json`;
}

export async function writeRecord(file: string, record: IntegrityRecord): Promise<void> {
  await atomicWriteFile(file, JSON.stringify(record, null, 2) + '\n');
}

/** The record at `file`: undefined when there is none, 'unreadable' when it is not a record of ours. */
export async function readRecord(file: string): Promise<IntegrityRecord | 'unreadable' | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const r = JSON.parse(text) as Partial<IntegrityRecord> | null;
    if (r === null || r.version !== 1 || typeof r.files !== 'object' || r.files === null || Object.keys(r.files).length === 0) {
      return 'unreadable';
    }
    for (const d of Object.values(r.files)) {
      if (typeof d?.size !== 'number' || typeof d.sha256 !== 'string') return 'unreadable';
    }
    return r as IntegrityRecord;
  } catch {
    return 'unreadable';
  }
}

/**
 * Compare the files of a model with their record. `dir` is the folder holding them (the model folder
 * for tfjs, the parent for a .tflite). `quick` compares sizes only. Returns the problems found.
 */
export async function verifyFiles(dir: string, files: Record<string, FileDigest>, quick = false): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, want] of Object.entries(files)) {
    const file = path.join(dir, name);
    let st;
    try {
      st = await fsp.stat(file);
    } catch {
      problems.push(`${name}: missing (expected ${want.size} bytes)`);
      continue;
    }
    if (st.size !== want.size) {
      problems.push(`${name}: expected ${want.size} bytes, found ${st.size}`);
      continue;
    }
    if (quick) continue;
    const got = await sha256File(file);
    if (got.sha256 !== want.sha256) problems.push(`${name}: expected sha256 ${want.sha256}, found ${got.sha256}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Progress

export interface Progress {
  /** Set or replace the expected total (e.g. once a Content-Length arrives). */
  setTotal(total: number | undefined): void;
  add(bytes: number): void;
  done(): void;
  fail(): void;
}

const NO_PROGRESS: Progress = { setTotal() {}, add() {}, done() {}, fail() {} };

function human(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A one-line bar on stderr, only when stderr is a terminal (never in logs or CI output).
 * `stream` is injectable for tests.
 */
export function createProgress(label: string, total: number | undefined, enabled: boolean,
  stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || !stream.isTTY) return NO_PROGRESS;
  const start = Date.now();
  let received = 0;
  let last = 0;
  const render = (): void => {
    const secs = Math.max((Date.now() - start) / 1000, 0.001);
    const rate = `${human(Math.round(received / secs))}/s`;
    let line: string;
    if (total !== undefined && total > 0) {
      const frac = Math.min(received / total, 1);
      const width = 24;
      const fill = Math.round(frac * width);
      line = `${label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${String(Math.floor(frac * 100)).padStart(3)}% ${human(received)}/${human(total)} ${rate}`;
    } else {
      line = `${label} ${human(received)} ${rate}`;
    }
    const cols = stream.columns ?? 80;
    stream.write(`\r${line.slice(0, Math.max(cols - 1, 10))}\x1b[K`);
  };
  return {
    setTotal(t: number | undefined) {
      total = t;
    },
    add(bytes: number) {
      received += bytes;
      const now = Date.now();
      if (now - last >= 100) {
        last = now;
        render();
      }
    },
    done() {
      render();
      stream.write('\n');
    },
    fail() {
      stream.write('\n');
    },
  };
}

/** Remove partial files/folders left in `dir` by processes that no longer run. */
export async function removeStalePartials(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /\.partial-(\d+)-[0-9a-f]+$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    await fsp.rm(path.join(dir, name), { recursive: true, force: true }).catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
