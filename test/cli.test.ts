// The CLI as a user and a script author run it (needs dist/: `npm run build:ts`): one parser for every
// subcommand, usage errors (exit 2, stderr), JSON scripts can trust, folder / stdin inputs, and the
// fetch → classify path against a local server standing in for the official bucket.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBinding } from '../lib/binding.js';
import { repoRoot, shared, tfjsWeights } from './helpers/reference.js';

const cli = resolve(repoRoot, 'dist/cli.js');
const samples = resolve(shared, 'images/samples');
const parrot = join(samples, 'coral_parrot.jpg');
const burger = join(samples, 'tflsupport_burger.jpg');
const W025 = tfjsWeights('0.25');
const version = (JSON.parse(fs.readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs the CLI without blocking this process's event loop (the test server must keep answering). */
function run(args: string[], opts: { env?: Record<string, string>; input?: Buffer } = {}): Promise<Run> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? Buffer.alloc(0));
  });
}

let tmp = '';
beforeAll(() => {
  tmp = fs.mkdtempSync(join(tmpdir(), 'mobilenet-cli-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('usage', () => {
  it('bare `mobilenet` prints the usage to stderr with exit 2; --help to stdout with exit 0; --version', async () => {
    const bare = await run([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toMatch(/^Usage: mobilenet <command> \[options\]\n\nCommands:\n  classify +/);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toBe(bare.stderr);
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each(['classify', 'bench', 'info', 'fetch'])('`mobilenet %s --help` prints its options to stdout, exit 0', async (cmd) => {
    const r = await run([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^Usage: mobilenet ${cmd}( \\S+)? \\[options\\]\n`));
    expect(r.stdout).toContain('\n  -h, --help ');
    expect((await run(['help', cmd])).stdout).toBe(r.stdout);
  });

  it('an unknown option exits 2 on stderr, suggests the closest and lists the valid ones', async () => {
    const r = await run(['classify', parrot, '--tpo', '3']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "mobilenet classify: Unknown option '--tpo' for mobilenet classify (did you mean --top?). Valid options: --weights, --head, --alpha, " +
        '--resolution, --format, --top, --labels, --threads, --isa, --precision, --max-pixels, --recursive, --json, --jsonl, --help\n' +
        "Run 'mobilenet classify --help' for usage.\n");
    const b = await run(['bench', '--thread', '2']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^mobilenet bench: Unknown option '--thread' for mobilenet bench \(did you mean --threads\?\)\. Valid options: --alpha, /);
    const f = await run(['fetch', '--xyz']);
    expect(f.stderr).toMatch(/^mobilenet fetch: Unknown option '--xyz' for mobilenet fetch\. Valid options: --alpha, --resolution, --format, --force, --json, --help\n/);
    const c = await run(['clasify', parrot]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/^mobilenet: unknown command 'clasify' \(did you mean classify\?\)\n\nUsage: mobilenet <command>/);
  });

  it('values are checked, with flag names, before the model loads', async () => {
    // --weights does not exist: had the model loaded first, that would be the error.
    const cases: [string[], string][] = [
      [['--top', '0'], "Expected an integer between 1 and 100000 for --top but received '0'"],
      [['--top', 'five'], "Expected an integer between 1 and 100000 for --top but received 'five'"],
      [['--alpha', '2x'], "Expected one of 1.0, 0.75, 0.5, 0.25 for --alpha but received '2x'"],
      [['--alpha', '0.3'], "Expected one of 1.0, 0.75, 0.5, 0.25 for --alpha but received '0.3'"],
      [['--resolution', '100'], "Expected a multiple of 32 from 32 to 2048 (e.g. 224, 192, 160, 128) for --resolution but received '100'"],
      [['--threads', '0'], "Expected an integer between 1 and 256 for --threads but received '0'"],
      [['--format', 'onnx'], "Expected one of 'tfjs', 'tflite', 'tflite-quant' for --format but received 'onnx'"],
      [['--isa', 'sse9'], "for --isa but received 'sse9'"],
      [['--precision', 'double'], "Expected one of 'integer', 'float' for --precision but received 'double'"],
      [['--max-pixels', '0'], "for --max-pixels but received '0'"],
      [['--json', '--jsonl'], 'Expected at most one of --json and --jsonl but received both'],
      [['--top'], 'Expected a value after --top'],
    ];
    for (const [flags, msg] of cases) {
      const r = await run(['classify', parrot, '--weights', '/nonexistent/model', ...flags]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr, flags.join(' ')).toContain(`${msg}`);
      expect(r.stderr).toMatch(/\nRun 'mobilenet classify --help' for usage\.\n$/);
    }
    // Checks that need the model still name the flag.
    const labels = join(tmp, 'three-labels.txt');
    fs.writeFileSync(labels, 'a\nb\nc\n');
    const l = await run(['classify', parrot, '--weights', W025, '--labels', labels]);
    expect(l.code).toBe(1);
    expect(l.stderr).toBe('mobilenet classify: Expected 1000 labels (one per class) for --labels but received 3\n');
    const a = await run(['classify', parrot, '--weights', W025, '--alpha', '0.5']);
    expect(a.stderr).toBe(`mobilenet classify: Expected weights of alpha 0.5 (--alpha) but ${W025} has alpha 0.25\n`);
    const none = await run(['classify']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      'mobilenet classify: Expected at least one image, folder or - (standard input) for mobilenet classify but received none\n' +
        "Run 'mobilenet classify --help' for usage.\n");
    // fetch too: an alpha without published weights is a usage error, before any download.
    const f = await run(['fetch', '--alpha', '0.35'], { env: { MOBILENET_BASE_URL: 'http://127.0.0.1:9' } });
    expect(f).toEqual({
      code: 2, stdout: '',
      stderr: "mobilenet fetch: Expected one of 1.0, 0.75, 0.5, 0.25 for --alpha but received '0.35'\nRun 'mobilenet fetch --help' for usage.\n",
    });
  });

  it("the library's advice names the command's flags, not load() options", async () => {
    const env = { XDG_CACHE_HOME: join(tmp, 'xdg-advice'), MOBILENET_OFFLINE: '1', MOBILENET_WEIGHTS: '' };
    const unpublished = await run(['classify', parrot, '--alpha', '0.25', '--resolution', '96'], { env });
    expect(unpublished).toEqual({
      code: 1, stdout: '',
      stderr: 'mobilenet classify: No published tflite weights for alpha 0.25, resolution 96: published resolutions are 224, 192, 160, 128. ' +
        'Pass --weights <path> to use your own.\n',
    });
    const tfjs = await run(['classify', parrot, '--alpha', '0.25', '--resolution', '128', '--format', 'tfjs'], { env });
    expect(tfjs.stderr).toBe('mobilenet classify: No published tfjs weights for alpha 0.25, resolution 128: TF.js layers weights are published ' +
      'at resolution 224 only. Use --format tflite or tflite-quant, or pass --weights <path>.\n');
    const offline = await run(['classify', parrot, '--alpha', '0.5'], { env });
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(/\nor pass it directly: --weights \/path\/to\/mobilenet_v1_0\.50_224\.\n$/);
    const fetchUnpublished = await run(['fetch', '--alpha', '0.5', '--resolution', '96'], { env });
    expect(fetchUnpublished.stderr).toBe('mobilenet fetch: No published tflite weights for alpha 0.5, resolution 96: published resolutions are ' +
      '224, 192, 160, 128. Pass mobilenet classify --weights <path> to use your own.\n');
    const url = await run(['classify', parrot, '--weights', 'https://example.com/model.json'], { env });
    expect(url.code).toBe(1);
    expect(url.stderr).toMatch(/URLs are not supported; download the file and pass its path \(for the published models, `mobilenet fetch --alpha A --resolution R` puts them in the cache and --alpha A --resolution R without --weights finds them\)\n$/);
  });

  it('stops quietly when the reader of its output goes away (`| head`)', async () => {
    const dir = join(tmp, 'many');
    fs.mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 40; i++) fs.copyFileSync(parrot, join(dir, `p${String(i).padStart(2, '0')}.jpg`));
    const r = await new Promise<{ code: number | null; first: string; stderr: string }>((res, rej) => {
      const child = spawn(process.execPath, [cli, 'classify', dir, '--weights', W025, '--top', '1', '--jsonl'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let first = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').once('data', (d: string) => {
        first = d;
        child.stdout.destroy(); // as `head -1` does after its line
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', rej);
      child.on('close', (code) => res({ code, first, stderr }));
    });
    expect(JSON.parse(r.first.split('\n')[0]!)).toMatchObject({ image: join(dir, 'p00.jpg'), top: [{ label: 'macaw' }] });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('classify output scripts can trust', () => {
  it('--json is an array, one entry per input in order, failures as { image, error }; exit 1 when any failed', async () => {
    const notImage = join(tmp, 'notes.jpg');
    fs.writeFileSync(notImage, 'not a jpeg');
    const r = await run(['classify', parrot, '/nonexistent.jpg', notImage, burger, '--weights', W025, '--top', '2', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as ({ image: string; top: { index: number; label: string; probability: number }[] } | { image: string; error: string })[];
    expect(out.map((e) => e.image)).toEqual([parrot, '/nonexistent.jpg', notImage, burger]);
    expect(out[0]).toMatchObject({ top: [{ index: 88, label: 'macaw' }, {}] });
    expect(out[1]).toEqual({ image: '/nonexistent.jpg', error: "Cannot read image file '/nonexistent.jpg': no such file" });
    expect((out[2] as { error: string }).error).toMatch(new RegExp(`^Cannot decode image file '${notImage}': not a supported image`));
    expect(out[3]).toMatchObject({ top: [{ index: 933, label: 'cheeseburger' }, {}] });
    expect(r.stderr).toBe('');
    // One input: still an array.
    const one = await run(['classify', parrot, '--weights', W025, '--top', '1', '--json']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toEqual([{ image: parrot, top: [{ index: 88, label: 'macaw', probability: expect.any(Number) }] }]);
  });

  it('--jsonl prints one object per line; the table goes to stdout and failures to stderr', async () => {
    const r = await run(['classify', parrot, '/nonexistent.jpg', '--weights', W025, '--top', '1', '--jsonl']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { image: string });
    expect(lines.map((l) => l.image)).toEqual([parrot, '/nonexistent.jpg']);
    expect(lines[1]).toEqual({ image: '/nonexistent.jpg', error: "Cannot read image file '/nonexistent.jpg': no such file" });
    const t = await run(['classify', burger, '/nonexistent.jpg', '--weights', W025]);
    expect(t.code).toBe(1);
    expect(t.stdout).toMatch(/tflsupport_burger\.jpg\n +\d+\.\d\d% +933 +cheeseburger\n/);
    expect(t.stderr).toBe("/nonexistent.jpg: Cannot read image file '/nonexistent.jpg': no such file\n");
  });

  it('folders are expanded (sorted; --recursive for subfolders) and - reads standard input', async () => {
    const dir = join(tmp, 'photos');
    fs.mkdirSync(join(dir, 'sub'), { recursive: true });
    fs.copyFileSync(parrot, join(dir, 'b_parrot.JPG'));
    fs.copyFileSync(burger, join(dir, 'a_burger.jpg'));
    fs.copyFileSync(parrot, join(dir, 'sub', 'c_parrot.jpg'));
    fs.writeFileSync(join(dir, 'readme.txt'), 'not an image');
    const flat = await run(['classify', dir, '--weights', W025, '--top', '1', '--json']);
    expect(flat.code).toBe(0);
    const labels = (r: Run) => (JSON.parse(r.stdout) as { image: string; top: { label: string }[] }[]).map((e) => [e.image, e.top[0]!.label]);
    expect(labels(flat)).toEqual([[join(dir, 'a_burger.jpg'), 'cheeseburger'], [join(dir, 'b_parrot.JPG'), 'macaw']]);
    const deep = await run(['classify', dir, '-r', '--weights', W025, '--top', '1', '--json']);
    expect(labels(deep).map(([p]) => p)).toEqual([join(dir, 'a_burger.jpg'), join(dir, 'b_parrot.JPG'), join(dir, 'sub', 'c_parrot.jpg')]);
    const empty = join(tmp, 'empty');
    fs.mkdirSync(empty);
    const e = await run(['classify', empty, '--weights', W025, '--json']);
    expect(e.code).toBe(1);
    expect(JSON.parse(e.stdout)).toEqual([{ image: empty, error: expect.stringMatching(/^no image files in this folder \(\.jpg .*\); --recursive also searches its subfolders$/) }]);
    const stdin = await run(['classify', '-', '--weights', W025, '--top', '1', '--json'], { input: fs.readFileSync(parrot) });
    expect(stdin.code).toBe(0);
    expect(JSON.parse(stdin.stdout)).toEqual([{ image: '-', top: [{ index: 88, label: 'macaw', probability: expect.any(Number) }] }]);
  });

  it('--precision float runs a uint8 file dequantized; --max-pixels refuses larger images, naming the flag', async () => {
    const quant = resolve(shared, 'models/tflite/mobilenet_v1_0.25_224_quant.tflite');
    const top = async (extra: string[]): Promise<{ index: number; probability: number }[]> => {
      const r = await run(['classify', parrot, '--weights', quant, '--top', '3', '--json', ...extra]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { top: { index: number; probability: number }[] }[])[0]!.top;
    };
    const integer = await top([]);
    const float = await top(['--precision', 'float']);
    expect(float.map((c) => c.index)).toEqual(integer.map((c) => c.index));
    // Different arithmetic: the float path's probabilities are not the integer path's uint8 steps.
    expect(float[0]!.probability).not.toBe(integer[0]!.probability);
    expect(Math.abs(float[0]!.probability - integer[0]!.probability)).toBeLessThan(0.05);
    const big = await run(['classify', parrot, burger, '--weights', quant, '--max-pixels', '1000', '--json']);
    expect(big.code).toBe(1);
    const out = JSON.parse(big.stdout) as { image: string; error: string }[];
    expect(out).toHaveLength(2);
    expect(out[0]!.error).toMatch(/^Cannot decode image file '.*coral_parrot\.jpg': it is \d+ x \d+ \([\d.]+ megapixels\), over the limit of 1000 pixels \(--max-pixels\); raise --max-pixels to accept it$/);
  });

  it('--isa takes the integer kernel sets for a quantized file (all bit-exact: the same top 3), not only the float ones', async () => {
    const quant = resolve(shared, 'models/tflite/mobilenet_v1_0.25_224_quant.tflite');
    const top = async (extra: string[]): Promise<unknown> => {
      const r = await run(['classify', parrot, '--weights', quant, '--top', '3', '--json', ...extra]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { top: unknown }[])[0]!.top;
    };
    const best = await top([]);
    // Before: every set that is not also a float set's name (avxvnni, avx512vnni, avx512amx, neondot) was a usage error.
    for (const isa of loadBinding().supportedQIsas()) expect(await top(['--isa', isa]), isa).toEqual(best);
  });

  it("--head joins Coral's two files into one classifier; a detector or a bare backbone is one usage error naming what to do", async () => {
    const coral = resolve(shared, 'models/tflite/coral');
    const backbone = join(coral, 'mobilenet_v1_1.0_224_quant_embedding_extractor.tflite');
    const joined = await run(['classify', parrot, '--weights', backbone, '--head', join(coral, 'mobilenet_v1_1.0_224_quant_head_layers.tflite'), '--top', '1', '--json']);
    expect(joined.code, joined.stderr).toBe(0);
    expect((JSON.parse(joined.stdout) as { top: { label: string }[] }[])[0]!.top[0]!.label).toBe('macaw');
    // Before: exit 1 with one error per image naming library calls (embed(), detect()) a CLI user cannot make.
    const bare = await run(['classify', parrot, burger, '--weights', backbone]);
    expect([bare.code, bare.stdout]).toEqual([2, '']);
    expect(bare.stderr).toBe(`mobilenet classify: Expected a classifier for --weights but ${backbone} is a headless backbone (no classification layer); ` +
      "a .tflite backbone takes its classifier with --head <file.tflite>\nRun 'mobilenet classify --help' for usage.\n");
    const ssd = resolve(shared, 'models/tflite/coco_ssd_mobilenet_v1_1.0_quant/detect.tflite');
    const detector = await run(['classify', parrot, burger, '--weights', ssd]);
    expect([detector.code, detector.stdout]).toEqual([2, '']);
    expect(detector.stderr).toBe(`mobilenet classify: Expected a classifier for --weights but ${ssd} is an SSD detector; use 'mobilenet detect'\n` +
      "Run 'mobilenet classify --help' for usage.\n");
    expect((await run(['classify', parrot, '--head', backbone])).stderr).toBe("mobilenet classify: Expected --weights <backbone.tflite> with --head\nRun 'mobilenet classify --help' for usage.\n");
  });

  it('--top larger than the class count is clamped to it (TFLite: the background class is not counted)', async () => {
    const r = await run(['classify', parrot, '--weights', W025, '--top', '5000', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { top: unknown[] }[])[0]!.top).toHaveLength(1000);
    const t = await run(['classify', parrot, '--weights', resolve(shared, 'models/tflite/mobilenet_v1_0.25_224_quant.tflite'), '--top', '1001', '--json']);
    expect(t.code).toBe(0);
    expect((JSON.parse(t.stdout) as { top: unknown[] }[])[0]!.top).toHaveLength(1000);
  });
});

describe('info', () => {
  it('--json uses the same snake_case keys as bench --json', async () => {
    const cache = join(tmp, 'xdg-empty');
    const r = await run(['info', '--json'], { env: { XDG_CACHE_HOME: cache } });
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(info)).toEqual(['version', 'node', 'napi', 'platform', 'cpu', 'isas', 'integer_isas', 'isa_env', 'default_isa', 'default_integer_isa', 'weights_env', 'weights_env_models', 'cache_dir', 'cached']);
    expect(info.cache_dir).toBe(join(cache, 'mobilenet-native'));
    expect((info.isas as string[])[0]).toBe('scalar');
    expect(info.integer_isas).toEqual(loadBinding().supportedQIsas());
    expect(info.cached).toEqual([]);
  });

  it('lists the models under MOBILENET_WEIGHTS, and says when that folder does not exist', async () => {
    const cache = join(tmp, 'xdg-empty');
    const models = resolve(shared, 'models');
    const listed = await run(['info', '--json'], { env: { XDG_CACHE_HOME: cache, MOBILENET_WEIGHTS: models } });
    const found = (JSON.parse(listed.stdout) as { weights_env_models: { path: string; format: string }[] }).weights_env_models;
    expect(found.map((m) => m.path)).toContain(join(models, 'tflite', 'mobilenet_v1_0.25_128_quant.tflite'));
    expect(found.map((m) => m.path)).toContain(join(models, 'tfjs', 'mobilenet_v1_0.25_224'));
    expect(found.map((m) => m.path)).toContain(join(models, 'tflite', 'mobilenet_v1_0.25_224_float.tflite'));
    // A flat folder, as load() reads it (resolve.ts findInEnv), is listed too.
    const flat = join(tmp, 'flat-models');
    fs.mkdirSync(flat, { recursive: true });
    fs.copyFileSync(join(models, 'tflite', 'mobilenet_v1_0.25_128_quant.tflite'), join(flat, 'mobilenet_v1_0.25_128_quant.tflite'));
    const flatInfo = await run(['info', '--json'], { env: { XDG_CACHE_HOME: cache, MOBILENET_WEIGHTS: flat } });
    expect((JSON.parse(flatInfo.stdout) as { weights_env_models: unknown[] }).weights_env_models).toEqual([
      { alpha: 0.25, resolution: 128, format: 'tflite-quant', path: join(flat, 'mobilenet_v1_0.25_128_quant.tflite'), bytes: fs.statSync(join(flat, 'mobilenet_v1_0.25_128_quant.tflite')).size },
    ]);
    const text = await run(['info'], { env: { XDG_CACHE_HOME: cache, MOBILENET_WEIGHTS: join(tmp, 'no-such-models') } });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`MOBILENET_WEIGHTS: ${join(tmp, 'no-such-models')} (not a folder: nothing is found there)\n`);
    const unset = JSON.parse((await run(['info', '--json'], { env: { XDG_CACHE_HOME: cache, MOBILENET_WEIGHTS: '' } })).stdout) as { weights_env_models: unknown };
    expect(unset.weights_env_models).toBeNull();
  });

  it('MOBILENET_ISA that this CPU does not run is reported, not shown as the default', async () => {
    const env = { XDG_CACHE_HOME: join(tmp, 'xdg-empty'), MOBILENET_ISA: 'sse9' };
    const json = JSON.parse((await run(['info', '--json'], { env })).stdout) as {
      isas: string[]; integer_isas: string[]; isa_env: string | null; default_isa: string | null; default_integer_isa: string | null;
    };
    expect([json.default_isa, json.default_integer_isa, json.isa_env]).toEqual([null, null, 'sse9']);
    const text = await run(['info'], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`\nKernel sets this CPU runs: ${json.isas.join(', ')}; MOBILENET_ISA='sse9' names no kernel set this CPU runs, so loading a float model fails until it is unset or fixed\n`);
    expect(text.stdout).toContain(`\nInteger kernel sets (uint8/int8 models): ${json.integer_isas.join(', ')}; MOBILENET_ISA='sse9' names no kernel set this CPU runs, so loading an integer model fails until it is unset or fixed\n`);
    const good = JSON.parse((await run(['info', '--json'], { env: { ...env, MOBILENET_ISA: 'scalar' } })).stdout) as { default_isa: string; default_integer_isa: string };
    expect([good.default_isa, good.default_integer_isa]).toEqual(['scalar', 'scalar']);
  });

  it('lists the integer kernel sets and the set each kind of model loads with, as a bench of that kind reports it', async () => {
    const env = { XDG_CACHE_HOME: join(tmp, 'xdg-empty') };
    const qisas = loadBinding().supportedQIsas(), isas = loadBinding().supportedIsas();
    const plain = await run(['info'], { env });
    expect(plain.stdout).toContain(`\nInteger kernel sets (uint8/int8 models): ${qisas.join(', ')} (default: ${qisas[qisas.length - 1]}; MOBILENET_ISA overrides)\n`);
    // MOBILENET_ISA applies to every model of the process: an integer-only set's name means its generation's float
    // set for float models, a float set's name the best integer set of its generation for integer ones.
    const names = [...new Set([qisas.find((q) => !isas.includes(q)), isas[isas.length - 1]])].filter((x): x is string => x !== undefined);
    for (const name of names) {
      const e = { ...env, MOBILENET_ISA: name };
      const info = JSON.parse((await run(['info', '--json'], { env: e })).stdout) as { default_isa: string; default_integer_isa: string };
      const benchIsa = async (dtype: string) => {
        const r = await run(['bench', '--alpha', '0.25', '--resolution', '128', '--runs', '1', '--warmup', '0', '--dtype', dtype, '--json'], { env: e });
        return (JSON.parse(r.stdout) as { isa: string }[])[0]!.isa;
      };
      expect([info.default_isa, info.default_integer_isa], name).toEqual([await benchIsa('float32'), await benchIsa('uint8')]);
      const text = await run(['info'], { env: e });
      expect(text.stdout).toContain(`\nKernel sets this CPU runs: ${isas.join(', ')} (default: ${info.default_isa}, from MOBILENET_ISA='${name}')\n`);
      expect(text.stdout).toContain(`(default: ${info.default_integer_isa}, from MOBILENET_ISA='${name}')\n`);
    }
  });
});

describe('fetch, then the obvious next command', () => {
  let server: http.Server;
  let base = '';
  let hits = 0;
  beforeAll(async () => {
    // The official layout for tfjs 0.25/224, served from ../shared.
    const prefix = '/tfjs-models/tfjs/mobilenet_v1_0.25_224/';
    server = http.createServer((req, res) => {
      hits++;
      const p = new URL(req.url ?? '/', 'http://x').pathname;
      const name = p.startsWith(prefix) ? p.slice(prefix.length) : '';
      const file = join(W025, name);
      if (!/^[\w.-]+$/.test(name) || !fs.existsSync(file)) {
        res.writeHead(404);
        res.end();
        return;
      }
      const body = fs.readFileSync(file);
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('fetch prints the classify command, and classify without --alpha uses the fetched model', async () => {
    const xdg = join(tmp, 'xdg');
    const env = { XDG_CACHE_HOME: xdg, MOBILENET_BASE_URL: base, MOBILENET_WEIGHTS: '' };
    const f = await run(['fetch', '--alpha', '0.25', '--resolution', '224'], { env });
    const dir = join(xdg, 'mobilenet-native', 'tfjs', 'mobilenet_v1_0.25_224');
    expect(f.stderr).toBe(''); // not a terminal: no progress bar
    expect(f.stdout).toBe(
      `Downloaded (tfjs, matches the published SHA-256): ${dir}\n` +
        'Classify with:\n  mobilenet classify <image>\n' +
        'or, naming this model explicitly:\n  mobilenet classify <image> --alpha 0.25 --resolution 224\n');
    expect(f.code).toBe(0);
    const fetched = hits;
    const mine = await run(['classify', parrot, '--top', '3', '--json'], { env: { ...env, MOBILENET_OFFLINE: '1' } });
    expect(mine.code).toBe(0);
    const ref = await run(['classify', parrot, '--top', '3', '--json', '--weights', W025]);
    const top = (r: Run) => (JSON.parse(r.stdout) as { top: unknown[] }[])[0]!.top;
    expect(top(mine)).toEqual(top(ref));
    expect(hits).toBe(fetched);
    const again = await run(['fetch', '--alpha', '0.25', '--json'], { env });
    expect(JSON.parse(again.stdout)).toEqual({ path: dir, format: 'tfjs', alpha: 0.25, resolution: 224, source: 'cache', verified: 'known' });
    expect(hits).toBe(fetched);
    const info = JSON.parse((await run(['info', '--json'], { env })).stdout) as { cached: { alpha: number; status: string; recorded_at: string }[] };
    expect(info.cached).toMatchObject([{ alpha: 0.25, status: 'ok', recorded_at: expect.any(String) }]);
  });

  it('Ctrl-C during a download removes what it wrote and exits 130', async () => {
    // A server that sends the first bytes of model.json, then nothing: the download is in progress when the signal comes.
    const requests: string[] = [];
    const stalling = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      res.writeHead(200, { 'content-length': 100_000 });
      res.write('{"modelTopology": ');
    });
    await new Promise<void>((r) => stalling.listen(0, '127.0.0.1', r));
    const xdg = join(tmp, 'xdg-interrupt');
    try {
      const env = { ...process.env, XDG_CACHE_HOME: xdg, MOBILENET_BASE_URL: `http://127.0.0.1:${(stalling.address() as AddressInfo).port}` };
      const child = spawn(process.execPath, [cli, 'fetch', '--alpha', '0.5'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const closed = new Promise<number | null>((r) => child.on('close', r));
      const partial = join(xdg, 'mobilenet-native', 'tfjs');
      for (let i = 0; i < 200 && !(requests.length && fs.existsSync(partial) && fs.readdirSync(partial).length); i++) await new Promise((r) => setTimeout(r, 25));
      expect(fs.readdirSync(partial).length).toBeGreaterThan(0); // the partial download is on disk
      child.kill('SIGINT');
      expect(await closed).toBe(130);
      expect(stderr).toBe('mobilenet fetch: interrupted (SIGINT)\n');
      expect(fs.readdirSync(xdg)).toEqual([]); // no partial file, no empty folders
    } finally {
      stalling.closeAllConnections();
      await new Promise<void>((r) => stalling.close(() => r()));
    }
  });

  it('a failed download leaves no folders in the cache and exits 1 with what to do', async () => {
    const xdg = join(tmp, 'xdg-fail');
    const r = await run(['fetch', '--alpha', '0.5'], { env: { XDG_CACHE_HOME: xdg, MOBILENET_BASE_URL: base } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^mobilenet fetch: No MobileNetV1 weights for alpha 0.5, resolution 224 were found .* the download failed: .*HTTP 404 Not Found\.\nTo install them by hand/s);
    expect(fs.readdirSync(xdg)).toEqual([]); // not even an empty mobilenet-native/tfjs/
  });
});
