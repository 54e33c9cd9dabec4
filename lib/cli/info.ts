// `mobilenet info`: this machine, the kernel sets it runs, and what the weights cache holds.
// JSON keys are snake_case, as in `bench --json` (one key style across the CLI's JSON).
import { loadBinding } from '../binding.js';
import { version } from '../version.js';
import { statSync } from 'node:fs';
import { cacheDir, dirBytes, listCached, type CachedEntry } from '../weights/cache.js';
import { listEnvWeights } from '../weights/resolve.js';
import type { CommandSpec, Parsed } from './args.js';
import type { CliIO, Command } from './main.js';

const spec: CommandSpec = {
  name: 'info',
  summary: 'Prints the CPU, the kernel sets it runs, MOBILENET_WEIGHTS and the cache folder, and the models in each.',
  args: '',
  maxPositionals: 0,
  flags: {
    verify: { type: 'boolean', help: 'hash every cached file (slow on a Pi; default compares sizes with the records)' },
    json: { type: 'boolean', help: 'one JSON object on stdout' },
  },
};

async function run(parsed: Parsed, io: CliIO): Promise<number> {
  const v = parsed.values as { json?: boolean; verify?: boolean };
  const binding = loadBinding();
  const root = cacheDir(io.env);
  const cached = await listCached({ cacheDir: root, verify: v.verify ?? false });
  // MOBILENET_WEIGHTS is laid out like the cache (lib/weights/resolve.ts): list it the same way, and say when the
  // folder is missing (a typo there otherwise shows only as a download or a 'not found' later).
  const envRoot = io.env.MOBILENET_WEIGHTS || undefined;
  const envExists = envRoot !== undefined && statSync(envRoot, { throwIfNoEntry: false })?.isDirectory() === true;
  // What load() finds there (lib/weights/resolve.ts findInEnv: cache layout, flat, other spellings), not verified:
  // MOBILENET_WEIGHTS holds the user's own copies, with no download records.
  const envModels = envRoot === undefined ? null : !envExists ? [] : await Promise.all((await listEnvWeights(envRoot)).map(async (m) => ({
    alpha: m.alpha, resolution: m.resolution, format: m.format, path: m.path,
    bytes: m.format === 'tfjs' ? await dirBytes(m.path) : statSync(m.path).size,
  })));
  const isas = binding.supportedIsas();
  const qisas = binding.supportedQIsas();
  // What models load with: MOBILENET_ISA when set (an integer set's name means its generation's float set for float
  // models, a float set's name the best integer set of its generation for integer ones), else the best set. Asked of
  // the native selection, which load() uses, so the two cannot disagree.
  const envIsa = io.env.MOBILENET_ISA || undefined;
  const data = {
    version,
    node: process.versions.node,
    napi: process.versions.napi,
    platform: `${process.platform}-${process.arch}`,
    cpu: binding.cpuModel(),
    isas,
    integer_isas: qisas,
    /** MOBILENET_ISA as set (null: unset or empty). */
    isa_env: envIsa ?? null,
    /** The kernel sets float and integer models load with (null: MOBILENET_ISA makes their load fail). */
    default_isa: selected(binding, envIsa, false),
    default_integer_isa: selected(binding, envIsa, true),
    weights_env: envRoot ?? null,
    /** Models load() finds under MOBILENET_WEIGHTS (null: not set; [] also when it is not a folder). */
    weights_env_models: envModels,
    cache_dir: root,
    cached: cached.map(entryJson),
  };
  if (v.json) {
    io.stdout.write(JSON.stringify(data, null, 2) + '\n');
    return 0;
  }
  const out = [
    `mobilenet-native ${data.version} on ${data.platform}, Node ${data.node} (Node-API ${data.napi})`,
    `CPU: ${data.cpu}`,
    `Kernel sets this CPU runs: ${isas.join(', ')}${defaultNote(data.default_isa, envIsa, 'a float model')}`,
    `Integer kernel sets (uint8/int8 models): ${qisas.join(', ')}${defaultNote(data.default_integer_isa, envIsa, 'an integer model')}`,
    `MOBILENET_WEIGHTS: ${envRoot === undefined ? '(not set)' : envExists ? envRoot : `${envRoot} (not a folder: nothing is found there)`}`,
  ];
  if (envExists && envModels!.length === 0) out.push('  (no published model found there: tfjs/<name>/ or tflite/<name>.tflite, or the same names directly in it)');
  for (const c of envModels ?? []) out.push(modelLine(c, ''));
  out.push(`Cache: ${root}`);
  if (cached.length === 0) out.push('  (empty: `mobilenet fetch --alpha 0.25 --resolution 224` downloads a model)');
  for (const c of cached) out.push(...entryLines(c));
  io.stdout.write(out.join('\n') + '\n');
  return 0;
}

export const command: Command = { spec, run };

/** The set a float or integer model loads with under MOBILENET_ISA (unset: the best), or null when that load fails. */
function selected(binding: { selectIsa(requested: string, integer: boolean): string }, envIsa: string | undefined, integer: boolean): string | null {
  try {
    return binding.selectIsa(envIsa ?? '', integer);
  } catch {
    return null;
  }
}

function defaultNote(chosen: string | null, envIsa: string | undefined, model: string): string {
  if (envIsa === undefined) return ` (default: ${chosen}; MOBILENET_ISA overrides)`;
  // Quoted: a stray space in the variable is otherwise invisible.
  if (chosen === null) return `; MOBILENET_ISA='${envIsa}' names no kernel set this CPU runs, so loading ${model} fails until it is unset or fixed`;
  return ` (default: ${chosen}, from MOBILENET_ISA='${envIsa}')`;
}

function entryJson(c: CachedEntry) {
  return {
    alpha: c.alpha, resolution: c.resolution, format: c.format, path: c.path, bytes: c.bytes, status: c.status,
    basis: c.basis ?? null, source: c.source ?? null, recorded_at: c.recordedAt ?? null, problems: c.problems ?? [],
  };
}

/** One model of a listing; `status` (the cache's ok/unrecorded/...) goes before the path when given. */
function modelLine(c: { format: string; alpha: number; resolution: number; bytes: number; path: string }, status: string): string {
  return `  ${c.format.padEnd(12)} alpha ${String(c.alpha).padEnd(4)} res ${c.resolution}  ${(c.bytes / 1e6).toFixed(1).padStart(5)} MB  ${status ? `${status.padEnd(10)}  ` : ''}${c.path}`;
}

function entryLines(c: CachedEntry): string[] {
  return [modelLine(c, c.status), ...(c.problems ?? []).map((p) => `      ${p}`)];
}
