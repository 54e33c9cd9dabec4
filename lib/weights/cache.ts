// The weights cache on disk: where it is, the integrity records that vouch for each model, verifying
// a cached model against its record, listing what the cache holds, and the record of the model fetched
// last. Files here are only ever replaced atomically (a private partial file, fsync, rename), so the
// cache never holds half a file, even with several processes at work.
//
// Layout (the same below $MOBILENET_WEIGHTS, see registry.ts):
//   <root>/tfjs/<name>/model.json + shards + .integrity.json
//   <root>/tflite/<name>.tflite + <name>.tflite.integrity.json
//   <root>/last-fetched.json        what `mobilenet fetch` installed last
// Records hold size + SHA-256 of every file as first downloaded (or as known in the registry); later
// loads verify against them, so a cached file that changed is reported instead of used.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { IntegrityError } from '../errors.js';
import { alphaName, describeVariant, parseRelPath, type Variant } from './registry.js';
import { FORMATS, type WeightsFormat } from '../validate.js';

/** Environment variables as a plain record (no Node types in the public surface). */
export type Env = Readonly<Record<string, string | undefined>>;

/** `$XDG_CACHE_HOME/mobilenet-native`, else `~/.cache/mobilenet-native`. */
export function cacheDir(env: Env = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec says relative paths are invalid and must be ignored.
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'mobilenet-native');
  const home = env.HOME || os.homedir();
  return path.join(home, '.cache', 'mobilenet-native');
}

// ---------------------------------------------------------------------------------------------
// Atomic file primitives

export function partialName(dest: string): string {
  return `${dest}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export async function fsyncDir(dir: string): Promise<void> {
  // Makes a rename durable; not every filesystem lets a directory be opened for fsync.
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
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

/** Remove `dir` and its parents up to (not including) `root` while they are empty: a failed download leaves no folders. */
export async function removeEmptyDirs(dir: string, root: string): Promise<void> {
  let d = path.resolve(dir);
  const stop = path.resolve(root);
  while (d.startsWith(stop + path.sep) || d === stop) {
    try {
      await fsp.rmdir(d); // fails on a non-empty folder: then we are done
    } catch {
      return;
    }
    if (d === stop) return;
    d = path.dirname(d);
  }
}

// ---------------------------------------------------------------------------------------------
// Digests

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
  for await (const chunk of createReadStream(file) as AsyncIterable<Uint8Array>) {
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
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
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
// Cached models

async function statOrUndefined(p: string) {
  try {
    return await fsp.stat(p);
  } catch {
    return undefined;
  }
}

export async function isModelDir(dir: string): Promise<boolean> {
  return (await statOrUndefined(path.join(dir, 'model.json')))?.isFile() ?? false;
}

export async function isFile(p: string): Promise<boolean> {
  return (await statOrUndefined(p))?.isFile() ?? false;
}

/** Where a variant lives below a cache (or MOBILENET_WEIGHTS) root. */
export function variantPath(root: string, v: Variant): string {
  return path.join(root, ...v.relPath.split('/'));
}

export function repairHint(v: Variant, target: string): string {
  const extra = v.kind === 'file' ? ` and ${recordPath(target, 'file')}` : '';
  return `It may be damaged or modified. Delete ${target}${extra} to download it again, or run: ` +
    `mobilenet fetch --alpha ${alphaName(v.alpha, 'tflite')} --resolution ${v.resolution} --format ${v.format} --force`;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The shard file names a model.json lists, each checked to be a plain name in the same folder. */
export async function manifestPaths(modelJson: string): Promise<string[]> {
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

/** The files of a model and their digests as they are now. */
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
export async function verifyCached(v: Variant, target: string, quick = false): Promise<RecordBasis | undefined> {
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
  env?: Env | undefined;
  /** Hash every file (slow on a Pi); default compares sizes with the record only. */
  verify?: boolean | undefined;
}

export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
    const st = await statOrUndefined(path.join(dir, name));
    if (st?.isFile()) total += st.size;
  }
  return total;
}

/** `mobilenet info`: what the cache holds, with each model's integrity status. */
export async function listCached(opts: ListCachedOptions = {}): Promise<CachedEntry[]> {
  const root = opts.cacheDir ?? cacheDir(opts.env ?? process.env);
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

// ---------------------------------------------------------------------------------------------
// The model fetched last

export interface ModelChoice {
  alpha: number;
  resolution: number;
  format: WeightsFormat;
}

const LAST_FETCHED = 'last-fetched.json';

export async function writeLastFetched(root: string, choice: ModelChoice): Promise<void> {
  await atomicWriteFile(path.join(root, LAST_FETCHED), JSON.stringify({ ...choice, fetchedAt: new Date().toISOString() }) + '\n')
    .catch(() => { /* a read-only cache: the choice is simply not remembered */ });
}

export async function readLastFetched(root: string): Promise<ModelChoice | undefined> {
  try {
    const r = JSON.parse(await fsp.readFile(path.join(root, LAST_FETCHED), 'utf8')) as Partial<ModelChoice>;
    if (typeof r.alpha !== 'number' || typeof r.resolution !== 'number' || !FORMATS.includes(r.format as WeightsFormat)) return undefined;
    return parseRelPath(describeVariant(r.alpha, r.resolution, r.format as WeightsFormat).relPath);
  } catch {
    return undefined;
  }
}

/**
 * The model to use when the caller names neither alpha nor resolution: the only model in the cache, else
 * the one fetched last (while it is still cached), else undefined (the resolver's default, 1.0/224).
 * Damaged entries count: using one reports the damage, which beats silently picking another model.
 */
export async function defaultChoice(root: string): Promise<ModelChoice | undefined> {
  const cached = await listCached({ cacheDir: root });
  if (cached.length === 1) {
    const { alpha, resolution, format } = cached[0]!;
    return { alpha, resolution, format };
  }
  if (cached.length === 0) return undefined;
  const last = await readLastFetched(root);
  if (last && cached.some((c) => c.alpha === last.alpha && c.resolution === last.resolution && c.format === last.format)) return last;
  return undefined;
}
