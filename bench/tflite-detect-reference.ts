// Regenerates the MobileNetV2 / SSD goldens under test/fixtures/ (issue 14, item 4): what REAL TensorFlow
// Lite 2.2 (node-tflite 0.0.2, its prebuilt libtensorflowlite_c.so for linux-x86_64) computes for
//
//   1. MobileNetV2 uint8 (Coral's ImageNet file and its iNaturalist bird / insect heads): the uint8 logits,
//      i.e. the tensor before SOFTMAX (the file's graph output is redirected there in memory, as in
//      bench/tflite-uint8-reference.mjs), for the 100 reference inputs at 224 (shared/reference/inputs/224).
//      -> test/fixtures/v2/<model>.logits.u8.gz: 100 x classes bytes, manifest `stems` order.
//   2. SSD-MobileNetV1 (coco_ssd_mobilenet_v1_1.0_quant/detect.tflite) on the Coral photos and the sample
//      photos, each stretched (no crop) to 300x300 by test/helpers/detect-input.ts: the four outputs of
//      TFLite_Detection_PostProcess (boxes, classes, scores, count) and its two computed inputs (uint8 box
//      encodings [1917,4] and uint8 class scores after LOGISTIC [1917,91]; the file's outputs are redirected
//      to those tensors in a second interpreter).
//      -> test/fixtures/ssd/<image>.raw.u8.gz (box encodings then scores), test/fixtures/ssd/detect.json.
//   3. TFLite_Detection_PostProcess on its own, in a one-op model built here (project writer) with the file's
//      anchors, fed the raw tensors of 2, under other options than the file's (regular per-class NMS, other
//      thresholds and limits) and on seeded inputs full of tied scores, so the native postprocess is checked on
//      both NMS paths and on TFLite's tie order. -> the same detect.json.
//      Not here: fast NMS with max_classes_per_detection > 1. TFLite 2.2 writes those detections at
//      max_classes * (running detection count) + class, i.e. past the end of its output tensors (the count
//      it reports is detections x classes), so its outputs there are not a reference (later TFLite fixed it).
//
// Setup (dev only, node-tflite is not a dependency):
//   npm install --no-save node-tflite@0.0.2
//   (cd node_modules/node-tflite && node "$(dirname "$(which npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js" rebuild --nodedir=/usr)
//   npm run build:ts && npx vite-node bench/tflite-detect-reference.ts
// (--nodedir points node-gyp at the installed Node headers when nodejs.org cannot be reached.)

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readTfliteModel, BuiltinOp, type TfliteModel } from '../lib/weights/tflite.js';
import { readFlexMap } from '../lib/weights/flexbuffers.js';
import { seededRandom } from '../lib/weights/synthetic.js';
import { decodeAny, sha256, stretchResize } from '../test/helpers/detect-input.js';
import { serializeFlatbuffer, type FbField, type FbObject } from '../test/helpers/tflite-writer.js';
import { writeFlexMap, type FlexScalar } from '../test/helpers/flexbuffers-writer.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const shared = resolve(root, '../shared');
const fixtures = join(root, 'test/fixtures');

