// Lifecycle of a model under a robot's control loop: dispose with jobs in flight, ordering of
// concurrent calls, buffer ownership (the caller may reuse its buffers at once; output buffers are
// filled in place), batching, error stacks, and native memory released when a model is collected.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load, syntheticWeights, type Frame, type MobileNet } from '../lib/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const shared = path.resolve(repoRoot, '../shared');
const DISPOSED = 'This MobileNet model has been disposed; load() a new one';
const R = 128;
const TENSOR = R * R * 3;
const weights = syntheticWeights(0.25, { seed: 5 });

function tensor(seed: number): Float32Array {
  const x = new Float32Array(TENSOR);
  let s = seed * 2654435761;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = (s / 2 ** 32) * 2 - 1;
  }
  return x;
}

function frame(seed: number, width = 97, height = 61, channels: 3 | 4 = 3): Frame {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + seed * 13) & 255;
  return { data, width, height, channels };
}

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    return { ok: false, error: e as Error };
  }
}

let model: MobileNet;

beforeAll(async () => {
  model = await load({ weights, resolution: R, threads: 2 });
});
afterAll(() => model?.dispose());

describe('dispose()', () => {
  it('lets the running job settle, rejects queued ones, and refuses later calls', async () => {
    const m = await load({ weights, resolution: R, threads: 2 });
    const x = tensor(1);
    const expected = await m.infer(x);
    const running = settle(m.infer(x)); // staged and started at once
    const queued = [m.infer(tensor(2)), m.embed(tensor(3)), m.classify(x), m.infer(path.join(shared, 'images/samples/grace_hopper.jpg'))].map(
      (p) => settle(p as Promise<unknown>),
    );
    m.dispose();
    expect(m.disposed).toBe(true);
    const r = await running;
    // The running job keeps its network alive natively: it resolves with the right logits (or, if a
    // future change cancels it, rejects cleanly with the disposed error; never anything else).
    if (r.ok) expect(r.value).toEqual(expected);
    else expect(r.error.message).toBe(DISPOSED);
    for (const q of queued) {
      const s = await q;
      expect(s.ok).toBe(false);
      if (!s.ok) {
        expect(s.error.constructor).toBe(Error);
        expect(s.error.message).toBe(DISPOSED);
      }
    }
    for (const call of [() => m.infer(x), () => m.embed(x), () => m.classify(x), () => m.infer([x, x])]) {
      const s = await settle(call() as Promise<unknown>);
      expect(s.ok).toBe(false);
      if (!s.ok) expect(s.error.message).toBe(DISPOSED);
    }
    expect(() => m.inferSync(x)).toThrow(new Error(DISPOSED));
    expect(() => m.profile(1)).toThrow(new Error(DISPOSED));
  });

  it('while a decode is pending rejects that job too', async () => {
    const m = await load({ weights, resolution: R, threads: 1 });
    const p = settle(m.infer(path.join(shared, 'images/samples/coral_cat.png')));
    const q = settle(m.infer(tensor(4)));
    m.dispose();
    for (const s of [await p, await q]) {
      expect(s.ok).toBe(false);
      if (!s.ok) expect(s.error.message).toBe(DISPOSED);
    }
  });

  it('is harmless when called twice, or on an idle model', async () => {
    const m = await load({ weights, resolution: R, threads: 1 });
    m.dispose();
    m.dispose();
    expect(m.disposed).toBe(true);
    const m2 = await load({ weights, resolution: R, threads: 1 });
    const p = settle(m2.infer(tensor(1)));
    m2.dispose();
    await p;
    m2.dispose();
    expect(m2.disposed).toBe(true);
  });

  it('of one model does not disturb another', async () => {
    const a = await load({ weights, resolution: R, threads: 2 });
    const b = await load({ weights, resolution: R, threads: 2 });
    const x = tensor(9);
    const expected = await b.infer(x);
    const pa = settle(a.infer(x));
    const pb = b.infer(x);
    a.dispose();
    await pa;
    expect(await pb).toEqual(expected);
    b.dispose();
  });
});

