// What a robotics user's pass found (user pass 7a): a control loop that hands camera frames and photos to a model
// while it keeps steering. Each test fails on the code it was written against.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { load, type Detection } from '../lib/index.js';
import { decodeBmp } from '../lib/image/bmp.js';
import { writeBmp } from './helpers/images.js';
import { repoRoot, shared } from './helpers/reference.js';
import { using } from './helpers/using.js';

const ssd = resolve(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
const hopper = resolve(shared, 'images/samples/grace_hopper.jpg');

async function hopperFrame(width: number, height: number): Promise<{ data: Uint8Array; width: number; height: number; channels: 3 }> {
  const { data } = await sharp(hopper).resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width, height, channels: 3 };
}

const summary = (found: Detection[]) => found.map((d) => `${d.label} ${d.score.toFixed(4)} ${d.box.left.toFixed(2)},${d.box.top.toFixed(2)},${d.box.width.toFixed(2)},${d.box.height.toFixed(2)}`);

describe('detect() on a camera frame', () => {
  // detect() awaited its own decoding step before it queued the frame, so a camera that reused its buffer (or its frame
  // object) right after the call had the next picture, or none, detected: [] for a zeroed buffer. infer() copies the
  // frame before it returns; the README says so of frames, and detect() now does the same.
  it('copies the frame before it returns: the camera may reuse its buffer and its frame object at once', async () => {
    await using(load({ weights: ssd, threads: 1 }), async (m) => {
      const frame = await hopperFrame(400, 300);
      const want = summary(await m.detect({ ...frame, data: frame.data.slice() }, { minScore: 0.4 }));
      expect(want.length).toBeGreaterThan(1);
      expect(want[0]).toMatch(/^person /);
      const camera = { ...frame, data: frame.data.slice() };
      const p = m.detect(camera, { minScore: 0.4 });
      camera.data.fill(0);  // the next picture goes into the same bytes
      camera.width = 200;   // and the same object, at another size
      camera.height = 150;
      expect(summary(await p)).toEqual(want);
    });
  });
});

describe('detect() on photos queued faster than they run', () => {
  // Every detect() call decoded its image at once, at full size, before it joined the queue: 30 calls on a
  // 12-megapixel photo peaked at 1.2 GB (a Pi 3 has 1 GB). The README promises one job ahead, as infer() does.
  it('reads each image when its job is next (one ahead), not all at the call; results in call order', async () => {
    await using(load({ weights: ssd, threads: 1 }), async (m) => {
      const jpeg = readFileSync(hopper);
      const want = summary(await m.detect(jpeg));
      let reads = 0;
      const blob = () => ({ size: jpeg.length, arrayBuffer: async () => { reads++; return jpeg.buffer.slice(jpeg.byteOffset, jpeg.byteOffset + jpeg.length); } });
      const calls = Array.from({ length: 10 }, () => m.detect(blob()));
      const readsWhenFirstSettled = await calls[0]!.then(() => reads);
      expect(readsWhenFirstSettled).toBeLessThanOrEqual(3);
      for (const found of await Promise.all(calls)) expect(summary(found)).toEqual(want);
      expect(reads).toBe(10);
    });
  });
});

describe('raw pixels handed over without their size', () => {
  // A camera library's frame is a Buffer of raw RGB bytes; passed as it is, it was taken for an encoded image and the
  // answer was "not a supported image (JPEG, PNG, ...)", with nothing about what to do with raw pixels.
  it('bytes of no image format say how to pass raw pixels (a frame with its width, height and format)', async () => {
    await using(load({ weights: resolve(shared, 'models/tflite/mobilenet_v1_0.25_128_quant.tflite'), threads: 1 }), async (m) => {
      await expect(m.infer(Buffer.alloc(640 * 480 * 3, 7))).rejects.toThrow(new Error(
        'Cannot decode input (encoded image of 921600 bytes): not a supported image (JPEG, PNG, WebP, GIF, TIFF, AVIF, BMP, SVG): ' +
          'Input buffer contains unsupported image format; raw pixels (a camera\'s RGB, RGBA, gray or YUV bytes) go in a frame ' +
          '{ data, width, height, format }',
      ));
    });
  });

  it("the CLI, whose standard input is an image or nothing, leaves the API's frame hint out", () => {
    const r = spawnSync(process.execPath, [resolve(repoRoot, 'dist/cli.js'), 'classify', '-', '--weights', resolve(shared, 'models/tflite/mobilenet_v1_0.25_128_quant.tflite')],
      { input: Buffer.alloc(300, 7), encoding: 'utf8', timeout: 60_000 });
    expect({ status: r.status, stderr: r.stderr.trim() }).toEqual({
      status: 1,
      stderr: '-: Cannot decode input (encoded image of 300 bytes): not a supported image (JPEG, PNG, WebP, GIF, TIFF, AVIF, BMP, SVG): Input buffer contains unsupported image format',
    });
  });

  // Frames and tensors over a SharedArrayBuffer work; the buffer itself is no input, and it was called "an object".
  it('a bare SharedArrayBuffer is named as one', async () => {
    await using(load({ weights: resolve(shared, 'models/tflite/mobilenet_v1_0.25_128_quant.tflite'), threads: 1 }), async (m) => {
      await expect(m.infer(new SharedArrayBuffer(48) as never)).rejects.toThrow(new TypeError(
        "Expected an image path, encoded image bytes (Uint8Array, Buffer, ArrayBuffer, Blob), a frame { data, width, height, format }, ImageData, sharp's { data, info } " +
          'or a Float32Array for input but received SharedArrayBuffer of 48 bytes',
      ));
      const frame = { data: new Uint8Array(new SharedArrayBuffer(16 * 16 * 3)).fill(40), width: 16, height: 16, channels: 3 as const };
      expect(Array.from(await m.infer(frame))).toEqual(Array.from(await m.infer({ ...frame, data: frame.data.slice() })));
    });
  });
});

