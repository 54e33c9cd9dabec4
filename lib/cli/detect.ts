// `mobilenet detect <image...> --weights <ssd.tflite>`: objects found by an SSD model (lib/detect.ts), as a table or
// JSON, and optionally a copy of each image with labelled boxes drawn on it (sharp composites an SVG overlay onto
// the decoded, EXIF-rotated pixels the detector saw). Exit 1 when any image failed.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve as resolvePath } from 'node:path';
import { decodeImage, DEFAULT_MAX_INPUT_PIXELS, libvipsSummary, rgbFrame } from '../image.js';
import { load, type Detection } from '../model.js';
import { parsers, UsageError, type CommandSpec, type Parsed } from './args.js';
import { withFlagNames, type CliIO, type Command } from './main.js';
import { expandInputs } from './classify.js';

const spec: CommandSpec = {
  name: 'detect',
  summary: 'Finds objects with an SSD detection model (e.g. coco_ssd_mobilenet_v1_1.0_quant/detect.tflite): label, score\n' +
    'and box (pixels of the image) of each, best first; --out draws them on a copy of the image. A folder stands for\n' +
    'the images in it (sorted by name); - reads one image from standard input.',
  args: '<image|folder|->...',
  minPositionals: 1,
  argsExpected: 'at least one image, folder or - (standard input)',
  flags: {
    weights: { type: 'string', value: '<path>', help: 'the SSD .tflite file (required)' },
    labels: { type: 'string', value: '<file>', help: "class names, one per line (default: COCO, labelmap.txt's order)" },
    'min-score': { type: 'string', value: 'S', help: 'drop detections scoring below S, 0..1 (default 0.5)', parse: (raw, flag) => { const n = Number(raw); if (raw.trim() === '' || !(n >= 0 && n <= 1)) throw new UsageError(`Expected a number between 0 and 1 for ${flag} but received '${raw}'`); return n; } },
    max: { type: 'string', value: 'N', help: 'at most N detections per image (default: all the model reports)', parse: parsers.int(1, 100000) },
    threads: { type: 'string', value: 'N', help: 'threads per inference (default: the number of cores)', parse: parsers.threads },
    'max-pixels': { type: 'string', value: 'N', help: `refuse images with more pixels than this, before decoding (default ${DEFAULT_MAX_INPUT_PIXELS})`,
      parse: parsers.int(1, Number.MAX_SAFE_INTEGER) },
    recursive: { type: 'boolean', short: 'r', help: 'also take images in the subfolders of a folder' },
    out: { type: 'string', value: '<file|dir>', help: 'write the image with its boxes drawn (several images, or a folder: <name>.detect.jpg in it)' },
    json: { type: 'boolean', help: 'one JSON value on stdout: { image, detections: [{ index, label, score, box, normalizedBox }], annotated? }\nor { image, error } (an array for several images)' },
  },
};

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/** File names sharp writes from the extension (toFile). */
const OUT_FILE = /\.(jpe?g|png|webp|avif|tiff?|gif)$/i;

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

/**
 * libvips' several-line log of a failed write ("<file>: unable to open for write", "system error: No such file or
 * directory", then the encoder's own lines) as its first statement and the system's reason.
 */
function writeReason(message: string, out: string): string {
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const first = (lines[0] ?? 'write failed').replace(`${out}: `, '');
  const system = lines.find((l) => l.startsWith('system error: '))?.slice('system error: '.length);
  return system && !lines[0]!.startsWith('system error: ') ? `${first} (${system})` : libvipsSummary(message);
}

/** Writes `frame` with `found` drawn on it to `out` (format from the extension: .jpg, .png, .webp...). */
export async function annotate(frame: ReturnType<typeof rgbFrame>, found: Detection[], out: string): Promise<void> {
  const sharp = ((await import('sharp')) as unknown as { default: typeof import('sharp') }).default;
  try {
    await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: frame.format === 'rgba' ? 4 : 3 } })
      .composite([{ input: Buffer.from(overlaySvg(frame.width, frame.height, found)), top: 0, left: 0 }])
      .toFile(out);
  } catch (e) {
    throw new Error(`Cannot write ${out}: ${writeReason((e as Error).message, out)}`);
  }
}

