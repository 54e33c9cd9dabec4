// mobilenet detect <image...> --weights detect.tflite [--labels file] [--min-score 0.5] [--max N] [--threads N]
//                  [--out annotated.jpg | --out dir/] [--json]
// Objects found by an SSD model, as text or JSON, and optionally a copy of each image with labelled boxes drawn
// on it (sharp composites an SVG overlay onto the decoded, EXIF-rotated pixels the detector saw).
import { mkdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeImage, type Frame } from './image.js';
import { load, type Detection } from './model.js';

export const DETECT_USAGE = '  mobilenet detect <image...> --weights <ssd.tflite> [--labels <file>] [--min-score 0.5] [--max N] [--threads N] [--out annotated.jpg|dir/] [--json]';

const COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#fabed4', '#469990'];
const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** An SVG the size of the image: one rectangle and one label per detection (colour by class). */
export function overlaySvg(width: number, height: number, found: Detection[]): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 200));
  const font = Math.max(12, Math.round(Math.min(width, height) / 30));
  const parts = [...found].reverse().map((d) => { // best last: drawn on top
    const c = COLORS[d.index % COLORS.length]!;
    const { left, top, width: w, height: h } = d.box;
    const text = `${d.label ?? `class ${d.index}`} ${(d.score * 100).toFixed(0)}%`;
    const ty = top > font + 4 ? top - 4 : top + font + 2;
    const tw = Math.round(text.length * font * 0.6) + 6;
    const by = ty - font + 2;
    return `<rect x="${left.toFixed(1)}" y="${top.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="none" stroke="${c}" stroke-width="${stroke}"/>` +
      `<rect x="${left.toFixed(1)}" y="${by.toFixed(1)}" width="${tw}" height="${font + 4}" fill="${c}"/>` +
      `<text x="${(left + 3).toFixed(1)}" y="${(ty).toFixed(1)}" font-family="sans-serif" font-size="${font}" fill="#fff">${escapeXml(text)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** Writes `frame` with `found` drawn on it to `out` (format from the extension: .jpg, .png, .webp...). */
export async function annotate(frame: Frame, found: Detection[], out: string): Promise<void> {
  const sharp = ((await import('sharp')) as unknown as { default: typeof import('sharp') }).default;
  await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: frame.channels } })
    .composite([{ input: Buffer.from(overlaySvg(frame.width, frame.height, found)), top: 0, left: 0 }])
    .toFile(out);
}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`Expected a number for --${name} but received '${v}'`);
  return n;
}

export async function detectMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      weights: { type: 'string' }, labels: { type: 'string' }, 'min-score': { type: 'string' }, max: { type: 'string' },
      threads: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { console.log(`Usage:\n${DETECT_USAGE}`); return 0; }
  if (positionals.length === 0) throw new Error('Expected at least one image file for detect');
  if (!values.weights) throw new Error('Expected --weights <file.tflite>: an SSD detection model such as coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
  const minScore = num('min-score', values['min-score']);
  const maxResults = num('max', values.max);
  // Several images: --out is a folder (created), each written as <name>.detect<ext of the input or .jpg>.
  let outDir: string | undefined;
  if (values.out !== undefined && positionals.length > 1) {
    outDir = values.out;
    mkdirSync(outDir, { recursive: true });
    if (!statSync(outDir).isDirectory()) throw new Error(`Expected a folder for --out with several images but '${outDir}' is a file`);
  }
  const model = await load({ weights: values.weights, threads: num('threads', values.threads), labels: values.labels });
  if (model.info.architecture !== 'ssd_mobilenet_v1') {
    model.dispose();
    throw new Error(`Expected an SSD detection model for --weights but ${values.weights} is ${model.info.architecture}; use 'mobilenet classify'`);
  }
  const results: { image: string; detections: Detection[]; annotated?: string }[] = [];
  let failed = 0;
  try {
    for (const image of positionals) {
      try {
        const frame = await decodeImage(image);
        const detections = await model.detect(frame, { ...(minScore !== undefined ? { minScore } : {}), ...(maxResults !== undefined ? { maxResults } : {}) });
        let annotated: string | undefined;
        if (values.out !== undefined) {
          const ext = extname(image).toLowerCase();
          annotated = outDir ? join(outDir, `${basename(image, extname(image))}.detect${['.png', '.webp'].includes(ext) ? ext : '.jpg'}`) : values.out;
          await annotate(frame, detections, annotated);
        }
        results.push({ image, detections, ...(annotated ? { annotated } : {}) });
      } catch (e) {
        failed++;
        console.error(`${image}: ${(e as Error).message}`);
      }
    }
  } finally {
    model.dispose();
  }
  if (values.json) {
    console.log(JSON.stringify(results.length === 1 && positionals.length === 1 ? results[0] : results, null, 2));
  } else {
    for (const r of results) {
      console.log(`${r.image}${r.annotated ? ` -> ${r.annotated}` : ''}`);
      if (r.detections.length === 0) console.log('  (nothing above the minimum score)');
      for (const d of r.detections) {
        const b = d.box;
        console.log(`  ${(d.score * 100).toFixed(1).padStart(5)}%  ${String(d.index).padStart(2)}  ${(d.label ?? '').padEnd(14)} ` +
          `x ${b.left.toFixed(0)}, y ${b.top.toFixed(0)}, ${b.width.toFixed(0)} x ${b.height.toFixed(0)}`);
      }
    }
  }
  return failed ? 1 : 0;
}