describe('16- and 32-bit BMPs', () => {
  // They were decoded on the event loop through a DataView and a per-channel 2 ** bits: a 12 MP 32-bit file held it
  // 1.6 s on x86 (a 16-bit one 1.9 s), seconds more on a Pi. Now bytes are read directly (66 ms and 199 ms); this
  // checks that the faster reader still gives every layout's exact pixels.
  it('decode to the pixels written, for BGRX, BGRA, RGBA-ordered bit fields, 5-6-5 and 5-5-5, either row order', () => {
    const w = 37, h = 23;
    const px = new Uint8Array(w * h * 4).map((_, i) => (i * 73 + (i >> 3)) & 255);
    const expected = (channels: 3 | 4, f: (v: number, c: number) => number) =>
      Array.from({ length: w * h * channels }, (_, i) => f(px[Math.floor(i / channels) * 4 + (i % channels)]!, i % channels));
    const to = (bits: number) => (v: number) => Math.round(((v >> (8 - bits)) * 255) / ((1 << bits) - 1));
    const cases: [Parameters<typeof writeBmp>[3], 3 | 4, (v: number, c: number) => number][] = [
      [{ bpp: 32 }, 3, (v) => v],
      [{ bpp: 32, topDown: true }, 3, (v) => v],
      [{ bpp: 32, masks: [0xff0000, 0xff00, 0xff, 0xff000000], headerSize: 108 }, 4, (v) => v],
      [{ bpp: 32, masks: [0xff, 0xff00, 0xff0000, 0] }, 3, (v) => v],
      [{ bpp: 32, masks: [0xff000000, 0xff0000, 0xff00, 0xff], headerSize: 108, topDown: true }, 4, (v) => v],
      [{ bpp: 16, masks: [0xf800, 0x7e0, 0x1f, 0] }, 3, (v, c) => to(c === 1 ? 6 : 5)(v)],
      [{ bpp: 16 }, 3, (v) => to(5)(v)],
    ];
    for (const [options, channels, f] of cases) {
      const img = decodeBmp(writeBmp(px, w, h, options));
      expect([img.width, img.height, img.channels], JSON.stringify(options)).toEqual([w, h, channels]);
      expect(Array.from(img.data), JSON.stringify(options)).toEqual(expected(channels, f));
    }
  });
});

describe('4-byte camera pixels whose fourth byte is unused (XRGB / XBGR buffers)', () => {
  // V4L2's XR24/XB24 and DRM's XRGB8888 carry 4 bytes a pixel with the fourth 0. Passed as 'rgba' / 'bgra' (or
  // channels: 4) every pixel was composited away and the model classified the background: a blank white image, no
  // error. The BMP reader already takes an alpha that is 0 everywhere as an unused byte; frames now do the same.
  it("a frame whose alpha is 0 everywhere is opaque (rgba, bgra, padded rows); one visible pixel keeps the compositing", async () => {
    await using(load({ weights: resolve(shared, 'models/tflite/mobilenet_v1_0.25_224_quant.tflite'), threads: 1 }), async (m) => {
      const { data, info } = await sharp(hopper).resize(160, 120, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
      const { width: w, height: h } = info;
      const rgb = new Uint8Array(data);
      const want = Array.from(await m.infer({ data: rgb, width: w, height: h, channels: 3 }));
      const fourBytes = (order: 'rgba' | 'bgra', stride: number, alpha: number) => {
        const out = new Uint8Array(stride * h).fill(9);  // padding bytes 9
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
          const s = (y * w + x) * 3, d = y * stride + x * 4;
          out.set(order === 'rgba' ? [rgb[s]!, rgb[s + 1]!, rgb[s + 2]!, alpha] : [rgb[s + 2]!, rgb[s + 1]!, rgb[s]!, alpha], d);
        }
        return out;
      };
      expect(Array.from(await m.infer({ data: fourBytes('rgba', w * 4, 0), width: w, height: h, channels: 4 }))).toEqual(want);
      expect(Array.from(await m.infer({ data: fourBytes('bgra', w * 4 + 12, 0), width: w, height: h, format: 'bgra', stride: w * 4 + 12 }))).toEqual(want);
      const camera = fourBytes('rgba', w * 4, 0);
      const p = m.infer({ data: camera, width: w, height: h, format: 'rgba' });
      expect(Array.from(camera.subarray(0, 8))).toEqual([rgb[0], rgb[1], rgb[2], 0, rgb[3], rgb[4], rgb[5], 0]);  // the caller's bytes untouched
      expect(Array.from(await p)).toEqual(want);
      // One pixel with alpha: a real RGBA frame, composited over the background as before (nearly all white here).
      const mostlyClear = fourBytes('rgba', w * 4, 0);
      mostlyClear[3] = 255;
      const white = new Uint8Array(w * h * 3).fill(255);
      white.set(rgb.subarray(0, 3), 0);
      expect(Array.from(await m.infer({ data: mostlyClear, width: w, height: h, channels: 4 }))).toEqual(
        Array.from(await m.infer({ data: white, width: w, height: h, channels: 3 })));
    });
  });
});