const require = createRequire(import.meta.url);
const tfliteDir = process.env.NODE_TFLITE ? resolve(process.env.NODE_TFLITE) : dirname(require.resolve('node-tflite/package.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tflite = require(tfliteDir) as {
  Interpreter: new (m: Uint8Array, o: { numThreads?: number }) => {
    allocateTensors(): void; invoke(): void;
    inputs: Array<{ dims: number[]; type: string; copyFrom(d: ArrayBufferView): void }>;
    outputs: Array<{ dims: number[]; type: string; byteSize: number; copyTo(d: ArrayBufferView): void }>;
  };
};
const tflitePkg = JSON.parse(readFileSync(join(tfliteDir, 'package.json'), 'utf8')) as { version: string };

/** A copy that owns its whole ArrayBuffer (node-tflite copies `data.buffer` whole). */
const own = <T extends Uint8Array | Float32Array>(a: T): T => a.slice() as T;

// ---------------------------------------------------------------------------------------------------
// Flatbuffer patch: point SubGraph.outputs at other tensors (the vector may shrink, never grow).

function patchOutputs(bytes: Uint8Array, outputs: number[]): Uint8Array {
  const b = Buffer.from(bytes);
  const u32 = (p: number) => b.readUInt32LE(p), i32 = (p: number) => b.readInt32LE(p), u16 = (p: number) => b.readUInt16LE(p);
  const field = (t: number, id: number) => { const vt = t - i32(t); return id < (u16(vt) - 4) / 2 ? u16(vt + 4 + 2 * id) : 0; };
  const ref = (t: number, id: number) => { const o = field(t, id); if (!o) throw new Error(`field ${id} absent`); return t + o + u32(t + o); };
  const model = u32(0);
  const subgraphs = ref(model, 2);
  const sg = subgraphs + 4 + u32(subgraphs + 4);
  const outs = ref(sg, 2);
  if (outputs.length > u32(outs)) throw new Error(`cannot grow the outputs vector from ${u32(outs)} to ${outputs.length}`);
  b.writeUInt32LE(outputs.length, outs);
  outputs.forEach((t, i) => b.writeInt32LE(t, outs + 4 + 4 * i));
  return new Uint8Array(b);
}

function run(model: Uint8Array, inputs: Uint8Array[]): Uint8Array[] {
  const it = new tflite.Interpreter(model, { numThreads: 1 });
  it.allocateTensors();
  inputs.forEach((d, i) => it.inputs[i]!.copyFrom(own(d)));
  it.invoke();
  return it.outputs.map((o) => { const d = new Uint8Array(o.byteSize); o.copyTo(d); return d; });
}

const f32 = (b: Uint8Array) => Array.from(new Float32Array(b.buffer, b.byteOffset, b.length / 4));

// ---------------------------------------------------------------------------------------------------
// 1. MobileNetV2 logits

const manifest = JSON.parse(readFileSync(join(shared, 'reference/manifest.json'), 'utf8')) as { stems: string[] };
const V2 = ['mobilenet_v2_1.0_224_quant', 'mobilenet_v2_1.0_224_inat_bird_quant', 'mobilenet_v2_1.0_224_inat_insect_quant'];
const v2: Record<string, unknown> = {};
mkdirSync(join(fixtures, 'v2'), { recursive: true });
for (const name of V2) {
  const file = join(shared, 'models/tflite/coral', `${name}.tflite`);
  const bytes = new Uint8Array(readFileSync(file));
  const m = readTfliteModel(bytes, file);
  const softmax = m.operators.find((op) => op.opcode === BuiltinOp.SOFTMAX);
  if (!softmax) throw new Error(`${name}: no SOFTMAX op`);
  const logitsTensor = m.tensors[softmax.inputs[0]!]!;
  const patched = patchOutputs(bytes, [logitsTensor.index]);
  const it = new tflite.Interpreter(patched, { numThreads: 1 });
  it.allocateTensors();
  const classes = it.outputs[0]!.dims.at(-1)!;
  if (it.outputs[0]!.type !== 'UInt8') throw new Error(`${name}: logits are ${it.outputs[0]!.type}`);
  const all = new Uint8Array(manifest.stems.length * classes);
  manifest.stems.forEach((stem, n) => {
    const rgb = new Uint8Array(readFileSync(join(shared, `reference/inputs/224/${stem}.rgb`)));
    it.inputs[0]!.copyFrom(rgb);
    it.invoke();
    const out = new Uint8Array(classes);
    it.outputs[0]!.copyTo(out);
    all.set(out, n * classes);
  });
  writeFileSync(join(fixtures, 'v2', `${name}.logits.u8.gz`), gzipSync(all, { level: 9 }));
  v2[name] = {
    file: `shared/models/tflite/coral/${name}.tflite`, classes, n: manifest.stems.length,
    logits_tensor: { index: logitsTensor.index, name: logitsTensor.name, scale: logitsTensor.scale?.[0], zero_point: logitsTensor.zeroPoint?.[0] },
    sha256: sha256(all),
  };
  console.log(`${name}: ${manifest.stems.length} x ${classes} logits`);
}

// ---------------------------------------------------------------------------------------------------
// 2. SSD on photos

const ssdFile = join(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
const ssdBytes = new Uint8Array(readFileSync(ssdFile));
const ssd: TfliteModel = readTfliteModel(ssdBytes, ssdFile);
const post = ssd.operators.find((op) => op.customCode === 'TFLite_Detection_PostProcess');
if (!post || !post.customOptions) throw new Error('detect.tflite: no TFLite_Detection_PostProcess op with options');
const [boxT, scoreT, anchorT] = post.inputs.map((i) => ssd.tensors[i]!) as [typeof ssd.tensors[0], typeof ssd.tensors[0], typeof ssd.tensors[0]];
const rawModel = patchOutputs(ssdBytes, [boxT.index, scoreT.index]);
const anchors = ssd.buffer(anchorT.buffer);
const fileOptions = Object.fromEntries(readFlexMap(post.customOptions, ssdFile, 'postprocess options').map((e) => [e.key, e.value]));
const R = ssd.tensors[ssd.inputs[0]!]!.shape[1]!;
const numBoxes = boxT.shape[1]!, numScores = scoreT.shape[2]!;

const images = [
  ...['bird', 'cat', 'dragonfly', 'grace_hopper'].map((s) => `images/coral/${s}.bmp`),
  ...['coral_parrot.jpg', 'grace_hopper.jpg', 'tflsupport_burger.jpg'].map((s) => `images/samples/${s}`),
];
const decodeOutputs = (outs: Uint8Array[]) => ({
  boxes: f32(outs[0]!), classes: f32(outs[1]!), scores: f32(outs[2]!), count: f32(outs[3]!)[0]!,
});
const raw: Record<string, { boxes: Uint8Array; scores: Uint8Array }> = {};
const photos: unknown[] = [];
mkdirSync(join(fixtures, 'ssd'), { recursive: true });
for (const rel of images) {
  const frame = await decodeAny(join(shared, rel));
  const input = stretchResize(frame, R);
  const name = rel.split('/').pop()!.replace(/\.\w+$/, '') + (rel.includes('/coral/') ? '' : '_sample');
  const outs = decodeOutputs(run(ssdBytes, [input]));
  const [boxes, scores] = run(rawModel, [input]) as [Uint8Array, Uint8Array];
  if (boxes.length !== numBoxes * 4 || scores.length !== numBoxes * numScores) throw new Error('unexpected raw tensor sizes');
  raw[name] = { boxes, scores };
  const blob = new Uint8Array(boxes.length + scores.length);
  blob.set(boxes); blob.set(scores, boxes.length);
  writeFileSync(join(fixtures, 'ssd', `${name}.raw.u8.gz`), gzipSync(blob, { level: 9 }));
  photos.push({ name, source: `shared/${rel}`, width: frame.width, height: frame.height, input_sha256: sha256(input), raw_sha256: sha256(blob), ...outs });
  console.log(`${name}: ${outs.count} detections, top ${outs.classes[0]} @ ${outs.scores[0]}`);
}

// ---------------------------------------------------------------------------------------------------
// 3. The postprocess op alone, other options, tie-heavy inputs

function postprocessModel(options: Record<string, FlexScalar>): Uint8Array {
  const tensor = (name: string, shape: number[], type: number, buffer: number, q?: { scale: number; zp: number }): FbObject => ({
    kind: 'table',
    fields: [
      { t: 'off', v: { kind: 'vec', elem: 'i32', values: shape } }, { t: 'i8', v: type }, { t: 'u32', v: buffer },
      { t: 'off', v: { kind: 'str', value: name } },
      q ? { t: 'off', v: { kind: 'table', fields: [undefined, undefined, { t: 'off', v: { kind: 'vec', elem: 'f32', values: [q.scale] } }, { t: 'off', v: { kind: 'vec', elem: 'i64', values: [q.zp] } }] } } : undefined,
    ],
  });
  const q = (t: typeof boxT) => ({ scale: t.scale![0]!, zp: t.zeroPoint![0]! });
  const tensors = [
    tensor('box_encodings', [1, numBoxes, 4], 3, 0, q(boxT)),
    tensor('class_predictions', [1, numBoxes, numScores], 3, 0, q(scoreT)),
    tensor('anchors', [numBoxes, 4], 3, 1, q(anchorT)),
    tensor('detection_boxes', [], 0, 0), tensor('detection_classes', [], 0, 0),
    tensor('detection_scores', [], 0, 0), tensor('num_detections', [], 0, 0),
  ];
  const model: FbObject = {
    kind: 'table',
    fields: [
      { t: 'u32', v: 3 },
      { t: 'off', v: { kind: 'tables', items: [{ kind: 'table', fields: [{ t: 'i8', v: 32 }, { t: 'off', v: { kind: 'str', value: 'TFLite_Detection_PostProcess' } }, { t: 'i32', v: 1 }, { t: 'i32', v: 32 }] }] } },
      { t: 'off', v: { kind: 'tables', items: [{ kind: 'table', fields: [
        { t: 'off', v: { kind: 'tables', items: tensors } },
        { t: 'off', v: { kind: 'vec', elem: 'i32', values: [0, 1] } },
        { t: 'off', v: { kind: 'vec', elem: 'i32', values: [3, 4, 5, 6] } },
        { t: 'off', v: { kind: 'tables', items: [{ kind: 'table', fields: [
          { t: 'u32', v: 0 }, { t: 'off', v: { kind: 'vec', elem: 'i32', values: [0, 1, 2] } }, { t: 'off', v: { kind: 'vec', elem: 'i32', values: [3, 4, 5, 6] } },
          undefined, undefined, { t: 'off', v: { kind: 'vec', elem: 'u8', values: writeFlexMap(options) } }, { t: 'i8', v: 0 },
        ] }] } },
      ] }] } },
      { t: 'off', v: { kind: 'str', value: 'TFLite_Detection_PostProcess alone (bench/tflite-detect-reference.ts)' } },
      { t: 'off', v: { kind: 'tables', items: [{ kind: 'table', fields: [] }, { kind: 'table', fields: [{ t: 'off', v: { kind: 'vec', elem: 'u8', values: anchors, align: 16 } }] }] } },
    ],
  };
  return serializeFlatbuffer(model, 'TFL3');
}

const base: Record<string, FlexScalar> = {
  max_detections: { int: fileOptions.max_detections as number },
  max_classes_per_detection: { int: fileOptions.max_classes_per_detection as number },
  nms_score_threshold: { float: fileOptions.nms_score_threshold as number },
  nms_iou_threshold: { float: fileOptions.nms_iou_threshold as number },
  num_classes: { int: fileOptions.num_classes as number },
  y_scale: { float: fileOptions.y_scale as number }, x_scale: { float: fileOptions.x_scale as number },
  h_scale: { float: fileOptions.h_scale as number }, w_scale: { float: fileOptions.w_scale as number },
};
const variants: Record<string, Record<string, FlexScalar>> = {
  file: base,
  regular: { ...base, use_regular_nms: { bool: true } },
  regular_5_per_class: { ...base, use_regular_nms: { bool: true }, detections_per_class: { int: 5 }, max_detections: { int: 25 }, nms_iou_threshold: { float: 0.4 }, nms_score_threshold: { float: 0.25 } },
  fast_low_iou: { ...base, max_detections: { int: 50 }, nms_iou_threshold: { float: 0.2 }, nms_score_threshold: { float: 0.1 } },
};
const variantValues = (o: Record<string, FlexScalar>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, 'int' in v ? v.int : 'float' in v ? Math.fround(v.float) : v.bool]));

