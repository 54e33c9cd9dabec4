// `mobilenet detect` as a user runs it (needs dist/: `npm run build:ts`).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, shared } from './helpers/reference.js';

const cli = resolve(repoRoot, 'dist/cli.js');
const ssd = resolve(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
const hopper = resolve(shared, 'images/samples/grace_hopper.jpg');
const tmp = mkdtempSync(join(tmpdir(), 'mn-detect-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('mobilenet detect', () => {
  it('--json lists labelled boxes in the image\'s pixels, and --out draws them on a copy', async () => {
    const out = join(tmp, 'hopper.png');
    const r = JSON.parse(execFileSync('node', [cli, 'detect', hopper, '--weights', ssd, '--min-score', '0.4', '--out', out, '--json'], { encoding: 'utf8' }));
    expect(r.image).toBe(hopper);
    expect(r.annotated).toBe(out);
    expect(r.detections.map((d: { label: string }) => d.label)).toEqual(['person', 'tie', 'person', 'tie']);
    const meta = await sharp(hopper).metadata();
    const p = r.detections[0];
    expect(p.box.width).toBeCloseTo(p.normalizedBox.width * meta.width!, 6);
    const drawn = await sharp(out).metadata();
    expect([drawn.width, drawn.height, drawn.format]).toEqual([meta.width, meta.height, 'png']);
    // The copy differs from the photo only where boxes and labels are drawn: the centre of the face is untouched.
    const [a, b] = await Promise.all([hopper, out].map((f) => sharp(f).removeAlpha().extract({ left: 250, top: 200, width: 20, height: 20 }).raw().toBuffer()));
    const diff = a!.reduce((m, v, i) => Math.max(m, Math.abs(v - b![i]!)), 0);
    expect(diff).toBeLessThanOrEqual(8); // JPEG source, PNG copy: the decoded pixels, not re-encoded
  });

  it('a 24-bit BMP (BGR rows, bottom-up): the copy has the photo\'s colours and the detections are those of its RGB pixels', async () => {
    const bmp = resolve(shared, 'images/coral/grace_hopper.bmp');
    const out = join(tmp, 'hopper-bmp.png');
    const r = JSON.parse(execFileSync('node', [cli, 'detect', bmp, '--weights', ssd, '--min-score', '0.4', '--out', out, '--json'], { encoding: 'utf8' }));
    const { decodeBmp } = await import('../lib/image/bmp.js');
    const rgb = decodeBmp(new Uint8Array(readFileSync(bmp)));
    const pixel = (x: number, y: number) => Array.from(rgb.data.subarray((y * rgb.width + x) * 3, (y * rgb.width + x) * 3 + 3));
    // Before: the BGR rows were drawn (and detected) as RGB: a blue face, other scores.
    const drawn = await sharp(out).removeAlpha().extract({ left: 250, top: 250, width: 1, height: 1 }).raw().toBuffer();
    expect(Array.from(drawn)).toEqual(pixel(250, 250));
    const { load } = await import('../lib/index.js');
    const m = await load({ weights: ssd });
    try {
      const want = await m.detect({ data: rgb.data, width: rgb.width, height: rgb.height, format: 'rgb' }, { minScore: 0.4 });
      expect(r.detections.map((d: { score: number }) => d.score)).toEqual(want.map((d) => d.score));
    } finally {
      m.dispose();
    }
  });

  it('several images into a folder, a readable table, and clear errors', () => {
    const dir = join(tmp, 'many');
    const r = spawnSync('node', [cli, 'detect', hopper, resolve(shared, 'images/samples/coral_parrot.jpg'), '/nonexistent.jpg', '--weights', ssd, '--out', dir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${hopper} -> ${join(dir, 'grace_hopper.detect.jpg')}`);
    expect(r.stdout).toMatch(/coral_parrot\.detect\.jpg\n +\d+\.\d% +15 +bird +x \d+, y \d+, \d+ x \d+/);
    expect(r.stderr).toContain("/nonexistent.jpg: Cannot read image file '/nonexistent.jpg': no such file");
    const noWeights = spawnSync('node', [cli, 'detect', hopper], { encoding: 'utf8' });
    expect(noWeights.status).toBe(2); // a usage error (lib/cli/main.ts)
    expect(noWeights.stderr).toContain('mobilenet detect: Expected --weights <file.tflite>: an SSD detection model');
    const classifier = spawnSync('node', [cli, 'detect', hopper, '--weights', resolve(shared, 'models/tflite/coral/mobilenet_v2_1.0_224_quant.tflite')], { encoding: 'utf8' });
    expect(classifier.status).toBe(2);
    expect(classifier.stderr).toContain("is mobilenet_v2; use 'mobilenet classify'");
  });

  it('--json keeps failed images as { image, error } entries in input order', () => {
    // Before: a failed image vanished from the JSON (one failing image printed []); only stderr named it.
    const r = spawnSync('node', [cli, 'detect', '/nonexistent.jpg', hopper, '--weights', ssd, '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { image: string; error?: string; detections?: { label: string }[] }[];
    expect(out.map((e) => e.image)).toEqual(['/nonexistent.jpg', hopper]);
    expect(out[0]).toEqual({ image: '/nonexistent.jpg', error: "Cannot read image file '/nonexistent.jpg': no such file" });
    expect(out[1]!.detections![0]!.label).toBe('person');
    const one = spawnSync('node', [cli, 'detect', '/nonexistent.jpg', '--weights', ssd, '--json'], { encoding: 'utf8' });
    expect(one.status).toBe(1);
    expect(JSON.parse(one.stdout)).toEqual({ image: '/nonexistent.jpg', error: "Cannot read image file '/nonexistent.jpg': no such file" });
  });

  it('--out: one copy per input even when names repeat, a folder for one image, and never over an input', () => {
    // Two cameras' frames with one file name: before, the second copy silently replaced the first.
    const a = join(tmp, 'cam1'), b = join(tmp, 'cam2'), out = join(tmp, 'same-name');
    mkdirSync(a);
    mkdirSync(b);
    copyFileSync(hopper, join(a, 'frame.jpg'));
    copyFileSync(hopper, join(b, 'frame.jpg'));
    const r = spawnSync('node', [cli, 'detect', join(a, 'frame.jpg'), join(b, 'frame.jpg'), '--weights', ssd, '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${join(a, 'frame.jpg')} -> ${join(out, 'frame.detect.jpg')}\n`);
    expect(r.stdout).toContain(`${join(b, 'frame.jpg')} -> ${join(out, 'frame-2.detect.jpg')}\n`);
    expect(readdirSync(out).sort()).toEqual(['frame-2.detect.jpg', 'frame.detect.jpg']);
    // One image and a folder (ending in /, or existing): written into it; before: "Unsupported output format".
    const one = spawnSync('node', [cli, 'detect', hopper, '--weights', ssd, '--out', join(tmp, 'one') + '/'], { encoding: 'utf8' });
    expect(one.status, one.stderr).toBe(0);
    expect(readdirSync(join(tmp, 'one'))).toEqual(['grace_hopper.detect.jpg']);
    const existing = spawnSync('node', [cli, 'detect', hopper, '--weights', ssd, '--out', out], { encoding: 'utf8' });
    expect(existing.status, existing.stderr).toBe(0);
    expect(existing.stdout).toContain(`${hopper} -> ${join(out, 'grace_hopper.detect.jpg')}\n`);
    // --out naming the input itself: refused for that image, the photo left as it was.
    const photo = join(a, 'frame.jpg');
    const self = spawnSync('node', [cli, 'detect', photo, '--weights', ssd, '--out', photo], { encoding: 'utf8' });
    expect(self.status).toBe(1);
    expect(self.stderr).toBe(`${photo}: --out ${photo} is one of the input images; choose another file so that the original is kept\n`);
    expect(readFileSync(photo).equals(readFileSync(hopper))).toBe(true);
  });
});
