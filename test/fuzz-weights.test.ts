// Mutates the real TF.js weight files 1,000 times (truncations, byte flips, shape edits): every
// load either succeeds with finite weights or throws an Error that names the file. Never a crash.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { load } from '../lib/index.js';
import { seededRandom } from '../lib/weights/synthetic.js';
import { tfjsWeights } from './helpers/reference.js';

const dir = mkdtempSync(join(tmpdir(), 'mobilenet-fuzz-'));
cpSync(tfjsWeights('0.25'), dir, { recursive: true });
const files = readdirSync(dir).sort();
const originals = new Map(files.map((f) => [f, readFileSync(join(dir, f))]));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Mutation = { file: string; bytes: Buffer; what: string };

function mutate(rand: () => number): Mutation {
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)]!;
  const kind = pick(['truncate', 'flip', 'flip', 'shape', 'json-bytes'] as const);
  if (kind === 'shape' || kind === 'json-bytes') {
    const orig = originals.get('model.json')!;
    if (kind === 'json-bytes') {
      const b = Buffer.from(orig);
      for (let i = 0, n = 1 + Math.floor(rand() * 4); i < n; i++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      return { file: 'model.json', bytes: b, what: 'model.json byte edits' };
    }
    const json = JSON.parse(orig.toString('utf8'));
    const group = pick(json.weightsManifest as { weights: { name: string; shape: number[] }[] }[]);
    const w = pick(group.weights);
    const d = Math.floor(rand() * w.shape.length);
    w.shape[d] = pick([0, 1, 2, 3, w.shape[d]! + 1, w.shape[d]! * 2, -1, 1e9]);
    return { file: 'model.json', bytes: Buffer.from(JSON.stringify(json)), what: `shape of ${w.name} -> ${JSON.stringify(w.shape)}` };
  }
  const file = pick(files.filter((f) => f !== 'model.json'));
  const orig = originals.get(file)!;
  if (kind === 'truncate') {
    const len = Math.floor(rand() * orig.length);
    return { file, bytes: orig.subarray(0, len), what: `${file} truncated to ${len}` };
  }
  const b = Buffer.from(orig);
  for (let i = 0, n = 1 + Math.floor(rand() * 8); i < n; i++) b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
  return { file, bytes: b, what: `${file} bit flips` };
}

describe('mutated TF.js weights', () => {
  it('1000 mutations: finite weights or a clear error, never a crash', async () => {
    const rand = seededRandom(20261123);
    let loaded = 0;
    let rejected = 0;
    for (let i = 0; i < 1000; i++) {
      const m = mutate(rand);
      writeFileSync(join(dir, m.file), m.bytes);
      try {
        const model = await load({ weights: dir, resolution: 32, threads: 1 });
        const logits = model.inferSync(new Float32Array(32 * 32 * 3));
        // Loaded: the weights passed the finite check, so logits are finite too.
        expect(logits.every(Number.isFinite), m.what).toBe(true);
        model.dispose();
        loaded++;
      } catch (e) {
        expect(e, m.what).toBeInstanceOf(Error);
        expect((e as Error).message, m.what).toContain(dir);
        rejected++;
      } finally {
        writeFileSync(join(dir, m.file), originals.get(m.file)!);
      }
    }
    expect(loaded + rejected).toBe(1000);
    expect(rejected).toBeGreaterThan(100);
  });
});