/** Tie-heavy inputs: the photo's box encodings, scores drawn from 4 levels (seeded), so many anchors tie. */
function tiedScores(seed: number): Uint8Array {
  const rnd = seededRandom(seed);
  const levels = [0, 3, 130, 200];
  const s = new Uint8Array(numBoxes * numScores);
  for (let i = 0; i < s.length; i++) { const r = rnd(); s[i] = levels[r < 0.9 ? 0 : r < 0.97 ? 1 : r < 0.995 ? 2 : 3]!; }
  return s;
}

const postprocess: unknown[] = [];
for (const [variant, options] of Object.entries(variants)) {
  const model = postprocessModel(options);
  const cases: Array<{ input: string; boxes: Uint8Array; scores: Uint8Array }> = [
    ...Object.entries(raw).map(([n, r]) => ({ input: n, ...r })),
    ...[1, 2].map((seed) => ({ input: `tied_scores_seed_${seed}+grace_hopper`, boxes: raw.grace_hopper!.boxes, scores: tiedScores(seed) })),
  ];
  for (const c of cases) {
    const outs = decodeOutputs(run(model, [c.boxes, c.scores]));
    postprocess.push({ variant, input: c.input, ...outs });
  }
  // The one-op model with the file's options must reproduce the whole model's postprocess outputs.
  if (variant === 'file') {
    for (const p of photos as Array<{ name: string; boxes: number[]; classes: number[]; scores: number[]; count: number }>) {
      const mine = postprocess.find((x) => (x as { variant: string; input: string }).variant === 'file' && (x as { input: string }).input === p.name) as typeof p;
      if (JSON.stringify([mine.boxes, mine.classes, mine.scores, mine.count]) !== JSON.stringify([p.boxes, p.classes, p.scores, p.count])) {
        throw new Error(`${p.name}: the one-op postprocess model disagrees with detect.tflite`);
      }
    }
  }
  console.log(`postprocess ${variant}: ${cases.length} cases`);
}

