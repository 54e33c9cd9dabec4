// Finding weights without asking the user to: load({ alpha, resolution }) with no `weights`.
//
// Precedence (first hit wins; a tier beats any format preference inside a later tier):
//   1. `weights` (explicit path): used as given, never verified here (readWeights checks the shape).
//   2. $MOBILENET_WEIGHTS, a directory of models laid out like the cache (tfjs/<name>/, tflite/<name>.tflite;
//      the flat <name>/ or <name>.tflite and ../shared's `_float.tflite` spelling are accepted too).
//      The user's own files: not hash-checked, so a fine-tuned model can stand in for a published one.
//   3. The cache, $XDG_CACHE_HOME/mobilenet-native or ~/.cache/mobilenet-native: every load verifies
//      size + SHA-256 against the record written at download; a mismatch is an IntegrityError.
//   4. Download into the cache (unless download: false or MOBILENET_OFFLINE=1), verified before use.
// Within tiers 2 and 3, when `format` is not given, formats are tried tfjs → tflite → tflite-quant:
// the unfolded float original first, quantized last (it loses accuracy).
// When nothing is local and `format` is not given, the download is tfjs at resolution 224 (one small
// model.json + shards, ~1.9–17 MB; hashes known for α 0.25/0.75) and float tflite otherwise, since TF.js
// layers weights are published at 224 only and each resolution has its own trained weights.

import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { rangeError, typeError } from '../errors.js';
import {
  ALPHAS, FORMATS, OFFICIAL_BASE_URL, RESOLUTIONS, TFJS_RESOLUTIONS, alphaName, describeVariant, findVariant,
  parseRelPath, variantUrl, type Variant, type WeightsFormat,
} from './registry.js';
import {
  DownloadError, IntegrityError, checkExpected, createProgress, downloadFile, extractTarMember, fsyncDir, partialName,
  readRecord, recordPath, removeStalePartials, sha256File, verifyFiles, writeRecord,
  type FileDigest, type IntegrityRecord, type Progress, type RecordBasis,
} from './download.js';

export type { WeightsFormat } from './registry.js';
export { DownloadError, IntegrityError } from './download.js';

export type WeightsSource = 'explicit' | 'env' | 'cache' | 'download';

export interface ResolveOptions {
  /** A directory with model.json or a .tflite file: used as is. */
  weights?: string | undefined;
  alpha?: number | undefined;
  resolution?: number | undefined;
  /** Restrict to one format; otherwise whatever is found locally first (see the precedence above). */
  format?: WeightsFormat | undefined;
  /** false: never touch the network (also MOBILENET_OFFLINE=1). Default true. */
  download?: boolean | undefined;
  /** Progress bar on stderr when it is a terminal. Default true. */
  progress?: boolean | undefined;
  /** Replaces https://storage.googleapis.com (mirrors, tests). Default: MOBILENET_BASE_URL or official. */
  baseUrl?: string | undefined;
  /** Stall timeout: no bytes for this long. Default 30 s. */
  timeoutMs?: number | undefined;
  /** Overall timeout per file. Default 30 min. */
  totalTimeoutMs?: number | undefined;
  /** Cache root. Default cacheDir(env). */
  cacheDir?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
}

export interface ResolvedWeights {
  /** What readWeights() takes: a directory with model.json, or a .tflite file. */
  path: string;
  source: WeightsSource;
  format: WeightsFormat;
  /** For cache and download: how the files were verified. */
  verified?: RecordBasis | undefined;
}

export class WeightsNotFoundError extends Error {
  readonly code = 'WEIGHTS_NOT_FOUND';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WeightsNotFoundError';
  }
}

