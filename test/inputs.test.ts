// Every input a camera, a canvas, sharp or a file hands over: pixel layouts (BGR, strides, gray,
// YUV), alpha over a background, ImageData, sharp's { data, info }, encoded bytes of every kind,
// NCHW tensors, out-of-range tensors, the pixel limit, and memory bounded by the work in flight.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load, type MobileNet } from '../lib/index.js';
import { loadBinding } from '../lib/binding.js';
import { PIXEL_FORMATS } from '../lib/image.js';
import { argmax, repoRoot, shared, tfjsWeights } from './helpers/reference.js';
import { editPng, repack, rgbToYuv, toYuv } from './helpers/images.js';

const binding = loadBinding();
const tmp = mkdtempSync(join(tmpdir(), 'mobilenet-inputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let model: MobileNet;
let photo: { data: Uint8Array; width: number; height: number };
beforeAll(async () => {
  model = await load({ weights: tfjsWeights('0.25'), threads: 1 });
  // An odd size (crop offsets, odd chroma planes) from a real photo.
  const { data, info } = await sharp(resolve(shared, 'images/samples/coral_parrot.jpg')).resize(301, 217, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  photo = { data: new Uint8Array(data), width: info.width, height: info.height };
});
afterAll(() => model.dispose());

const code = (f: string) => PIXEL_FORMATS.indexOf(f as never);

describe('frame layouts', () => {
  it('BGR, BGRA, RGBA and stride-padded frames give logits bit-identical to the same pixels as RGB', async () => {
    const { width: w, height: h, data } = photo;
    const rgb = await model.infer({ data, width: w, height: h, channels: 3 });
    const frames = [
      { data: repack(data, w, h, 'bgr'), width: w, height: h, format: 'bgr' as const },
      { data: repack(data, w, h, 'bgra'), width: w, height: h, format: 'bgra' as const },
      { data: repack(data, w, h, 'rgba'), width: w, height: h, channels: 4 as const },
      { data: repack(data, w, h, 'rgb', 928), width: w, height: h, channels: 3 as const, stride: 928 },
      { data: repack(data, w, h, 'bgr', 960), width: w, height: h, format: 'bgr' as const, stride: 960 },
      { data: repack(data, w, h, 'bgra', 1216), width: w, height: h, format: 'bgra' as const, stride: 1216 },
      { data: repack(data, w, h, 'rgba', 1204 + 3), width: w, height: h, format: 'rgba' as const, stride: 1207 },
    ];
    for (const f of frames) {
      expect(await model.infer(f), `${f.format ?? f.channels} stride ${f.stride}`).toEqual(rgb);
      expect(model.inferSync(f)).toEqual(rgb);
    }
    // At the model resolution too (the copy path, no resize).
    const small = repack(data, w, h, 'rgb').subarray(0, 224 * 224 * 3);
    const r224 = model.inferSync({ data: small, width: 224, height: 224, channels: 3 });
    const rgb224 = new Uint8Array(small);
    expect(model.inferSync({ data: repack(rgb224, 224, 224, 'bgra', 224 * 4 + 64), width: 224, height: 224, format: 'bgra', stride: 960 })).toEqual(r224);
  });

  it('gray frames equal the RGB frame with r = g = b', async () => {
    const { width: w, height: h, data } = photo;
    const gray = new Uint8Array(w * h);
    for (let i = 0; i < gray.length; i++) gray[i] = data[i * 3 + 1]!;
    const rgb = new Uint8Array(w * h * 3);
    for (let i = 0; i < gray.length; i++) rgb.fill(gray[i]!, i * 3, i * 3 + 3);
    const want = await model.infer({ data: rgb, width: w, height: h, channels: 3 });
    expect(await model.infer({ data: gray, width: w, height: h, format: 'gray' })).toEqual(want);
    expect(await model.infer({ data: gray, width: w, height: h, channels: 1 })).toEqual(want);
  });

  it('I420, NV12 and YUYV frames (full and limited range, padded strides) give the same top-1 as the RGB frame', async () => {
    const { width: w, height: h, data } = photo;
    const rgbBytes = binding.resizeFrame(data, w, h, 3, 224);
    const want = argmax(await model.infer({ data, width: w, height: h, channels: 3 }));
    for (const format of ['i420', 'nv12', 'yuyv'] as const) {
      for (const range of ['full', 'limited'] as const) {
        for (const stride of [undefined, format === 'yuyv' ? 640 : 320]) {
          const yuv = toYuv(data, w, h, format, range === 'full', stride);
          const f = { data: yuv, width: w, height: h, format, range, ...(stride ? { stride } : {}) };
          expect(argmax(await model.infer(f)), `${format} ${range} ${stride}`).toBe(want);
          // The converted, resized pixels stay within chroma subsampling error of the RGB ones (~4 levels on this photo).
          const got = binding.resizeFrame(yuv, w, h, { format: code(format), stride: stride ?? 0, fullRange: range === 'full' }, 224);
          let sum = 0;
          for (let i = 0; i < got.length; i++) sum += Math.abs(got[i]! - rgbBytes[i]!);
          expect(sum / got.length, `${format} ${range} mean |diff|`).toBeLessThan(6);
        }
      }
    }
  });

  it('YUV colours convert per BT.601 (full and limited range)', () => {
    const colours: [number, number, number][] = [[255, 255, 255], [0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255], [128, 64, 200]];
    for (const full of [true, false]) {
      for (const [r, g, b] of colours) {
        const [y, u, v] = rgbToYuv(r, g, b, full);
        const i420 = new Uint8Array(32 * 32 + 2 * 16 * 16);
        i420.fill(y, 0, 1024);
        i420.fill(u, 1024, 1024 + 256);
        i420.fill(v, 1024 + 256);
        const out = binding.resizeFrame(i420, 32, 32, { format: code('i420'), fullRange: full }, 32);
        for (const [c, want] of [r, g, b].entries()) expect(Math.abs(out[c]! - want), `${full ? 'full' : 'limited'} ${[r, g, b]} channel ${c}`).toBeLessThanOrEqual(2);
      }
    }
    // Limited range clamps below 16 and above 235.
    const black = binding.resizeFrame(new Uint8Array(32 * 32 * 2).fill(0).map((_, i) => (i % 2 ? 128 : 5)), 32, 32, { format: code('yuyv') }, 32);
    expect([...black.subarray(0, 3)]).toEqual([0, 0, 0]);
  });

  it('alpha composites over the background; hidden colours under alpha 0 never change the result', async () => {
    const { width: w, height: h, data } = photo;
    const a = repack(data, w, h, 'rgba');
    const b = repack(data, w, h, 'rgba');
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (x > 150) {
          const i = (y * w + x) * 4;
          a[i + 3] = b[i + 3] = 0;
          a.set([255, 0, 0], i); // hidden red
          b.set([0, (x * 7) & 255, y & 255], i); // hidden noise
        }
      }
    }
    const white = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) white.set(a[i * 4 + 3] ? data.subarray(i * 3, i * 3 + 3) : [255, 255, 255], i * 3);
    const want = await model.infer({ data: white, width: w, height: h, channels: 3 });
    expect(await model.infer({ data: a, width: w, height: h, channels: 4 })).toEqual(want);
    expect(await model.infer({ data: b, width: w, height: h, format: 'rgba' })).toEqual(want);
    // Another background, and half transparency: (c * a + bg * (255 - a) + 127) / 255.
    const black = await load({ weights: tfjsWeights('0.25'), threads: 1, background: '#000000' });
    const half = new Uint8Array([200, 100, 0, 128]);
    const px = (bg: number) => binding.resizeFrame(half, 1, 1, { format: code('rgba'), background: bg }, 1);
    expect([...px(0x000000)]).toEqual([100, 50, 0]);
    expect([...px(0xffffff)]).toEqual([227, 177, 127]);
    expect(await black.infer({ data: a, width: w, height: h, channels: 4 })).not.toEqual(want);
    black.dispose();
  });

  it('ImageData (Uint8ClampedArray, no channels) and sharp { data, info } are accepted', async () => {
    const { width: w, height: h, data } = photo;
    const want = await model.infer({ data, width: w, height: h, channels: 3 });
    const rgba = repack(data, w, h, 'rgba');
    const imageData = { data: new Uint8ClampedArray(rgba.buffer), width: w, height: h, colorSpace: 'srgb' };
    expect(await model.infer(imageData as never)).toEqual(want);
    const raw = await sharp(data, { raw: { width: w, height: h, channels: 3 } }).raw().toBuffer({ resolveWithObject: true });
    expect(await model.infer(raw as never)).toEqual(want);
    const rawA = await sharp(data, { raw: { width: w, height: h, channels: 3 } }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(await model.infer(rawA as never)).toEqual(want);
    const grey = await sharp(data, { raw: { width: w, height: h, channels: 3 } }).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect(grey.info.channels).toBe(1);
    await expect(model.infer(grey as never)).resolves.toHaveLength(1000);
    // What sharp gives for a grey + alpha PNG decoded without a colourspace conversion.
    const ga = { data: Buffer.alloc(w * h * 2), info: { format: 'raw', width: w, height: h, channels: 2, premultiplied: false, size: w * h * 2 } };
    await expect(model.infer(ga as never)).rejects.toThrow(
      new RangeError("Expected input.info.channels 1, 3 or 4 but received 2 (grey + alpha): call sharp's .toColourspace('srgb') before .raw()"),
    );
  });

  it('frame errors name the field: unknown fields, strides, lengths, formats, ranges', async () => {
    const d = new Uint8Array(12);
    const cases: [unknown, ErrorConstructor, string][] = [
      [{ data: d, width: 2, height: 2, channels: 3, colour: 'bgr' }, TypeError, "Unknown field 'colour' in input; a frame has data, width, height, channels, format, stride, range"],
      [{ data: d, width: 2, height: 2, format: 'argb' }, RangeError, "Expected one of 'rgb', 'rgba', 'bgr', 'bgra', 'gray', 'i420', 'nv12', 'yuyv' for input.format but received 'argb' of type string"],
      [{ data: d, width: 2, height: 2, format: 'bgr', channels: 4 }, RangeError, "Expected input.channels to be 3 for format 'bgr' but received 4 of type number"],
      [{ data: d, width: 2, height: 2, channels: 3, stride: 5 }, RangeError, 'Expected an integer from 6 to 1048576 (bytes per row) for input.stride but received 5 of type number'],
      [{ data: d, width: 2, height: 2, channels: 3, stride: '8' }, TypeError, "Expected an integer from 6 to 1048576 (bytes per row) for input.stride but received '8' of type string"],
      [{ data: d, width: 2, height: 2, channels: 3, stride: 8 }, RangeError, 'Expected input.data of length 16 (8 x 2, stride x height) but received length 12'],
      [{ data: d, width: 2, height: 2, format: 'i420' }, RangeError, 'Expected input.data of length 6 (i420 2 x 2) but received length 12'],
      [{ data: d, width: 3, height: 2, format: 'nv12', stride: 5 }, RangeError, 'Expected an integer from 4 to 1048576, even, (bytes per row) for input.stride but received 5 of type number'],
      // Over the bound: the message names it (it said "at least 6" for 1e9).
      [{ data: d, width: 2, height: 2, channels: 3, stride: 1e9 }, RangeError, 'Expected an integer from 6 to 1048576 (bytes per row) for input.stride but received 1000000000 of type number'],
      [{ data: d, width: 2, height: 2, format: 'yuyv', range: 'tv' }, RangeError, "Expected 'full' or 'limited' for input.range but received 'tv' of type string"],
      [{ data: new Float32Array(12), width: 2, height: 2, channels: 3 }, TypeError, 'Expected a Uint8Array for input.data but received Float32Array of length 12'],
      [{ data: new Float32Array(224 * 224 * 3), layout: 'chw' }, RangeError, "Expected 'nhwc' or 'nchw' for input.layout but received 'chw' of type string"],
      [{ data: new Float32Array(224 * 224 * 3), order: 'nchw' }, TypeError, "Unknown field 'order' in input; a tensor input has data, layout"],
    ];
    for (const [input, type, message] of cases) {
      await expect(model.infer(input as never), message).rejects.toThrow(new type(message));
    }
  });
});

describe('Float32Array inputs', () => {
  it('NCHW tensors give the same logits as NHWC', async () => {
    const R = 224;
    const nhwc = new Float32Array(R * R * 3);
    for (let i = 0; i < nhwc.length; i++) nhwc[i] = Math.sin(i * 0.001) * 0.9;
    const nchw = new Float32Array(nhwc.length);
    for (let p = 0; p < R * R; p++) for (let c = 0; c < 3; c++) nchw[c * R * R + p] = nhwc[p * 3 + c]!;
    const want = await model.infer(nhwc);
    expect(await model.infer({ data: nchw, layout: 'nchw' })).toEqual(want);
    expect(model.inferSync({ data: nchw, layout: 'nchw' })).toEqual(want);
    expect(await model.infer({ data: nhwc, layout: 'nhwc' })).toEqual(want);
  });

  it('values outside the model input range are an error naming the range', async () => {
    const x = new Float32Array(224 * 224 * 3).fill(0.5);
    x[7] = 255;
    await expect(model.infer(x)).rejects.toThrow(new RangeError(
      "Expected values in [-1, 1] (this model's input: bytes 0..255 as x / 127.5 - 1) for input but found 255 at index 7; pass bytes as a frame { data, width, height, format } to have them normalised",
    ));
    const q = await load({ weights: resolve(shared, 'cases/tflite/uint8-input-scale-1-255-zero-point-0.tflite'), threads: 1, precision: 'float' });
    const y = new Float32Array(224 * 224 * 3).fill(-0.5);
    expect(() => q.inferSync(y)).toThrow(new RangeError(
      "Expected values in [0, 1] (this model's input: bytes 0..255 as 0.003921568859368563 * (x - 0)) for input but found -0.5 at index 0; pass bytes as a frame { data, width, height, format } to have them normalised",
    ));
    q.dispose();
  });
});

describe('encoded images', () => {
  const file = resolve(shared, 'images/samples/grace_hopper.jpg');

  it('a path, Buffer, Uint8Array, ArrayBuffer and Blob give the same logits', async () => {
    const want = await model.infer(file);
    const buf = readFileSync(file);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
    for (const input of [buf, new Uint8Array(buf), ab, new Blob([buf])]) expect(await model.infer(input as never)).toEqual(want);
  });

  it('BMP files decode like the same pixels as PNG', async () => {
    const bmp = resolve(shared, 'cases/images/bmp-v3-24bit.bmp');
    const { decodeBmp } = await import('../lib/image/bmp.js');
    const img = decodeBmp(new Uint8Array(readFileSync(bmp)));
    expect([img.width, img.height, img.channels]).toEqual([259, 303, 3]);
    const png = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
    expect(await model.infer(bmp)).toEqual(await model.infer(png));
    for (const f of ['bird', 'cat', 'dragonfly', 'grace_hopper']) {
      const top = await model.classify(resolve(shared, `images/coral/${f}.bmp`), { topK: 5 });
      expect(top).toHaveLength(5);
    }
    const [hopper] = await model.classify(resolve(shared, 'images/coral/grace_hopper.bmp'), { topK: 1 });
    expect(['military uniform', 'bow tie, bow-tie, bowtie', 'suit, suit of clothes']).toContain(hopper!.label);
  });

  it('24-bit BMPs (bottom-up and top-down) go to the native resize as BGR rows, the same logits as decodeBmp', async () => {
    const { bmp24Bgr, decodeBmp } = await import('../lib/image/bmp.js');
    // 3 x 2 pixels, rows padded to 12 bytes; bottom-up: the file's first row is the image's last.
    const make = (topDown: boolean, w = 3, h = 2) => {
      const row = Math.ceil((w * 3) / 4) * 4, b = Buffer.alloc(54 + row * h);
      b.write('BM'); b.writeUInt32LE(b.length, 2); b.writeUInt32LE(54, 10); b.writeUInt32LE(40, 14);
      b.writeInt32LE(w, 18); b.writeInt32LE(topDown ? -h : h, 22); b.writeUInt16LE(1, 26); b.writeUInt16LE(24, 28);
      for (let y = 0; y < h; y++) for (let x = 0; x < w * 3; x++) b[54 + y * row + x] = 10 * y + x;
      return new Uint8Array(b);
    };
    // A view of the file's rows (no copy): stride 12, bottom-up unless the height is negative.
    const up = make(false), view = bmp24Bgr(up)!;
    expect([view.stride, view.bottomUp, view.data.buffer === up.buffer, view.data.byteOffset, view.data.length]).toEqual([12, true, true, 54, 24]);
    expect(bmp24Bgr(make(true))!.bottomUp).toBe(false);
    // Without the last row's padding (the file ends after its pixels): packed rows, top row first.
    const cut = bmp24Bgr(up.subarray(0, 54 + 12 + 9))!;
    expect([cut.stride, cut.bottomUp, Array.from(cut.data)]).toEqual([9, false, [10, 11, 12, 13, 14, 15, 16, 17, 18, 0, 1, 2, 3, 4, 5, 6, 7, 8]]);
    expect(Array.from(decodeBmp(make(true)).data.subarray(0, 3))).toEqual([2, 1, 0]); // RGB of the same first pixel
    expect(() => bmp24Bgr(make(false).subarray(0, 60))).toThrow(
      'truncated BMP: 3 x 2 at 24 bits needs 75 bytes from pixel offset 54, the file has 60',
    );
    // The whole path: the file (padded rows, either order; and without its last padding) vs its RGB decode as a frame.
    for (const topDown of [false, true]) {
      const bytes = make(topDown, 97, 61);
      const rgb = decodeBmp(bytes);
      const expected = await model.infer({ data: rgb.data, width: 97, height: 61, channels: 3 });
      expect(await model.infer(bytes)).toEqual(expected);
      expect(await model.infer(bytes.subarray(0, bytes.length - 1))).toEqual(expected);
    }
  });

  it('a palette PNG with transparency: the hidden palette colours never change the result', async () => {
    const file = resolve(shared, 'cases/images/palette-with-transparency.png');
    const png = new Uint8Array(readFileSync(file));
    let transparent: number[] = [];
    const probe = editPng(png, (type, data) => {
      if (type === 'tRNS') transparent = [...data.keys()].filter((i) => data[i] === 0);
      return data;
    });
    expect(Buffer.compare(Buffer.from(probe), Buffer.from(png))).toBe(0);
    expect(transparent.length).toBeGreaterThan(0);
    // Repaint the colours of fully transparent palette entries.
    const repainted = editPng(png, (type, data) => {
      if (type !== 'PLTE') return data;
      const d = new Uint8Array(data);
      for (const i of transparent) d.set([i * 37 & 255, 255 - i, 90], i * 3);
      return d;
    });
    const want = await model.infer(file);
    expect(await model.infer(repainted)).toEqual(want);
    // Over white, as a viewer shows it: the same as flattening first.
    const flat = await sharp(file).flatten({ background: '#ffffff' }).png().toBuffer();
    expect(await model.infer(flat)).toEqual(want);
    const [top] = await model.classify(file, { topK: 1 });
    expect(top!.label).toBe('macaw');
  });

  it('gray + alpha and RGBA PNGs: hidden colours never change the result', async () => {
    const { width: w, height: h, data } = photo;
    for (const channels of [2, 4] as const) {
      const make = (hidden: number) => {
        const px = new Uint8Array(w * h * channels);
        for (let i = 0; i < w * h; i++) {
          const visible = i % w < 200;
          for (let c = 0; c < channels - 1; c++) px[i * channels + c] = visible ? data[i * 3 + c]! : (hidden + i * c) & 255;
          px[i * channels + channels - 1] = visible ? 255 : 0;
        }
        return sharp(px, { raw: { width: w, height: h, channels } }).png().toBuffer();
      };
      const a = await model.infer(await make(0));
      expect(await model.infer(await make(200)), `${channels} channels`).toEqual(a);
    }
  });

  it('images over maxInputPixels are refused before decoding, with the size and the limit', async () => {
    const bomb = resolve(shared, 'cases/images/decompression-bomb-16383x16383.png');
    const t0 = Date.now();
    await expect(model.infer(bomb)).rejects.toThrow(new RangeError(
      `Cannot decode image file '${bomb}': it is 16383 x 16383 (268.4 megapixels), over the limit of 50000000 pixels (maxInputPixels); raise load({ maxInputPixels }) to accept it`,
    ));
    expect(Date.now() - t0).toBeLessThan(5000); // header only: no 8-second decode
    const small = await load({ weights: tfjsWeights('0.25'), threads: 1, maxInputPixels: 100_000 });
    const hopper = resolve(shared, 'images/samples/grace_hopper.jpg');
    await expect(small.infer(hopper)).rejects.toThrow(new RangeError(
      `Cannot decode image file '${hopper}': it is 517 x 606 (0.3 megapixels), over the limit of 100000 pixels (maxInputPixels); raise load({ maxInputPixels }) to accept it`,
    ));
    const bmp = resolve(shared, 'images/coral/grace_hopper.bmp');
    await expect(small.infer(bmp)).rejects.toThrow(/over the limit of 100000 pixels \(maxInputPixels\)/);
    small.dispose();
    await expect(load({ weights: tfjsWeights('0.25'), maxInputPixels: 0 })).rejects.toThrow(
      new RangeError('Expected a positive integer (pixels) for maxInputPixels but received 0 of type number'),
    );
    await expect(load({ weights: tfjsWeights('0.25'), background: 'white' })).rejects.toThrow(
      new RangeError("Expected a colour '#rrggbb' or { r, g, b } (integers 0..255) for background but received 'white' of type string"),
    );
  });

  it('a large photo shrunk on load gives the same top-1 as a small copy', async () => {
    const big = join(tmp, 'big.jpg');
    await sharp(resolve(shared, 'images/samples/coral_parrot.jpg')).resize(3000, 2000, { fit: 'fill' }).jpeg({ quality: 92 }).toFile(big);
    const small = await sharp(big).resize(600, 400).png().toBuffer();
    expect(argmax(await model.infer(big))).toBe(argmax(await model.infer(small)));
  });

  it('100 queued classify() of a 12 MP JPEG stay under 300 MB peak RSS', () => {
    const out = execFileSync(process.execPath, [resolve(repoRoot, 'test/helpers/rss-child.mjs'), tmp], { encoding: 'utf8', cwd: repoRoot, timeout: 120_000 });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    expect(r.results).toBe(100);
    expect(r.peakMB).toBeLessThan(300);
  });
});