describe('ordering and buffer ownership', () => {
  it('concurrent calls resolve in call order with the same results as sequential calls', async () => {
    const inputs = Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? frame(i) : tensor(i)));
    const sequential: Float32Array[] = [];
    for (const x of inputs) sequential.push(await model.infer(x));
    const order: number[] = [];
    const results = await Promise.all(
      inputs.map((x, i) =>
        (i % 4 === 3 ? model.embed(x) : model.infer(x)).then((r) => {
          order.push(i);
          return r;
        }),
      ),
    );
    expect(order).toEqual(inputs.map((_, i) => i));
    for (let i = 0; i < inputs.length; i++) {
      if (i % 4 === 3) expect(results[i]).toEqual(await model.embed(inputs[i]!));
      else expect(results[i]).toEqual(sequential[i]);
    }
  });

  it('the caller may overwrite its input buffers as soon as infer() returns (idle and queued)', async () => {
    const x = tensor(21);
    const f = frame(22);
    const ex = await model.infer(x);
    const ef = await model.infer(f);
    const xs = x.slice();
    const fs = f.data.slice();
    // Idle model: the first call stages at once; the next ones are queued (copied).
    const p1 = model.infer(x);
    x.fill(123);
    const p2 = model.infer(f);
    f.data.fill(0);
    x.set(xs);
    const p3 = model.infer(x);
    x.fill(-5);
    f.data.set(fs);
    const p4 = model.infer([f, x.set(xs) ?? x]);
    x.fill(7);
    f.data.fill(9);
    const [r1, r2, r3, r4] = await Promise.all([p1, p2, p3, p4]);
    expect(r1).toEqual(ex);
    expect(r2).toEqual(ef);
    expect(r3).toEqual(ex);
    expect(r4.subarray(0, 1000)).toEqual(ef);
    expect(r4.subarray(1000)).toEqual(ex);
  });

  it('fills a caller-supplied output buffer in place (infer, embed, inferSync, batches)', async () => {
    const x = tensor(31);
    const expected = await model.infer(x);
    const out = new Float32Array(1000).fill(NaN);
    const r = await model.infer(x, { output: out });
    expect(r).toBe(out);
    expect(out).toEqual(expected);
    out.fill(NaN);
    expect(model.inferSync(x, { output: out })).toBe(out);
    expect(out).toEqual(expected);
    const feats = new Float32Array(model.info.features);
    expect(await model.embed(x, { output: feats })).toBe(feats);
    expect(feats).toEqual(await model.embed(x));
    // A view into a larger buffer: only its window is written.
    const big = new Float32Array(3000).fill(-1);
    const view = big.subarray(1000, 2000);
    expect(await model.infer(x, { output: view })).toBe(view);
    expect(view).toEqual(expected);
    expect(big.subarray(0, 1000).every((v) => v === -1)).toBe(true);
    expect(big.subarray(2000).every((v) => v === -1)).toBe(true);
    // Batch into one buffer; and the same buffer reused by queued calls, each seeing its own result.
    const two = new Float32Array(2000);
    expect(await model.infer([x, tensor(32)], { output: two })).toBe(two);
    expect(two.subarray(0, 1000)).toEqual(expected);
    const shared1 = new Float32Array(1000);
    const [a, b] = await Promise.all([model.infer(tensor(32), { output: shared1 }), model.infer(x, { output: shared1 })]);
    expect(a).toBe(shared1);
    expect(b).toBe(shared1);
    expect(shared1).toEqual(expected); // the last job wrote last
  });

  it('a batch of N inputs equals N single inferences, bit for bit', async () => {
    const inputs = [tensor(41), frame(42), tensor(43), frame(44, 128, 128, 4), frame(45, 300, 200), tensor(46), frame(47, 1, 1)];
    const singles: Float32Array[] = [];
    const singleFeats: Float32Array[] = [];
    for (const x of inputs) {
      singles.push(await model.infer(x));
      singleFeats.push(await model.embed(x));
    }
    const batch = await model.infer(inputs);
    const batchSync = model.inferSync(inputs);
    const feats = await model.embed(inputs);
    expect(batch.length).toBe(inputs.length * 1000);
    const F = model.info.features;
    for (let i = 0; i < inputs.length; i++) {
      expect(batch.subarray(i * 1000, (i + 1) * 1000)).toEqual(singles[i]);
      expect(batchSync.subarray(i * 1000, (i + 1) * 1000)).toEqual(singles[i]);
      expect(feats.subarray(i * F, (i + 1) * F)).toEqual(singleFeats[i]);
    }
    const top = await model.classify(inputs, { topK: 2 });
    expect(top).toHaveLength(inputs.length);
    // And a smaller batch after a larger one uses only its own inputs.
    const again = await model.infer([inputs[2]!, inputs[0]!]);
    expect(again.subarray(0, 1000)).toEqual(singles[2]);
    expect(again.subarray(1000)).toEqual(singles[0]);
  });

  it('inferSync() refuses to run while async work is queued, then works again', async () => {
    const p = model.infer(tensor(51));
    expect(() => model.inferSync(tensor(51))).toThrow(
      new Error('inferSync() cannot run while an asynchronous inference is queued or running on this model'),
    );
    const r = await p;
    expect(model.inferSync(tensor(51))).toEqual(r);
  });
});

