// `mobilenet compare`: bench --json files from two boards (or builds) side by side. Real bench output is made once
// here (the smallest variant, a few runs); the rest are hand-written files, so the expected numbers are exact.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRows, formatRatio, geomeanRatios, labelsFor, parseBenchJson } from '../lib/cli/compare.js';
import { repoRoot } from './helpers/reference.js';

const cli = resolve(repoRoot, 'dist/cli.js');
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

let tmp = '';
const file = (name: string, content: unknown) => {
  const p = join(tmp, name);
  fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};
const entry = (alpha: number, resolution: number, threads: number, median_ms: number, extra: Record<string, unknown> = {}) => ({
  architecture: 'mobilenet_v1', call: 'inferSync()', alpha, resolution, threads, batch: 1, isa: 'neon', dtype: 'float32',
  cpu: 'Cortex-A72', median_ms, ...extra,
});

beforeAll(() => {
  tmp = fs.mkdtempSync(join(tmpdir(), 'mobilenet-compare-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('mobilenet compare', () => {
  it('sets two real `bench --json` runs side by side, the ratio from their medians', () => {
    const a = run(['bench', '--alpha', '0.25', '--resolution', '128', '--runs', '3', '--warmup', '1', '--json']);
    const b = run(['bench', '--alpha', '0.25', '--resolution', '128', '--runs', '3', '--warmup', '1', '--json']);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const pa = file('x86-a.json', a.stdout), pb = file('x86-b.json', b.stdout);
    const ma = (JSON.parse(a.stdout) as { median_ms: number }[])[0]!.median_ms;
    const mb = (JSON.parse(b.stdout) as { median_ms: number }[])[0]!.median_ms;
    const r = run(['compare', pa, pb, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { files: { label: string; path: string }[]; rows: { variant: string; median_ms: Record<string, number>; ratio: Record<string, number> }[]; geomean: Record<string, { ratio: number; rows: number }> };
    expect(out.files.map((f) => [f.label, f.path])).toEqual([['x86-a', pa], ['x86-b', pb]]);
    const rows = out.rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.variant).toBe('0.25/128');
    expect(rows[0]!.median_ms).toEqual({ 'x86-a': ma, 'x86-b': mb });
    expect(rows[0]!.ratio['x86-b']).toBeCloseTo(mb / ma, 12);
    expect(out.geomean['x86-b']!.rows).toBe(1);
    expect(out.geomean['x86-b']!.ratio).toBeCloseTo(mb / ma, 12);
  });

  it('prints a table: rows matched on variant and threads, "-" where a file lacks one, the geometric mean of the shared rows', () => {
    const pi4 = file('pi4.json', [entry(1.0, 224, 1, 100), entry(1.0, 224, 4, 40), entry(0.25, 128, 1, 4)]);
    const pi5 = file('pi5.json', [entry(1.0, 224, 1, 25, { cpu: 'Cortex-A76' }), entry(0.25, 128, 1, 4, { cpu: 'Cortex-A76' }),
      entry(0.5, 160, 1, 3, { cpu: 'Cortex-A76' })]);
    const r = run(['compare', pi4, pi5]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      'Median latency per call, ms; ratio < 1: faster than the first file; -: no such row in that file.',
      `pi4 (${pi4}): Cortex-A72 (neon)`,
      `pi5 (${pi5}): Cortex-A76 (neon)`,
      'variant   threads  batch   pi4 ms  pi5 ms  pi5 / pi4',
      '1.0/224         1      1  100.000  25.000      0.25x',
      '1.0/224         4      1   40.000       -          -',
      '0.25/128        1      1    4.000   4.000      1.00x',
      '0.5/160         1      1        -   3.000          -',
      'Geometric mean of each ratio over the rows the file shares with the first: pi5 / pi4 0.50x (2 rows).',
      '',
    ].join('\n'));
    const md = run(['compare', pi4, pi5, '--markdown']);
    expect(md.stdout).toContain('| variant | threads | batch | pi4 ms | pi5 ms | pi5 / pi4 |\n| --- | ---: | ---: | ---: | ---: | ---: |\n| 1.0/224 | 1 | 1 | 100.000 | 25.000 | 0.25x |');
  });

  it('reads the XNNPACK anchor\'s JSON (one object, `res`) and JSON lines; integer rows show their dtype', () => {
    const ours = file('ours.json', [entry(0.25, 128, 1, 0.2, { isa: 'avx512', dtype: 'uint8' }), entry(0.25, 128, 1, 0.25, { isa: 'avx512' })]);
    const anchor = file('xnn.json', { tool: 'mobilenet-xnn', cpu: 'x', alpha: 0.25, res: 128, threads: 1, median_ms: 0.3 });
    const lines = file('ort.jsonl', `${JSON.stringify({ tool: 'onnxruntime-node', alpha: 0.25, res: 128, threads: 1, median_ms: 0.5 })}\n` +
      `${JSON.stringify({ tool: 'onnxruntime-node', alpha: 0.5, res: 128, threads: 1, median_ms: 0.9 })}\n`);
    const r = run(['compare', ours, anchor, lines, '--json']);
    expect(r.code).toBe(0);
    const rows = (JSON.parse(r.stdout) as { rows: { variant: string; dtype: string; ratio: Record<string, number | null> }[] }).rows;
    expect(rows.map((x) => [x.variant, x.dtype, x.ratio])).toEqual([
      ['0.25/128', 'uint8', { xnn: null, ort: null }],
      ['0.25/128', 'float32', { xnn: 0.3 / 0.25, ort: 0.5 / 0.25 }],
      ['0.5/128', 'float32', { xnn: null, ort: null }],
    ]);
    expect(run(['compare', ours, anchor]).stdout).toContain('dtype');
  });

  it('names the file and what is wrong with it; usage errors exit 2', () => {
    const good = file('good.json', [entry(1.0, 224, 1, 10)]);
    const cases: [string, string][] = [
      [join(tmp, 'missing.json'), `cannot read ${join(tmp, 'missing.json')}: no such file`],
      [tmp, `cannot read ${tmp}: it is a folder`],
      [file('text.json', 'hello\n'), `${join(tmp, 'text.json')} is not JSON`],
      [file('empty.json', '[]'), `${join(tmp, 'empty.json')} holds no results (an empty array)`],
      [file('nomedian.json', [{ alpha: 1, resolution: 224, threads: 1 }]), `${join(tmp, 'nomedian.json')} has no median_ms; expected the output of mobilenet bench --json`],
      [file('nan.json', [entry(1, 224, 1, 10), { ...entry(1, 224, 1, 10), threads: 'two' }]), `${join(tmp, 'nan.json')}: entry 1 has a bad ("two") threads`],
      [file('num.json', '[3]'), `${join(tmp, 'num.json')} is not an object`],
    ];
    for (const [p, msg] of cases) {
      const r = run(['compare', good, p]);
      expect(r.code, p).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith(`mobilenet compare: ${msg}`), r.stderr).toBe(true);
    }
    const one = run(['compare', good]);
    expect(one.code).toBe(2);
    expect(one.stderr).toBe("mobilenet compare: Expected two or more `mobilenet bench --json` files (the first is the baseline) for mobilenet compare but received 1\nRun 'mobilenet compare --help' for usage.\n");
    expect(run(['compare', good, good, '--json', '--markdown']).code).toBe(2);
    const help = run(['compare', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: mobilenet compare <bench\.json\|-> <bench\.json>\.\.\. \[options\]/);
  });

  it('labels stay distinct (a.json beside a.jsonl and ./a.json), each file\'s mean uses the rows it shares with the first, small ratios keep two digits', () => {
    expect(labelsFor(['a.json', 'a.jsonl', './a.json', '-'])).toEqual(['a #1', 'a #2', 'a #3', 'stdin']);
    expect(labelsFor(['pi4.json', 'pi5.json'])).toEqual(['pi4', 'pi5']);
    expect([0.0033, 0.25, 1.5079, 12.34, null].map(formatRatio)).toEqual(['0.0033x', '0.25x', '1.51x', '12.3x', '-']);
    const a = file('same.json', [entry(1, 224, 1, 10), entry(0.5, 224, 1, 4)]);
    const b = file('same.jsonl', [entry(1, 224, 1, 5), entry(0.5, 224, 1, 1)]);
    const c = file('other.json', [entry(1, 224, 1, 20, { dtype: 'uint8' })]);
    const r = spawnSync(process.execPath, [cli, 'compare', a, b, c], { encoding: 'utf8', cwd: tmp });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('same #1 ms  same #2 ms  same #2 / same #1  other ms  other / same #1\n');
    expect(r.stdout).toContain('same #2 / same #1 0.35x (2 rows), other / same #1 - (no shared row).\n');
  });

  it('reads standard input for -, a UTF-8 byte-order mark and UTF-16LE (PowerShell 5), and keeps a parse error on one line', () => {
    const pi4 = file('pi4b.json', [entry(1.0, 224, 1, 100)]);
    const text = JSON.stringify([entry(1.0, 224, 1, 50)]);
    const viaStdin = spawnSync(process.execPath, [cli, 'compare', pi4, '-', '--json'], { input: text, encoding: 'utf8' });
    expect((JSON.parse(viaStdin.stdout) as { rows: { ratio: Record<string, number> }[] }).rows[0]!.ratio).toEqual({ stdin: 0.5 });
    const bom = file('bom.json', `\ufeff${text}`);
    const u16 = join(tmp, 'u16.json');
    fs.writeFileSync(u16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    for (const p of [bom, u16]) expect(run(['compare', pi4, p]).stdout, p).toContain('0.50x (1 row)');
    const bad = run(['compare', pi4, file('ctl.json', '[{"a":\n1,\u0001')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^mobilenet compare: \S+ctl\.json is not JSON \([^\n\u0001]*\); expected the output of mobilenet bench --json\n$/);
  });

  it('two files of the same name get their paths as labels; a configuration timed twice in a file counts its faster median', () => {
    fs.mkdirSync(join(tmp, 'a'), { recursive: true });
    fs.mkdirSync(join(tmp, 'b'), { recursive: true });
    const rows = compareRows([
      { label: 'a/r', entries: parseBenchJson(JSON.stringify([entry(1, 224, 1, 10), entry(1, 224, 1, 8)]), 'a/r.json') },
      { label: 'b/r', entries: parseBenchJson(JSON.stringify([entry(1, 224, 1, 6)]), 'b/r.json') },
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.median_ms).toEqual({ 'a/r': 8, 'b/r': 6 });
    expect(geomeanRatios(rows, ['a/r', 'b/r'])).toEqual({ 'b/r': { ratio: 0.75, rows: 1 } });
    const pa = file('a/r.json', [entry(1, 224, 1, 10)]), pb = file('b/r.json', [entry(1, 224, 1, 5)]);
    const out = spawnSync(process.execPath, [cli, 'compare', pa, pb], { encoding: 'utf8', cwd: tmp }).stdout;
    expect(out).toContain('a/r ms  b/r ms  b/r / a/r');
  });

  it('a file or standard input that never ends stops at 64 MiB with one line (it was read until memory ran out)', () => {
    const pa = file('never-a.json', [entry(1, 224, 1, 10)]);
    expect(run(['compare', pa, '/dev/zero'])).toEqual({
      code: 1, stdout: '', stderr: 'mobilenet compare: cannot read /dev/zero: it does not end within 67108864 bytes (64 MiB), the most this reads from one file\n',
    });
    const fd = fs.openSync('/dev/zero', 'r');
    try {
      const r = spawnSync(process.execPath, [cli, 'compare', pa, '-'], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
      expect([r.status, r.stderr]).toEqual([1, 'mobilenet compare: cannot read standard input: it did not end within 67108864 bytes (64 MiB)\n']);
    } finally {
      fs.closeSync(fd);
    }
  });
});
