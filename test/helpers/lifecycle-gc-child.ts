// Child process for test/lifecycle.test.ts: creates and drops models (never disposing them) and
// reports RSS, so the test can tell whether a garbage-collected model frees its native memory.
// Run with: node --expose-gc node_modules/vite-node/vite-node.mjs test/helpers/lifecycle-gc-child.ts [count]
import { setImmediate as tick } from 'node:timers/promises';
import { load, syntheticWeights } from '../../lib/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const count = Number(process.argv[2] ?? 200);
const weights = syntheticWeights(0.25, { seed: 11 });
const input = new Float32Array(128 * 128 * 3).fill(0.5);

async function collect(): Promise<void> {
  // Finalizers of wrapped native objects run after the GC, from the event loop.
  for (let i = 0; i < 8; i++) {
    gc!();
    await tick();
  }
}

async function churn(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const model = await load({ weights, resolution: 128, threads: 2 });
    await model.infer(input);
    if (i % 20 === 19) await collect();
  }
}

await churn(Number(process.argv[3] ?? 100)); // warm-up: JIT, heap and allocator reach their steady state
await collect();
const before = process.memoryUsage().rss;
await churn(count);
await collect();
const after = process.memoryUsage().rss;
process.stdout.write(JSON.stringify({ count, before, after, growthMB: (after - before) / 2 ** 20 }) + '\n');
