// What a fifth new-user pass found (user pass 5): model bytes from fs.readFileSync (a Node Buffer) read wrong, quantized
// V1 bytes run in float, V2/SSD files recognised by their name, integer V2 without its output quantization, the
// BlobLike type promising more than the runtime took, and CLI rough edges. Each test failed before its fix.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { load, type Detection } from '../lib/index.js';
import { repoRoot, shared } from './helpers/reference.js';
import { using } from './helpers/using.js';

const tflite = (f: string) => resolve(shared, 'models/tflite', f);
const v2 = tflite('coral/mobilenet_v2_1.0_224_quant.tflite');
const ssd = tflite('coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
const v1q = tflite('mobilenet_v1_0.25_128_quant.tflite');
const hopper = resolve(shared, 'images/samples/grace_hopper.jpg');
const cli = resolve(repoRoot, 'dist/cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'mn-user5-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const frame = (r: number) => ({ data: Uint8Array.from({ length: r * r * 3 }, (_, i) => (i * 7) % 256), width: r, height: r, channels: 3 as const });

describe('model bytes from fs.readFileSync (a Node Buffer) run as the file does', () => {
  it('MobileNetV2 uint8: the same logits as from the path (a Buffer read every bias from byte 0 of the file: a flat distribution)', async () => {
    const x = frame(224);
    const [a, b] = await Promise.all([load({ weights: v2, threads: 1 }), load({ weights: readFileSync(v2), threads: 1 })].map((m) => using(m, (mm) => mm.infer(x))));
    expect(Buffer.from(b!.buffer).equals(Buffer.from(a!.buffer))).toBe(true);
  });

  it('SSD uint8: the same detections as from the path (were 10 boxes all scoring 0.832)', async () => {
    const run = (w: string | Buffer) => using(load({ weights: w, threads: 1 }), (m) => m.detect(hopper, { minScore: 0.3 }));
    const [a, b] = await Promise.all([run(ssd), run(readFileSync(ssd))]);
    expect(a!.length).toBeGreaterThan(2);
    expect(b).toEqual(a as Detection[]);
  });

  it('a quantized V1 file as bytes runs in integers, as its path does (it ran in float, and its errors said "holds float weights")', async () => {
    const x = frame(128);
    const bytes = readFileSync(v1q);
    await using(load({ weights: v1q, threads: 1 }), async (a) => {
      for (const w of [bytes, new Uint8Array(bytes), new Uint8Array(bytes).buffer]) {
        await using(load({ weights: w, threads: 1 }), async (b) => {
          expect([b.info.dtype, b.info.isa, b.info.quantized]).toEqual([a.info.dtype, a.info.isa, true]);
          expect(b.info.dtype).toBe('uint8');
          expect(Array.from(await b.infer(x, { dequantize: false }))).toEqual(Array.from(await a.infer(x, { dequantize: false })));
        });
      }
    });
    await using(load({ weights: bytes, threads: 1, precision: 'integer' }), async (m) => expect(m.info.dtype).toBe('uint8'));
  });
});

describe('V2 and SSD files are recognised by content, not by name', () => {
  it("load() and the CLI take them without the .tflite extension (were refused as 'which is not supported')", async () => {
    const dir = join(tmp, 'noext');
    mkdirSync(dir);
    copyFileSync(v2, join(dir, 'mobilenet_v2'));
    copyFileSync(ssd, join(dir, 'detect.bin'));
    await using(load({ weights: join(dir, 'mobilenet_v2'), threads: 1 }), async (m) => expect(m.info.architecture).toBe('mobilenet_v2'));
    await using(load({ weights: join(dir, 'detect.bin'), threads: 1 }), async (m) => expect(m.info.architecture).toBe('ssd_mobilenet_v1'));
    const r = JSON.parse(execFileSync('node', [cli, 'detect', hopper, '--weights', join(dir, 'detect.bin'), '--json'], { encoding: 'utf8' }));
    expect(r.detections[0].label).toBe('person');
  });
});

describe('integer V2 reports its output quantization (infer/embed with dequantize: false need it)', () => {
  it('info.outputQuantization and info.featuresQuantization dequantize the raw outputs to what infer()/embed() return', async () => {
    await using(load({ weights: v2, threads: 1 }), async (m) => {
      expect(m.info.outputQuantization).toEqual({ scale: expect.any(Number), zeroPoint: 58 });
      const x = frame(224);
      for (const [q, d, p] of [
        [await m.infer(x, { dequantize: false }), await m.infer(x), m.info.outputQuantization!],
        [await m.embed(x, { dequantize: false }), await m.embed(x), m.info.featuresQuantization!],
      ] as const) {
        expect(q).toBeInstanceOf(Uint8Array);
        expect(q.length).toBe(d.length);
        let worst = 0;
        for (let i = 0; i < d.length; i++) worst = Math.max(worst, Math.abs((q[i]! - p.zeroPoint) * p.scale - d[i]!));
        expect(worst).toBeLessThan(1e-5);
      }
    });
  });
});

describe('inputs the types promise', () => {
  it('any object with size and arrayBuffer() (BlobLike) is an encoded image, as a Blob is', async () => {
    await using(load({ weights: v1q, threads: 1 }), async (m) => {
      const bytes = readFileSync(hopper);
      const like = { size: bytes.length, arrayBuffer: async () => new Uint8Array(bytes).buffer };
      expect(await m.classify(like)).toEqual(await m.classify(bytes));
      const bad = { size: 3, arrayBuffer: async () => 'abc' };
      await expect(m.classify(bad as never)).rejects.toThrow(
        new TypeError("Expected input (encoded image of 3 bytes)'s arrayBuffer() to resolve to an ArrayBuffer but it resolved to 'abc' of type string"),
      );
    });
  });

  it('a batch of a file and a Buffer frame: the frame is copied before the call returns (a Buffer\'s slice() is a view)', async () => {
    await using(load({ weights: v1q, threads: 1 }), async (m) => {
      const f = frame(128);
      const buf = Buffer.from(f.data);
      const alone = await m.infer({ ...f, data: buf });
      const both = m.infer([hopper, { ...f, data: buf }]);
      buf.fill(0); // a camera loop reuses its buffer as soon as the call returns
      const out = await both;
      expect(Array.from(out.subarray(1001))).toEqual(Array.from(alone));
    });
  });

  it('background names the field that is out of range', async () => {
    await expect(load({ weights: v1q, threads: 1, background: { r: 300, g: 0, b: 0 } })).rejects.toThrow(
      new RangeError("Expected a colour '#rrggbb' or { r, g, b } (integers 0..255) for background but received r: 300 of type number"),
    );
    await expect(load({ weights: v1q, threads: 1, background: { r: 1, g: 2 } as never })).rejects.toThrow(
      new RangeError('Expected a colour \'#rrggbb\' or { r, g, b } (integers 0..255) for background but received an object with keys ["r","g"]'),
    );
  });
});

describe('CLI', () => {
  const run = (args: string[], input?: Buffer) => spawnSync('node', [cli, ...args], { encoding: 'utf8', ...(input ? { input } : {}) });

  it('a negative number after a flag is its value, refused by its own check (was "argument is ambiguous")', () => {
    const r = run(['classify', hopper, '--top', '-3']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Expected an integer between 1 and 100000 for --top but received '-3'");
  });

  it('detect takes folders and - (standard input), as classify does', () => {
    const dir = join(tmp, 'photos');
    mkdirSync(dir);
    copyFileSync(hopper, join(dir, 'a.jpg'));
    copyFileSync(hopper, join(dir, 'b.jpg'));
    const folder = JSON.parse(run(['detect', dir, '--weights', ssd, '--json']).stdout);
    expect(folder.map((r: { image: string }) => r.image)).toEqual([join(dir, 'a.jpg'), join(dir, 'b.jpg')]);
    const piped = run(['detect', '-', '--weights', ssd, '--json', '--out', join(tmp, 'annotated') + '/'], readFileSync(hopper));
    expect(piped.status).toBe(0);
    const r = JSON.parse(piped.stdout);
    expect([r.image, r.annotated, r.detections]).toEqual(['-', join(tmp, 'annotated', 'stdin.detect.jpg'), folder[0].detections]);
    expect(existsSync(r.annotated)).toBe(true);
  });

  it('detect --out with several images refuses an image file name (it made a folder called single.jpg)', () => {
    const r = run(['detect', hopper, hopper, '--weights', ssd, '--out', join(tmp, 'single.jpg')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`Expected a folder for --out with several images but received '${join(tmp, 'single.jpg')}', an image file name: each image gets its own annotated copy in a folder`);
    expect(existsSync(join(tmp, 'single.jpg'))).toBe(false);
    const deep = run(['detect', hopper, hopper, '--weights', ssd, '--out', join(tmp, 'no', 'such', 'dir')]);
    expect(deep.stderr).toContain(`Expected --out in an existing folder but ${join(tmp, 'no', 'such')} is not one`);
  });
});
