// Everyday photos classify as a person would expect (files decoded by sharp, EXIF applied).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load, type MobileNet } from '../lib/index.js';
import { shared, tfjsWeights } from './helpers/reference.js';
import { decodeImage } from '../lib/image.js';

const samples: [string, string[]][] = [
  ['grace_hopper.jpg', ['military uniform', 'bow tie, bow-tie, bowtie', 'suit, suit of clothes']],
  ['coral_cat.png', ['tabby, tabby cat', 'tiger cat', 'Egyptian cat']],
  ['coral_parrot.jpg', ['macaw']],
  ['tflsupport_burger.jpg', ['cheeseburger']],
];

describe('sample photos (tfjs 0.75/224)', () => {
  let model: MobileNet;
  beforeAll(async () => {
    model = await load({ weights: tfjsWeights('0.75') });
  });
  afterAll(() => model.dispose());

  it.each(samples)('%s from a file path', async (file, expected) => {
    const top = await model.classify(resolve(shared, 'images/samples', file), { topK: 3 });
    expect(top).toHaveLength(3);
    expect(expected).toContain(top[0]!.label);
    expect(top[0]!.probability).toBeGreaterThan(top[1]!.probability);
  });

  it('encoded bytes give the same result as the path', async () => {
    const file = resolve(shared, 'images/samples/coral_parrot.jpg');
    const a = await model.infer(file);
    const b = await model.infer(new Uint8Array(readFileSync(file)));
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('classifies a batch in input order', async () => {
    const files = samples.map(([f]) => resolve(shared, 'images/samples', f));
    const tops = await model.classify(files, { topK: 1 });
    expect(tops.map((t) => t[0]!.label)).toEqual(await Promise.all(files.map(async (f) => (await model.classify(f, { topK: 1 }))[0]!.label)));
  });

  it('honours EXIF orientation', async () => {
    const sharp = (await import('sharp')).default;
    const file = resolve(shared, 'images/samples/coral_parrot.jpg');
    // The same pixels stored rotated by 90 degrees, with EXIF orientation 8 saying "rotate back".
    const upright = await sharp(file).png().toBuffer();
    const stored = await sharp(file).rotate(90).withMetadata({ orientation: 8 }).png().toBuffer();
    const meta = await sharp(stored).metadata();
    const a = await decodeImage(new Uint8Array(upright));
    const b = await decodeImage(new Uint8Array(stored));
    expect(meta.orientation).toBe(8);
    expect(meta.width).toBe(a.height); // stored sideways...
    expect([b.width, b.height]).toEqual([a.width, a.height]); // ...decoded upright
    expect(Buffer.compare(Buffer.from(b.data), Buffer.from(a.data))).toBe(0); // lossless PNG: same pixels
  });

  it('embed returns the 1024*alpha pooled features', async () => {
    const f = await model.embed(resolve(shared, 'images/samples/coral_cat.png'));
    expect(f).toHaveLength(768);
    expect(f.every((v) => v >= 0 && Number.isFinite(v))).toBe(true); // after ReLU6 and averaging
  });
});