/** `$XDG_CACHE_HOME/mobilenet-native`, else `~/.cache/mobilenet-native`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec says relative paths are invalid and must be ignored.
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'mobilenet-native');
  const home = env.HOME || os.homedir();
  return path.join(home, '.cache', 'mobilenet-native');
}

function fmtAlpha(alpha: number): string {
  return alphaName(alpha, 'tflite');
}

function validate(opts: ResolveOptions): { alpha: number; resolution: number } {
  const alpha = opts.alpha ?? 1.0;
  const resolution = opts.resolution ?? 224;
  if (typeof alpha !== 'number') throw typeError('alpha', 'one of 1.0, 0.75, 0.5, 0.25', alpha);
  if (!Number.isFinite(alpha) || alpha <= 0 || alpha > 1) throw rangeError('alpha', 'one of 1.0, 0.75, 0.5, 0.25', alpha);
  if (typeof resolution !== 'number') throw typeError('resolution', 'one of 224, 192, 160, 128', resolution);
  if (!Number.isInteger(resolution) || resolution < 32 || resolution % 32 !== 0) {
    throw rangeError('resolution', 'a multiple of 32 of at least 32 (published weights: 224, 192, 160, 128)', resolution);
  }
  if (opts.format !== undefined && !FORMATS.includes(opts.format)) {
    throw rangeError('format', "one of 'tfjs', 'tflite', 'tflite-quant'", opts.format);
  }
  return { alpha, resolution };
}

async function statOrUndefined(p: string) {
  try {
    return await fsp.stat(p);
  } catch {
    return undefined;
  }
}

async function isModelDir(dir: string): Promise<boolean> {
  const st = await statOrUndefined(path.join(dir, 'model.json'));
  return st?.isFile() ?? false;
}

async function isFile(p: string): Promise<boolean> {
  return (await statOrUndefined(p))?.isFile() ?? false;
}

async function resolveExplicit(weights: unknown): Promise<ResolvedWeights> {
  if (typeof weights !== 'string' || weights.length === 0) {
    throw typeError('weights', 'a path to a directory with model.json or to a .tflite file', weights);
  }
  const abs = path.resolve(weights);
  const st = await statOrUndefined(abs);
  if (!st) throw rangeError('weights', 'an existing directory with model.json or .tflite file', weights);
  if (st.isDirectory()) {
    if (await isModelDir(abs)) return { path: abs, source: 'explicit', format: 'tfjs' };
    throw rangeError('weights', 'a directory with model.json or a .tflite file', weights);
  }
  if (path.basename(abs) === 'model.json') return { path: path.dirname(abs), source: 'explicit', format: 'tfjs' };
  if (abs.endsWith('.tflite')) {
    return { path: abs, source: 'explicit', format: /_quant/.test(path.basename(abs)) ? 'tflite-quant' : 'tflite' };
  }
  throw rangeError('weights', 'a directory with model.json or a .tflite file', weights);
}

function searchFormats(format: WeightsFormat | undefined): readonly WeightsFormat[] {
  return format ? [format] : FORMATS;
}

/** The format downloaded when none is given and nothing is found locally (see the header comment). */
export function defaultFormat(resolution: number): WeightsFormat {
  return TFJS_RESOLUTIONS.includes(resolution) ? 'tfjs' : 'tflite';
}

async function findInEnv(root: string, alpha: number, resolution: number, format: WeightsFormat | undefined): Promise<ResolvedWeights | undefined> {
  for (const f of searchFormats(format)) {
    const v = describeVariant(alpha, resolution, f);
    const rels = [v.relPath, ...v.altRelPaths];
    const candidates = [...rels, ...rels.map((r) => r.slice(r.indexOf('/') + 1))];
    for (const rel of candidates) {
      const p = path.join(root, ...rel.split('/'));
      if (v.kind === 'dir' ? await isModelDir(p) : await isFile(p)) return { path: p, source: 'env', format: f };
    }
  }
  return undefined;
}

function repairHint(v: Variant, target: string): string {
  const extra = v.kind === 'file' ? ` and ${recordPath(target, 'file')}` : '';
  return `It may be damaged or modified. Delete ${target}${extra} to download it again, or run: ` +
    `mobilenet fetch --alpha ${fmtAlpha(v.alpha)} --resolution ${v.resolution} --format ${v.format} --force`;
}

