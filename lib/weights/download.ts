// Getting published weights onto disk: HTTP(S) GETs that survive a Pi's network, the .tgz member
// extraction, and the atomic install of a model into the cache (cache.ts owns the layout and records).
//
// HTTP goes through undici (Node's own fetch engine, kept by the Node.js project, >= 18.17 for the
// 6.x line) because its EnvHttpProxyAgent honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY the way curl
// does; node:http has no proxy support before Node 24. Per file:
//  - a stall timeout (no bytes for `timeoutMs`, connect included) and an overall one;
//  - bounded retries with exponential backoff on failures worth retrying (connection errors, stalls,
//    truncation, HTTP 408/429/5xx), resuming the partial file with a Range request when the server
//    answers 206, restarting it when it answers 200;
//  - SHA-256 computed while streaming, Content-Length and expected size/hash checked, then fsync and
//    rename: the cache never holds half a file, even with several processes fetching one model.
// The library draws nothing: callers get `onProgress` events (the CLI draws the bar) and may pass an
// AbortSignal.

import { createHash, type Hash } from 'node:crypto';
import { createReadStream, openSync, writeSync, closeSync, fsyncSync, unlinkSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { DownloadError, redactUrl, type DownloadErrorCode } from '../errors.js';
import {
  checkExpected, fsyncDir, manifestPaths, partialName, recordPath, removeEmptyDirs, removeStalePartials, verifyCached,
  writeRecord, variantPath, type Env, type ExpectedFile, type FileDigest, type IntegrityRecord,
} from './cache.js';
import { variantUrl, type Variant } from './registry.js';
import type { AbortSignalLike, NetworkOptions } from './network.js';

export { DownloadError } from '../errors.js';
export type { AbortSignalLike, DownloadProgress, NetworkOptions, ProgressCallback } from './network.js';

export interface DownloadOptions extends Omit<NetworkOptions, 'baseUrl' | 'onProgress'> {
  maxRedirects?: number | undefined;
  expected?: ExpectedFile | undefined;
  /** Bytes of this file so far (it goes back to 0 when a retry restarts the file) and its size when known. */
  onProgress?: ((received: number, total: number | undefined) => void) | undefined;
  /** From createDispatcher(); default: one made from process.env for this call. */
  dispatcher?: Dispatcher | undefined;
}

export interface DownloadResult extends FileDigest {
  path: string;
  /** The URL the bytes came from, after redirects. */
  url: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_TOTAL_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_RETRIES = 3;
export const DEFAULT_RETRY_DELAY_MS = 1000;
const MAX_RETRY_DELAY_MS = 15_000;

/**
 * An undici dispatcher for `env`: through the proxy HTTPS_PROXY / HTTP_PROXY name (lower case wins, as
 * curl), except for hosts NO_PROXY lists; a direct Agent when no proxy is set.
 */
export function createDispatcher(env: Env, timeoutMs: number): Dispatcher {
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY ?? '';
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY ?? '';
  const common = { connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
  if (!httpProxy && !httpsProxy) return new Agent(common);
  // undici 6 flags EnvHttpProxyAgent "experimental" (its API, which we pin to ^6) with a process
  // warning; a CLI user behind a proxy should not see that on every fetch.
  const emit = process.emitWarning;
  process.emitWarning = ((w: string | Error, ...rest: unknown[]) => {
    const code = (rest[0] as { code?: string } | undefined)?.code;
    if (code !== 'UNDICI-EHPA') (emit as (...a: unknown[]) => void).call(process, w, ...rest);
  }) as typeof process.emitWarning;
  try {
    // Explicit '' (not undefined) so `env` is the only source, not process.env behind our back.
    return new EnvHttpProxyAgent({ ...common, httpProxy, httpsProxy, noProxy: env.no_proxy ?? env.NO_PROXY ?? '' });
  } catch (e) {
    const which = [httpsProxy && `HTTPS_PROXY=${redactUrl(httpsProxy)}`, httpProxy && `HTTP_PROXY=${redactUrl(httpProxy)}`].filter(Boolean).join(', ');
    throw new DownloadError('NETWORK', redactUrl(httpsProxy || httpProxy), `not a usable proxy URL (${which}): ${describeNetworkError(e)}`, { cause: e });
  } finally {
    process.emitWarning = emit;
  }
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: string }).code;
    return err.message || code || err.name;
  }
  return String(err);
}

