// One model, several streams: load({ concurrency: n }) gives n workspaces over one copy of the
// weights. Up to n calls run at once, the rest wait in call order; whichever workspace runs a call,
// the result is bit-identical to running it alone; memory grows by one workspace per stream.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { load, syntheticWeights, type Frame } from '../lib/index.js';

const R = 128;
const photo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/images/samples/grace_hopper.jpg');
const weights = syntheticWeights(0.5, { seed: 11 });

function frame(seed: number): Frame {
  const width = 211, height = 157;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761 + seed * 7919) >>> 24;
  return { data, width, height, channels: 3 };
}

function tensor(seed: number): Float32Array {
  const x = new Float32Array(R * R * 3);
  let s = seed >>> 0;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = (s / 2 ** 32) * 2 - 1;
  }
  return x;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

describe('load({ concurrency })', () => {
  it('rejects concurrency outside 1..64 with the option named', async () => {
    await expect(load({ weights, resolution: R, concurrency: 0 })).rejects.toThrow(new RangeError('Expected an integer between 1 and 64 for concurrency but received 0 of type number'));
    await expect(load({ weights, resolution: R, concurrency: 1.5 })).rejects.toThrow(RangeError);
    await expect(load({ weights, resolution: R, concurrency: '2' as never })).rejects.toThrow(TypeError);
  });

  it('simultaneous calls on 3 workspaces match sequential results bit for bit, in call order', async () => {
    const single = await load({ weights, resolution: R, threads: 1 });
    const multi = await load({ weights, resolution: R, threads: 2, concurrency: 3 });
    try {
      expect(multi.info.concurrency).toBe(3);
      const inputs = [frame(1), tensor(2), frame(3), tensor(4), frame(5), tensor(6), frame(7)];
      const sequential: Float32Array[] = [];
      for (const x of inputs) sequential.push(await single.infer(x));
      const embedded: Float32Array[] = [];
      for (const x of inputs) embedded.push(await single.embed(x));
      // All at once: 3 run, 4 wait; mixed infer/embed and a batch.
      const order: number[] = [];
      const calls = inputs.map((x, i) => multi.infer(x).then((r) => (order.push(i), r)));
      const emb = inputs.map((x) => multi.embed(x));
      const batch = multi.infer(inputs);
      const results = await Promise.all(calls);
      results.forEach((r, i) => expect(sameBits(r, sequential[i]!), `input ${i}`).toBe(true));
      (await Promise.all(emb)).forEach((r, i) => expect(sameBits(r, embedded[i]!), `embed ${i}`).toBe(true));
      const b = await batch;
      inputs.forEach((_, i) => expect(sameBits(b.subarray(i * 1000, (i + 1) * 1000), sequential[i]!)).toBe(true));
      expect(order).toHaveLength(inputs.length);
    } finally {
      single.dispose();
      multi.dispose();
    }
  });

  it('memoryBytes grows by one workspace per extra stream; the weights are shared', async () => {
    const m1 = await load({ weights, resolution: R, threads: 1, concurrency: 1 });
    const m3 = await load({ weights, resolution: R, threads: 1, concurrency: 3 });
    try {
      const perWorkspace = (m3.info.memoryBytes - m1.info.memoryBytes) / 2;
      // One workspace: the arena (two 64x64x32 activations at 0.5/128) + staging + results.
      const arena = 2 * 64 * 64 * 32 * 4;
      expect(perWorkspace).toBeGreaterThanOrEqual(arena);
      expect(perWorkspace).toBeLessThan(arena * 1.5);
      // The weights (~1.3M parameters at alpha 0.5, packed) are counted once.
      expect(m1.info.memoryBytes - perWorkspace).toBeGreaterThan(1.3e6 * 4);
    } finally {
      m1.dispose();
      m3.dispose();
    }
  });

  it('inferSync and profile refuse while any workspace is busy; dispose rejects only queued calls', async () => {
    const m = await load({ weights, resolution: R, threads: 1, concurrency: 2 });
    const x = tensor(9);
    const expected = await m.infer(x);
    const running = [m.infer(x), m.infer(x)];
    const queued = m.infer(x).then(() => 'resolved', (e: Error) => e.message);
    expect(() => m.inferSync(x)).toThrow('inferSync() cannot run while an asynchronous inference is queued or running on this model');
    expect(() => m.profile(1)).toThrow('profile() cannot run while an asynchronous inference is running on this model');
    m.dispose();
    for (const r of await Promise.all(running)) expect(sameBits(r, expected)).toBe(true);
    expect(await queued).toBe('This MobileNet model has been disposed; load() a new one');
  });

  it('a batch that waits for a file to decode owns its other inputs: the caller may reuse them at once', async () => {
    const m = await load({ weights, resolution: R, threads: 1, concurrency: 2 });
    try {
      const f = frame(21), t = tensor(22);
      const expected = await m.infer([frame(21), tensor(22), photo]);
      const p = m.infer([f, t, photo]); // idle model, but the photo decodes first
      f.data.fill(0);
      t.fill(0);
      expect(sameBits(await p, expected)).toBe(true);
    } finally {
      m.dispose();
    }
  });
});
