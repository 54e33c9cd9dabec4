// `mobilenet <command>`: the command table and the entry point. A command is one entry here plus a
// module exporting `command` (its flag table and run function); lib/cli/args.ts parses for all of them.
import { closest, RAW_PIXELS_HINT } from '../errors.js';
import { version } from '../version.js';
import { helpText, parseCommand, UsageError, type CommandSpec, type Parsed } from './args.js';
import type { TtyLike } from './progress.js';

export interface CliIO {
  stdout: { write(s: string): unknown };
  stderr: TtyLike;
  /** Standard input, read for the `-` argument. */
  stdin: AsyncIterable<Uint8Array | string>;
  env: Readonly<Record<string, string | undefined>>;
}

export interface Command {
  spec: CommandSpec;
  /** Runs after the arguments parsed and checked; returns the exit code (0 ok, 1 failure). */
  run(parsed: Parsed, io: CliIO): Promise<number>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  classify: { summary: 'top classes of images, folders or standard input', load: () => import('./classify.js') },
  detect: { summary: 'objects in images (SSD models): labels, scores, boxes; annotated copies', load: () => import('./detect.js') },
  bench: { summary: 'time MobileNetV1 variants on this machine', load: () => import('./bench.js') },
  compare: { summary: 'set bench --json results side by side (boards, builds): medians and ratios', load: () => import('./compare.js') },
  info: { summary: 'this machine, its kernel sets, and the weights cache', load: () => import('./info.js') },
  fetch: { summary: 'download published weights into the cache', load: () => import('./fetch.js') },
};

export function usage(): string {
  const names = Object.keys(COMMANDS);
  const w = Math.max(...names.map((n) => n.length)) + 3;
  return [
    'Usage: mobilenet <command> [options]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(w)}${COMMANDS[n]!.summary}`),
    '',
    "Run 'mobilenet <command> --help' for its options; 'mobilenet --version' prints the version.",
    'Weights: --weights <path>, else MOBILENET_WEIGHTS, else the cache, else a download (MOBILENET_BASE_URL, MOBILENET_OFFLINE).',
    '',
  ].join('\n');
}

/**
 * The library's messages name its options ("for labels but received", "(the alpha option)", "pass
 * weights: '<path>'", "load({ weights: '...' })"); the user of a command typed flags, so those names become
 * the command's flags (--labels, --alpha, --weights).
 */
export function withFlagNames(message: string, spec: CommandSpec): string {
  // Standard input's bytes are an image or nothing: the API's hint about raw-pixel frames does not apply here.
  let m = message.replace(RAW_PIXELS_HINT, '');
  for (const name of Object.keys(spec.flags)) {
    m = m.replace(new RegExp(`\\bfor ${name} but received\\b`, 'g'), `for --${name} but received`).replaceAll(`(the ${name} option)`, `(--${name})`);
  }
  // fetch has no --weights: name the command that has it.
  const weights = 'weights' in spec.flags ? '--weights' : 'mobilenet classify --weights';
  m = m.replace(/\bload\(\{ weights: '([^']*)' \}\)/g, `${weights} $1`)
    .replace(/\b([Pp])ass weights: '<path>'/g, `$1ass ${weights} <path>`)
    .replace(/\bload\(\{ alpha, resolution \}\) finds them/g, '--alpha A --resolution R without --weights finds them');
  if ('format' in spec.flags) m = m.replace("Use format 'tflite' or 'tflite-quant'", 'Use --format tflite or tflite-quant');
  // precision: 'float' | 'integer' is classify's --precision, and bench's --dtype (float32, or uint8/int8).
  if ('precision' in spec.flags) m = m.replace(/\bprecision: '(float|integer)'/g, '--precision $1');
  else if ('dtype' in spec.flags) m = m.replace(/\bprecision: 'float'/g, '--dtype float32').replace(/\bprecision: 'integer'/g, '--dtype uint8 or int8');
  if ('max-pixels' in spec.flags) m = m.replace('pixels (maxInputPixels); raise load({ maxInputPixels }) to accept it', 'pixels (--max-pixels); raise --max-pixels to accept it');
  return m;
}

/** A command stopped by SIGINT (Ctrl-C) or SIGTERM during an interruptible step; exit code 128 + the signal's number. */
export class Interrupted extends Error {
  override name = 'Interrupted';
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted (${signal})`);
  }
  get exitCode(): number {
    return this.signal === 'SIGINT' ? 130 : 143;
  }
}

/**
 * Runs a step that may download (fetch, a classify whose weights are missing) so that Ctrl-C aborts the download
 * through `signal`: the downloader then removes its partial files and empty folders, and the command exits 130
 * (SIGTERM: 143). A second signal ends the process at once. Outside such steps the signals keep Node's default
 * (immediate exit): a synchronous bench loop could not answer a handler.
 */
export async function interruptible<T>(step: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let got: 'SIGINT' | 'SIGTERM' | undefined;
  const on = (sig: 'SIGINT' | 'SIGTERM'): void => {
    if (got) process.exit(new Interrupted(sig).exitCode);
    got = sig;
    ac.abort(new Interrupted(sig));
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  try {
    const r = await step(ac.signal);
    if (got) throw new Interrupted(got);
    return r;
  } catch (e) {
    if (got) throw new Interrupted(got);
    throw e;
  } finally {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  }
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) {
    io.stderr.write(usage());
    return 2;
  }
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    const sub = cmd === 'help' ? rest[0] : undefined;
    if (sub !== undefined && COMMANDS[sub]) {
      io.stdout.write(helpText((await COMMANDS[sub].load()).command.spec));
      return 0;
    }
    io.stdout.write(usage());
    return 0;
  }
  if (cmd === '--version' || cmd === '-v') {
    io.stdout.write(`${version}\n`);
    return 0;
  }
  const entry = COMMANDS[cmd];
  if (!entry) {
    const guess = closest(cmd, Object.keys(COMMANDS));
    io.stderr.write(`mobilenet: unknown command '${cmd}'${guess ? ` (did you mean ${guess}?)` : ''}\n\n${usage()}`);
    return 2;
  }
  const { command } = await entry.load();
  let parsed: Parsed;
  try {
    parsed = parseCommand(command.spec, rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`mobilenet ${cmd}: ${e.message}\nRun 'mobilenet ${cmd} --help' for usage.\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(helpText(command.spec));
    return 0;
  }
  try {
    return await command.run(parsed, io);
  } catch (e) {
    if (e instanceof Interrupted) {
      io.stderr.write(`mobilenet ${cmd}: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof UsageError) {
      io.stderr.write(`mobilenet ${cmd}: ${e.message}\nRun 'mobilenet ${cmd} --help' for usage.\n`);
      return 2;
    }
    io.stderr.write(`mobilenet ${cmd}: ${withFlagNames((e as Error).message, command.spec)}\n`);
    return 1;
  }
}