/** Failures no retry can change (a malformed URL, a scheme other than http/https): given up on at once. */
const permanent = new WeakSet<DownloadError>();
function permanentError(code: DownloadErrorCode, url: string, message: string, options?: { cause?: unknown }): DownloadError {
  const e = new DownloadError(code, url, message, options);
  permanent.add(e);
  return e;
}

function retryable(e: DownloadError): boolean {
  if (permanent.has(e)) return false;
  if (e.code === 'NETWORK' || e.code === 'TRUNCATED') return true;
  if (e.code === 'TIMEOUT') return !e.message.includes('not finished after'); // a stall, not the overall limit
  if (e.code === 'HTTP_STATUS') return e.status === 408 || e.status === 429 || (e.status ?? 0) >= 500;
  return false;
}

function sleep(ms: number, signal: AbortSignalLike): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  url: string;
}

/** Drop a body we will not read (undici reports a destroyed body as an AbortError unless someone listens). */
function discard(body: Response['body']): void {
  body.on('error', () => {});
  body.destroy();
}

function header(h: Response['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** One GET, following redirects (never from https to http). Throws DownloadError. */
async function get(url: string, range: number, ctx: { dispatcher: Dispatcher; signal: AbortSignal; maxRedirects: number; timeoutMs: number; failure: () => DownloadError | undefined }): Promise<Response> {
  let u: URL;
  try {
    u = new URL(url);
  } catch (e) {
    throw permanentError('NETWORK', url, `invalid URL ${url} (MOBILENET_BASE_URL / baseUrl must be an http or https URL)`, { cause: e });
  }
  for (let redirects = 0; ; redirects++) {
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw permanentError('NETWORK', u.href, `unsupported protocol in ${u.href}`);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(u, {
        dispatcher: ctx.dispatcher,
        signal: ctx.signal,
        maxRedirections: 0,
        headers: { 'accept-encoding': 'identity', 'user-agent': 'mobilenet-native', ...(range > 0 ? { range: `bytes=${range}-` } : {}) },
      });
    } catch (err) {
      throw ctx.failure() ?? networkError(u.href, err, ctx.timeoutMs);
    }
    const status = res.statusCode;
    const location = header(res.headers, 'location');
    if (status >= 300 && status < 400 && status !== 304 && location !== undefined) {
      discard(res.body);
      if (redirects >= ctx.maxRedirects) throw new DownloadError('REDIRECT', u.href, `too many redirects fetching ${url}`);
      let next: URL;
      try {
        next = new URL(location, u);
      } catch (e) {
        throw new DownloadError('REDIRECT', u.href, `bad redirect from ${u.href} to ${location}`, { cause: e });
      }
      if (u.protocol === 'https:' && next.protocol !== 'https:') {
        throw new DownloadError('REDIRECT', u.href, `refusing redirect from ${u.href} to insecure ${next.href}`);
      }
      u = next;
      continue;
    }
    return { status, headers: res.headers, body: res.body, url: u.href };
  }
}

/** A proxy's answer to CONNECT (undici: "Proxy response (407) !== 200 when HTTP Tunneling"), or undefined. */
function proxyStatus(err: unknown): number | undefined {
  const m = /^Proxy response \((\d{3})\) !== 200/.exec((err as Error | null)?.message ?? '');
  return m ? Number(m[1]) : undefined;
}

/** The words for an HTTP status a proxy answered with; 407 says how to give the credentials. */
function proxyRefusal(status: number): string {
  const text = STATUS_TEXT[status];
  return `the proxy answered HTTP ${status}${text ? ` ${text}` : ''}` +
    (status === 407 ? '; give its user name and password in the proxy URL, as user:password@ before the host' : '');
}

function networkError(url: string, err: unknown, timeoutMs: number): DownloadError {
  const status = proxyStatus(err);
  // 407 and other refusals are answers, not a flaky network: retried only when the status is worth it (502, 503...).
  if (status !== undefined) return new DownloadError('HTTP_STATUS', url, `${url}: ${proxyRefusal(status)}`, { cause: err, status });
  const code = (err as { code?: string } | null)?.code;
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new DownloadError('TIMEOUT', url, `no data from ${url} for ${timeoutMs} ms`, { cause: err });
  }
  return new DownloadError('NETWORK', url, `${url}: ${describeNetworkError(err)}`, { cause: err });
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 408: 'Request Timeout', 410: 'Gone',
  407: 'Proxy Authentication Required', 416: 'Range Not Satisfiable', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/**
 * Download `url` to `dest` atomically: the bytes go to a private partial file, are checked
 * (Content-Length, expected size/SHA-256), fsynced, and only then renamed to `dest`.
 * On any failure the partial file is removed and `dest` is untouched.
 */
export async function downloadFile(url: string, dest: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const totalTimeoutMs = opts.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS;
  const retries = opts.retries ?? DEFAULT_RETRIES;
  const baseDelay = opts.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  const ownDispatcher = opts.dispatcher ? undefined : createDispatcher(process.env, timeoutMs);
  const dispatcher = opts.dispatcher ?? ownDispatcher!;

  // One controller for the overall timeout and the caller's signal.
  const ac = new AbortController();
  let failure: DownloadError | undefined;
  const fail = (e: DownloadError): void => {
    failure ??= e;
    ac.abort(failure);
  };
  const overall = setTimeout(() => fail(new DownloadError('TIMEOUT', url, `${url}: not finished after ${totalTimeoutMs} ms`)), totalTimeoutMs);
  overall.unref?.();
  const onAbort = (): void => fail(new DownloadError('ABORTED', url, `${url}: download aborted`, { cause: opts.signal?.reason }));
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const partial = partialName(dest);
  let fh: fsp.FileHandle | undefined;
  let received = 0;
  let hash: Hash = createHash('sha256');
  let finalUrl = url;
  let total: number | undefined;
  const restart = async (): Promise<void> => {
    received = 0;
    hash = createHash('sha256');
    await fh!.truncate(0);
    opts.onProgress?.(0, total);
  };
  let attempt = 0;
  try {
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    fh = await fsp.open(partial, 'wx');
    for (;;) {
      attempt++;
      try {
        await attemptOnce();
        break;
      } catch (err) {
        if (!failure && !(err instanceof DownloadError)) throw err; // a local problem (disk full): not worth retrying
        const e = failure ?? (err as DownloadError);
        if (failure || !retryable(e) || attempt > retries) {
          e.attempts = attempt;
          if (attempt > 1 && !failure) e.message += ` (gave up after ${attempt} attempts)`;
          throw e;
        }
        await sleep(Math.min(baseDelay * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS), ac.signal);
        if (failure) throw failure;
      }
    }
    const digest: FileDigest = { size: received, sha256: hash.digest('hex') };
    await fh.sync();
    await fh.close();
    fh = undefined;
    const problem = await checkExpected(partial, digest, opts.expected);
    if (problem) {
      throw new DownloadError('CHECKSUM', finalUrl, `${finalUrl}: integrity check failed: ${problem.replace(/^[^:]*: /, '')}`);
    }
    await fsp.rename(partial, dest);
    await fsyncDir(path.dirname(dest));
    return { path: dest, url: finalUrl, ...digest };
  } finally {
    clearTimeout(overall);
    opts.signal?.removeEventListener('abort', onAbort);
    if (fh) await fh.close().catch(() => {});
    await fsp.rm(partial, { force: true }).catch(() => {});
    await ownDispatcher?.close().catch(() => {});
  }

  async function attemptOnce(): Promise<void> {
    const resumeFrom = received;
    const res = await get(url, resumeFrom, { dispatcher, signal: ac.signal, maxRedirects: opts.maxRedirects ?? 5, timeoutMs, failure: () => failure });
    const u = res.url;
    finalUrl = u;
    const cl = header(res.headers, 'content-length');
    const length = cl !== undefined && /^\d+$/.test(cl) ? Number(cl) : undefined;
    if (res.status === 206 && resumeFrom > 0) {
      const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header(res.headers, 'content-range') ?? '');
      if (!m || Number(m[1]) !== resumeFrom) {
        discard(res.body);
        await restart();
        throw new DownloadError('NETWORK', u, `${u}: the server resumed at the wrong offset`);
      }
      total = m[2] === '*' ? undefined : Number(m[2]);
    } else if (res.status === 200) {
      if (resumeFrom > 0) await restart(); // no range support: start over
      total = length;
    } else {
      discard(res.body);
      if (res.status === 416 && resumeFrom > 0) {
        await restart();
        throw new DownloadError('NETWORK', u, `${u}: the server cannot resume at byte ${resumeFrom}`);
      }
      const text = STATUS_TEXT[res.status];
      // A proxy that forwards plain http:// requests (no CONNECT) answers 407 as a response.
      const what = res.status === 407 ? proxyRefusal(407) : `HTTP ${res.status}${text ? ` ${text}` : ''}`;
      throw new DownloadError('HTTP_STATUS', u, `${u}: ${what}`, { status: res.status });
    }
    const exp = opts.expected;
    if (total !== undefined && exp?.size !== undefined && exp.jsonSha256 === undefined && total !== exp.size) {
      discard(res.body);
      throw new DownloadError('SIZE', u, `${u}: server sends ${total} bytes, expected ${exp.size}`);
    }
    // The body is read in flowing mode and written through a queue, never paused: undici 6 asserts and takes the
    // process down when a FIN arrives while a body is paused for backpressure (nodejs/undici#5360, fixed in 8 only).
    // The queue holds at most what the network delivers faster than the disk takes it.
    let writes: Promise<unknown> = Promise.resolve();
    let writeError: unknown;
    const body = res.body;
    const ended = new Promise<void>((resolve, reject) => {
      body.on('data', (chunk: Uint8Array) => {
        hash.update(chunk);
        const at = received;
        received += chunk.length;
        writes = writes.then(() => (writeError === undefined ? fh!.write(chunk, 0, chunk.length, at) : undefined)).catch((e: unknown) => {
          writeError ??= e;
          body.destroy();
        });
        opts.onProgress?.(received, total);
      });
      body.on('end', resolve);
      body.on('error', reject);
    });
    let streamError: unknown;
    await ended.catch((e: unknown) => { streamError = e; });
    await writes;
    if (writeError !== undefined) throw new Error(`cannot write ${partial}: ${describeNetworkError(writeError)}`, { cause: writeError });
    if (streamError !== undefined) {
      if (failure) throw failure;
      const e = networkError(u, streamError, timeoutMs);
      if (e.code === 'TIMEOUT') throw e;
      if (total !== undefined && received < total) {
        throw new DownloadError('TRUNCATED', u, `${u}: connection closed after ${received} of ${total} bytes`, { cause: streamError });
      }
      throw e;
    }
    if (failure) throw failure;
    if (total !== undefined && received !== total) {
      throw new DownloadError('TRUNCATED', u, `${u}: connection closed after ${received} of ${total} bytes`);
    }
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
// Installing a model into the cache

interface InstallCtx {
  baseUrl: string;
  timeoutMs: number;
  totalTimeoutMs?: number | undefined;
  retries?: number | undefined;
  retryDelayMs?: number | undefined;
  signal?: AbortSignalLike | undefined;
  dispatcher: Dispatcher;
  /** Per-file progress: file name → (received, total). */
  progress(file: string, received: number, total: number | undefined): void;
}

async function runPool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  if (failed !== undefined) throw failed;
}

/** Move a finished temporary folder into place, replacing a damaged one; another process may win. */
async function installDir(tmp: string, final: string, v: Variant): Promise<void> {
  try {
    await fsp.rename(tmp, final);
    return;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
  }
  try {
    if (await verifyCached(v, final)) {
      // A concurrent download finished first and is intact: keep it.
      await fsp.rm(tmp, { recursive: true, force: true });
      return;
    }
  } catch { /* damaged: replaced below */ }
  const old = partialName(final);
  await fsp.rename(final, old).catch(() => {});
  try {
    await fsp.rename(tmp, final);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    await fsp.rm(tmp, { recursive: true, force: true });
  }
  await fsp.rm(old, { recursive: true, force: true });
}

function fileOptions(ctx: InstallCtx, name: string, expected: ExpectedFile | undefined): DownloadOptions {
  return {
    timeoutMs: ctx.timeoutMs, totalTimeoutMs: ctx.totalTimeoutMs, retries: ctx.retries, retryDelayMs: ctx.retryDelayMs,
    signal: ctx.signal, dispatcher: ctx.dispatcher, expected,
    onProgress: (received, total) => ctx.progress(name, received, total),
  };
}

async function downloadTfjs(v: Variant, final: string, ctx: InstallCtx): Promise<void> {
  const tmp = partialName(final);
  await fsp.mkdir(tmp, { recursive: true });
  try {
    const url = variantUrl(v, ctx.baseUrl);
    const mj = await downloadFile(url, path.join(tmp, 'model.json'), fileOptions(ctx, 'model.json', v.known?.['model.json']));
    let names: string[];
    try {
      names = await manifestPaths(path.join(tmp, 'model.json'));
    } catch (e) {
      throw new DownloadError('CHECKSUM', mj.url, `${mj.url}: ${(e as Error).message.replace(/^[^:]*: /, '')}`, { cause: e });
    }
    if (v.known) {
      const unknown = names.filter((n) => !v.known?.[n]);
      if (unknown.length || names.length !== Object.keys(v.known).length - 1) {
        throw new DownloadError('CHECKSUM', mj.url, `${mj.url}: lists weight files other than the published ones (${unknown.slice(0, 3).join(', ') || 'some missing'})`);
      }
    }
    const files: Record<string, FileDigest> = { 'model.json': { size: mj.size, sha256: mj.sha256 } };
    await runPool(names, 4, async (name) => {
      const r = await downloadFile(new URL(name, mj.url).href, path.join(tmp, name), fileOptions(ctx, name, v.known?.[name]));
      files[name] = { size: r.size, sha256: r.sha256 };
    });
    const ordered: Record<string, FileDigest> = {};
    for (const n of ['model.json', ...names]) ordered[n] = files[n] as FileDigest;
    const rec: IntegrityRecord = {
      version: 1, variant: v.relPath, source: mj.url, basis: v.known ? 'known' : 'first-download',
      recordedAt: new Date().toISOString(), files: ordered,
    };
    await writeRecord(recordPath(tmp, 'dir'), rec);
    await fsyncDir(tmp);
    await installDir(tmp, final, v);
    await fsyncDir(path.dirname(final));
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => {});
  }
}

