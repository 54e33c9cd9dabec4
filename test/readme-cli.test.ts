// The README's CLI synopsis is what users copy: every flag each command takes must be in it (a flag added
// to a command's table without the README line was invisible there: bench --dtype, classify --head).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { command as bench } from '../lib/cli/bench.js';
import { command as classify } from '../lib/cli/classify.js';
import { command as compare } from '../lib/cli/compare.js';
import { command as detect } from '../lib/cli/detect.js';
import { command as fetch } from '../lib/cli/fetch.js';
import { command as info } from '../lib/cli/info.js';
import { repoRoot } from './helpers/reference.js';

const COMMANDS = { classify, detect, bench, compare, info, fetch };

const readme = readFileSync(resolve(repoRoot, 'README.md'), 'utf8');
/** The ```sh block under "## CLI": one synopsis per command, continuation lines indented. */
const block = /## CLI\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
const synopsis = (cmd: string): string => {
  const m = new RegExp(`^mobilenet ${cmd} .*(?:\\n {2,}.*)*`, 'm').exec(block);
  return m?.[0] ?? '';
};

describe('README CLI synopsis', () => {
  it.each(Object.keys(COMMANDS) as (keyof typeof COMMANDS)[])('lists every flag of mobilenet %s', (cmd) => {
    const command = COMMANDS[cmd];
    const text = synopsis(cmd);
    expect(text, `no synopsis for ${cmd} in README.md`).not.toBe('');
    const missing = Object.keys(command.spec.flags).filter((f) => f !== 'help' && !new RegExp(`--${f}\\b`).test(text));
    expect(missing).toEqual([]);
  });
});
