// Bad input from the engine issue: each gets an Error/TypeError/RangeError whose message names
// the parameter or file, what was expected and what was found.
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { libvipsSummary } from '../lib/image.js';
import { load, type MobileNet } from '../lib/index.js';
import { shared, tfjsWeights } from './helpers/reference.js';
import { syntheticWeights } from '../lib/weights/synthetic.js';

const real = tfjsWeights('0.25');
let tmp: string;
const copyModel = (name: string) => {
  const dir = join(tmp, name);
  cpSync(real, dir, { recursive: true });
  return dir;
};

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mobilenet-errors-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('weights errors', () => {
  it('missing weights path', async () => {
    const p = join(tmp, 'nope');
    await expect(load({ weights: p })).rejects.toThrow(
      `${p}: weights not found: expected a TF.js layers model directory (model.json + shards), a model.json or a .tflite file`,
    );
  });

  it('directory without model.json', async () => {
    const dir = join(tmp, 'empty');
    cpSync(real, dir, { recursive: true });
    unlinkSync(join(dir, 'model.json'));
    await expect(load({ weights: dir })).rejects.toThrow(
      `${dir}: expected model.json in this directory (a TF.js layers model) but found none`,
    );
  });

  it('a missing shard', async () => {
    const dir = copyModel('missing-shard');
    unlinkSync(join(dir, 'group3-shard1of1'));
    await expect(load({ weights: dir })).rejects.toThrow(
      `${join(dir, 'group3-shard1of1')}: weight shard listed in model.json is missing or unreadable (ENOENT)`,
    );
  });

  it('a shard that is too short', async () => {
    const dir = copyModel('short-shard');
    truncateSync(join(dir, 'group3-shard1of1'), 100);
    await expect(load({ weights: dir })).rejects.toThrow(
      `${join(dir, 'group3-shard1of1')}: expected 288 bytes for conv_dw_1/depthwise_kernel but the shard has 100 bytes (truncated?)`,
    );
  });

  it('a shape that does not fit MobileNetV1', async () => {
    const dir = copyModel('bad-shape');
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    // Re-declare conv_pw_3 as 32 -> 16 channels and shrink its shard to match: a consistent file, wrong network.
    for (const g of json.weightsManifest) {
      for (const w of g.weights) {
        if (w.name === 'conv_pw_3/kernel') {
          w.shape = [1, 1, 32, 16];
          writeFileSync(join(dir, g.paths[0]), readFileSync(join(dir, g.paths[0])).subarray(0, 32 * 16 * 4));
        }
      }
    }
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    await expect(load({ weights: dir })).rejects.toThrow(
      `${join(dir, 'model.json')}: tensor conv_pw_3/kernel has shape [1,1,32,16], expected [1,1,32,32] for MobileNetV1 alpha 0.25`,
    );
  });

  it('a model.json that is not a layers model', async () => {
    const dir = copyModel('graph-model');
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }));
    await expect(load({ weights: dir })).rejects.toThrow(
      `${join(dir, 'model.json')}: expected a TF.js layers model (modelTopology with Keras layers and a weightsManifest) but found keys ["format","modelTopology","weightsManifest"] (format graph-model)`,
    );
  });

  it('alpha that contradicts the weights', async () => {
    await expect(load({ weights: real, alpha: 0.5 })).rejects.toThrow(
      `Expected weights of alpha 0.5 (the alpha option) but ${real} has alpha 0.25`,
    );
  });
});

