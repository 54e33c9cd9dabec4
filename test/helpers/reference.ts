// Paths and readers for ../shared (reference inputs/logits, real weights, images).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const shared = resolve(repoRoot, '../shared');
export const tfjsWeights = (alpha: '0.25' | '0.75') => resolve(shared, `models/tfjs/mobilenet_v1_${alpha}_224`);

interface Manifest {
  stems: string[];
  labels: number[];
}
export const manifest: Manifest = JSON.parse(readFileSync(resolve(shared, 'reference/manifest.json'), 'utf8'));

export function referenceInput(resolution: number, index: number): Uint8Array {
  return new Uint8Array(readFileSync(resolve(shared, `reference/inputs/${resolution}/${manifest.stems[index]}.rgb`)));
}

export function referenceLogits(model: string, resolution: number): Float32Array {
  const b = readFileSync(resolve(shared, `reference/logits/${model}_${resolution}.f32`));
  return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
}

export function argmax(a: ArrayLike<number>, from = 0, to = a.length): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if (a[i]! > a[best]!) best = i;
  return best - from;
}

/** Largest |a - b| and the number of rows whose argmax agrees, over rows of `classes`. */
export function compareLogits(got: Float32Array, ref: Float32Array, classes: number): { maxAbs: number; top1Agree: number } {
  let maxAbs = 0;
  let top1Agree = 0;
  for (let r = 0; r * classes < got.length; r++) {
    for (let j = 0; j < classes; j++) maxAbs = Math.max(maxAbs, Math.abs(got[r * classes + j]! - ref[r * classes + j]!));
    if (argmax(got, r * classes, (r + 1) * classes) === argmax(ref, r * classes, (r + 1) * classes)) top1Agree++;
  }
  return { maxAbs, top1Agree };
}