// ---------------------------------------------------------------------------------------------------
// 4. TFLite's uint8 LOGISTIC and CONCATENATION on SSD's own quantization, every input byte: what an integer
//    SSD must reproduce (one-op models; each input byte 0..255 once).

function oneOpModel(opcode: number, ins: Array<{ scale: number; zp: number }>, out: { scale: number; zp: number }, options?: FbObject, optionsType = 0): Uint8Array {
  const tensor = (name: string, q: { scale: number; zp: number }): FbObject => ({
    kind: 'table',
    fields: [
      { t: 'off', v: { kind: 'vec', elem: 'i32', values: [1, 256, 1] } }, { t: 'i8', v: 3 }, { t: 'u32', v: 0 },
      { t: 'off', v: { kind: 'str', value: name } },
      { t: 'off', v: { kind: 'table', fields: [undefined, undefined, { t: 'off', v: { kind: 'vec', elem: 'f32', values: [q.scale] } }, { t: 'off', v: { kind: 'vec', elem: 'i64', values: [q.zp] } }] } },
    ],
  });
  const n = ins.length;
  const outT = tensor('out', out);
  if (opcode === 2) (outT as { fields: FbField[] }).fields[0] = { t: 'off', v: { kind: 'vec', elem: 'i32', values: [1, 256 * n, 1] } };
  const model: FbObject = {
    kind: 'table',
    fields: [
      { t: 'u32', v: 3 },
      { t: 'off', v: { kind: 'tables', items: [{ kind: 'table', fields: [{ t: 'i8', v: opcode }, undefined, { t: 'i32', v: 1 }, { t: 'i32', v: opcode }] }] } },
      { t: 'off', v: { kind: 'tables', items: [{ kind: 'table', fields: [
        { t: 'off', v: { kind: 'tables', items: [...ins.map((q, i) => tensor(`in${i}`, q)), outT] } },
        { t: 'off', v: { kind: 'vec', elem: 'i32', values: ins.map((_, i) => i) } },
        { t: 'off', v: { kind: 'vec', elem: 'i32', values: [n] } },
        { t: 'off', v: { kind: 'tables', items: [{ kind: 'table', fields: [
          { t: 'u32', v: 0 }, { t: 'off', v: { kind: 'vec', elem: 'i32', values: ins.map((_, i) => i) } }, { t: 'off', v: { kind: 'vec', elem: 'i32', values: [n] } },
          { t: 'u8', v: options ? optionsType : 0 }, options ? { t: 'off', v: options } : undefined,
        ] }] } },
      ] }] } },
      { t: 'off', v: { kind: 'str', value: 'one op (bench/tflite-detect-reference.ts)' } },
      { t: 'off', v: { kind: 'tables', items: [{ kind: 'table', fields: [] }] } },
    ],
  };
  return serializeFlatbuffer(model, 'TFL3');
}
const every = Uint8Array.from({ length: 256 }, (_, i) => i);
const qOf = (t: typeof boxT) => ({ scale: t.scale![0]!, zp: t.zeroPoint![0]! });
const logisticOp = ssd.operators.find((op) => op.opcode === 14)!;
const logisticIn = qOf(ssd.tensors[logisticOp.inputs[0]!]!), logisticOut = qOf(ssd.tensors[logisticOp.outputs[0]!]!);
const logisticTable = Array.from(run(oneOpModel(14, [logisticIn], logisticOut), [every])[0]!);
const concatTables = ssd.operators.filter((op) => op.opcode === BuiltinOp.CONCATENATION).map((op) => {
  const ins = op.inputs.map((i) => qOf(ssd.tensors[i]!)), out = qOf(ssd.tensors[op.outputs[0]!]!);
  const outs = run(oneOpModel(2, ins, out, { kind: 'table', fields: [{ t: 'i32', v: 1 }, { t: 'i8', v: 0 }] }, 10), ins.map(() => every))[0]!;
  return { op: op.index, inputs: ins, output: out, tables: ins.map((_, k) => Array.from(outs.subarray(256 * k, 256 * (k + 1)))) };
});
console.log(`tables: logistic (${logisticIn.scale}, ${logisticIn.zp}) -> (${logisticOut.scale}, ${logisticOut.zp}), ${concatTables.length} concatenations`);