describe('errors', () => {
  it('native errors carry the caller stack', async () => {
    const out = new Float32Array(1000);
    async function callSiteForStack(): Promise<Error> {
      const p = model.infer(tensor(61), { output: out });
      structuredClone(out.buffer, { transfer: [out.buffer] }); // detached while the job runs: native RangeError
      return p.then(
        () => {
          throw new Error('expected a rejection');
        },
        (e: Error) => e,
      );
    }
    const e = await callSiteForStack();
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('The output buffer was detached or resized during inference');
    expect(e.stack).toContain('lifecycle.test.ts');
    expect(e.stack).toContain('callSiteForStack');
    expect(e.stack?.startsWith('RangeError: The output buffer was detached')).toBe(true);
    // The model is still usable.
    expect((await model.infer(tensor(61))).length).toBe(1000);
  });

  it('decode errors and disposed errors carry the caller stack too', async () => {
    const e = await settle(model.infer(new Uint8Array([1, 2, 3, 4])));
    expect(e.ok).toBe(false);
    if (!e.ok) expect(e.error.stack).toContain('lifecycle.test.ts');
    const m = await load({ weights, resolution: R, threads: 1 });
    m.dispose();
    const d = await settle(m.infer(tensor(1)));
    if (!d.ok) expect(d.error.stack).toContain('lifecycle.test.ts');
  });

  it('a failed job does not block the queue', async () => {
    const x = tensor(71);
    const expected = await model.infer(x);
    // The failing input goes first (idle model): see the next test for failures queued behind a job.
    const results = await Promise.all([settle(model.infer('/nonexistent.jpg')), settle(model.infer(x)), settle(model.infer(x))]);
    expect(results.map((r) => r.ok)).toEqual([false, true, true]);
    if (results[2]!.ok) expect(results[2]!.value).toEqual(expected);
  });

  it('an image that fails to decode while queued behind a running job rejects without an unhandled rejection', async () => {
    // Plain Node terminates on an unhandled rejection: a bad path from a camera loop would kill the robot.
    const child = path.join(here, 'helpers/lifecycle-unhandled-child.ts');
    const viteNode = path.join(repoRoot, 'node_modules/vite-node/vite-node.mjs');
    const { stdout } = await promisify(execFile)(process.execPath, [viteNode, child], { cwd: repoRoot, timeout: 120_000 });
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as { messages: string[]; unhandled: string[] };
    expect(r.messages).toEqual(["Cannot read image file '/nonexistent-image.jpg': no such file", 'Cannot decode input (encoded image of 3 bytes)']);
    expect(r.unhandled).toEqual([]);
  });
});

describe('memory', () => {
  it('a garbage-collected model frees its native memory (200 models of 0.25/128)', async () => {
    const child = path.join(here, 'helpers/lifecycle-gc-child.ts');
    const viteNode = path.join(repoRoot, 'node_modules/vite-node/vite-node.mjs');
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', viteNode, child, '200'], {
      cwd: repoRoot,
      env: process.env,
      timeout: 180_000,
    });
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as { before: number; after: number; growthMB: number };
    // Leaking every model would be about 200 x 2.6 MB = 520 MB.
    expect(r.growthMB).toBeLessThan(50);
  });
});
