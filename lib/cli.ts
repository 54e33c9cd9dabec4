#!/usr/bin/env node
// The `mobilenet` executable (package.json "bin"); the CLI itself is lib/cli/.
import { main } from './cli/main.js';

// `mobilenet classify photos/ | head`: the reader went away. Stop quietly, as other Unix tools do, instead
// of an unhandled EPIPE stack trace (and instead of classifying the rest for nobody).
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`mobilenet: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
