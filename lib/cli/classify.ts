// `mobilenet classify <image|folder|->...`: the top classes of each input, as a table, one JSON array
// (--json: one entry per input, in order, failures as { image, error }) or JSON lines (--jsonl,
// printed as each input finishes). Exit 1 when any input failed.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { load, type Classification, type LoadOptions, type MobileNet } from '../model.js';
import { loadBinding } from '../binding.js';
import { checkIsa, FORMATS, LIMITS } from '../validate.js';
import { parsers, UsageError, type CommandSpec, type Parsed } from './args.js';
import { interruptible, withFlagNames, type CliIO, type Command } from './main.js';
import { downloadBar } from './progress.js';
import { DEFAULT_MAX_INPUT_PIXELS } from '../image.js';
import { bytesAndMib, maxEncodedImageBytes, readStreamBounded } from '../files.js';

/** Extensions a folder is searched for (what sharp decodes). */
const IMAGE_EXT = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.bmp', '.heic', '.heif'];

const spec: CommandSpec = {
  name: 'classify',
  summary: 'Prints the most probable ImageNet classes of each image. A folder stands for the images in it\n' +
    '(sorted by name); - reads one image from standard input.',
  args: '<image|folder|->...',
  minPositionals: 1,
  argsExpected: 'at least one image, folder or - (standard input)',
  flags: {
    weights: { type: 'string', value: '<path>', help: 'a TF.js model folder, model.json or .tflite file (default: see below)' },
    head: { type: 'string', value: '<path>', help: "a .tflite file continuing --weights (Coral's …_head_layers.tflite after the …_embedding_extractor)" },
    alpha: { type: 'string', value: 'A', help: 'width multiplier of the published weights: 1.0, 0.75, 0.5, 0.25', parse: parsers.alpha },
    resolution: { type: 'string', value: 'R', help: 'input size, a multiple of 32 (default: what the weights declare, else 224)', parse: parsers.resolution },
    format: { type: 'string', value: 'F', help: `published format to use: ${FORMATS.join(', ')}`, parse: parsers.oneOf(FORMATS) },
    top: { type: 'string', value: 'K', help: 'classes per image (default 5; at most the model\'s class count)', parse: parsers.int(1, LIMITS.maxClasses) },
    labels: { type: 'string', value: '<file>', help: 'class names, one per line (default: the file\'s own, else ImageNet for 1000 classes)' },
    threads: { type: 'string', value: 'N', help: 'threads per inference (default: the number of cores)', parse: parsers.threads },
    isa: { type: 'string', value: 'X', help: 'force a kernel set: scalar, avx2, avx512, neon; for integer models also avxvnni,\n' +
      'avx512vnni, avx512amx, neondot (default: the best this CPU runs)' },
    precision: { type: 'string', value: 'P', help: 'integer (default for uint8/int8 .tflite files: bit-exact with TFLite) or float\n' +
      '(dequantize the file at load and run the float path)', parse: parsers.oneOf(['integer', 'float'] as const) },
    'max-pixels': { type: 'string', value: 'N', help: `refuse images with more pixels than this, before decoding (default ${DEFAULT_MAX_INPUT_PIXELS})`,
      parse: parsers.int(1, Number.MAX_SAFE_INTEGER) },
    recursive: { type: 'boolean', short: 'r', help: 'also take images in the subfolders of a folder' },
    json: { type: 'boolean', help: 'one JSON array on stdout: [{ image, top: [{ index, label, probability }] } | { image, error }]' },
    jsonl: { type: 'boolean', help: 'one JSON object per line, printed as each image finishes' },
  },
  notes: 'Without --weights: with neither --alpha nor --resolution the model is the only one in the cache, else the one\n' +
    '`mobilenet fetch` got last, else alpha 1.0 at 224; it is looked up in MOBILENET_WEIGHTS, then the cache, and\n' +
    'downloaded into the cache when missing. Exit 1 when any image failed.',
};

export interface Item {
  image: string;
  /** What classify() takes, or why there is nothing to classify. */
  input: string | Uint8Array | { error: string };
}


async function imagesIn(dir: string, recursive: boolean): Promise<string[]> {
  const entries = await fsp.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    // Hidden entries are not photos: macOS's `._IMG_0001.jpg` (AppleDouble) beside each file copied from a Mac to a
    // USB stick or SD card, `.thumbnails/`, `.Trashes/`.
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...(await imagesIn(p, true)));
    } else if (IMAGE_EXT.includes(path.extname(e.name).toLowerCase())) {
      out.push(p);
    }
  }
  return out;
}

/**
 * Arguments → inputs, in order: folders expanded, `-` read from stdin (up to what an image of maxInputPixels can take).
 * Missing files stay paths (classify reports them), except wildcard patterns, which get a hint.
 */
