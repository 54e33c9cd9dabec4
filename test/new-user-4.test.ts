// Rough edges a new user hit trying the packed tarball (user pass 4): each a wrong-typed option, input or flag
// that passed silently, failed inside the library, or got a message naming the wrong thing. Exact messages.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchWeights, load, resolveWeights, syntheticWeights, type MobileNet, type NetWeights } from '../lib/index.js';
import { repoRoot, shared, tfjsWeights } from './helpers/reference.js';

let model: MobileNet;
beforeAll(async () => {
  model = await load({ weights: tfjsWeights('0.25'), resolution: 128, threads: 1 });
});
afterAll(() => model?.dispose());

describe('download options are type-checked before anything is read or fetched', () => {
  it("load({ download: 'no' }) is refused (it used to download), as are a non-function onProgress and a non-signal signal", async () => {
    await expect(load({ download: 'no' as unknown as boolean })).rejects.toThrow(
      new TypeError("Expected a boolean for download but received 'no' of type string"),
    );
    await expect(load({ onProgress: 'x' as unknown as () => void })).rejects.toThrow(
      new TypeError("Expected a function for onProgress but received 'x' of type string"),
    );
    // Was "TypeError: opts.signal?.addEventListener is not a function", from inside the downloader.
    await expect(load({ signal: 5 as unknown as AbortSignal })).rejects.toThrow(
      new TypeError('Expected an AbortSignal (e.g. AbortSignal.timeout(ms) or new AbortController().signal) for signal but received 5 of type number'),
    );
    await expect(load({ signal: {} as AbortSignal })).rejects.toThrow(
      new TypeError('Expected an AbortSignal (e.g. AbortSignal.timeout(ms) or new AbortController().signal) for signal but received an object'),
    );
  });

  it('resolveWeights() and fetchWeights() check the same options, and the timeouts and retries', async () => {
    await expect(resolveWeights({ download: 0 as unknown as boolean })).rejects.toThrow(
      new TypeError('Expected a boolean for download but received 0 of type number'),
    );
    await expect(fetchWeights({ alpha: 0.25, retries: -1 })).rejects.toThrow(
      new RangeError('Expected a non-negative integer for retries but received -1 of type number'),
    );
    await expect(fetchWeights({ alpha: 0.25, timeoutMs: '5000' as unknown as number })).rejects.toThrow(
      new TypeError("Expected a non-negative number (milliseconds) for timeoutMs but received '5000' of type string"),
    );
    await expect(resolveWeights({ baseUrl: new URL('http://mirror.local') as unknown as string })).rejects.toThrow(
      new TypeError('Expected a URL as a string for baseUrl but received URL http://mirror.local/'),
    );
  });
});

describe('a damaged image is called damaged, not "not a supported image"', () => {
  const jpeg = readFileSync(join(shared, 'images/samples/grace_hopper.jpg'));
  const png = readFileSync(join(shared, 'images/samples/coral_cat.png'));

  it('a JPEG or PNG cut off after its header (a half-copied file, a camera still writing it): the format and size it has', async () => {
    await expect(model.classify(jpeg.subarray(0, 20000))).rejects.toThrow(
      new Error('Cannot decode input (encoded image of 20000 bytes): a damaged or truncated JPEG (517 x 606): VipsJpeg: premature end of JPEG image'),
    );
    await expect(model.classify(png.subarray(0, 20000))).rejects.toThrow(
      new Error('Cannot decode input (encoded image of 20000 bytes): a damaged or truncated PNG (512 x 341): pngload_buffer: libspng read error'),
    );
  });

  it('cut off inside the header: damaged or truncated, with the decoder\'s reason; bytes of no image format stay "not a supported image"', async () => {
    await expect(model.infer(jpeg.subarray(0, 2000))).rejects.toThrow(
      new Error('Cannot decode input (encoded image of 2000 bytes): a damaged or truncated image (its header does not read): ' +
        'Input buffer has corrupt header: VipsJpeg: premature end of JPEG image'),
    );
    await expect(model.infer(new TextEncoder().encode('hello world'))).rejects.toThrow(
      new Error('Cannot decode input (encoded image of 11 bytes): not a supported image (JPEG, PNG, WebP, GIF, TIFF, AVIF, BMP, SVG): Input buffer contains unsupported image format; ' +
        "raw pixels (a camera's RGB, RGBA, gray or YUV bytes) go in a frame { data, width, height, format }"),
    );
  });
});