describe('option errors', () => {
  it.each([
    [100, RangeError, 'Expected a multiple of 32 from 32 to 2048 (e.g. 224, 192, 160, 128) for resolution but received 100 of type number'],
    [0, RangeError, 'Expected a multiple of 32 from 32 to 2048 (e.g. 224, 192, 160, 128) for resolution but received 0 of type number'],
    [-224, RangeError, 'Expected a multiple of 32 from 32 to 2048 (e.g. 224, 192, 160, 128) for resolution but received -224 of type number'],
    // 4096 is a positive multiple of 32: the message must name the upper bound it is over.
    [4096, RangeError, 'Expected a multiple of 32 from 32 to 2048 (e.g. 224, 192, 160, 128) for resolution but received 4096 of type number'],
    ['224', TypeError, "Expected a multiple of 32 from 32 to 2048 (e.g. 224, 192, 160, 128) for resolution but received '224' of type string"],
  ])('resolution %s', async (resolution, cls, msg) => {
    const p = load({ weights: real, resolution: resolution as number });
    await expect(p).rejects.toThrow(cls);
    await expect(p).rejects.toThrow(msg);
  });

  it.each([
    ['onnx', RangeError, "Expected one of 'tfjs', 'tflite', 'tflite-quant' for format but received 'onnx' of type string"],
    ['TFLite', RangeError, "Expected one of 'tfjs', 'tflite', 'tflite-quant' for format but received 'TFLite' of type string"],
    [3, TypeError, "Expected one of 'tfjs', 'tflite', 'tflite-quant' for format but received 3 of type number"],
  ])('an unknown format %s is refused, with weights too (it was ignored)', async (format, cls, msg) => {
    const p = load({ weights: real, format: format as never });
    await expect(p).rejects.toThrow(cls);
    await expect(p).rejects.toThrow(msg);
    // Without weights the resolver's check said the same (no cache lookup, no download).
    await expect(load({ format: format as never, download: false })).rejects.toThrow(msg);
  });

  it('a format that contradicts the weights is refused naming theirs (it was ignored); a matching one is accepted', async () => {
    const tfjs = resolve(shared, 'models/tfjs/mobilenet_v1_0.25_224');
    const quant = resolve(shared, 'models/tflite/mobilenet_v1_0.25_128_quant.tflite');
    const ssd = resolve(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
    await expect(load({ weights: quant, format: 'tfjs' })).rejects.toThrow(
      `Expected weights in format 'tfjs' (the format option) but ${quant} is a quantized TFLite file (format 'tflite-quant'); format only chooses what the resolver looks for: leave it out with weights`,
    );
    await expect(load({ weights: ssd, format: 'tfjs' })).rejects.toThrow(`but ${ssd} is a quantized TFLite file (format 'tflite-quant')`);
    await expect(load({ weights: tfjs, format: 'tflite' })).rejects.toThrow(`but ${tfjs} is TF.js weights (format 'tfjs')`);
    await expect(load({ weights: syntheticWeights(0.25), format: 'tflite' })).rejects.toThrow(
      "Expected weights in format 'tflite' (the format option) but synthetic(alpha=0.25, seed=1) is weights given as an object; format only chooses what the resolver looks for: leave it out with weights",
    );
    for (const format of ['tflite', 'tflite-quant'] as const) (await load({ weights: quant, format })).dispose();
    (await load({ weights: tfjs, format: 'tfjs' })).dispose();
  });

  it('unknown option names', async () => {
    await expect(load({ weights: real, alhpa: 0.25 } as never)).rejects.toThrow(
      "Unknown option 'alhpa' for load() (did you mean 'alpha'?); expected one of: weights, alpha, resolution, threads, labels, isa, format, download, onProgress, signal",
    );
  });

  it('an unsupported isa, from the option and from MOBILENET_ISA', async () => {
    // Checked in JS against the kernel sets this CPU runs, before anything native is built.
    await expect(load({ weights: real, isa: 'sse9' as never })).rejects.toThrow(/^Expected one of 'scalar'(, '\w+')* \(the kernel sets this CPU runs\) for isa but received 'sse9'$/);
    process.env.MOBILENET_ISA = 'sse9';
    try {
      await expect(load({ weights: real })).rejects.toThrow(/^Expected one of 'scalar'(, '\w+')* \(the kernel sets this CPU runs\) for MOBILENET_ISA but received 'sse9'$/);
      process.env.MOBILENET_ISA = 'scalar';
      const m = await load({ weights: real, resolution: 32 });
      expect(m.info.isa).toBe('scalar');
      m.dispose();
    } finally {
      delete process.env.MOBILENET_ISA;
    }
  });
});

describe('input errors', () => {
  let model: MobileNet;
  beforeAll(async () => {
    model = await load({ weights: real, resolution: 128, threads: 1 });
  });
  afterAll(() => model.dispose());

  it('a Float32Array of the wrong length', async () => {
    await expect(model.infer(new Float32Array(10))).rejects.toThrow(
      new RangeError('Expected a Float32Array of length 49152 (128 x 128 x 3, NHWC) for input but received Float32Array of length 10'),
    );
  });

  it('a frame whose data does not match its size', async () => {
    await expect(model.infer({ data: new Uint8Array(10), width: 4, height: 4, channels: 3 })).rejects.toThrow(
      new RangeError('Expected input.data of length 48 (4 x 4 x 3) but received length 10'),
    );
  });

  it('channels other than 1, 3 or 4', async () => {
    await expect(model.infer({ data: new Uint8Array(32), width: 4, height: 4, channels: 2 as 3 })).rejects.toThrow(
      new RangeError('Expected 1, 3 or 4 for input.channels (or a format) but received 2 of type number'),
    );
  });

  it('an input of the wrong type', async () => {
    await expect(model.infer(42 as never)).rejects.toThrow(
      new TypeError(
        'Expected an image path, encoded image bytes (Uint8Array, Buffer, ArrayBuffer, Blob), a frame { data, width, height, format }, ImageData, sharp\'s { data, info } or a Float32Array for input but received 42 of type number',
      ),
    );
    expect(() => model.inferSync(new Float64Array(49152) as never)).toThrow(TypeError);
  });

  it('an image file that is not an image', async () => {
    const f = resolve(tmp, 'not-an-image.jpg');
    writeFileSync(f, 'hello, I am text');
    await expect(model.infer(f)).rejects.toThrow(
      `Cannot decode image file '${f}': not a supported image (JPEG, PNG, WebP, GIF, TIFF, AVIF, BMP, SVG): Input buffer contains unsupported image format`,
    );
  });

  // An AVIF (HEIF container) whose 'ispe' box declares another size: what a too-large HEIC/AVIF photo looks like to libheif.
  const avifDeclaring = async (width: number, height: number): Promise<Buffer> => {
    const b = Buffer.from(await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } }).avif().toBuffer());
    const at = b.indexOf('ispe');
    b.writeUInt32BE(width, at + 8);
    b.writeUInt32BE(height, at + 12);
    return b;
  };

  it('a HEIF/AVIF over libheif\'s own size cap: one line naming the size, not libvips\' multi-line log', async () => {
    const bytes = await avifDeclaring(40000, 40000);
    // Under maxInputPixels (default 50 MP) the header check says so first, as before.
    await expect(model.infer(bytes)).rejects.toThrow(
      new RangeError(`Cannot decode input (encoded image of ${bytes.length} bytes): it is 40000 x 40000 (1600.0 megapixels), over the limit of 50000000 pixels (maxInputPixels); raise load({ maxInputPixels }) to accept it`),
    );
    // With the limit raised, libheif refuses it: was "out of memory while decoding ... (source: bad seek to 1024\nsource: ...".
    const big = await load({ weights: real, resolution: 128, threads: 1, maxInputPixels: 2_000_000_000 });
    try {
      const e = await big.infer(bytes).then(() => undefined, (x: unknown) => x as Error);
      expect(e).toBeInstanceOf(RangeError);
      expect(e!.message).toBe(
        `Cannot decode input (encoded image of ${bytes.length} bytes): it is 40000 x 40000 (1600.0 megapixels), more than its decoder accepts ` +
          '(heif: Memory allocation error: Security limit exceeded: Image size 40000x40000 exceeds the maximum image size 268435456 (6.1000))',
      );
    } finally {
      big.dispose();
    }
  });

  it('a truncated AVIF: libheif\'s reason on one line, without libvips\' "source: bad seek" probing lines', async () => {
    const whole = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).avif().toBuffer();
    const bytes = whole.subarray(0, whole.length - 40);
    await expect(model.infer(bytes)).rejects.toThrow(
      new Error(`Cannot decode input (encoded image of ${bytes.length} bytes): a damaged or truncated image (its header does not read): ` +
        "Input buffer has corrupt header: heif: Invalid input: No 'meta' box: Cannot read full meta box (2.104)"),
    );
  });

  it('libvipsSummary: one line, probing noise and repeats dropped', () => {
    const log = 'source: bad seek to 1024\nsource: bad seek to 512\nsource: bad seek to 272\n' +
      'heif: Memory allocation error: Security limit exceeded: Image size 40000x40000 exceeds the maximum image size 268435456\n (6.1000)';
    expect(libvipsSummary(log)).toBe('heif: Memory allocation error: Security limit exceeded: Image size 40000x40000 exceeds the maximum image size 268435456 (6.1000)');
    expect(libvipsSummary('VipsJpeg: premature end of JPEG image\nVipsJpeg: premature end of JPEG image\n')).toBe('VipsJpeg: premature end of JPEG image');
    expect(libvipsSummary('Input buffer contains unsupported image format')).toBe('Input buffer contains unsupported image format');
  });

  it('an image file that does not exist', async () => {
    const f = resolve(tmp, 'nope.jpg');
    await expect(model.infer(f)).rejects.toThrow(`Cannot read image file '${f}': no such file`);
  });
});