async function downloadTflite(v: Variant, final: string, ctx: InstallCtx): Promise<void> {
  const dir = path.dirname(final);
  const archive = partialName(path.join(dir, `${v.name}.tgz`));
  const extracted = partialName(final);
  const member = v.member as string;
  try {
    const url = variantUrl(v, ctx.baseUrl);
    const got = await downloadFile(url, archive, fileOptions(ctx, `${v.name}.tgz`, undefined));
    const digest = await extractTarMember(archive, member, extracted, v.known?.[member]).catch((e: unknown) => {
      if (e instanceof DownloadError) throw new DownloadError(e.code, got.url, e.message.replace(path.basename(archive), `${v.name}.tgz from ${got.url}`), { cause: e });
      throw e;
    });
    // The record goes first: a crash between the two renames leaves a record without a file (a miss,
    // downloaded again), never a file that would be trusted without its record.
    await writeRecord(recordPath(final, 'file'), {
      version: 1, variant: v.relPath, source: got.url, basis: v.known ? 'known' : 'first-download',
      recordedAt: new Date().toISOString(), files: { [path.basename(final)]: digest },
      archive: { url: got.url, size: got.size, sha256: got.sha256 },
    });
    await fsp.rename(extracted, final);
    await fsyncDir(dir);
  } finally {
    await fsp.rm(archive, { force: true }).catch(() => {});
    await fsp.rm(extracted, { force: true }).catch(() => {});
  }
}