export async function expandInputs(args: readonly string[], recursive: boolean, stdin: CliIO['stdin'], command = 'classify',
  maxInputPixels = DEFAULT_MAX_INPUT_PIXELS): Promise<Item[]> {
  if (args.filter((a) => a === '-').length > 1) throw new UsageError("Expected '-' (standard input) at most once");
  const items: Item[] = [];
  for (const a of args) {
    if (a === '-') {
      // A terminal would wait for bytes nobody sends; no bytes is no image, said as such rather than as 'input (0 bytes)'.
      if ((stdin as { isTTY?: boolean }).isTTY) throw new UsageError(`Expected an image piped into standard input for '-' but it is a terminal (mobilenet ${command} - < photo.jpg)`);
      const limit = maxEncodedImageBytes(maxInputPixels);
      const bytes = await readStreamBounded(stdin, limit);
      items.push({
        image: '-',
        input: bytes === undefined ? { error: `standard input did not end within ${bytesAndMib(limit)}: '-' reads one image file, not a stream (save a frame first)` }
          : bytes.length > 0 ? bytes : { error: `standard input was empty: pipe an image into it (mobilenet ${command} - < photo.jpg)` },
      });
      continue;
    }
    const st = await fsp.stat(a).catch(() => undefined);
    if (!st && /[*?[]/.test(a)) {
      items.push({ image: a, input: { error: "no such file (wildcards such as * are expanded by the shell, not here: leave the pattern unquoted, or pass the folder)" } });
      continue;
    }
    if (!st?.isDirectory()) {
      items.push({ image: a, input: a });
      continue;
    }
    const found = await imagesIn(a, recursive);
    if (found.length === 0) {
      const hint = recursive ? '' : '; --recursive also searches its subfolders';
      items.push({ image: a, input: { error: `no image files in this folder (${IMAGE_EXT.join(' ')})${hint}` } });
    }
    for (const f of found) items.push({ image: f, input: f });
  }
  return items;
}

async function run(parsed: Parsed, io: CliIO): Promise<number> {
  const v = parsed.values as {
    weights?: string; head?: string; alpha?: number; resolution?: number; format?: LoadOptions['format']; top?: number; labels?: string;
    threads?: number; isa?: string; precision?: LoadOptions['precision']; 'max-pixels'?: number; recursive?: boolean;
    json?: boolean; jsonl?: boolean;
  };
  if (v.json && v.jsonl) throw new UsageError('Expected at most one of --json and --jsonl but received both');
  // Everything the user typed is checked before the (slow) model load.
  const isa = v.isa !== undefined ? checkIsaFlag(v.isa) : undefined;
  if (v.weights !== undefined && v.format !== undefined) throw new UsageError('--format chooses among published weights; it does not apply with --weights');
  if (v.head !== undefined && v.weights === undefined) throw new UsageError('Expected --weights <backbone.tflite> with --head');
  const items = await expandInputs(parsed.positionals, v.recursive ?? false, io.stdin, 'classify', v['max-pixels'] ?? DEFAULT_MAX_INPUT_PIXELS);

  const bar = downloadBar(io.stderr);
  let model: MobileNet;
  try {
    model = await interruptible((signal) => load({
      ...(v.weights !== undefined ? { weights: v.weights } : {}),
      ...(v.head !== undefined ? { head: v.head } : {}),
      ...(v.alpha !== undefined ? { alpha: v.alpha as LoadOptions['alpha'] } : {}),
      ...(v.resolution !== undefined ? { resolution: v.resolution } : {}),
      ...(v.format !== undefined ? { format: v.format } : {}),
      ...(v.threads !== undefined ? { threads: v.threads } : {}),
      ...(v.labels !== undefined ? { labels: v.labels } : {}),
      ...(isa !== undefined ? { isa } : {}),
      ...(v.precision !== undefined ? { precision: v.precision } : {}),
      ...(v['max-pixels'] !== undefined ? { maxInputPixels: v['max-pixels'] } : {}),
      onProgress: bar.onProgress,
      signal,
    }));
  } finally {
    bar.clear();
  }
  // Models classify() cannot use are a usage error once, with the command to use, not one failure per image.
  const unusable = model.info.architecture === 'ssd_mobilenet_v1' ? "is an SSD detector; use 'mobilenet detect'"
    : model.info.classes === 0 ? 'is a headless backbone (no classification layer); a .tflite backbone takes its classifier with --head <file.tflite>' : undefined;
  if (unusable) {
    model.dispose();
    throw new UsageError(`Expected a classifier for --weights but ${model.info.weights} ${unusable}`);
  }
  const classes = model.info.classes - (model.info.background ? 1 : 0);
  const topK = Math.min(v.top ?? 5, classes);
  const results: ({ image: string; top: Classification[] } | { image: string; error: string })[] = [];
  let failed = 0;
  try {
    for (const item of items) {
      let r: (typeof results)[number];
      if (typeof item.input === 'object' && !(item.input instanceof Uint8Array)) {
        r = { image: item.image, error: item.input.error };
      } else {
        try {
          r = { image: item.image, top: await model.classify(item.input, { topK }) };
        } catch (e) {
          r = { image: item.image, error: withFlagNames((e as Error).message, spec) };
        }
      }
      if ('error' in r) failed++;
      if (v.jsonl) io.stdout.write(JSON.stringify(r) + '\n');
      else if (v.json) results.push(r);
      else if ('error' in r) io.stderr.write(`${r.image}: ${r.error}\n`);
      else io.stdout.write(formatTable(r.image, r.top));
    }
  } finally {
    model.dispose();
  }
  if (v.json) io.stdout.write(JSON.stringify(results, null, 2) + '\n');
  return failed ? 1 : 0;
}

function checkIsaFlag(raw: string): LoadOptions['isa'] {
  // Float and integer sets alike, as load() takes them: which kind applies depends on the file, read later.
  const binding = loadBinding();
  try {
    return checkIsa(raw, '--isa', [...new Set([...binding.supportedIsas(), ...binding.supportedQIsas()])]);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function formatTable(image: string, top: readonly Classification[]): string {
  const w = String(Math.max(...top.map((c) => c.index))).length;
  return `${image}\n${top.map((c) => `  ${(c.probability * 100).toFixed(2).padStart(6)}%  ${String(c.index).padStart(Math.max(w, 3))}  ${c.label}\n`).join('')}`;
}

export const command: Command = { spec, run };
