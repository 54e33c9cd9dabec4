// Runs f on a loaded model and disposes it whatever happens (the tests' `using` without TypeScript 5.2's syntax).
import type { MobileNet } from '../../lib/index.js';

export async function using<T>(m: Promise<MobileNet>, f: (m: MobileNet) => Promise<T>): Promise<T> {
  const model = await m;
  try {
    return await f(model);
  } finally {
    model.dispose();
  }
}
