// What a new user found trying to break the packed tarball (user pass 8): inputs that never end (/dev/zero, a camera
// piped into `classify -`) were read whole until the process was killed; an NCHW tensor held the event loop 3-7 ms
// per call; a model.json with a byte-order mark, a weightsManifest that is no array and detached buffers got
// messages that did not say what was wrong. Exact messages.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load, resolveWeights, type MobileNet } from '../lib/index.js';
import { MAX_WEIGHTS_FILE_BYTES, maxEncodedImageBytes, readFileBounded, readTextBounded } from '../lib/files.js';
import { repoRoot, shared, tfjsWeights } from './helpers/reference.js';

let model: MobileNet;
let tmp = '';
beforeAll(async () => {
  model = await load({ weights: tfjsWeights('0.25'), resolution: 128, threads: 1 });
  tmp = mkdtempSync(join(tmpdir(), 'mobilenet-user8-'));
});
afterAll(() => {
  model?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('files and streams are read up to a bound', () => {
  it('readFileBounded: a device that never ends stops past the limit; a larger regular file is refused from its size', async () => {
    await expect(readFileBounded('/dev/zero', 1000)).rejects.toThrow(
      'it does not end within 1000 bytes (0 MiB), the most this reads from one file',
    );
    await expect(readFileBounded('/dev/zero', 1000)).rejects.toMatchObject({ code: 'EFBIG' });
    const f = join(tmp, 'ten.bin');
    writeFileSync(f, Buffer.alloc(10, 7));
    expect([...(await readFileBounded(f, 10))]).toEqual(new Array(10).fill(7));
    await expect(readFileBounded(f, 9)).rejects.toThrow('it is 10 bytes, more than 9 bytes (0 MiB), the most this reads from one file');
    await expect(readFileBounded(tmp, 9)).rejects.toMatchObject({ code: 'EISDIR' });
    await expect(readFileBounded(join(tmp, 'none'), 9)).rejects.toMatchObject({ code: 'ENOENT' });
    // A pipe or device that ends inside the limit is read whole.
    expect((await readFileBounded('/dev/null', 9)).length).toBe(0);
    writeFileSync(f, '\uFEFF{"a":1}');
    expect(await readTextBounded(f, 100)).toBe('{"a":1}');
  });

  it('weights, an image path and labels given /dev/zero end in an error naming the limit, not in memory growing until the process dies', async () => {
    expect(MAX_WEIGHTS_FILE_BYTES).toBe(256 * 2 ** 20);
    expect(maxEncodedImageBytes(50_000_000)).toBe(416_777_216);
    await expect(load({ weights: '/dev/zero' })).rejects.toThrow(
      '/dev/zero: cannot read the weights file (it does not end within 268435456 bytes (256 MiB), the most this reads from one file)',
    );
    await expect(load({ weights: tfjsWeights('0.25'), resolution: 128, labels: '/dev/zero' })).rejects.toThrow(
      new Error("Cannot read labels file '/dev/zero': it does not end within 67108864 bytes (64 MiB), the most this reads from one file"),
    );
    // With maxInputPixels 1 the bound is 16 MiB + 8 bytes: quick to reach.
    const small = await load({ weights: tfjsWeights('0.25'), resolution: 128, threads: 1, maxInputPixels: 1 });
    try {
      await expect(small.classify('/dev/zero')).rejects.toThrow(
        "Cannot read image file '/dev/zero': it does not end within 16777224 bytes (16 MiB), the most this reads from one file",
      );
    } finally {
      small.dispose();
    }
  });

  it("`classify -` fed a stream that never ends stops at the bound with one line and exit 1", async () => {
    const zero = openSync('/dev/zero', 'r');
    try {
      const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((res, rej) => {
        const child = spawn(process.execPath, [resolve(repoRoot, 'dist/cli.js'), 'classify', '-', '--weights', tfjsWeights('0.25'), '--max-pixels', '1'], {
          stdio: [zero, 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('error', rej);
        child.on('close', (code) => res({ code, stdout, stderr }));
      });
      expect(r.stderr).toBe("-: standard input did not end within 16777224 bytes (16 MiB): '-' reads one image file, not a stream (save a frame first)\n");
      expect(r.code).toBe(1);
    } finally {
      closeSync(zero);
    }
  });

  it('a quoted wildcard gets a hint that the shell expands them', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((res, rej) => {
      const pattern = join(shared, 'images/samples/*.jpeg');
      const child = spawn(process.execPath, [resolve(repoRoot, 'dist/cli.js'), 'classify', pattern, '--weights', tfjsWeights('0.25')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', rej);
      child.on('close', (code) => res({ code, stderr }));
    });
    expect(r.stderr).toBe(
      `${join(shared, 'images/samples/*.jpeg')}: no such file (wildcards such as * are expanded by the shell, not here: leave the pattern unquoted, or pass the folder)\n`,
    );
    expect(r.code).toBe(1);
  });
});

describe('TF.js model.json', () => {
  it('one with a UTF-8 byte-order mark loads (Windows editors write one), with the same logits', async () => {
    const dir = join(tmp, 'bom');
    cpSync(tfjsWeights('0.25'), dir, { recursive: true });
    writeFileSync(join(dir, 'model.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(join(dir, 'model.json'))]));
    const m = await load({ weights: dir, resolution: 128, threads: 1 });
    try {
      const x = new Float32Array(128 * 128 * 3).fill(0.25);
      expect(m.inferSync(x)).toEqual(model.inferSync(x));
    } finally {
      m.dispose();
    }
  });

  it('a weightsManifest that is no array, and a model.json of null, are named as such', async () => {
    const dir = join(tmp, 'manifest');
    cpSync(tfjsWeights('0.25'), dir, { recursive: true });
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...json, weightsManifest: { paths: [] } }));
    await expect(load({ weights: dir })).rejects.toThrow(
      `${join(dir, 'model.json')}: expected a TF.js layers model (modelTopology with Keras layers and a weightsManifest) but found weightsManifest as an object, not an array of { paths, weights } groups`,
    );
    writeFileSync(join(dir, 'model.json'), 'null');
    await expect(load({ weights: dir })).rejects.toThrow(
      `${join(dir, 'model.json')}: expected a TF.js layers model (modelTopology with Keras layers and a weightsManifest) but found null`,
    );
  });
});

describe('detached (transferred) buffers', () => {
  const transferred = <T extends ArrayBufferLike>(b: T): T => {
    structuredClone(b, { transfer: [b as ArrayBuffer] });
    return b;
  };

  it('an ArrayBuffer of encoded bytes, a Uint8Array on one, and a frame whose data was transferred say so', async () => {
    const msg = 'its buffer was detached (transferred) before the bytes were read; encoded bytes are read when the job runs, so keep them until its promise settles';
    // Was "TypeError: Cannot perform Construct on a detached ArrayBuffer", from V8.
    await expect(model.infer(transferred(new ArrayBuffer(10)))).rejects.toThrow(`Cannot decode input (encoded image of 0 bytes): ${msg}`);
    const u = new Uint8Array(10);
    transferred(u.buffer);
    await expect(model.infer(u)).rejects.toThrow(`Cannot decode input (encoded image of 0 bytes): ${msg}`);
    // Was "Expected input.data of length 12288 (64 x 64 x 3) but received length 0".
    const data = new Uint8Array(64 * 64 * 3);
    transferred(data.buffer);
    await expect(model.infer({ data, width: 64, height: 64, format: 'rgb' })).rejects.toThrow(
      new RangeError('Expected input.data of length 12288 (64 x 64 x 3) but its buffer was detached (transferred by postMessage or structuredClone)'),
    );
  });
});

describe('NCHW tensors', () => {
  it('are transposed by the native side while staging: same logits queued, concurrent and synchronous, for float and uint8 models', async () => {
    for (const weights of [tfjsWeights('0.25'), join(shared, 'models/tflite/mobilenet_v1_0.25_128_quant.tflite')]) {
      const m = await load({ weights, resolution: 128, threads: 1, concurrency: 2 });
      try {
        const R = 128, plane = R * R;
        const nhwc = new Float32Array(plane * 3).map((_, i) => Math.sin(i) * 0.9);
        const nchw = new Float32Array(plane * 3);
        for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) nchw[c * plane + p] = nhwc[p * 3 + c]!;
        const want = m.inferSync(nhwc);
        expect(m.inferSync({ data: nchw, layout: 'nchw' })).toEqual(want);
        // Five at once on two workspaces: three wait in the queue (their data copied, transposed when staged).
        const got = await Promise.all(Array.from({ length: 5 }, () => m.infer({ data: nchw, layout: 'nchw' })));
        for (const g of got) expect(g).toEqual(want);
      } finally {
        m.dispose();
      }
    }
  });
});

describe('messages that named the wrong thing', () => {
  it('a photo given as weights is named as one (was its first bytes as mojibake); TF.js at an unpublished resolution lists TF.js resolutions', async () => {
    const jpeg = join(shared, 'images/samples/grace_hopper.jpg');
    await expect(load({ weights: jpeg })).rejects.toThrow(
      `${jpeg}: expected a TF.js layers model directory, a model.json or a .tflite file, but this is a JPEG image, not weights`,
    );
    const bin = join(tmp, 'weights.bin');
    writeFileSync(bin, Buffer.from([0, 1, 2, 0xfe, 0x41, 0x42, 0x43, 0x44]));
    await expect(load({ weights: bin })).rejects.toThrow(
      `${bin}: expected a TF.js layers model directory, a model.json or a .tflite file, but this is neither a TFLite flatbuffer (no 'TFL3' at byte 4) nor JSON (first bytes 00 01 02 fe 41 42 43 44)`,
    );
    // A table offset pointing before the file: was "vtable at byte -100 ... lies outside the file".
    const b = new Uint8Array(readFileSync(join(shared, 'models/tflite/mobilenet_v1_0.25_128_quant.tflite')));
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const root = dv.getUint32(0, true);
    dv.setInt32(root, root + 100, true);
    await expect(load({ weights: b })).rejects.toThrow(
      `weights (${b.length} bytes): corrupt flatbuffer: Model vtable (2 bytes) would start 100 bytes before the file's first byte (an offset points outside the file)`,
    );
    // Was "published resolutions are 224, 192, 160, 128", which tfjs is not.
    await expect(resolveWeights({ alpha: 0.25, resolution: 2048, format: 'tfjs', download: false })).rejects.toThrow(
      "No published tfjs weights for alpha 0.25, resolution 2048: published TF.js layers resolutions are 224. Pass weights: '<path>' to use your own.",
    );
  });
});