async function run(parsed: Parsed, io: CliIO): Promise<number> {
  const v = parsed.values as { weights?: string; labels?: string; 'min-score'?: number; max?: number; threads?: number; 'max-pixels'?: number; out?: string; json?: boolean; recursive?: boolean };
  if (!v.weights) throw new UsageError('Expected --weights <file.tflite>: an SSD detection model such as coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
  // Folders expanded, '-' read from standard input (as classify).
  const items = await expandInputs(parsed.positionals, v.recursive ?? false, io.stdin, 'detect', v['max-pixels'] ?? DEFAULT_MAX_INPUT_PIXELS);
  const images = items.map((it) => it.image);
  // Several images, or --out naming a folder (an existing one, or ending in /): each image is written into it as
  // <name>.detect<.png/.webp as the input, else .jpg>, made unique within the run (<name>-2.detect.jpg, ...).
  let outDir: string | undefined;
  if (v.out !== undefined && (images.length > 1 || /[\\/]$/.test(v.out) || isDirectory(v.out))) {
    outDir = v.out;
    if (existsSync(outDir)) {
      if (!statSync(outDir).isDirectory()) throw new UsageError(`Expected a folder for --out with several images but '${outDir}' is a file`);
    } else {
      // A new folder, made like `mkdir` (its parent must exist); an image file name is a slip, not a folder name.
      if (!/[\\/]$/.test(outDir) && OUT_FILE.test(outDir)) {
        throw new UsageError(`Expected a folder for --out with several images but received '${outDir}', an image file name: each image gets its own annotated copy in a folder`);
      }
      const parent = dirname(resolvePath(outDir));
      if (!isDirectory(parent)) throw new UsageError(`Expected --out in an existing folder but ${parent} is not one`);
      mkdirSync(outDir);
    }
  }
  if (v.out !== undefined && outDir === undefined) {
    // One annotated file: checked before the model loads, not found out by the encoder after the detection ran.
    if (!OUT_FILE.test(v.out)) {
      throw new UsageError(`Expected an image file name (.jpg, .png, .webp, .avif, .tif, .gif) or a folder for --out but received '${v.out}'`);
    }
    const parent = dirname(resolvePath(v.out));
    if (!isDirectory(parent)) throw new UsageError(`Expected --out in an existing folder but ${parent} is not one`);
  }
  const inputs = new Set(items.filter((it) => typeof it.input === 'string').map((it) => resolvePath(it.image)));
  const written = new Set<string>();
  const model = await load({ weights: v.weights, ...(v.threads !== undefined ? { threads: v.threads } : {}), ...(v.labels !== undefined ? { labels: v.labels } : {}) });
  if (model.info.architecture !== 'ssd_mobilenet_v1') {
    model.dispose();
    throw new UsageError(`Expected an SSD detection model for --weights but ${v.weights} is ${model.info.architecture}; use 'mobilenet classify'`);
  }
  // With --json a failed image is an { image, error } entry in input order (as classify --json), not only a stderr line.
  const results: ({ image: string; detections: Detection[]; annotated?: string } | { image: string; error: string })[] = [];
  let failed = 0;
  try {
    for (const { image, input } of items) {
      try {
        if (typeof input === 'object' && !(input instanceof Uint8Array)) throw new Error(input.error);
        // Full size (no shrink-on-load): the boxes and the annotated copy are in the file's own pixels.
        const rgb = rgbFrame(await decodeImage(input, image === '-' ? 'standard input' : 'input', { maxInputPixels: v['max-pixels'] ?? DEFAULT_MAX_INPUT_PIXELS, background: { r: 255, g: 255, b: 255 }, resolution: Infinity }));
        const detections = await model.detect(rgb, { ...(v['min-score'] !== undefined ? { minScore: v['min-score'] } : {}), ...(v.max !== undefined ? { maxResults: v.max } : {}) });
        let annotated: string | undefined;
        if (v.out !== undefined) {
          const ext = image === '-' ? '' : extname(image).toLowerCase();
          const name = image === '-' ? 'stdin' : basename(image, extname(image));
          const suffix = `.detect${['.png', '.webp'].includes(ext) ? ext : '.jpg'}`;
          annotated = v.out;
          if (outDir) {
            // Two inputs with one name (cam1/frame.jpg, cam2/frame.jpg) must not overwrite each other's copy.
            annotated = join(outDir, name + suffix);
            for (let n = 2; written.has(resolvePath(annotated)); n++) annotated = join(outDir, `${name}-${n}${suffix}`);
          }
          if (inputs.has(resolvePath(annotated))) throw new Error(`--out ${annotated} is one of the input images; choose another file so that the original is kept`);
          await annotate(rgb, detections, annotated);
          written.add(resolvePath(annotated));
        }
        results.push({ image, detections, ...(annotated ? { annotated } : {}) });
      } catch (e) {
        failed++;
        const error = withFlagNames((e as Error).message, spec);
        if (v.json) results.push({ image, error });
        else io.stderr.write(`${image}: ${error}\n`);
      }
    }
  } finally {
    model.dispose();
  }
  if (v.json) {
    // One image named on the command line: one object; folders and several images: an array.
    const single = parsed.positionals.length === 1 && items.length === 1 && items[0]!.image === parsed.positionals[0];
    io.stdout.write(JSON.stringify(single ? results[0] : results, null, 2) + '\n');
  } else {
    for (const r of results) {
      if ('error' in r) continue;
      io.stdout.write(`${r.image}${r.annotated ? ` -> ${r.annotated}` : ''}\n`);
      if (r.detections.length === 0) io.stdout.write('  (nothing above the minimum score)\n');
      for (const d of r.detections) {
        const b = d.box;
        io.stdout.write(`  ${(d.score * 100).toFixed(1).padStart(5)}%  ${String(d.index).padStart(2)}  ${(d.label ?? '').padEnd(14)} ` +
          `x ${b.left.toFixed(0)}, y ${b.top.toFixed(0)}, ${b.width.toFixed(0)} x ${b.height.toFixed(0)}\n`);
      }
    }
  }
  return failed ? 1 : 0;
}

export const command: Command = { spec, run };
