// Rough edges a new user hit trying the packed tarball (user pass 4): each a wrong-typed option, input or flag
// that passed silently, failed inside the library, or got a message naming the wrong thing. Exact messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchWeights, load, resolveWeights } from '../lib/index.js';

describe('download options are type-checked before anything is read or fetched', () => {
  it("load({ download: 'no' }) is refused (it used to download), as are a non-function onProgress and a non-signal signal", async () => {
    await expect(load({ download: 'no' as unknown as boolean })).rejects.toThrow(
      new TypeError("Expected a boolean for download but received 'no' of type string"),
    );
    await expect(load({ onProgress: 'x' as unknown as () => void })).rejects.toThrow(
      new TypeError("Expected a function for onProgress but received 'x' of type string"),
    );
    // Was "TypeError: opts.signal?.addEventListener is not a function", from inside the downloader.
    await expect(load({ signal: 5 as unknown as AbortSignal })).rejects.toThrow(
      new TypeError('Expected an AbortSignal (e.g. AbortSignal.timeout(ms) or new AbortController().signal) for signal but received 5 of type number'),
    );
    await expect(load({ signal: {} as AbortSignal })).rejects.toThrow(
      new TypeError('Expected an AbortSignal (e.g. AbortSignal.timeout(ms) or new AbortController().signal) for signal but received an object'),
    );
  });

  it('resolveWeights() and fetchWeights() check the same options, and the timeouts and retries', async () => {
    await expect(resolveWeights({ download: 0 as unknown as boolean })).rejects.toThrow(
      new TypeError('Expected a boolean for download but received 0 of type number'),
    );
    await expect(fetchWeights({ alpha: 0.25, retries: -1 })).rejects.toThrow(
      new RangeError('Expected a non-negative integer for retries but received -1 of type number'),
    );
    await expect(fetchWeights({ alpha: 0.25, timeoutMs: '5000' as unknown as number })).rejects.toThrow(
      new TypeError("Expected a non-negative number (milliseconds) for timeoutMs but received '5000' of type string"),
    );
    await expect(resolveWeights({ baseUrl: new URL('http://mirror.local') as unknown as string })).rejects.toThrow(
      new TypeError('Expected a URL as a string for baseUrl but received URL http://mirror.local/'),
    );
  });
});