/** The files of a model and their digests as known in the registry (tfjs: only when complete). */
async function digestsOf(v: Variant, target: string): Promise<Record<string, FileDigest>> {
  const out: Record<string, FileDigest> = {};
  if (v.kind === 'file') {
    out[path.basename(target)] = await sha256File(target);
    return out;
  }
  out['model.json'] = await sha256File(path.join(target, 'model.json'));
  for (const name of await manifestPaths(path.join(target, 'model.json'))) {
    out[name] = await sha256File(path.join(target, name));
  }
  return out;
}

/**
 * Check a cached model. Returns the basis of its record, or undefined when it is not there.
 * Throws IntegrityError when it does not match its record (or, without one, its known hashes).
 * `quick` compares sizes only (for `mobilenet info`).
 */
async function verifyCached(v: Variant, target: string, quick = false): Promise<RecordBasis | undefined> {
  if (!(v.kind === 'dir' ? await isModelDir(target) : await isFile(target))) return undefined;
  const recFile = recordPath(target, v.kind);
  const rec = await readRecord(recFile);
  const dir = v.kind === 'dir' ? target : path.dirname(target);
  if (rec === 'unreadable') {
    throw new IntegrityError(target, [`${path.basename(recFile)}: not a readable integrity record`], repairHint(v, target));
  }
  if (rec) {
    const problems = await verifyFiles(dir, rec.files, quick);
    if (problems.length) throw new IntegrityError(target, problems, repairHint(v, target));
    return rec.basis;
  }
  if (quick) return 'first-seen';
  // Files put into the cache by hand: check the known hashes if any, then record what is there now.
  let digests: Record<string, FileDigest>;
  try {
    digests = await digestsOf(v, target);
  } catch (e) {
    throw new IntegrityError(target, [(e as Error).message], repairHint(v, target));
  }
  let basis: RecordBasis = 'first-seen';
  if (v.known) {
    const problems: string[] = [];
    for (const [name, want] of Object.entries(v.known)) {
      const got = digests[name];
      if (!got) {
        problems.push(`${name}: missing (expected ${want.size} bytes)`);
        continue;
      }
      const p = await checkExpected(path.join(dir, name), got, want);
      if (p) problems.push(p);
    }
    if (problems.length) throw new IntegrityError(target, problems, repairHint(v, target));
    basis = 'known';
  }
  await writeRecord(recFile, {
    version: 1, variant: v.relPath, source: 'local', basis, recordedAt: new Date().toISOString(), files: digests,
  }).catch(() => { /* a read-only cache still works, it is just re-hashed next time */ });
  return basis;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The shard file names a model.json lists, each checked to be a plain name in the same folder. */
async function manifestPaths(modelJson: string): Promise<string[]> {
  let m: unknown;
  try {
    m = JSON.parse(await fsp.readFile(modelJson, 'utf8'));
  } catch (e) {
    throw new Error(`${modelJson}: not valid JSON (${(e as Error).message})`);
  }
  const manifest = (m as { weightsManifest?: unknown } | null)?.weightsManifest;
  if (!Array.isArray(manifest)) throw new Error(`${modelJson}: no weightsManifest`);
  const names: string[] = [];
  for (const group of manifest) {
    const paths = (group as { paths?: unknown } | null)?.paths;
    if (!Array.isArray(paths)) throw new Error(`${modelJson}: a weightsManifest group has no paths`);
    for (const p of paths) {
      // A manifest must not write outside the model folder or over our own files.
      if (typeof p !== 'string' || !SAFE_NAME.test(p) || p === 'model.json' || p.includes('.partial-')) {
        throw new Error(`${modelJson}: refusing weights path ${JSON.stringify(p)} (must be a plain file name)`);
      }
      if (!names.includes(p)) names.push(p);
    }
  }
  return names;
}

interface DownloadCtx {
  baseUrl: string;
  timeoutMs?: number | undefined;
  totalTimeoutMs?: number | undefined;
  progress: boolean;
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
    const code = (e as NodeJS.ErrnoException).code;
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
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    await fsp.rm(tmp, { recursive: true, force: true });
  }
  await fsp.rm(old, { recursive: true, force: true });
}

