// Finding weights without asking the user to: load() with no `weights`.
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
// When neither alpha nor resolution is given, the model is the only one in the cache, else the one
// `mobilenet fetch` installed last, else alpha 1.0 at 224 (cache.ts: defaultChoice), so that after a
// fetch the obvious next command works.
// When nothing is local and `format` is not given, the download is tfjs at resolution 224 (one small
// model.json + shards, ~1.9–17 MB; hashes known for α 0.25/0.75) and float tflite otherwise, since TF.js
// layers weights are published at 224 only and each resolution has its own trained weights.

import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { rangeError, redactUrl, typeError, DownloadError, IntegrityError, WeightsNotFoundError } from '../errors.js';
import { checkNetworkOptions, checkOneOf, FORMATS as FORMAT_LIST, type WeightsFormat } from '../validate.js';
import {
  cacheDir, defaultChoice, isFile, isModelDir, recordPath, variantPath, verifyCached, writeLastFetched,
  type Env, type RecordBasis,
} from './cache.js';
import type { InstallOptions } from './download.js';
import type { NetworkOptions } from './network.js';
import {
  ALPHAS, OFFICIAL_BASE_URL, RESOLUTIONS, TFJS_RESOLUTIONS, alphaName, describeVariant, findVariant, variantUrl,
  type Variant,
} from './registry.js';

export type { WeightsFormat } from '../validate.js';
export { DownloadError, IntegrityError, WeightsNotFoundError } from '../errors.js';
export { cacheDir, listCached, type CachedEntry, type CacheStatus, type ListCachedOptions, type RecordBasis, type Env } from './cache.js';

const FORMATS: readonly WeightsFormat[] = FORMAT_LIST;

export type WeightsSource = 'explicit' | 'env' | 'cache' | 'download';

export interface ResolveOptions extends NetworkOptions {
  /** A directory with model.json or a .tflite file: used as is. */
  weights?: string | undefined;
  alpha?: number | undefined;
  resolution?: number | undefined;
  /** Restrict to one format; otherwise whatever is found locally first (see the precedence above). */
  format?: WeightsFormat | undefined;
  /** false: never touch the network (also MOBILENET_OFFLINE=1). Default true. */
  download?: boolean | undefined;
  /** Cache root. Default cacheDir(env). */
  cacheDir?: string | undefined;
  /** Default process.env: MOBILENET_WEIGHTS, MOBILENET_OFFLINE, MOBILENET_BASE_URL, XDG_CACHE_HOME, proxies. */
  env?: Env | undefined;
}

export interface ResolvedWeights {
  /** What readWeights() takes: a directory with model.json, or a .tflite file. */
  path: string;
  source: WeightsSource;
  format: WeightsFormat;
  /** For cache and download: how the files were verified. */
  verified?: RecordBasis | undefined;
}

function fmtAlpha(alpha: number): string {
  return alphaName(alpha, 'tflite');
}

function validate(opts: { alpha?: number | undefined; resolution?: number | undefined; format?: WeightsFormat | undefined }): { alpha: number; resolution: number } {
  const alpha = opts.alpha ?? 1.0;
  const resolution = opts.resolution ?? 224;
  if (typeof alpha !== 'number') throw typeError('alpha', 'one of 1.0, 0.75, 0.5, 0.25', alpha);
  if (!Number.isFinite(alpha) || alpha <= 0 || alpha > 1) throw rangeError('alpha', 'one of 1.0, 0.75, 0.5, 0.25', alpha);
  if (typeof resolution !== 'number') throw typeError('resolution', 'one of 224, 192, 160, 128', resolution);
  if (!Number.isInteger(resolution) || resolution < 32 || resolution % 32 !== 0) {
    throw rangeError('resolution', 'a multiple of 32 of at least 32 (published weights: 224, 192, 160, 128)', resolution);
  }
  if (opts.format !== undefined) checkOneOf('format', opts.format, FORMATS);
  return { alpha, resolution };
}

