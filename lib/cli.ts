#!/usr/bin/env node
// The `mobilenet` executable (package.json "bin"); the CLI itself is lib/cli/.
import { main } from './cli/main.js';

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`mobilenet: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
