// User pass 7b: a board comparer running `mobilenet bench` with every documented flag, and an application developer
// using the API across the model kinds. Each test is something that went wrong for them.
import { describe, expect, it } from 'vitest';
import { publishedTop1, renderChart, renderChartSvg, type ChartInput } from '../lib/chart.js';
import { main } from '../lib/cli/main.js';

/** `mobilenet bench` in this process, stdout/stderr captured (stderr not a TTY: no progress bar). */
async function bench(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin: (async function* () {})(), env: {},
  };
  const code = await main(['bench', ...argv], io);
  return { code, stdout, stderr };
}

describe('bench --alpha: any width multiplier, as documented', () => {
  it('names an unpublished alpha as given (0.125 was printed "0.13/32"), from 1/32 up', async () => {
    const r = await bench(['--alpha', '0.03125,0.125', '--resolution', '32', '--runs', '1', '--warmup', '0', '--markdown']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const rows = r.stdout.split('\n').filter((l) => /^\| \d/.test(l)).map((l) => l.split(' | ')[0]);
    expect(rows).toEqual(['| 0.03125/32', '| 0.125/32']);
  });
});

describe('bench --chart', () => {
  const point = (alpha: number, resolution: number, extra: Partial<ChartInput> = {}): ChartInput => ({
    alpha, resolution, threads: 1, batch: 1, median_ms: 1.5, isa: 'avx2', cpu: 'Test CPU', runs: 10, ...extra,
  });

  it('plots only the published alphas: 0.251 is not the 0.25 network (it was plotted with its top-1, labelled 0.25)', () => {
    expect(publishedTop1(0.251, 224)).toBeUndefined();
    expect(publishedTop1(0.999, 224)).toBeUndefined();
    expect(publishedTop1(0.25, 224)).toBe(49.8);
    expect(publishedTop1(1, 224)).toBe(70.9);
    const r = renderChartSvg([point(0.251, 224), point(0.125, 128), point(0.5, 160)]);
    expect([r.plotted, r.missing]).toEqual([1, ['0.251/224', '0.125/128']]);
  });

  it('names the weights file and the integer path that were timed (it said "synthetic weights" and only the kernel set)', () => {
    const file = '/models/mobilenet_v1_0.25_128_quant.tflite';
    const { text } = renderChart([point(0.25, 128, { isa: 'avx512amx', dtype: 'uint8', weights: file })], 'chart.svg');
    expect(text).toContain('isa avx512amx uint8');
    expect(text).toContain(`per image; ${file}.</text>`);
    expect(text).not.toContain('synthetic weights');
    const synthetic = renderChart([point(0.25, 128, { dtype: 'float32', weights: 'synthetic(alpha=0.25, seed=1)' })], 'chart.svg').text;
    expect(synthetic).toContain('per image; synthetic weights (latency does not depend on weight values).</text>');
    expect(synthetic).toContain(' · isa avx2 · ');
  });
});
