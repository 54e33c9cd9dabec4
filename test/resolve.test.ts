// Weight resolver, cache and downloader, tested offline against a local HTTP server that serves
// ../shared under the official URL layout (baseUrl redirects the downloader to it), can drop or fail
// first attempts, honours Range requests, and a CONNECT proxy on localhost.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import {
  cacheDir, fetchWeights, listCached, resolveWeights, WeightsNotFoundError, IntegrityError, DownloadError,
} from '../lib/weights/resolve.js';
import { downloadFile, type DownloadProgress } from '../lib/weights/download.js';
import { progressBar } from '../lib/cli/progress.js';
import { findVariant, listVariants, variantUrl } from '../lib/weights/registry.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = path.resolve(repoRoot, '../shared');
const MODELS = path.join(SHARED, 'models');
const TFJS_025 = path.join(MODELS, 'tfjs', 'mobilenet_v1_0.25_224');
const TFLITE = path.join(MODELS, 'tflite');
const TFJS_PREFIX = '/tfjs-models/tfjs/';
const TGZ_PREFIX = '/download.tensorflow.org/models/mobilenet_v1_2018_08_02/';

// drop-first: the first request sends half the body and drops the connection, later ones serve it
// (honouring Range); drop-first-norange: the same, but later ones ignore Range (the client restarts);
// 503-first: the first request gets 503; close: `Connection: close` and a FIN right after the body (HTTP/1.0
// servers such as `python3 -m http.server`, some proxies and mirrors).
type Behaviour = 'close' | 'truncate' | 'stall' | '404' | 'corrupt' | 'slow' | 'drip' | 'drop-first' | 'drop-first-norange' | '503-first' | { body: string };

let server: http.Server;
let base = '';
let tmpRoot = '';
let tgzDir = '';
const overrides = new Map<string, Behaviour>();
const hits: string[] = [];
/** Range header of each request, by path ('' when none). */
const ranges: string[] = [];

function fileFor(urlPath: string): string | undefined {
  if (urlPath.startsWith(TFJS_PREFIX)) {
    const rest = urlPath.slice(TFJS_PREFIX.length);
    if (rest.includes('..')) return undefined;
    return path.join(MODELS, 'tfjs', ...rest.split('/'));
  }
  if (urlPath.startsWith(TGZ_PREFIX)) {
    const rest = urlPath.slice(TGZ_PREFIX.length);
    if (rest.includes('/') || rest.includes('..')) return undefined;
    return path.join(tgzDir, rest);
  }
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const firstHit = !hits.includes(p);
  hits.push(p);
  ranges.push(req.headers.range ?? '');
  if (p.startsWith('/redirect/')) {
    res.writeHead(302, { location: p.slice('/redirect'.length) });
    res.end();
    return;
  }
  const behaviour = overrides.get(p);
  if (behaviour !== undefined && typeof behaviour === 'object') {
    res.writeHead(200, { 'content-length': Buffer.byteLength(behaviour.body) });
    res.end(behaviour.body);
    return;
  }
  const file = fileFor(p);
  let body: Buffer;
  try {
    if (!file || behaviour === '404') throw new Error('not found');
    body = await fsp.readFile(file);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  if (behaviour === '503-first' && firstHit) {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('busy');
    return;
  }
  if ((behaviour === 'drop-first' || behaviour === 'drop-first-norange') && firstHit) {
    res.writeHead(200, { 'content-length': body.length });
    res.write(body.subarray(0, body.length >> 1), () => res.destroy());
    return;
  }
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range && (behaviour === undefined || behaviour === 'drop-first' || behaviour === '503-first')) {
    const from = Number(range[1]);
    if (from >= body.length) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` });
      res.end();
      return;
    }
    res.writeHead(206, { 'content-length': body.length - from, 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` });
    res.end(body.subarray(from));
    return;
  }
  if (behaviour === 'close') {
    res.writeHead(200, { 'content-length': body.length, connection: 'close' });
    res.end(body);
    return;
  }
  if (behaviour === 'corrupt') {
    body = Buffer.from(body);
    body[body.length >> 1] = (body[body.length >> 1] ?? 0) ^ 0xff;
  }
  res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
  if (behaviour === 'truncate') {
    res.write(body.subarray(0, body.length >> 1), () => res.destroy());
    return;
  }
  if (behaviour === 'stall') {
    res.write(body.subarray(0, Math.min(100, body.length >> 1)));
    return; // never ends; the client's stall timer must fire
  }
  if (behaviour === 'slow' || behaviour === 'drip') {
    const step = behaviour === 'slow' ? 64 * 1024 : 256;
    for (let i = 0; i < body.length; i += step) {
      if (res.destroyed) return;
      res.write(body.subarray(i, i + step));
      await sleep(behaviour === 'slow' ? 2 : 20);
    }
    res.end();
    return;
  }
  res.end(body);
}

async function makeTgz(name: string, members: Record<string, string | Buffer>): Promise<void> {
  const staging = await fsp.mkdtemp(path.join(tmpRoot, 'tgz-'));
  for (const [m, content] of Object.entries(members)) {
    await fsp.writeFile(path.join(staging, m), typeof content === 'string' ? await fsp.readFile(content) : content);
  }
  await tar.c({ gzip: true, file: path.join(tgzDir, name), cwd: staging, portable: true }, ['./' + Object.keys(members)[0], ...Object.keys(members).slice(1)]);
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(p + '/', ...(await walk(p)));
    else out.push(p);
  }
  return out.sort();
}