describe('an image URL', () => {
  it("is not 'no such file': it says images are not downloaded", async () => {
    await expect(model.classify('https://example.com/cat.jpg')).rejects.toThrow(
      new Error("Cannot read image file 'https://example.com/cat.jpg': it is a URL, and images are read from files or bytes, not downloaded; " +
        'download it first and pass the file or its bytes'),
    );
    // A path that merely does not exist keeps its own answer.
    await expect(model.classify('/nonexistent/cat.jpg')).rejects.toThrow(new Error("Cannot read image file '/nonexistent/cat.jpg': no such file"));
  });
});

/** The CLI as built (needs dist/: `npm run build:ts`). */
function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [resolve(repoRoot, 'dist/cli.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the CLI names its flags, not load()'s precision option", () => {
  const scaleFile = join(shared, 'cases/tflite/uint8-input-scale-1-255-zero-point-0.tflite');
  const parrot = join(shared, 'images/samples/coral_parrot.jpg');

  it("classify: a uint8 file with no integer form says --precision float (was \"precision: 'float' runs it dequantized\")", () => {
    const r = cli(['classify', parrot, '--weights', scaleFile, '--top', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`mobilenet classify: ${scaleFile}: tensor 'MobilenetV1/MobilenetV1/Conv2d_0/Conv2D_bias' has scale 0.00023121523554436862 ` +
      'for channel 0, expected input scale · weight scale = 0.0001160609899670817 (so its integer form cannot run; --precision float runs it dequantized)\n');
    const f = cli(['classify', parrot, '--weights', scaleFile, '--top', '1', '--precision', 'float']);
    expect(f.code).toBe(0);
    expect(f.stdout).toMatch(/^.*coral_parrot\.jpg\n +\d+\.\d\d% +88  macaw\n$/);
  });

  it('bench --dtype uint8 on float weights says --dtype, which is what the user typed', () => {
    const w = tfjsWeights('0.25');
    const r = cli(['bench', '--weights', w, '--dtype', 'uint8', '--runs', '1', '--warmup', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`mobilenet bench: --dtype uint8 or int8 needs a quantized (uint8 or int8) file, but ${w} holds float weights\n`);
    const q = cli(['bench', '--weights', scaleFile, '--runs', '1', '--warmup', '0', '--threads', '1']);
    expect(q.code).toBe(1);
    expect(q.stderr).toMatch(/\(so its integer form cannot run; --dtype float32 runs it dequantized\)\n$/);
  });
});

describe('detect --out is checked before the model loads; a failed write is one line', () => {
  const ssd = join(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
  const cat = join(shared, 'images/coral/cat.bmp');

  it('a name sharp cannot write, or a folder that does not exist: usage errors (were a per-image failure after detection)', () => {
    // Was "cat.bmp: Unsupported output format out.txt", exit 1, after the detection had run.
    expect(cli(['detect', cat, '--weights', ssd, '--out', 'out.txt'])).toEqual({
      code: 2, stdout: '',
      stderr: "mobilenet detect: Expected an image file name (.jpg, .png, .webp, .avif, .tif, .gif) or a folder for --out but received 'out.txt'\n" +
        "Run 'mobilenet detect --help' for usage.\n",
    });
    // Was four lines of libvips' log ("unable to open for write", "system error: ...", "VipsJpeg: unable to write to target").
    expect(cli(['detect', cat, '--weights', ssd, '--out', '/nonexistent-u14/annotated.jpg'])).toEqual({
      code: 2, stdout: '',
      stderr: "mobilenet detect: Expected --out in an existing folder but /nonexistent-u14 is not one\nRun 'mobilenet detect --help' for usage.\n",
    });
  });

  it('a write that fails all the same: the first line of libvips and the system reason', () => {
    const r = cli(['detect', cat, '--weights', ssd, '--out', '/proc/u14-annotated.png']);
    expect(r.code).toBe(1);
    // root gets ENOENT in /proc, other users EACCES.
    expect(r.stderr).toMatch(/^.*cat\.bmp: Cannot write \/proc\/u14-annotated\.png: unable to open for write \((No such file or directory|Permission denied)\)\n$/);
  });
});

describe('bench --chart into a folder that does not exist', () => {
  it('is a usage error before the runs (was found out after them: --all takes minutes)', () => {
    expect(cli(['bench', '--alpha', '0.25', '--resolution', '128', '--runs', '1', '--warmup', '0', '--chart', '/nonexistent-u14/chart.svg'])).toEqual({
      code: 2, stdout: '',
      stderr: "mobilenet bench: Expected --chart in an existing folder but /nonexistent-u14 does not exist\nRun 'mobilenet bench --help' for usage.\n",
    });
  });
});

describe('importing the package does not load the downloader', () => {
  // undici's HTTP parser is a WebAssembly instance: ~80 ms of a 110 ms import here, and under `ulimit -v 6000000` the
  // import itself failed ("WebAssembly.instantiate(): Out of memory: Cannot allocate Wasm memory"), weights on disk or not.
  const loaded = "Object.keys(require.cache).filter((k) => /[\\\\/](undici|tar)[\\\\/]/.test(k)).length";
  it.each([
    ['ESM', `const { createRequire } = await import('node:module'); const require = createRequire(import.meta.url);
      const { load, resolveWeights } = await import(${JSON.stringify(resolve(repoRoot, 'dist/index.js'))});`],
    ['CommonJS', `const { load, resolveWeights } = require(${JSON.stringify(resolve(repoRoot, 'dist/cjs/index.js'))});`],
  ])('%s: not at import, not for local weights; a download still works (and fails here as a download)', (_, head) => {
    const cache = join(tmpdir(), `mobilenet-u14-lazy-${process.pid}`);
    const code = `(async () => { ${head}
      const before = ${loaded};
      const m = await load({ weights: ${JSON.stringify(tfjsWeights('0.25'))}, resolution: 128, threads: 1 }); m.dispose();
      const local = ${loaded};
      const e = await resolveWeights({ alpha: 0.5, resolution: 128, format: 'tflite', retries: 0 }).catch((x) => x);
      console.log(JSON.stringify({ before, local, after: ${loaded} > 0, error: e.name, message: e.message.split('\\n')[0] }));
    })();`;
    const r = spawnSync(process.execPath, head.includes('await import') ? ['--input-type=module', '-e', code] : ['-e', code], {
      encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cache, MOBILENET_BASE_URL: 'http://127.0.0.1:9', MOBILENET_WEIGHTS: '', MOBILENET_OFFLINE: '' },
    });
    rmSync(cache, { recursive: true, force: true });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { before: number; local: number; after: boolean; error: string; message: string };
    expect(out).toMatchObject({ before: 0, local: 0, after: true, error: 'WeightsNotFoundError' });
    expect(out.message).toMatch(/^No MobileNetV1 weights for alpha 0\.5, resolution 128 .* and the download failed: http:\/\/127\.0\.0\.1:9\//);
  });
});

describe('an output buffer over a SharedArrayBuffer (logits shared with a worker)', () => {
  it('is refused by name, from infer(), inferSync() and embed() (was a bare "Error: Invalid argument" from Node-API)', async () => {
    const frame = { data: new Uint8Array(128 * 128 * 3).fill(90), width: 128, height: 128, format: 'rgb' as const };
    const msg = (n: number) => new TypeError(`Expected a Float32Array over an ArrayBuffer for output but received Float32Array of length ${n} over a SharedArrayBuffer; ` +
      'pass an ordinary one and copy the result into shared memory (e.g. shared.set(result))');
    await expect(model.infer(frame, { output: new Float32Array(new SharedArrayBuffer(4000)) })).rejects.toThrow(msg(1000));
    expect(() => model.inferSync(frame, { output: new Float32Array(new SharedArrayBuffer(4000)) })).toThrow(msg(1000));
    await expect(model.embed(frame, { output: new Float32Array(new SharedArrayBuffer(1024)) })).rejects.toThrow(msg(256));
    // Inputs over shared memory are fine (they are copied): the same logits as from an ordinary buffer.
    const shared = new Uint8Array(new SharedArrayBuffer(frame.data.length));
    shared.set(frame.data);
    expect(await model.infer({ ...frame, data: shared })).toEqual(await model.infer(frame));
  });
});

describe('hand-built NetWeights with a hole in them', () => {
  const broken = (edit: (w: NetWeights) => void): NetWeights => {
    const w = syntheticWeights(0.25);
    edit(w);
    return w;
  };
  it('name the layer and the part (were "Cannot read properties of null (reading \'kernel\')" and the like)', async () => {
    await expect(load({ weights: broken((w) => { (w.layers as unknown[])[2] = null; }), threads: 1 })).rejects.toThrow(
      new TypeError('Expected an object { kernel, bias?, bn? } for weights.layers[2] (conv_pw_1) but received null'),
    );
    await expect(load({ weights: broken((w) => { (w.layers[0] as { kernel: unknown }).kernel = [1, 2, 3]; }), threads: 1 })).rejects.toThrow(
      new TypeError('Expected a Float32Array for weights.layers[0] (conv1).kernel but received an array of length 3'),
    );
    await expect(load({ weights: broken((w) => { delete (w.layers[1]!.bn as { variance?: unknown }).variance; }), threads: 1 })).rejects.toThrow(
      new TypeError('Expected a Float32Array for weights.layers[1] (conv_dw_1).bn.variance but received undefined'),
    );
    await expect(load({ weights: broken((w) => { (w.layers[1] as { bn: unknown }).bn = 'folded'; }), threads: 1 })).rejects.toThrow(
      new TypeError("Expected { gamma, beta, mean, variance, epsilon } for weights.layers[1] (conv_dw_1).bn but received 'folded' of type string"),
    );
  });
});

describe("Coral's coco_labels.txt (`0  person`, ids COCO does not use left out)", () => {
  it('labels detect.tflite as labelmap.txt does (was "Expected 90 labels (one per class) for labels but received 80")', async () => {
    const dir = join(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant');
    // Coral's file, made from labelmap.txt: line i + 1 names class i; '???' lines are the unused ids it skips.
    const coral = readFileSync(join(dir, 'labelmap.txt'), 'utf8').split('\n').slice(1)
      .map((name, i) => (name === '???' || name === '' ? '' : `${i}  ${name}\n`)).join('');
    expect(coral.split('\n')).toHaveLength(81);
    expect(coral).toMatch(/^0 {2}person\n1 {2}bicycle\n(.*\n){9}12 {2}stop sign\n/);
    const tmp = mkdtempSync(join(tmpdir(), 'mobilenet-u14-labels-'));
    try {
      writeFileSync(join(tmp, 'coco_labels.txt'), coral);
      const detector = await load({ weights: join(dir, 'detect.tflite'), labels: join(tmp, 'coco_labels.txt'), threads: 1 });
      const found = await detector.detect(join(shared, 'images/samples/grace_hopper.jpg'));
      detector.dispose();
      expect(found.map((d) => [d.index, d.label])).toEqual([[0, 'person'], [31, 'tie']]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('classify <folder> skips hidden files and folders', () => {
  it("macOS's ._name.jpg beside each photo on a stick, .thumbnails/: not images, not failures (exit was 1: 'not a supported image')", () => {
    const dir = mkdtempSync(join(tmpdir(), 'mobilenet-u14-folder-'));
    try {
      writeFileSync(join(dir, 'cat.bmp'), readFileSync(join(shared, 'images/coral/cat.bmp')));
      writeFileSync(join(dir, '._cat.bmp'), Buffer.from([0, 5, 22, 7, 0, 2, 0, 0, 77, 97, 99, 32, 79, 83, 32, 88])); // AppleDouble header
      mkdirSync(join(dir, '.thumbnails'));
      writeFileSync(join(dir, '.thumbnails', 'cat.jpg'), 'not a jpeg');
      const r = cli(['classify', dir, '--recursive', '--weights', tfjsWeights('0.25'), '--top', '1', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { image: string }[]).map((e) => e.image)).toEqual([join(dir, 'cat.bmp')]);
      // Named explicitly, a hidden file is still read (and here refused).
      expect(cli(['classify', join(dir, '._cat.bmp'), '--weights', tfjsWeights('0.25')]).code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('classify - with nothing on standard input', () => {
  it("says standard input was empty (was \"-: Cannot decode input (encoded image of 0 bytes): it is empty\")", () => {
    expect(cli(['classify', '-', '--weights', tfjsWeights('0.25')])).toEqual({
      code: 1, stdout: '', stderr: '-: standard input was empty: pipe an image into it (mobilenet classify - < photo.jpg)\n',
    });
  });

  it('on a terminal, a usage error instead of waiting for bytes nobody sends (util-linux `script` gives it a terminal)', () => {
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(resolve(repoRoot, 'dist/cli.js'))} classify - --weights ${JSON.stringify(tfjsWeights('0.25'))}`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stdout.replace(/\r/g, '')).toBe("mobilenet classify: Expected an image piped into standard input for '-' but it is a terminal " +
      "(mobilenet classify - < photo.jpg)\nRun 'mobilenet classify --help' for usage.\n");
  });
});

describe('one output buffer per pending call', () => {
  it('concurrency 2: an output an unsettled call still writes is refused (two runs interleaved their rows, with no error); after it settles it is free', async () => {
    const m = await load({ weights: syntheticWeights(0.25), resolution: 32, threads: 1, concurrency: 2 });
    try {
      const frame = (v: number) => ({ data: new Uint8Array(32 * 32 * 3).fill(v), width: 32, height: 32, channels: 3 as const });
      const buf = new Float32Array(2 * m.info.classes);
      const first = m.infer(frame(10), { output: buf.subarray(0, m.info.classes) });
      const message = "Expected an output that no pending call writes, but infer()'s output overlaps the output of an earlier call that has not settled; await that call first or pass another buffer";
      await expect(m.infer(frame(200), { output: buf.subarray(0, m.info.classes) })).rejects.toThrow(message);
      await expect(m.embed(frame(200), { output: new Float32Array(buf.buffer, 4 * (m.info.classes - 10), m.info.features) })).rejects.toThrow(message.replace("infer()'s", "embed()'s"));
      // A disjoint part of the same ArrayBuffer is another buffer.
      const second = m.infer(frame(200), { output: buf.subarray(m.info.classes) });
      const [a, b] = await Promise.all([first, second]);
      expect(a).toEqual(await m.infer(frame(10)));
      expect(b).toEqual(await m.infer(frame(200)));
      // Settled (resolved or rejected): the buffer can be passed again.
      await m.infer(frame(30), { output: buf.subarray(0, m.info.classes) });
      await expect(m.infer('/nonexistent.jpg', { output: buf.subarray(0, m.info.classes) })).rejects.toThrow('/nonexistent.jpg');
      await m.infer(frame(40), { output: buf.subarray(0, m.info.classes) });
    } finally {
      m.dispose();
    }
  });
});

describe('frame range', () => {
  it("a range on a frame that is not YUV is refused (range: 'full' on RGB was ignored); on YUV both values work", async () => {
    const m = await load({ weights: syntheticWeights(0.25), resolution: 32, threads: 1 });
    try {
      const rgb = { data: new Uint8Array(8 * 4 * 3), width: 8, height: 4, format: 'rgb' as const };
      await expect(m.infer({ ...rgb, range: 'full' })).rejects.toThrow(
        "Expected no range for input (a 'rgb' frame: range applies to the YUV formats i420, nv12 and yuyv) but received range 'full'",
      );
      expect(() => m.inferSync({ data: new Uint8Array(32), width: 8, height: 4, format: 'gray', range: 'limited' })).toThrow(
        "Expected no range for input (a 'gray' frame: range applies to the YUV formats i420, nv12 and yuyv) but received range 'limited'",
      );
      const yuyv = { data: new Uint8Array(8 * 4 * 2).fill(128), width: 8, height: 4, format: 'yuyv' as const };
      const [full, limited] = [await m.infer({ ...yuyv, range: 'full' }), await m.infer({ ...yuyv, range: 'limited' })];
      expect(full).toHaveLength(m.info.classes);
      expect(limited).toHaveLength(m.info.classes);
    } finally {
      m.dispose();
    }
  });
});

describe("sharp's { data, info } with 16-bit samples", () => {
  it("is refused naming the depth (was 'Expected input.info.data of length ...')", async () => {
    const sharp = (await import('sharp')).default;
    const raw = await sharp({ create: { width: 6, height: 5, channels: 3, background: '#808080' } }).raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    const m = await load({ weights: syntheticWeights(0.25), resolution: 32, threads: 1 });
    try {
      expect(raw.data.length).toBe(6 * 5 * 3 * 2);
      await expect(m.infer(raw)).rejects.toThrow("Expected 8-bit samples in input.data but it holds 2 bytes per sample (6 x 5 x 3 x 2): call sharp's .raw({ depth: 'uchar' })");
      const ok = await sharp({ create: { width: 6, height: 5, channels: 3, background: '#808080' } }).raw().toBuffer({ resolveWithObject: true });
      expect(await m.infer(ok)).toHaveLength(m.info.classes);
    } finally {
      m.dispose();
    }
  });
});