export interface InstallOptions extends NetworkOptions {
  baseUrl: string;
  /** Proxy variables come from here. */
  env: Env;
}

/** Download a variant into the cache at `root`, verified and recorded; returns its path. Leaves no folder behind on failure. */
export async function installVariant(v: Variant, root: string, opts: InstallOptions): Promise<string> {
  const final = variantPath(root, v);
  const dir = path.dirname(final);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const dispatcher = createDispatcher(opts.env, timeoutMs); // before any folder is made: a bad proxy URL leaves none
  await fsp.mkdir(dir, { recursive: true });
  await removeStalePartials(dir);
  const model = `${v.name} (${v.format})`;
  // tfjs: the registry's sizes give the total up front; otherwise the Content-Lengths as they arrive.
  const knownTotal = v.kind === 'dir' && v.known ? Object.values(v.known).reduce((s, f) => s + f.size, 0) : undefined;
  const perFile = new Map<string, { received: number; total: number | undefined }>();
  const ctx: InstallCtx = {
    baseUrl: opts.baseUrl, timeoutMs, totalTimeoutMs: opts.totalTimeoutMs, retries: opts.retries,
    retryDelayMs: opts.retryDelayMs, signal: opts.signal, dispatcher,
    progress(file, received, total) {
      if (!opts.onProgress) return;
      perFile.set(file, { received, total });
      let sum = 0;
      let sumTotal: number | undefined = 0;
      for (const f of perFile.values()) {
        sum += f.received;
        sumTotal = f.total === undefined || sumTotal === undefined ? undefined : sumTotal + f.total;
      }
      opts.onProgress({ model, receivedBytes: sum, totalBytes: knownTotal ?? (v.kind === 'file' ? sumTotal : undefined) });
    },
  };
  try {
    if (v.kind === 'dir') await downloadTfjs(v, final, ctx);
    else await downloadTflite(v, final, ctx);
  } catch (e) {
    await removeEmptyDirs(dir, root);
    throw e;
  } finally {
    await dispatcher.close().catch(() => {});
  }
  return final;
}
