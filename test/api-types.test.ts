// The published types as a strict TypeScript user meets them: a project with no @types/node (and no
// DOM lib), the package installed as npm would (dist/ + package.json, no node_modules beside it),
// using the API the way tfjs-models and onnxruntime-node users write it. Needs dist/ (`npm run build:ts`).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/reference.js';
import * as api from '../lib/index.js';

const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const dir = mkdtempSync(join(tmpdir(), 'mobilenet-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const APP = `
import {
  load, version, WeightsError, WeightsNotFoundError, DownloadError, IntegrityError, fetchWeights,
  type Classification, type NativeProfile, type WeightsFormat, type MobileNet, type Input, type Frame, type Isa, type Alpha,
  type DownloadProgress,
} from 'mobilenet-native';

const model: MobileNet = await load();                                   // load(options = {})
const top: Classification[] = await model.classify('cat.jpg', 3);        // a number is topK (tfjs-models)
const label: string = top[0]!.label;                                     // always a string
const many: Classification[][] = await model.classify(['a.jpg', 'b.jpg']);
const either = (x: Input | Input[]) => model.classify(x, { topK: 2 });   // the Input | Input[] overload
const frame: Frame = { data: new Uint8ClampedArray(2 * 2 * 4), width: 2, height: 2, channels: 4 }; // ImageData's array
await model.infer(frame);
const bytes = new Uint8Array(16);
const fromBytes = await load({ weights: bytes, alpha: 0.25, isa: 'neon' }); // a .tflite in memory (onnxruntime's habit)
await load({ weights: bytes.buffer });
const isa: Isa = 'avx2';
const alpha: Alpha = 0.75;
const format: WeightsFormat = 'tflite-quant';
const profile: NativeProfile = model.profile(1);
const onProgress = (p: DownloadProgress): void => { void p.receivedBytes; };
await fetchWeights({ alpha: 0.25, resolution: 224, onProgress });
const errors: (new (...a: never[]) => Error)[] = [WeightsError, WeightsNotFoundError, DownloadError, IntegrityError];
const v: string = version;
model[Symbol.dispose]();
fromBytes.dispose();
void [label, many, either, isa, alpha, format, profile, errors, v];
// @ts-expect-error alpha is one of the published values
await load({ alpha: 0.3 });
// @ts-expect-error isa is one of the kernel sets
await load({ isa: 'sse4' });
const yuv: Frame = { data: new Uint8Array(6), width: 2, height: 2, format: 'i420' };
await model.infer([yuv, { data: new Uint8Array(12), width: 2, height: 2, channels: 3 }]);
// @ts-expect-error a frame names its channels or format (it compiled, then threw "Expected 1, 3 or 4 for input.channels")
await model.infer({ data: new Uint8Array(12), width: 2, height: 2 });
`;

describe('the published types', () => {
  beforeAll(() => {
    // Installed as npm would: dist/ and package.json, no node_modules beside it (so no @types/node to find).
    const pkg = join(dir, 'node_modules', 'mobilenet-native');
    mkdirSync(pkg, { recursive: true });
    cpSync(join(repoRoot, 'dist'), join(pkg, 'dist'), { recursive: true });
    cpSync(join(repoRoot, 'package.json'), join(pkg, 'package.json'));
  });

  it('compile in a strict project without @types/node or the DOM lib', () => {
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'app.ts'), APP);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: [],
        noEmit: true, skipLibCheck: false, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true,
      },
      files: ['app.ts'],
    }));
    let out = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    } catch (e) {
      out = (e as { stdout?: string }).stdout ?? String(e);
    }
    expect(out).toBe('');
  });

  it('`using model = await load()` compiles where the lib has Symbol.dispose (ESNext.Disposable)', () => {
    const sub = join(dir, 'using');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(sub, 'app.ts'), `import { load } from 'mobilenet-native';\n{\n  using model = await load();\n  void model.info.alpha;\n}\n`);
    writeFileSync(join(sub, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'ESNext.Disposable'],
        types: [], noEmit: true, skipLibCheck: false,
      },
      files: ['app.ts'],
    }));
    let out = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', sub], { encoding: 'utf8' });
    } catch (e) {
      out = (e as { stdout?: string }).stdout ?? String(e);
    }
    expect(out).toBe('');
  });

  it('exports every error class, the value sets and the version of package.json', () => {
    const made = [
      new api.WeightsError('m.tflite', 'bad'), new api.WeightsNotFoundError('none'),
      new api.DownloadError('NETWORK', 'http://x', 'down'), new api.IntegrityError('t', ['p'], 'hint'),
    ];
    expect(made.map((e) => [e instanceof Error, e.name])).toEqual([
      [true, 'WeightsError'], [true, 'WeightsNotFoundError'], [true, 'DownloadError'], [true, 'IntegrityError'],
    ]);
    expect(api.version).toBe((JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version);
    expect(api.ISAS).toEqual(['scalar', 'avx2', 'avx512', 'neon']);
    expect(api.INTEGER_ISAS).toEqual(['scalar', 'avx2', 'avxvnni', 'avx512vnni', 'avx512amx', 'neon', 'neondot']);
    expect(api.ALPHAS).toEqual([1.0, 0.75, 0.5, 0.25]);
    expect(api.FORMATS).toEqual(['tfjs', 'tflite', 'tflite-quant']);
  });
});

describe('habits of the peers', () => {
  const parrot = join(repoRoot, '../shared/images/samples/coral_parrot.jpg');
  const tflite = join(repoRoot, '../shared/models/tflite/mobilenet_v1_0.25_224_float.tflite');

  it('classify(img, 3): a number is topK (tfjs-models); labels are always strings', async () => {
    const model = await api.load({ weights: tflite, threads: 1 });
    try {
      const top = await model.classify(parrot, 3);
      expect(top).toHaveLength(3);
      expect(top[0]).toMatchObject({ index: 88, label: 'macaw' });
      expect(top.every((c) => typeof c.label === 'string')).toBe(true);
      expect(await model.classify(parrot, { topK: 3 })).toEqual(top);
      const batch = await model.classify([parrot, parrot], 2);
      expect(batch.map((b) => b.map((c) => c.index))).toEqual([top.slice(0, 2).map((c) => c.index), top.slice(0, 2).map((c) => c.index)]);
      await expect(model.classify(parrot, 0)).rejects.toThrow('Expected an integer between 1 and 1000 for topK but received 0 of type number');
    } finally {
      model.dispose();
    }
  });

  it('load({ weights: bytes }) takes a .tflite as Uint8Array or ArrayBuffer (onnxruntime), same logits as the file', async () => {
    const bytes = readFileSync(tflite);
    const fromFile = await api.load({ weights: tflite, threads: 1 });
    const fromBytes = await api.load({ weights: new Uint8Array(bytes), threads: 1 });
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
    const fromBuffer = await api.load({ weights: ab, threads: 1 });
    try {
      const want = await fromFile.infer(parrot);
      expect(await fromBytes.infer(parrot)).toEqual(want);
      expect(await fromBuffer.infer(parrot)).toEqual(want);
      expect(fromBytes.info.weights).toBe(`weights (${bytes.length} bytes)`);
    } finally {
      fromFile.dispose();
      fromBytes.dispose();
      fromBuffer.dispose();
    }
    await expect(api.load({ weights: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]) })).rejects.toThrow(/^weights \(9 bytes\): /);
    await expect(api.load({ weights: new Uint8Array(0) })).rejects.toThrow(
      'Expected a path, the bytes of a .tflite file (Uint8Array or ArrayBuffer) or NetWeights for weights but received Uint8Array of length 0');
  });

  it('a URL for weights is refused with a message that says what to do', async () => {
    const url = 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json';
    const msg = 'URLs are not supported; download the file and pass its path (for the published models, ' +
      '`mobilenet fetch --alpha A --resolution R` puts them in the cache and load({ alpha, resolution }) finds them)';
    await expect(api.load({ weights: url })).rejects.toThrow(
      `Expected a path, the bytes of a .tflite file (Uint8Array or ArrayBuffer) or NetWeights for weights but received '${url.slice(0, 57)}...' of type string: ${msg}`);
    await expect(api.load({ weights: new URL(url) as never })).rejects.toThrow(`received URL ${url}: ${msg}`);
  });

  it('[Symbol.dispose] disposes, for `using`', async () => {
    const model = await api.load({ weights: tflite, threads: 1 });
    expect(typeof Symbol.dispose).toBe('symbol');
    model[Symbol.dispose]();
    expect(model.disposed).toBe(true);
    await expect(model.classify(parrot)).rejects.toThrow('This MobileNet model has been disposed; load() a new one');
  });
});
