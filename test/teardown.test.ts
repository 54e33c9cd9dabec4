// A worker thread that owns a model may end at any moment while inferences run or wait: the
// process must never abort (it used to: "terminate called after throwing an instance of
// 'Napi::Error'", ../shared/cases/worker-terminate.mjs). Each path runs in a child process
// (test/fixtures/teardown.mjs, needs dist/: `npm run build:ts`), at several delays.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = resolve(fileURLToPath(import.meta.url), '..');
const script = resolve(here, 'fixtures/teardown.mjs');

function run(mode: string, delay: number, tries = 3): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, mode, String(delay), String(tries)], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('teardown of a worker that owns a busy model', () => {
  for (const mode of ['terminate', 'terminate-load', 'terminate-sync', 'exit', 'throw', 'reject']) {
    it(`${mode}: the process survives every try, at every delay`, () => {
      for (const delay of [0, 1, 4, 15]) {
        const r = run(mode, delay);
        expect(r.stderr).not.toMatch(/terminate called|Napi::Error|Aborted|FATAL/);
        expect({ signal: r.signal, status: r.status }).toEqual({ signal: null, status: 0 });
        expect(r.stdout.trim()).toBe('survived 3');
      }
    }, 120_000);
  }

  it('main-exit: process.exit() on the main thread with runs in flight exits cleanly', () => {
    for (const delay of [0, 1, 4]) {
      const r = run('main-exit', delay);
      expect(r.stderr).not.toMatch(/terminate called|Napi::Error|Aborted|FATAL/);
      expect({ signal: r.signal, status: r.status }).toEqual({ signal: null, status: 0 });
    }
  }, 120_000);
});