async function downloadTfjs(v: Variant, final: string, ctx: DownloadCtx, bar: Progress): Promise<void> {
  const tmp = partialName(final);
  await fsp.mkdir(tmp, { recursive: true });
  try {
    const url = variantUrl(v, ctx.baseUrl);
    const common = { timeoutMs: ctx.timeoutMs, totalTimeoutMs: ctx.totalTimeoutMs, onBytes: (n: number) => bar.add(n) };
    const mj = await downloadFile(url, path.join(tmp, 'model.json'), { ...common, expected: v.known?.['model.json'] });
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
      const shardUrl = new URL(name, mj.url).href;
      const r = await downloadFile(shardUrl, path.join(tmp, name), { ...common, expected: v.known?.[name] });
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

async function downloadTflite(v: Variant, final: string, ctx: DownloadCtx, bar: Progress): Promise<void> {
  const dir = path.dirname(final);
  const archive = partialName(path.join(dir, `${v.name}.tgz`));
  const extracted = partialName(final);
  const member = v.member as string;
  try {
    const url = variantUrl(v, ctx.baseUrl);
    const got = await downloadFile(url, archive, {
      timeoutMs: ctx.timeoutMs, totalTimeoutMs: ctx.totalTimeoutMs,
      onProgress: (_received, total) => bar.setTotal(total),
      onBytes: (n) => bar.add(n),
    });
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

async function downloadVariant(v: Variant, root: string, ctx: DownloadCtx): Promise<string> {
  const final = path.join(root, ...v.relPath.split('/'));
  const dir = path.dirname(final);
  await fsp.mkdir(dir, { recursive: true });
  await removeStalePartials(dir);
  const knownTotal = v.known ? Object.values(v.known).reduce((s, f) => s + f.size, 0) : undefined;
  const bar = createProgress(`${v.name} (${v.format})`, v.kind === 'dir' ? knownTotal : undefined, ctx.progress);
  try {
    if (v.kind === 'dir') await downloadTfjs(v, final, ctx, bar);
    else await downloadTflite(v, final, ctx, bar);
    bar.done();
  } catch (e) {
    bar.fail();
    throw e;
  }
  return final;
}

function unpublishedMessage(alpha: number, resolution: number, format: WeightsFormat): string {
  const what = `No published ${format} weights for alpha ${fmtAlpha(alpha)}, resolution ${resolution}`;
  const alphaOk = ALPHAS.some((a) => Math.abs(a - alpha) < 1e-9);
  if (!alphaOk) return `${what}: published alphas are ${ALPHAS.map(fmtAlpha).join(', ')}. Pass weights: '<path>' to use your own.`;
  if (!RESOLUTIONS.includes(resolution)) {
    return `${what}: published resolutions are ${RESOLUTIONS.join(', ')}. Pass weights: '<path>' to use your own.`;
  }
  return `${what}: TF.js layers weights are published at resolution ${TFJS_RESOLUTIONS.join(', ')} only. ` +
    `Use format 'tflite' or 'tflite-quant', or pass weights: '<path>'.`;
}

/** The text of the error when weights are missing and cannot be downloaded; tests assert it exactly. */
export function missingWeightsMessage(v: Variant, reason: string, root: string, env: NodeJS.ProcessEnv, baseUrl: string): string {
  const envRoot = env.MOBILENET_WEIGHTS;
  const cachePath = path.join(root, ...v.relPath.split('/'));
  const envPath = envRoot ? path.join(envRoot, ...v.relPath.split('/')) : `$MOBILENET_WEIGHTS/${v.relPath}`;
  const slash = v.kind === 'dir' ? '/' : '';
  const url = variantUrl(v, baseUrl);
  const lines = [
    `No MobileNetV1 weights for alpha ${fmtAlpha(v.alpha)}, resolution ${v.resolution} were found in ` +
      `MOBILENET_WEIGHTS (${envRoot ? envRoot : 'not set'}) or in the cache (${root}), and ${reason}.`,
  ];
  if (v.kind === 'dir') {
    const shards = v.known ? Object.keys(v.known).filter((n) => n !== 'model.json') : [];
    lines.push(
      `To install them by hand, download`,
      `  ${url}`,
      shards.length
        ? `  and the ${shards.length} files listed in its weightsManifest (${shards[0]} ... ${shards[shards.length - 1]}) from the same folder,`
        : `  and every file listed in its weightsManifest (weightsManifest[].paths) from the same folder,`,
      `into one of these folders:`,
    );
  } else {
    lines.push(
      `To install them by hand, download`,
      `  ${url}`,
      `  and extract ${v.member} from it,`,
      `to one of these paths:`,
    );
  }
  lines.push(
    `  ${cachePath}${slash}   (the cache)`,
    `  ${envPath}${slash}   (MOBILENET_WEIGHTS, a directory of models${envRoot ? '' : ': set it to use one'})`,
    `or pass it directly: load({ weights: '/path/to/${path.posix.basename(v.relPath)}' }).`,
  );
  return lines.join('\n');
}

function baseUrlOf(opts: { baseUrl?: string | undefined }, env: NodeJS.ProcessEnv): string {
  return opts.baseUrl ?? (env.MOBILENET_BASE_URL || OFFICIAL_BASE_URL);
}

function offline(env: NodeJS.ProcessEnv): boolean {
  const v = env.MOBILENET_OFFLINE;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/**
 * Find weights for (alpha, resolution[, format]) following the precedence at the top of this file.
 * The returned path is what readWeights() takes.
 */
export async function resolveWeights(opts: ResolveOptions = {}): Promise<ResolvedWeights> {
  if (opts.weights !== undefined) return resolveExplicit(opts.weights);
  const env = opts.env ?? process.env;
  const { alpha, resolution } = validate(opts);

  const envRoot = env.MOBILENET_WEIGHTS;
  if (envRoot) {
    const hit = await findInEnv(envRoot, alpha, resolution, opts.format);
    if (hit) return hit;
  }

  const root = opts.cacheDir ?? cacheDir(env);
  for (const f of searchFormats(opts.format)) {
    const v = describeVariant(alpha, resolution, f);
    const target = path.join(root, ...v.relPath.split('/'));
    const basis = await verifyCached(v, target);
    if (basis) return { path: target, source: 'cache', format: f, verified: basis };
  }

  const format = opts.format ?? defaultFormat(resolution);
  const v = findVariant(alpha, resolution, format);
  if (!v) throw new WeightsNotFoundError(unpublishedMessage(alpha, resolution, format));
  const baseUrl = baseUrlOf(opts, env);
  if (opts.download === false || offline(env)) {
    const why = opts.download === false ? 'download: false' : `MOBILENET_OFFLINE=${env.MOBILENET_OFFLINE ?? ''}`;
    throw new WeightsNotFoundError(missingWeightsMessage(v, `downloading is disabled (${why})`, root, env, baseUrl));
  }
  try {
    const p = await downloadVariant(v, root, {
      baseUrl, timeoutMs: opts.timeoutMs, totalTimeoutMs: opts.totalTimeoutMs, progress: opts.progress ?? true,
    });
    return { path: p, source: 'download', format, verified: v.known ? 'known' : 'first-download' };
  } catch (e) {
    if (e instanceof DownloadError) {
      throw new WeightsNotFoundError(missingWeightsMessage(v, `the download failed: ${e.message}`, root, env, baseUrl), { cause: e });
    }
    throw e;
  }
}

export interface FetchOptions {
  alpha?: number | undefined;
  resolution?: number | undefined;
  /** Default: tfjs at 224, tflite otherwise (see defaultFormat). */
  format?: WeightsFormat | undefined;
  /** Download again even when the cached copy verifies. */
  force?: boolean | undefined;
  progress?: boolean | undefined;
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
  totalTimeoutMs?: number | undefined;
  cacheDir?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
}

export interface FetchResult extends ResolvedWeights {
  source: 'cache' | 'download';
  /** When a damaged cached copy was replaced: what was wrong with it. */
  replaced?: readonly string[] | undefined;
}

/**
 * `mobilenet fetch`: make sure (alpha, resolution, format) is in the cache, downloading it when it is
 * missing, damaged, or `force` is set. Unlike resolveWeights it ignores MOBILENET_WEIGHTS and
 * MOBILENET_OFFLINE: it is the explicit request to download.
 */
export async function fetchWeights(opts: FetchOptions = {}): Promise<FetchResult> {
  const env = opts.env ?? process.env;
  const { alpha, resolution } = validate(opts);
  const format = opts.format ?? defaultFormat(resolution);
  const v = findVariant(alpha, resolution, format);
  if (!v) throw new WeightsNotFoundError(unpublishedMessage(alpha, resolution, format));
  const root = opts.cacheDir ?? cacheDir(env);
  const target = path.join(root, ...v.relPath.split('/'));
  let replaced: readonly string[] | undefined;
  if (!opts.force) {
    try {
      const basis = await verifyCached(v, target);
      if (basis) return { path: target, source: 'cache', format, verified: basis };
    } catch (e) {
      if (!(e instanceof IntegrityError)) throw e;
      replaced = e.problems;
    }
  }
  if (v.kind === 'file') await fsp.rm(recordPath(target, 'file'), { force: true });
  const baseUrl = baseUrlOf(opts, env);
  try {
    await downloadVariant(v, root, { baseUrl, timeoutMs: opts.timeoutMs, totalTimeoutMs: opts.totalTimeoutMs, progress: opts.progress ?? true });
  } catch (e) {
    if (e instanceof DownloadError) {
      throw new WeightsNotFoundError(missingWeightsMessage(v, `the download failed: ${e.message}`, root, env, baseUrl), { cause: e });
    }
    throw e;
  }
  return { path: target, source: 'download', format, verified: v.known ? 'known' : 'first-download', ...(replaced ? { replaced } : {}) };
}

export type CacheStatus = 'ok' | 'damaged' | 'unrecorded';

export interface CachedEntry {
  alpha: number;
  resolution: number;
  format: WeightsFormat;
  path: string;
  /** Total size of the model's files on disk. */
  bytes: number;
  status: CacheStatus;
  basis?: RecordBasis | undefined;
  source?: string | undefined;
  recordedAt?: string | undefined;
  problems?: readonly string[] | undefined;
}

export interface ListCachedOptions {
  cacheDir?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Hash every file (slow on a Pi); default compares sizes with the record only. */
  verify?: boolean | undefined;
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
    const st = await statOrUndefined(path.join(dir, name));
    if (st?.isFile()) total += st.size;
  }
  return total;
}

/** `mobilenet info`: what the cache holds, with each model's integrity status. */
export async function listCached(opts: ListCachedOptions = {}): Promise<CachedEntry[]> {
  const env = opts.env ?? process.env;
  const root = opts.cacheDir ?? cacheDir(env);
  const out: CachedEntry[] = [];
  for (const sub of ['tfjs', 'tflite']) {
    const names = (await fsp.readdir(path.join(root, sub)).catch(() => [] as string[])).sort();
    for (const name of names) {
      if (name.includes('.partial-') || name.endsWith('.integrity.json')) continue;
      const parsed = parseRelPath(`${sub}/${name}`);
      if (!parsed) continue;
      const v = describeVariant(parsed.alpha, parsed.resolution, parsed.format);
      const target = path.join(root, sub, name);
      if (v.relPath !== `${sub}/${name}`) continue; // another spelling: not ours
      const st = await statOrUndefined(target);
      if (!st) continue;
      const bytes = v.kind === 'dir' ? await dirBytes(target) : st.size;
      const entry: CachedEntry = { ...parsed, path: target, bytes, status: 'ok' };
      const rec = await readRecord(recordPath(target, v.kind)).catch(() => undefined);
      if (rec && rec !== 'unreadable') {
        entry.basis = rec.basis;
        entry.source = rec.source;
        entry.recordedAt = rec.recordedAt;
      }
      try {
        if (rec === undefined) {
          if (opts.verify) entry.basis = await verifyCached(v, target);
          else entry.status = 'unrecorded';
        } else {
          await verifyCached(v, target, !opts.verify);
        }
      } catch (e) {
        if (!(e instanceof IntegrityError)) throw e;
        entry.status = 'damaged';
        entry.problems = e.problems;
      }
      out.push(entry);
    }
  }
  return out;
}
