import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Native inference is CPU-bound; run files one after another so timings and memory stay sane on 2 cores.
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: 'build/vitest-results.json' },
  },
});
