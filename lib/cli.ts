#!/usr/bin/env node
// mobilenet classify | detect | bench | info | fetch
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { load, type Classification } from './model.js';
import { loadBinding } from './binding.js';
import { cacheDir, fetchWeights, listCached } from './weights/resolve.js';
import { DETECT_USAGE } from './cli-detect.js';

const USAGE = `Usage:
  mobilenet classify <image...> [--weights <path>] [--alpha A] [--resolution R] [--top 5] [--threads N] [--labels <file>] [--json]
${DETECT_USAGE}
  mobilenet bench [--alpha 1.0] [--resolution 224] [--all] [--threads 1,2,4] [--runs 50] [--warmup 5] [--weights <path>] [--profile] [--json] [--markdown] [--chart out.svg]
  mobilenet info [--json]
  mobilenet fetch --alpha A --resolution R [--format tfjs|tflite|tflite-quant] [--force]

Without --weights, weights come from MOBILENET_WEIGHTS, then the cache (${cacheDir()}), then the official download.`;

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`Expected a number for --${name} but received '${v}'`);
  return n;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function classify(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      weights: { type: 'string' }, alpha: { type: 'string' }, resolution: { type: 'string' },
      top: { type: 'string', default: '5' }, threads: { type: 'string' }, labels: { type: 'string' },
      json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { console.log(USAGE); return 0; }
  if (positionals.length === 0) throw new Error('Expected at least one image file for classify');
  const model = await load({
    weights: values.weights,
    alpha: num('alpha', values.alpha),
    resolution: num('resolution', values.resolution),
    threads: num('threads', values.threads),
    labels: values.labels,
  });
  const topK = num('top', values.top)!;
  const results: { image: string; top: Classification[] }[] = [];
  let failed = 0;
  for (const image of positionals) {
    try {
      results.push({ image, top: await model.classify(image, { topK }) });
    } catch (e) {
      failed++;
      console.error(`${image}: ${(e as Error).message}`);
    }
  }
  model.dispose();
  if (values.json) {
    console.log(JSON.stringify(results.length === 1 && positionals.length === 1 ? results[0] : results, null, 2));
  } else {
    for (const r of results) {
      console.log(r.image);
      for (const c of r.top) console.log(`  ${(c.probability * 100).toFixed(2).padStart(6)}%  ${String(c.index).padStart(3)}  ${c.label ?? ''}`);
    }
  }
  return failed ? 1 : 0;
}

async function info(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
  const binding = loadBinding();
  const cached = await listCached();
  const data = {
    version: version(),
    node: process.versions.node,
    napi: process.versions.napi,
    platform: `${process.platform}-${process.arch}`,
    cpu: binding.cpuModel(),
    isas: binding.supportedIsas(),
    cacheDir: cacheDir(),
    weightsEnv: process.env.MOBILENET_WEIGHTS ?? null,
    cached,
  };
  if (values.json) {
    console.log(JSON.stringify(data, null, 2));
    return 0;
  }
  console.log(`mobilenet-native ${data.version} on ${data.platform}, Node ${data.node} (Node-API ${data.napi})`);
  console.log(`CPU: ${data.cpu}`);
  console.log(`Kernels this CPU runs: ${data.isas.join(', ')} (default: ${data.isas[data.isas.length - 1]}; MOBILENET_ISA overrides)`);
  console.log(`MOBILENET_WEIGHTS: ${data.weightsEnv ?? '(not set)'}`);
  console.log(`Cache: ${data.cacheDir}`);
  if (cached.length === 0) console.log('  (empty: `mobilenet fetch --alpha 0.25 --resolution 224` downloads a model)');
  for (const c of cached) {
    console.log(`  ${c.format.padEnd(12)} alpha ${c.alpha} res ${c.resolution}  ${(c.bytes / 1e6).toFixed(1)} MB  ${c.status}  ${c.path}`);
  }
  return 0;
}

async function fetchCmd(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      alpha: { type: 'string' }, resolution: { type: 'string' }, format: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  });
  const format = values.format;
  if (format !== undefined && format !== 'tfjs' && format !== 'tflite' && format !== 'tflite-quant') {
    throw new Error(`Expected tfjs, tflite or tflite-quant for --format but received '${format}'`);
  }
  const r = await fetchWeights({
    alpha: num('alpha', values.alpha) ?? 1.0,
    resolution: num('resolution', values.resolution) ?? 224,
    format,
    force: values.force,
  });
  console.log(`${r.source === 'cache' ? 'Already cached' : 'Downloaded'} (${r.format}, verified: ${r.verified ?? 'n/a'}): ${r.path}`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'classify': return classify(rest);
    case 'detect': return (await import('./cli-detect.js')).detectMain(rest);
    case 'bench': return (await import('./bench.js')).benchMain(rest);
    case 'info': return info(rest);
    case 'fetch': return fetchCmd(rest);
    case '--version': case '-v': console.log(version()); return 0;
    case undefined: case 'help': case '--help': case '-h': console.log(USAGE); return cmd === undefined ? 2 : 0;
    default:
      console.error(`Unknown command '${cmd}'.\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    console.error(`mobilenet: ${(e as Error).message}`);
    process.exitCode = 1;
  },
);