beforeAll(async () => {
  tmpRoot = await fsp.mkdtemp(path.join(os.tmpdir(), 'mobilenet-resolve-'));
  tgzDir = path.join(tmpRoot, 'tgz');
  await fsp.mkdir(tgzDir);
  const info = Buffer.from('Model: mobilenet_v1\nInput: input\nOutput: MobilenetV1/Predictions/Reshape_1\n');
  // Upstream tarballs hold checkpoints, a frozen graph and an info file next to the .tflite.
  await makeTgz('mobilenet_v1_0.25_224.tgz', {
    'mobilenet_v1_0.25_224_info.txt': info,
    'mobilenet_v1_0.25_224_frozen.pb': Buffer.alloc(4096, 7),
    'mobilenet_v1_0.25_224.tflite': path.join(TFLITE, 'mobilenet_v1_0.25_224_float.tflite'),
  });
  await makeTgz('mobilenet_v1_0.5_160_quant.tgz', {
    'mobilenet_v1_0.5_160_quant.tflite': path.join(TFLITE, 'mobilenet_v1_0.5_160_quant.tflite'),
    'mobilenet_v1_0.5_160_quant_info.txt': info,
  });
  // No known hash for 1.0/128 quant: verified by size + SHA-256 recorded at the first download.
  await makeTgz('mobilenet_v1_1.0_128_quant.tgz', {
    'mobilenet_v1_1.0_128_quant.tflite': path.join(TFLITE, 'mobilenet_v1_0.25_128_quant.tflite'),
  });
  // Known hash, wrong bytes (another model under this name).
  await makeTgz('mobilenet_v1_0.25_224_quant.tgz', {
    'mobilenet_v1_0.25_224_quant.tflite': path.join(TFLITE, 'mobilenet_v1_0.25_128_quant.tflite'),
  });
  // An archive without the member.
  await makeTgz('mobilenet_v1_0.75_160_quant.tgz', { 'mobilenet_v1_0.75_160_quant_info.txt': info });

  server = http.createServer((req, res) => {
    serve(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fsp.rm(tmpRoot, { recursive: true, force: true });
});

let cache = '';
const env: NodeJS.ProcessEnv = {};

beforeEach(async () => {
  cache = await fsp.mkdtemp(path.join(tmpRoot, 'cache-'));
  overrides.clear();
  hits.length = 0;
  ranges.length = 0;
});

afterEach(() => {
  server.closeAllConnections();
});

function opts(extra: Parameters<typeof resolveWeights>[0] = {}): Parameters<typeof resolveWeights>[0] {
  return { cacheDir: cache, env, baseUrl: base, timeoutMs: 2000, retryDelayMs: 1, ...extra };
}

describe('registry', () => {
  it('spells alphas as upstream does and hosts tfjs at 224 only', () => {
    expect(variantUrl(findVariant(0.5, 224, 'tfjs')!)).toBe('https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.50_224/model.json');
    expect(variantUrl(findVariant(1, 224, 'tfjs')!)).toBe('https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_1.0_224/model.json');
    expect(variantUrl(findVariant(0.5, 160, 'tflite-quant')!)).toBe(
      'https://storage.googleapis.com/download.tensorflow.org/models/mobilenet_v1_2018_08_02/mobilenet_v1_0.5_160_quant.tgz');
    expect(variantUrl(findVariant(1, 128, 'tflite')!)).toBe(
      'https://storage.googleapis.com/download.tensorflow.org/models/mobilenet_v1_2018_08_02/mobilenet_v1_1.0_128.tgz');
    expect(findVariant(0.5, 160, 'tfjs')).toBeUndefined();
    expect(findVariant(0.35, 224, 'tflite')).toBeUndefined();
    expect(listVariants()).toHaveLength(4 + 16 + 16);
  });

  it('knows the SHA-256 of every model file in ../shared', async () => {
    const { sha256File } = await import('../lib/weights/cache.js');
    for (const a of ['0.25', '0.75']) {
      const v = findVariant(Number(a), 224, 'tfjs')!;
      const dir = path.join(MODELS, 'tfjs', `mobilenet_v1_${a}_224`);
      const manifest = JSON.parse(await fsp.readFile(path.join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
      const names = ['model.json', ...manifest.weightsManifest.flatMap((g) => g.paths)];
      expect(Object.keys(v.known!).sort()).toEqual(names.sort());
      for (const n of names) expect(v.known![n]!.sha256).toBe((await sha256File(path.join(dir, n))).sha256);
    }
    const tfl: [number, number, 'tflite' | 'tflite-quant', string][] = [
      [0.25, 224, 'tflite', 'mobilenet_v1_0.25_224_float.tflite'],
      [0.25, 224, 'tflite-quant', 'mobilenet_v1_0.25_224_quant.tflite'],
      [0.25, 128, 'tflite-quant', 'mobilenet_v1_0.25_128_quant.tflite'],
      [0.5, 160, 'tflite-quant', 'mobilenet_v1_0.5_160_quant.tflite'],
      [0.75, 192, 'tflite-quant', 'mobilenet_v1_0.75_192_quant.tflite'],
    ];
    for (const [a, r, f, file] of tfl) {
      const v = findVariant(a, r, f)!;
      const d = await sha256File(path.join(TFLITE, file));
      expect(v.known![v.member!]).toEqual(d);
    }
  });
});

describe('cacheDir', () => {
  it('uses XDG_CACHE_HOME, else ~/.cache; a relative XDG_CACHE_HOME is ignored', () => {
    expect(cacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' })).toBe('/x/cache/mobilenet-native');
    expect(cacheDir({ HOME: '/home/u' })).toBe('/home/u/.cache/mobilenet-native');
    expect(cacheDir({ XDG_CACHE_HOME: 'rel', HOME: '/home/u' })).toBe('/home/u/.cache/mobilenet-native');
  });
});

describe('explicit path and MOBILENET_WEIGHTS', () => {
  it('returns an explicit directory, model.json or .tflite as given', async () => {
    expect(await resolveWeights({ weights: TFJS_025 })).toEqual({ path: TFJS_025, source: 'explicit', format: 'tfjs' });
    expect(await resolveWeights({ weights: path.join(TFJS_025, 'model.json') })).toEqual({ path: TFJS_025, source: 'explicit', format: 'tfjs' });
    const q = path.join(TFLITE, 'mobilenet_v1_0.5_160_quant.tflite');
    expect(await resolveWeights({ weights: q })).toEqual({ path: q, source: 'explicit', format: 'tflite-quant' });
  });

  it('rejects a missing explicit path with the parameter named', async () => {
    await expect(resolveWeights({ weights: '/nonexistent/m' })).rejects.toThrow(
      new RangeError("Expected an existing directory with model.json or .tflite file for weights but received '/nonexistent/m' of type string"));
    await expect(resolveWeights({ weights: path.join(SHARED, 'labels') })).rejects.toThrow(
      /^Expected a directory with model.json or a .tflite file for weights but received/);
  });

  it('finds models in MOBILENET_WEIGHTS laid out like ../shared/models, before the cache', async () => {
    const e = { MOBILENET_WEIGHTS: MODELS };
    expect(await resolveWeights({ alpha: 0.25, resolution: 224, env: e, cacheDir: cache, download: false }))
      .toEqual({ path: TFJS_025, source: 'env', format: 'tfjs' });
    expect(await resolveWeights({ alpha: 0.25, resolution: 224, format: 'tflite', env: e, cacheDir: cache, download: false }))
      .toEqual({ path: path.join(TFLITE, 'mobilenet_v1_0.25_224_float.tflite'), source: 'env', format: 'tflite' });
    // No tfjs or float at 0.5/160: the quantized model is what is there.
    expect(await resolveWeights({ alpha: 0.5, resolution: 160, env: e, cacheDir: cache, download: false }))
      .toEqual({ path: path.join(TFLITE, 'mobilenet_v1_0.5_160_quant.tflite'), source: 'env', format: 'tflite-quant' });
    expect(hits).toEqual([]);
  });

  it('falls through to the cache and download when MOBILENET_WEIGHTS lacks the variant', async () => {
    const r = await resolveWeights(opts({ alpha: 0.25, resolution: 224, format: 'tflite', env: { MOBILENET_WEIGHTS: path.join(SHARED, 'labels') } }));
    expect(r.source).toBe('download');
  });
});

describe('download into the cache', () => {
  it('downloads tfjs model.json + shards, verifies known hashes, then serves from the cache', async () => {
    const r = await resolveWeights(opts({ alpha: 0.25, resolution: 224 }));
    const dir = path.join(cache, 'tfjs', 'mobilenet_v1_0.25_224');
    expect(r).toEqual({ path: dir, source: 'download', format: 'tfjs', verified: 'known' });
    expect(hits).toHaveLength(56);
    for (const name of await fsp.readdir(TFJS_025)) {
      if (name === 'README.md' || name === 'metadata.json') continue;
      expect(Buffer.compare(await fsp.readFile(path.join(dir, name)), await fsp.readFile(path.join(TFJS_025, name)))).toBe(0);
    }
    const rec = JSON.parse(await fsp.readFile(path.join(dir, '.integrity.json'), 'utf8')) as { basis: string; files: Record<string, unknown> };
    expect(rec.basis).toBe('known');
    expect(Object.keys(rec.files)).toHaveLength(56);
    hits.length = 0;
    expect(await resolveWeights(opts({ alpha: 0.25, resolution: 224 }))).toEqual({ path: dir, source: 'cache', format: 'tfjs', verified: 'known' });
    expect(hits).toEqual([]);
    // Only the model folder: no partial files anywhere.
    expect((await walk(cache)).filter((p) => p.includes('.partial-'))).toEqual([]);
  });

  it('follows redirects (baseUrl pointing at a redirecting mirror)', async () => {
    const r = await resolveWeights(opts({ alpha: 0.5, resolution: 160, format: 'tflite-quant', baseUrl: `${base}/redirect` }));
    expect(r.source).toBe('download');
    expect(hits[0]).toBe(`/redirect${TGZ_PREFIX}mobilenet_v1_0.5_160_quant.tgz`);
    expect(hits[1]).toBe(`${TGZ_PREFIX}mobilenet_v1_0.5_160_quant.tgz`);
  });

  it('extracts the .tflite from the release .tgz and checks its known hash', async () => {
    const r = await resolveWeights(opts({ alpha: 0.25, resolution: 224, format: 'tflite' }));
    const file = path.join(cache, 'tflite', 'mobilenet_v1_0.25_224.tflite');
    expect(r).toEqual({ path: file, source: 'download', format: 'tflite', verified: 'known' });
    expect(Buffer.compare(await fsp.readFile(file), await fsp.readFile(path.join(TFLITE, 'mobilenet_v1_0.25_224_float.tflite')))).toBe(0);
    expect(await walk(path.join(cache, 'tflite'))).toEqual([file, `${file}.integrity.json`]);
    expect((await resolveWeights(opts({ alpha: 0.25, resolution: 224, format: 'tflite' }))).source).toBe('cache');
  });

  it('defaults to float tflite where no tfjs weights are published (resolution != 224)', async () => {
    overrides.set(`${TGZ_PREFIX}mobilenet_v1_0.25_128.tgz`, '404');
    const err = await resolveWeights(opts({ alpha: 0.25, resolution: 128 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsNotFoundError);
    expect(hits).toEqual([`${TGZ_PREFIX}mobilenet_v1_0.25_128.tgz`]);
  });

  it('records size + SHA-256 at first download when no hash is known, and catches later damage', async () => {
    const r = await resolveWeights(opts({ alpha: 1, resolution: 128, format: 'tflite-quant' }));
    expect(r.verified).toBe('first-download');
    const rec = JSON.parse(await fsp.readFile(`${r.path}.integrity.json`, 'utf8')) as { basis: string; source: string; files: Record<string, { size: number }> };
    expect(rec.basis).toBe('first-download');
    expect(rec.source).toBe(`${base}${TGZ_PREFIX}mobilenet_v1_1.0_128_quant.tgz`);
    expect(rec.files['mobilenet_v1_1.0_128_quant.tflite']!.size).toBe(525598);

    const fd = await fsp.open(r.path, 'r+');
    await fd.write(Buffer.from([0x42]), 0, 1, 1000);
    await fd.close();
    const err = await resolveWeights(opts({ alpha: 1, resolution: 128, format: 'tflite-quant' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    const { sha256File } = await import('../lib/weights/cache.js');
    const now = (await sha256File(r.path)).sha256;
    expect((err as Error).message).toBe(
      `${r.path}: integrity check failed\n` +
      `  mobilenet_v1_1.0_128_quant.tflite: expected sha256 cb273c23ee76374b05b9583177e28aa19744858a7679c56a250e83d0333da785, found ${now}\n` +
      `It may be damaged or modified. Delete ${r.path} and ${r.path}.integrity.json to download it again, ` +
      `or run: mobilenet fetch --alpha 1.0 --resolution 128 --format tflite-quant --force`);

    // `mobilenet fetch` repairs it.
    const f = await fetchWeights({ alpha: 1, resolution: 128, format: 'tflite-quant', cacheDir: cache, env, baseUrl: base, retryDelayMs: 1 });
    expect(f.source).toBe('download');
    expect(f.replaced).toHaveLength(1);
    expect((await resolveWeights(opts({ alpha: 1, resolution: 128, format: 'tflite-quant' }))).source).toBe('cache');
  });

  it('reports a damaged cached tfjs shard instead of using it', async () => {
    const r = await resolveWeights(opts({ alpha: 0.25, resolution: 224 }));
    await fsp.truncate(path.join(r.path, 'group29-shard1of1'), 1000);
    await expect(resolveWeights(opts({ alpha: 0.25, resolution: 224 }))).rejects.toThrow(new IntegrityError(r.path,
      ['group29-shard1of1: expected 1028000 bytes, found 1000'],
      `It may be damaged or modified. Delete ${r.path} to download it again, or run: mobilenet fetch --alpha 0.25 --resolution 224 --format tfjs --force`));
    const listed = await listCached({ cacheDir: cache, env });
    expect(listed).toMatchObject([{ alpha: 0.25, resolution: 224, format: 'tfjs', status: 'damaged', problems: ['group29-shard1of1: expected 1028000 bytes, found 1000'] }]);
  });

  it('verifies by hash files put into the cache by hand', async () => {
    const dest = path.join(cache, 'tflite');
    await fsp.mkdir(dest, { recursive: true });
    await fsp.copyFile(path.join(TFLITE, 'mobilenet_v1_0.75_192_quant.tflite'), path.join(dest, 'mobilenet_v1_0.75_192_quant.tflite'));
    expect(await resolveWeights(opts({ alpha: 0.75, resolution: 192, download: false }))).toMatchObject({ source: 'cache', verified: 'known' });
    // A wrong file under a known name is refused.
    await fsp.rm(path.join(dest, 'mobilenet_v1_0.75_192_quant.tflite.integrity.json'));
    await fsp.copyFile(path.join(TFLITE, 'mobilenet_v1_0.25_224_quant.tflite'), path.join(dest, 'mobilenet_v1_0.75_192_quant.tflite'));
    await expect(resolveWeights(opts({ alpha: 0.75, resolution: 192, download: false }))).rejects.toThrow(
      /integrity check failed\n  mobilenet_v1_0.75_192_quant.tflite: expected 2652542 bytes, found 508786\n/);
    // Same size, other bytes: the hash decides.
    const buf = await fsp.readFile(path.join(TFLITE, 'mobilenet_v1_0.75_192_quant.tflite'));
    buf[5000] = (buf[5000] ?? 0) ^ 1;
    await fsp.writeFile(path.join(dest, 'mobilenet_v1_0.75_192_quant.tflite'), buf);
    await expect(resolveWeights(opts({ alpha: 0.75, resolution: 192, download: false }))).rejects.toThrow(
      /mobilenet_v1_0.75_192_quant.tflite: expected sha256 41daeb22f[0-9a-f]+, found [0-9a-f]{64} \(2652542 bytes\)\n/);
  });

  it('lists the cache for `mobilenet info`', async () => {
    await resolveWeights(opts({ alpha: 0.25, resolution: 224 }));
    await resolveWeights(opts({ alpha: 0.5, resolution: 160, format: 'tflite-quant' }));
    const listed = await listCached({ cacheDir: cache, env, verify: true });
    const v = findVariant(0.25, 224, 'tfjs')!;
    const tfjsBytes = Object.values(v.known!).reduce((s, f) => s + f.size, 0)
      + fs.statSync(path.join(cache, 'tfjs/mobilenet_v1_0.25_224/.integrity.json')).size;
    expect(listed).toMatchObject([
      { alpha: 0.25, resolution: 224, format: 'tfjs', status: 'ok', basis: 'known', bytes: tfjsBytes },
      { alpha: 0.5, resolution: 160, format: 'tflite-quant', status: 'ok', basis: 'known', bytes: 1392846 },
    ]);
  });
});

describe('download failures leave nothing behind', () => {
  async function failure(o: Parameters<typeof resolveWeights>[0]): Promise<DownloadError> {
    const err = await resolveWeights(opts(o)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsNotFoundError);
    const cause = (err as Error).cause;
    expect(cause).toBeInstanceOf(DownloadError);
    // No files, and no empty folders either.
    expect(await walk(cache)).toEqual([]);
    return cause as DownloadError;
  }

  it('truncated body (connection closed before Content-Length)', async () => {
    overrides.set(`${TFJS_PREFIX}mobilenet_v1_0.25_224/group29-shard1of1`, 'truncate');
    const e = await failure({ alpha: 0.25, resolution: 224 });
    expect(e.code).toBe('TRUNCATED');
    expect(e.attempts).toBe(4);
    expect(e.message).toMatch(new RegExp(`^${base}${TFJS_PREFIX}mobilenet_v1_0.25_224/group29-shard1of1: connection closed after \\d+ of 1028000 bytes \\(gave up after 4 attempts\\)$`));
    expect(hits.filter((h) => h.endsWith('group29-shard1of1'))).toHaveLength(4);
  });

  it('a malformed base URL or another scheme fails at once, naming it (it was retried 4 times with back-off)', async () => {
    const bad = await failure({ alpha: 0.25, resolution: 128, format: 'tflite', baseUrl: 'notaurl', retryDelayMs: 1000 });
    expect([bad.code, bad.attempts]).toEqual(['NETWORK', 1]);
    expect(bad.message).toBe('invalid URL notaurl/download.tensorflow.org/models/mobilenet_v1_2018_08_02/mobilenet_v1_0.25_128.tgz ' +
      '(MOBILENET_BASE_URL / baseUrl must be an http or https URL)');
    const ftp = await failure({ alpha: 0.25, resolution: 128, format: 'tflite', baseUrl: 'ftp://mirror.example', retryDelayMs: 1000 });
    expect([ftp.code, ftp.attempts]).toEqual(['NETWORK', 1]);
    expect(ftp.message).toBe('unsupported protocol in ftp://mirror.example/download.tensorflow.org/models/mobilenet_v1_2018_08_02/mobilenet_v1_0.25_128.tgz');
  });

  it('wrong checksum (same size, one byte changed)', async () => {
    overrides.set(`${TFJS_PREFIX}mobilenet_v1_0.25_224/group31-shard1of1`, 'corrupt');
    const e = await failure({ alpha: 0.25, resolution: 224 });
    expect(e.code).toBe('CHECKSUM');
    expect(e.message).toMatch(new RegExp(`^${base}${TFJS_PREFIX}mobilenet_v1_0.25_224/group31-shard1of1: integrity check failed: expected sha256 [0-9a-f]{64}, found [0-9a-f]{64} \\(65536 bytes\\)$`));
  });

  it('wrong checksum of a .tflite inside a .tgz', async () => {
    const e = await failure({ alpha: 0.25, resolution: 224, format: 'tflite-quant' });
    expect(e.code).toBe('CHECKSUM');
    expect(e.message).toMatch(/^mobilenet_v1_0.25_224_quant.tflite from mobilenet_v1_0.25_224_quant.tgz from http:.*: integrity check failed: expected 508786 bytes, found 525598$/);
  });

  it('a damaged .tgz and a .tgz without the model', async () => {
    overrides.set(`${TGZ_PREFIX}mobilenet_v1_0.5_160_quant.tgz`, 'corrupt');
    expect((await failure({ alpha: 0.5, resolution: 160, format: 'tflite-quant' })).code).toBe('ARCHIVE');
    const e = await failure({ alpha: 0.75, resolution: 160, format: 'tflite-quant' });
    expect(e.code).toBe('ARCHIVE');
    expect(e.message).toMatch(/no mobilenet_v1_0.75_160_quant.tflite in the archive$/);
  });

  it('404', async () => {
    const e = await failure({ alpha: 0.5, resolution: 224 });
    expect(e.code).toBe('HTTP_STATUS');
    expect(e.status).toBe(404);
    expect(e.attempts).toBe(1); // not worth retrying
    expect(hits).toHaveLength(1);
    expect(e.message).toBe(`${base}${TFJS_PREFIX}mobilenet_v1_0.50_224/model.json: HTTP 404 Not Found`);
  });

  it("a mirror's credentials in the base URL never reach the error", async () => {
    const secretBase = base.replace('http://', 'http://mirror-user:s3cret-token@');
    const err = await resolveWeights(opts({ alpha: 0.5, resolution: 224, baseUrl: secretBase })).catch((e: unknown) => e) as Error;
    expect(err).toBeInstanceOf(WeightsNotFoundError);
    const cause = err.cause as DownloadError;
    expect(cause).toBeInstanceOf(DownloadError);
    const shown = base.replace('http://', 'http://***@');
    expect(cause.url).toBe(`${shown}${TFJS_PREFIX}mobilenet_v1_0.50_224/model.json`);
    for (const text of [err.message, cause.message, cause.url, String(err.stack)]) expect(text).not.toMatch(/s3cret|mirror-user/);
    expect(err.message).toContain(`  ${shown}${TFJS_PREFIX}mobilenet_v1_0.50_224/model.json`);
  });

  it('stalled connection hits the stall timeout', async () => {
    overrides.set(`${TFJS_PREFIX}mobilenet_v1_0.25_224/group29-shard1of1`, 'stall');
    const t0 = Date.now();
    const e = await failure({ alpha: 0.25, resolution: 224, timeoutMs: 300, retries: 1 });
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toBe(`no data from ${base}${TFJS_PREFIX}mobilenet_v1_0.25_224/group29-shard1of1 for 300 ms (gave up after 2 attempts)`);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a trickle that never stalls hits the overall timeout', async () => {
    overrides.set(`${TGZ_PREFIX}mobilenet_v1_0.5_160_quant.tgz`, 'drip');
    const e = await failure({ alpha: 0.5, resolution: 160, format: 'tflite-quant', timeoutMs: 1000, totalTimeoutMs: 300 });
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toBe(`${base}${TGZ_PREFIX}mobilenet_v1_0.5_160_quant.tgz: not finished after 300 ms`);
  });

  it('refuses a model.json whose manifest points outside its folder', async () => {
    const mj = JSON.parse(await fsp.readFile(path.join(TFJS_025, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    mj.weightsManifest[0]!.paths = ['../../evil'];
    overrides.set(`${TFJS_PREFIX}mobilenet_v1_1.0_224/model.json`, { body: JSON.stringify(mj) });
    const e = await failure({ alpha: 1, resolution: 224 });
    expect(e.message).toMatch(/refusing weights path "..\/..\/evil" \(must be a plain file name\)$/);
  });
});

describe('concurrency', () => {
  it('parallel downloads of one model never expose a half file and agree on the result', async () => {
    overrides.set(`${TGZ_PREFIX}mobilenet_v1_0.5_160_quant.tgz`, 'slow');
    overrides.set(`${TFJS_PREFIX}mobilenet_v1_0.25_224/group29-shard1of1`, 'slow');
    const file = path.join(cache, 'tflite', 'mobilenet_v1_0.5_160_quant.tflite');
    const dir = path.join(cache, 'tfjs', 'mobilenet_v1_0.25_224');
    const shard = path.join(TFJS_025, 'group29-shard1of1');
    let done = false;
    const seen = { file: 0, dir: 0 };
    const watcher = (async () => {
      while (!done) {
        if (fs.existsSync(file)) {
          expect(fs.statSync(file).size).toBe(1392846);
          seen.file++;
        }
        if (fs.existsSync(dir)) {
          // The folder appears complete, with its record, or not at all.
          expect(fs.existsSync(path.join(dir, '.integrity.json'))).toBe(true);
          expect(fs.statSync(path.join(dir, 'group29-shard1of1')).size).toBe(fs.statSync(shard).size);
          seen.dir++;
        }
        await sleep(1);
      }
    })();
    const runs = await Promise.all([
      ...Array.from({ length: 4 }, () => fetchWeights({ alpha: 0.5, resolution: 160, format: 'tflite-quant', cacheDir: cache, env, baseUrl: base, retryDelayMs: 1, force: true })),
      ...Array.from({ length: 4 }, () => fetchWeights({ alpha: 0.25, resolution: 224, cacheDir: cache, env, baseUrl: base, retryDelayMs: 1, force: true })),
    ]);
    done = true;
    await watcher;
    expect(new Set(runs.map((r) => r.path))).toEqual(new Set([file, dir]));
    expect(seen.file + seen.dir).toBeGreaterThan(0);
    expect((await walk(cache)).filter((p) => p.includes('.partial-'))).toEqual([]);
    expect((await resolveWeights(opts({ alpha: 0.5, resolution: 160, format: 'tflite-quant', download: false }))).source).toBe('cache');
    expect((await resolveWeights(opts({ alpha: 0.25, resolution: 224, download: false }))).source).toBe('cache');
  });
});

describe('offline errors say what to download and where to put it', () => {
  it('tfjs, downloading disabled', async () => {
    const err = await resolveWeights({ alpha: 0.75, resolution: 224, cacheDir: cache, env: {}, download: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsNotFoundError);
    expect((err as Error).message).toBe([
      `No MobileNetV1 weights for alpha 0.75, resolution 224 were found in MOBILENET_WEIGHTS (not set) or in the cache (${cache}), and downloading is disabled (download: false).`,
      'To install them by hand, download',
      '  https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.75_224/model.json',
      '  and the 55 files listed in its weightsManifest (group1-shard1of1 ... group55-shard1of1) from the same folder,',
      'into one of these folders:',
      `  ${cache}/tfjs/mobilenet_v1_0.75_224/   (the cache)`,
      '  $MOBILENET_WEIGHTS/tfjs/mobilenet_v1_0.75_224/   (MOBILENET_WEIGHTS, a directory of models: set it to use one)',
      "or pass it directly: load({ weights: '/path/to/mobilenet_v1_0.75_224' }).",
    ].join('\n'));
  });

  it('tflite, network unreachable', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const envDir = path.join(tmpRoot, 'models-dir');
    const err = await resolveWeights({
      alpha: 0.5, resolution: 128, format: 'tflite-quant', cacheDir: cache, env: { MOBILENET_WEIGHTS: envDir },
      baseUrl: `http://127.0.0.1:${port}`, retries: 2, retryDelayMs: 1,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsNotFoundError);
    expect((err as Error).message).toBe([
      `No MobileNetV1 weights for alpha 0.5, resolution 128 were found in MOBILENET_WEIGHTS (${envDir}) or in the cache (${cache}), ` +
        `and the download failed: http://127.0.0.1:${port}${TGZ_PREFIX}mobilenet_v1_0.5_128_quant.tgz: connect ECONNREFUSED 127.0.0.1:${port} (gave up after 3 attempts).`,
      'To install them by hand, download',
      `  http://127.0.0.1:${port}${TGZ_PREFIX}mobilenet_v1_0.5_128_quant.tgz`,
      '  and extract mobilenet_v1_0.5_128_quant.tflite from it,',
      'to one of these paths:',
      `  ${cache}/tflite/mobilenet_v1_0.5_128_quant.tflite   (the cache)`,
      `  ${envDir}/tflite/mobilenet_v1_0.5_128_quant.tflite   (MOBILENET_WEIGHTS, a directory of models)`,
      "or pass it directly: load({ weights: '/path/to/mobilenet_v1_0.5_128_quant.tflite' }).",
    ].join('\n'));
  });

  it('MOBILENET_OFFLINE=1 never touches the network', async () => {
    await expect(resolveWeights({ alpha: 0.25, resolution: 160, cacheDir: cache, env: { MOBILENET_OFFLINE: '1' }, baseUrl: base }))
      .rejects.toThrow(/and downloading is disabled \(MOBILENET_OFFLINE=1\)\.\n/);
    expect(hits).toEqual([]);
  });

  it('unpublished variants say what is published', async () => {
    await expect(resolveWeights(opts({ alpha: 0.25, resolution: 128, format: 'tfjs' }))).rejects.toThrow(
      "No published tfjs weights for alpha 0.25, resolution 128: TF.js layers weights are published at resolution 224 only. Use format 'tflite' or 'tflite-quant', or pass weights: '<path>'.");
    await expect(resolveWeights(opts({ alpha: 0.35, resolution: 224 }))).rejects.toThrow(
      "No published tfjs weights for alpha 0.35, resolution 224: published alphas are 1.0, 0.75, 0.5, 0.25. Pass weights: '<path>' to use your own.");
    await expect(resolveWeights(opts({ alpha: 0.25, resolution: 100 }))).rejects.toThrow(
      'Expected a multiple of 32 of at least 32 (published weights: 224, 192, 160, 128) for resolution but received 100 of type number');
  });
});

describe('a network that drops, a proxy, an abort', () => {
  it('resumes a file whose first attempt was dropped (Range request, 206)', async () => {
    const shard = `${TFJS_PREFIX}mobilenet_v1_0.25_224/group29-shard1of1`;
    overrides.set(shard, 'drop-first');
    const r = await resolveWeights(opts({ alpha: 0.25, resolution: 224 }));
    expect(r).toMatchObject({ source: 'download', verified: 'known' });
    const tries = hits.flatMap((h, i) => (h === shard ? [ranges[i]] : []));
    expect(tries).toHaveLength(2);
    expect(tries[0]).toBe('');
    expect(tries[1]).toMatch(/^bytes=[1-9]\d*-$/); // resumed where the first attempt stopped
    expect(Buffer.compare(await fsp.readFile(path.join(r.path, 'group29-shard1of1')), await fsp.readFile(path.join(TFJS_025, 'group29-shard1of1')))).toBe(0);
  });

  it('a server that closes the connection after each body (Connection: close, FIN) is read to the end', async () => {
    // undici 6 asserts (and takes the process down) when a FIN arrives while a response body is paused for
    // backpressure (nodejs/undici#5360, fixed in undici 8 only); the downloader never leaves a body paused.
    for (const name of ['model.json', 'group29-shard1of1', 'group37-shard1of1']) overrides.set(`${TFJS_PREFIX}mobilenet_v1_0.25_224/${name}`, 'close');
    overrides.set(`${TGZ_PREFIX}mobilenet_v1_0.25_224.tgz`, 'close');
    expect(await resolveWeights(opts({ alpha: 0.25, resolution: 224 }))).toMatchObject({ source: 'download', verified: 'known' });
    expect(await resolveWeights(opts({ alpha: 0.25, resolution: 224, format: 'tflite' }))).toMatchObject({ source: 'download', verified: 'known' });
  });

  it('restarts a dropped file when the server ignores Range, and retries a 503', async () => {
    overrides.set(`${TGZ_PREFIX}mobilenet_v1_0.25_224.tgz`, 'drop-first-norange');
    const r = await resolveWeights(opts({ alpha: 0.25, resolution: 224, format: 'tflite' }));
    expect(r).toMatchObject({ source: 'download', verified: 'known' });
    expect(hits).toHaveLength(2);
    overrides.set(`${TGZ_PREFIX}mobilenet_v1_0.5_160_quant.tgz`, '503-first');
    hits.length = 0;
    expect((await resolveWeights(opts({ alpha: 0.5, resolution: 160, format: 'tflite-quant' }))).source).toBe('download');
    expect(hits).toHaveLength(2);
  });

  it('backs off between retries (1x, 2x, 4x the delay)', async () => {
    overrides.set(`${TGZ_PREFIX}mobilenet_v1_0.5_160_quant.tgz`, 'truncate');
    const t0 = Date.now();
    const err = await resolveWeights(opts({ alpha: 0.5, resolution: 160, format: 'tflite-quant', retries: 3, retryDelayMs: 100 })).catch((e: unknown) => e);
    const elapsed = Date.now() - t0;
    expect(((err as Error).cause as DownloadError).attempts).toBe(4);
    expect(elapsed).toBeGreaterThanOrEqual(700); // 100 + 200 + 400 ms of waiting
  });

  it('goes through HTTP_PROXY (CONNECT on localhost), and around it for NO_PROXY hosts', async () => {
    const tunnels: string[] = [];
    const proxy = http.createServer((_req, res) => { res.writeHead(405); res.end(); });
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const viaProxy = { HTTP_PROXY: proxyUrl };
      const r = await resolveWeights(opts({ alpha: 0.5, resolution: 160, format: 'tflite-quant', env: viaProxy }));
      expect(r.source).toBe('download');
      expect(tunnels).toEqual([new URL(base).host]);
      expect(hits).toHaveLength(1);

      tunnels.length = 0;
      const bypass = { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' };
      const r2 = await fetchWeights({ alpha: 0.5, resolution: 160, format: 'tflite-quant', force: true, cacheDir: cache, env: bypass, baseUrl: base, retryDelayMs: 1 });
      expect(r2.source).toBe('download');
      expect(tunnels).toEqual([]);
      expect(hits).toHaveLength(2);
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('a proxy that refuses is reported, retried, and leaves nothing behind', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const err = await resolveWeights(opts({ alpha: 0.5, resolution: 160, format: 'tflite-quant', env: { HTTP_PROXY: `http://127.0.0.1:${port}` }, retries: 1 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsNotFoundError);
    expect(((err as Error).cause as DownloadError).code).toBe('NETWORK');
    expect(((err as Error).cause as DownloadError).attempts).toBe(2);
    expect((err as Error).message).toContain(`connect ECONNREFUSED 127.0.0.1:${port} (gave up after 2 attempts) (with HTTP_PROXY=http://127.0.0.1:${port}).\n`);
    expect(hits).toEqual([]);
    expect(await walk(cache)).toEqual([]);
  });

  it('a proxy variable that is not a URL is named in the error', async () => {
    const err = await resolveWeights(opts({ alpha: 0.5, resolution: 160, format: 'tflite-quant', env: { HTTPS_PROXY: 'not a url' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsNotFoundError);
    expect(((err as Error).cause as Error).message).toMatch(/^not a usable proxy URL \(HTTPS_PROXY=not a url\): /);
    expect(await walk(cache)).toEqual([]);
  });

  it('a proxy that wants credentials (407) is not retried, says how to give them, and never prints the password', async () => {
    const tunnels: string[] = [];
    const proxy = http.createServer((_req, res) => { res.writeHead(405); res.end(); });
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(req.headers['proxy-authorization'] ?? '');
      if (req.headers['proxy-authorization'] !== `Basic ${Buffer.from('robot:s3cret').toString('base64')}`) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="lab"\r\n\r\n');
        return;
      }
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const hostPort = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const wrong = { HTTP_PROXY: `http://robot:wrong-pass@${hostPort}` };
      const err = await resolveWeights(opts({ alpha: 0.5, resolution: 160, format: 'tflite-quant', env: wrong, retries: 3 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WeightsNotFoundError);
      const cause = (err as Error).cause as DownloadError;
      expect([cause.code, cause.status, cause.attempts]).toEqual(['HTTP_STATUS', 407, 1]);
      const url = `${base}${TGZ_PREFIX}mobilenet_v1_0.5_160_quant.tgz`;
      expect((err as Error).message).toContain(
        `and the download failed: ${url}: the proxy answered HTTP 407 Proxy Authentication Required; give its user name and ` +
          `password in the proxy URL, as user:password@ before the host (with HTTP_PROXY=http://***@${hostPort}).\n`);
      expect((err as Error).message).not.toContain('wrong-pass');
      expect(tunnels).toHaveLength(1);
      expect(hits).toEqual([]);
      expect(await walk(cache)).toEqual([]);

      const right = { HTTP_PROXY: `http://robot:s3cret@${hostPort}` };
      expect((await resolveWeights(opts({ alpha: 0.5, resolution: 160, format: 'tflite-quant', env: right }))).source).toBe('download');
      expect(hits).toHaveLength(1);
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('proxy settings in messages hide their user name and password', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const refused = await resolveWeights(opts({
      alpha: 0.5, resolution: 160, format: 'tflite-quant', env: { HTTP_PROXY: `http://bob:hunter2@127.0.0.1:${port}` }, retries: 0,
    })).catch((e: unknown) => e);
    expect((refused as Error).message).toContain(`connect ECONNREFUSED 127.0.0.1:${port} (with HTTP_PROXY=http://***@127.0.0.1:${port}).\n`);
    const bad = await resolveWeights(opts({ alpha: 0.5, resolution: 160, format: 'tflite-quant', env: { HTTPS_PROXY: 'http://bob:hunter2@[proxy' } }))
      .catch((e: unknown) => e);
    const cause = (bad as Error).cause as DownloadError;
    expect(cause.message).toBe('not a usable proxy URL (HTTPS_PROXY=http://***@[proxy): Invalid URL');
    expect(cause.url).toBe('http://***@[proxy');
    expect((bad as Error).message).toContain('the download failed: not a usable proxy URL (HTTPS_PROXY=http://***@[proxy): Invalid URL.\n');
    for (const e of [refused, bad]) expect(JSON.stringify([(e as Error).message, ((e as Error).cause as Error).message])).not.toContain('hunter2');
  });

  it('an AbortSignal stops a download and removes what it wrote', async () => {
    overrides.set(`${TGZ_PREFIX}mobilenet_v1_0.5_160_quant.tgz`, 'drip');
    const ac = new AbortController();
    const events: DownloadProgress[] = [];
    const p = resolveWeights(opts({
      alpha: 0.5, resolution: 160, format: 'tflite-quant', signal: ac.signal,
      onProgress: (e) => { events.push(e); if (events.length === 3) ac.abort(new Error('user pressed stop')); },
    }));
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsNotFoundError);
    const cause = (err as Error).cause as DownloadError;
    expect(cause.code).toBe('ABORTED');
    expect(cause.message).toBe(`${base}${TGZ_PREFIX}mobilenet_v1_0.5_160_quant.tgz: download aborted`);
    expect((cause.cause as Error).message).toBe('user pressed stop');
    expect(await walk(cache)).toEqual([]);
  });
});

describe('progress', () => {
  it('the library reports bytes to onProgress and prints nothing; totals from the registry (tfjs) or Content-Length', async () => {
    const events: DownloadProgress[] = [];
    await resolveWeights(opts({ alpha: 0.25, resolution: 224, onProgress: (e) => events.push(e) }));
    const total = Object.values(findVariant(0.25, 224, 'tfjs')!.known!).reduce((a, f) => a + f.size, 0);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.model === 'mobilenet_v1_0.25_224 (tfjs)' && e.totalBytes === total)).toBe(true);
    expect(events[events.length - 1]!.receivedBytes).toBe(total);
    const t: DownloadProgress[] = [];
    await resolveWeights(opts({ alpha: 0.5, resolution: 160, format: 'tflite-quant', onProgress: (e) => t.push(e) }));
    const tgz = fs.statSync(path.join(tgzDir, 'mobilenet_v1_0.5_160_quant.tgz')).size;
    expect(t[t.length - 1]).toEqual({ model: 'mobilenet_v1_0.5_160_quant (tflite-quant)', receivedBytes: tgz, totalBytes: tgz });
  });

  it('the CLI bar draws on a TTY and nothing otherwise', () => {
    const out: string[] = [];
    const tty = { isTTY: true, columns: 100, write: (s: string) => { out.push(s); return true; } };
    const bar = progressBar(tty, 'Downloading x');
    bar.update(1000, 2000, '1000 B/2.0 kB');
    bar.clear();
    expect(out.join('')).toBe('\rDownloading x [############------------]  50% 1000 B/2.0 kB\x1b[K\r\x1b[K');
    const quiet: string[] = [];
    const b2 = progressBar({ isTTY: false, write: (s: string) => { quiet.push(s); return true; } }, 'x');
    b2.update(10, 10, '');
    b2.clear();
    expect(quiet).toEqual([]);
  });

  it('downloadFile reports progress and writes atomically', async () => {
    const dest = path.join(cache, 'x', 'model.json');
    const seen: number[] = [];
    const r = await downloadFile(`${base}${TFJS_PREFIX}mobilenet_v1_0.25_224/model.json`, dest, { onProgress: (n) => seen.push(n) });
    expect(r.size).toBe(54134);
    expect(seen[seen.length - 1]).toBe(54134);
    expect(await walk(path.join(cache, 'x'))).toEqual([dest]);
  });
});

describe('after fetch, the obvious next load works', () => {
  it('no alpha/resolution: the only cached model, else the one fetched last, else 1.0/224', async () => {
    const f = await fetchWeights({ alpha: 0.5, resolution: 160, format: 'tflite-quant', cacheDir: cache, env, baseUrl: base, retryDelayMs: 1 });
    expect(f).toMatchObject({ alpha: 0.5, resolution: 160, format: 'tflite-quant', source: 'download' });
    hits.length = 0;
    expect(await resolveWeights(opts({ download: false }))).toMatchObject({ path: f.path, source: 'cache' });
    // Two models cached: the one fetched last wins.
    const g = await fetchWeights({ alpha: 0.25, resolution: 224, cacheDir: cache, env, baseUrl: base, retryDelayMs: 1 });
    expect(await resolveWeights(opts({ download: false }))).toMatchObject({ path: g.path, source: 'cache' });
    await fetchWeights({ alpha: 0.5, resolution: 160, format: 'tflite-quant', cacheDir: cache, env, baseUrl: base });
    expect(await resolveWeights(opts({ download: false }))).toMatchObject({ path: f.path, source: 'cache' });
    // Without a record of the last fetch and with several models: the documented default, 1.0/224.
    await fsp.rm(path.join(cache, 'last-fetched.json'));
    await expect(resolveWeights(opts({ download: false }))).rejects.toThrow(/^No MobileNetV1 weights for alpha 1.0, resolution 224 were found/);
    // Naming either alpha or resolution turns the choice off.
    expect(await resolveWeights(opts({ alpha: 0.25, download: false }))).toMatchObject({ path: g.path });
  });
});
