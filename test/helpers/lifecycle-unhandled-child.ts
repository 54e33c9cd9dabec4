// Child process for test/lifecycle.test.ts: an image that fails to decode while it waits in the
// queue behind a running job must reject the caller's promise, not raise an unhandled rejection
// (which terminates Node by default). Prints { messages, unhandled } as JSON.
import { load, syntheticWeights } from '../../lib/index.js';

// Plain `node app.js` would die here; count them instead (vite-node installs its own handlers).
const unhandled: string[] = [];
process.on('unhandledRejection', (e) => unhandled.push((e as Error).message));

const model = await load({ weights: syntheticWeights(1.0, { seed: 2 }), resolution: 224, threads: 1 });
const x = new Float32Array(224 * 224 * 3);
const messages: string[] = [];
const jobs = [
  model.infer([x, x, x, x]), // long enough (~0.5 s) for the failures below to settle while they wait
  model.infer('/nonexistent-image.jpg').catch((e: Error) => messages.push(e.message)),
  model.infer(new Uint8Array([1, 2, 3])).catch((e: Error) => messages.push(e.message.split(':')[0]!)),
  model.infer(x),
];
await Promise.all(jobs);
model.dispose();
process.stdout.write(JSON.stringify({ messages, unhandled }) + '\n');