async function statOrUndefined(p: string) {
  try {
    return await fsp.stat(p);
  } catch {
    return undefined;
  }
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

/**
 * Every published variant that findInEnv() finds under `root`, in ALPHAS x RESOLUTIONS x FORMATS order: what
 * load({ alpha, resolution, format }) takes from MOBILENET_WEIGHTS (cache layout, a flat folder, other spellings).
 */
export async function listEnvWeights(root: string): Promise<(ResolvedWeights & { alpha: number; resolution: number })[]> {
  const found: (ResolvedWeights & { alpha: number; resolution: number })[] = [];
  for (const alpha of ALPHAS) {
    for (const resolution of RESOLUTIONS) {
      for (const format of FORMATS) {
        const r = await findInEnv(root, alpha, resolution, format);
        if (r && !found.some((f) => f.path === r.path)) found.push({ ...r, alpha, resolution });
      }
    }
  }
  return found;
}

function unpublishedMessage(alpha: number, resolution: number, format: WeightsFormat): string {
  const what = `No published ${format} weights for alpha ${fmtAlpha(alpha)}, resolution ${resolution}`;
  const alphaOk = ALPHAS.some((a) => Math.abs(a - alpha) < 1e-9);
  if (!alphaOk) return `${what}: published alphas are ${ALPHAS.map(fmtAlpha).join(', ')}. Pass weights: '<path>' to use your own.`;
  if (!(RESOLUTIONS as readonly number[]).includes(resolution)) {
    const published = format === 'tfjs' ? TFJS_RESOLUTIONS : RESOLUTIONS;
    return `${what}: published ${format === 'tfjs' ? 'TF.js layers resolutions are' : 'resolutions are'} ${published.join(', ')}. Pass weights: '<path>' to use your own.`;
  }
  return `${what}: TF.js layers weights are published at resolution ${TFJS_RESOLUTIONS.join(', ')} only. ` +
    `Use format 'tflite' or 'tflite-quant', or pass weights: '<path>'.`;
}

/** The text of the error when weights are missing and cannot be downloaded; tests assert it exactly. */
export function missingWeightsMessage(v: Variant, reason: string, root: string, env: Env, baseUrl: string): string {
  const envRoot = env.MOBILENET_WEIGHTS;
  const cachePath = path.join(root, ...v.relPath.split('/'));
  const envPath = envRoot ? path.join(envRoot, ...v.relPath.split('/')) : `$MOBILENET_WEIGHTS/${v.relPath}`;
  const slash = v.kind === 'dir' ? '/' : '';
  const url = redactUrl(variantUrl(v, baseUrl));
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

function baseUrlOf(opts: { baseUrl?: string | undefined }, env: Env): string {
  return opts.baseUrl ?? (env.MOBILENET_BASE_URL || OFFICIAL_BASE_URL);
}

function offline(env: Env): boolean {
  const v = env.MOBILENET_OFFLINE;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Where an install failure becomes the "what to download and where" message. */
function installFailed(e: unknown, v: Variant, root: string, env: Env, baseUrl: string): never {
  if (e instanceof DownloadError) {
    // A proxy that refuses looks like the server refusing: say which proxy settings were in force.
    // Never the credentials a proxy URL may carry; not again when the message already names the setting.
    const proxies = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY']
      .filter((k) => env[k]).map((k) => `${k}=${redactUrl(env[k]!)}`);
    const proxyProblem = e.code === 'NETWORK' || e.message.includes(': the proxy answered');
    const via = proxies.length && proxyProblem && !e.message.includes('not a usable proxy URL') ? ` (with ${proxies.join(', ')})` : '';
    throw new WeightsNotFoundError(missingWeightsMessage(v, `the download failed: ${e.message}${via}`, root, env, baseUrl), { cause: e });
  }
  throw e;
}

/**
 * The downloader, loaded when a download happens: undici (its HTTP parser is a WebAssembly instance) and tar cost
 * ~80 ms of a 110 ms import on a Xeon, several times that on a Pi, and fail the import under a small `ulimit -v`,
 * for a program whose weights are on disk.
 */
async function installVariant(v: Variant, root: string, opts: InstallOptions): Promise<string> {
  return (await import('./download.js')).installVariant(v, root, opts);
}

/**
 * Find weights for (alpha, resolution[, format]) following the precedence at the top of this file.
 * The returned path is what readWeights() takes.
 */
export async function resolveWeights(opts: ResolveOptions = {}): Promise<ResolvedWeights> {
  checkNetworkOptions(opts as Record<string, unknown>);
  if (opts.weights !== undefined) return resolveExplicit(opts.weights);
  const env = opts.env ?? process.env;
  const root = opts.cacheDir ?? cacheDir(env);
  let request = opts;
  if (opts.alpha === undefined && opts.resolution === undefined) {
    const choice = await defaultChoice(root);
    if (choice && (opts.format === undefined || opts.format === choice.format)) request = { ...opts, ...choice };
  }
  const { alpha, resolution } = validate(request);
  const format0 = request.format;

  const envRoot = env.MOBILENET_WEIGHTS;
  if (envRoot) {
    const hit = await findInEnv(envRoot, alpha, resolution, format0);
    if (hit) return hit;
  }

  for (const f of searchFormats(format0)) {
    const v = describeVariant(alpha, resolution, f);
    const target = variantPath(root, v);
    const basis = await verifyCached(v, target);
    if (basis) return { path: target, source: 'cache', format: f, verified: basis };
  }

  const format = format0 ?? defaultFormat(resolution);
  const v = findVariant(alpha, resolution, format);
  if (!v) throw new WeightsNotFoundError(unpublishedMessage(alpha, resolution, format));
  const baseUrl = baseUrlOf(opts, env);
  if (opts.download === false || offline(env)) {
    const why = opts.download === false ? 'download: false' : `MOBILENET_OFFLINE=${env.MOBILENET_OFFLINE ?? ''}`;
    throw new WeightsNotFoundError(missingWeightsMessage(v, `downloading is disabled (${why})`, root, env, baseUrl));
  }
  try {
    const p = await installVariant(v, root, { ...opts, baseUrl, env });
    return { path: p, source: 'download', format, verified: v.known ? 'known' : 'first-download' };
  } catch (e) {
    installFailed(e, v, root, env, baseUrl);
  }
}

export interface FetchOptions extends NetworkOptions {
  alpha?: number | undefined;
  resolution?: number | undefined;
  /** Default: tfjs at 224, tflite otherwise (see defaultFormat). */
  format?: WeightsFormat | undefined;
  /** Download again even when the cached copy verifies. */
  force?: boolean | undefined;
  cacheDir?: string | undefined;
  env?: Env | undefined;
}

export interface FetchResult extends ResolvedWeights {
  source: 'cache' | 'download';
  alpha: number;
  resolution: number;
  /** When a damaged cached copy was replaced: what was wrong with it. */
  replaced?: readonly string[] | undefined;
}

/**
 * `mobilenet fetch`: make sure (alpha, resolution, format) is in the cache, downloading it when it is
 * missing, damaged, or `force` is set, and remember it as the model fetched last. Unlike resolveWeights
 * it ignores MOBILENET_WEIGHTS and MOBILENET_OFFLINE: it is the explicit request to download.
 */
export async function fetchWeights(opts: FetchOptions = {}): Promise<FetchResult> {
  checkNetworkOptions(opts as Record<string, unknown>);
  const env = opts.env ?? process.env;
  const { alpha, resolution } = validate(opts);
  const format = opts.format ?? defaultFormat(resolution);
  const v = findVariant(alpha, resolution, format);
  if (!v) throw new WeightsNotFoundError(unpublishedMessage(alpha, resolution, format));
  const root = opts.cacheDir ?? cacheDir(env);
  const target = variantPath(root, v);
  const done = async (r: FetchResult): Promise<FetchResult> => {
    await writeLastFetched(root, { alpha, resolution, format });
    return r;
  };
  let replaced: readonly string[] | undefined;
  if (!opts.force) {
    try {
      const basis = await verifyCached(v, target);
      if (basis) return done({ path: target, source: 'cache', format, alpha, resolution, verified: basis });
    } catch (e) {
      if (!(e instanceof IntegrityError)) throw e;
      replaced = e.problems;
    }
  }
  if (v.kind === 'file') await fsp.rm(recordPath(target, 'file'), { force: true });
  const baseUrl = baseUrlOf(opts, env);
  try {
    await installVariant(v, root, { ...opts, baseUrl, env });
  } catch (e) {
    installFailed(e, v, root, env, baseUrl);
  }
  return done({
    path: target, source: 'download', format, alpha, resolution, verified: v.known ? 'known' : 'first-download',
    ...(replaced ? { replaced } : {}),
  });
}