const json = {
  description: 'Goldens of TensorFlow Lite 2.2 for SSD-MobileNetV1 (detect.tflite) and its TFLite_Detection_PostProcess op. ' +
    'Regenerate: npx vite-node bench/tflite-detect-reference.ts (see its header).',
  runtime: { name: 'TensorFlow Lite C API via node-tflite', package: `node-tflite@${tflitePkg.version}`, tflite_version: '2.2.0', threads: 1, platform: `${process.platform}-${process.arch}`, node: process.version },
  model: {
    file: 'shared/models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite', input: [1, R, R, 3],
    box_encodings: { tensor: boxT.name, shape: boxT.shape, scale: boxT.scale![0], zero_point: boxT.zeroPoint![0] },
    class_predictions: { tensor: scoreT.name, shape: scoreT.shape, scale: scoreT.scale![0], zero_point: scoreT.zeroPoint![0] },
    anchors: { tensor: anchorT.name, shape: anchorT.shape, scale: anchorT.scale![0], zero_point: anchorT.zeroPoint![0], sha256: sha256(anchors) },
    options: fileOptions,
  },
  preprocessing: 'test/helpers/detect-input.ts: BMP decoded there, other files by sharp (lib/image.ts decodeImage); stretchResize to R x R (whole image, half-pixel bilinear, float64, Math.round)',
  raw_files: 'ssd/<name>.raw.u8.gz: gzip of box encodings (uint8, 1917 x 4) followed by class predictions (uint8, 1917 x 91)',
  outputs: 'boxes: max_detections x 4 (ymin, xmin, ymax, xmax, normalised), classes and scores: max_detections, count; all before any score threshold',
  photos,
  postprocess_variants: Object.fromEntries(Object.entries(variants).map(([k, v]) => [k, variantValues(v)])),
  tied_scores: 'seededRandom(seed) (lib/weights/synthetic.ts) per score in order; r < 0.9 -> 0, < 0.97 -> 3, < 0.995 -> 130, else 200',
  postprocess,
  integer_ops: {
    description: 'TFLite 2.2 uint8 LOGISTIC and CONCATENATION (axis 1) on the quantization of detect.tflite\'s own tensors: output byte for each input byte 0..255',
    logistic: { input: logisticIn, output: logisticOut, table: logisticTable },
    concatenations: concatTables,
  },
};
// 9 significant digits round-trip every float32.
const f32Replacer = (_: string, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(9)) : v);
writeFileSync(join(fixtures, 'ssd', 'detect.json'), JSON.stringify(json, f32Replacer, 1).replace(/\[\n\s+([-\d.e,\s]+?)\n\s+\]/g, (_, inner: string) => `[${inner.split(/,\s*/).join(',')}]`) + '\n');
writeFileSync(join(fixtures, 'v2', 'v2.json'), JSON.stringify({
  description: 'uint8 pre-softmax logits of real TFLite 2.2 for the MobileNetV2 Coral files on shared/reference/inputs/224 (manifest stems order). ' +
    'Regenerate: npx vite-node bench/tflite-detect-reference.ts',
  runtime: { package: `node-tflite@${tflitePkg.version}`, tflite_version: '2.2.0', threads: 1 },
  files: '<model>.logits.u8.gz: gzip of n x classes uint8 logits',
  models: v2,
}, null, 1) + '\n');
console.log('wrote test/fixtures/v2 and test/fixtures/ssd');
