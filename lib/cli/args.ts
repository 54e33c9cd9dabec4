// The one argument parser of every subcommand: a command is a table (flags, their help and how each
// value is checked), and this file turns it into util.parseArgs options, `--help` text, and usage
// errors that name the flag, list the valid ones and suggest the closest ("did you mean").
//
// util.parseArgs (Node's own, no dependency) does the tokenising; commander or yargs would bring their
// own error wording, exit codes (1) and help layout, each of which we would have to override to keep
// exit code 2, flag-named messages and one help style, so they would not earn their place here.
import { parseArgs } from 'node:util';
import { closest, rangeError } from '../errors.js';
import { ALPHAS, checkInteger, checkOneOf, checkResolution, checkThreads, LIMITS, parseNumber, RESOLUTION_EXPECTED } from '../validate.js';

/** A command-line mistake: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface FlagSpec<T = unknown> {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder in the help, e.g. 'K' for `--top K`. */
  value?: string;
  help: string;
  /** Checks and converts a string value; throws (TypeError/RangeError/UsageError) with a message naming `flag`. */
  parse?: (raw: string, flag: string) => T;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** e.g. '<image|folder|->...'; empty for none. */
  args: string;
  minPositionals?: number;
  /** What the arguments are, in words, for the error when there are too few (default: `args`). */
  argsExpected?: string;
  /** Undefined: any number. */
  maxPositionals?: number;
  flags: Record<string, FlagSpec>;
  /** Extra paragraphs after the flag list. */
  notes?: string;
}

const HELP: FlagSpec = { type: 'boolean', short: 'h', help: 'show this help' };

function allFlags(spec: CommandSpec): Record<string, FlagSpec> {
  return { ...spec.flags, help: HELP };
}

export function helpText(spec: CommandSpec): string {
  const flags = allFlags(spec);
  const rows = Object.entries(flags).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.value ? ` ${f.value}` : ''}`;
    return [left, f.help] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const lines = [
    `Usage: mobilenet ${spec.name}${spec.args ? ` ${spec.args}` : ''} [options]`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([l, h]) => `  ${l.padEnd(width)}${h.replace(/\n/g, `\n  ${' '.repeat(width)}`)}`),
  ];
  if (spec.notes) lines.push('', spec.notes);
  return lines.join('\n') + '\n';
}

export interface Parsed {
  /** Values after `parse`: strings, booleans or whatever the flag's parse returns; absent flags are absent. */
  values: Record<string, unknown>;
  positionals: string[];
  help: boolean;
}

function flagList(spec: CommandSpec): string {
  return Object.keys(allFlags(spec)).map((k) => `--${k}`).join(', ');
}

/** `--threads -1` as `--threads=-1`: parseArgs takes a value that starts with '-' for an option ("argument is
 * ambiguous"); a negative number after a flag that takes a value is that value, and its parser says what is wrong. */
function joinNegativeValues(argv: readonly string[], options: Record<string, { type: 'string' | 'boolean'; short?: string }>): string[] {
  const takesValue = (t: string): boolean => { // long flags only: no short flag takes a value
    const long = /^--([^=]+)$/.exec(t)?.[1];
    return long !== undefined && options[long]?.type === 'string';
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!, next = argv[i + 1];
    if (t === '--') { out.push(...argv.slice(i)); break; }
    if (next !== undefined && /^-(\d|\.\d)/.test(next) && takesValue(t)) { out.push(`${t}=${next}`); i++; } else out.push(t);
  }
  return out;
}

/** Parses `argv` against `spec`; throws UsageError for anything the user must fix. */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): Parsed {
  const flags = allFlags(spec);
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, f] of Object.entries(flags)) options[name] = f.short ? { type: f.type, short: f.short } : { type: f.type };
  let raw: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    raw = parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals: true, strict: true }) as typeof raw;
  } catch (e) {
    const msg = (e as Error).message;
    const unknown = /Unknown option '(-{1,2})([^'=]+)/.exec(msg);
    if (unknown) {
      const given = `${unknown[1]}${unknown[2]}`;
      const guess = closest(unknown[2]!, Object.keys(flags));
      throw new UsageError(
        `Unknown option '${given}' for mobilenet ${spec.name}${guess ? ` (did you mean --${guess}?)` : ''}. Valid options: ${flagList(spec)}`,
      );
    }
    const missing = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(msg);
    if (missing) throw new UsageError(`Expected a value after ${missing[1]}`);
    const noArg = /Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(msg);
    if (noArg) throw new UsageError(`${noArg[1]} takes no value`);
    throw new UsageError(msg.split('\n')[0]!.replace(/\. To specify.*$/, ''));
  }
  if (raw.values.help) return { values: {}, positionals: raw.positionals, help: true };
  const n = raw.positionals.length;
  if (spec.maxPositionals === 0 && n > 0) {
    throw new UsageError(`Unexpected argument '${raw.positionals[0]}' for mobilenet ${spec.name} (it takes options only)`);
  }
  if (spec.maxPositionals !== undefined && n > spec.maxPositionals) {
    throw new UsageError(`Expected at most ${spec.maxPositionals} argument(s) for mobilenet ${spec.name} but received ${n}`);
  }
  if (n < (spec.minPositionals ?? 0)) {
    throw new UsageError(`Expected ${spec.argsExpected ?? spec.args} for mobilenet ${spec.name} but received ${n === 0 ? 'none' : n}`);
  }
  const values: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(raw.values)) {
    if (v === undefined || name === 'help') continue;
    const f = flags[name]!;
    if (typeof v === 'string' && f.parse) {
      try {
        values[name] = f.parse(v, `--${name}`);
      } catch (e) {
        // The value was typed as text: say so, not "5 of type number".
        if (e instanceof TypeError || e instanceof RangeError) throw new UsageError(e.message.replace(/ but received .*$/s, ` but received '${v}'`));
        if (e instanceof UsageError) throw e;
        throw e;
      }
    } else {
      values[name] = v;
    }
  }
  return { values, positionals: raw.positionals, help: false };
}

/**
 * --resolution parsed by parsers.inputSize, without --weights: it names a published (or synthetic) network, so a
 * multiple of 32 as parsers.resolution asks. With --weights, load() checks it against the file.
 */
export function checkResolutionFlag(values: number | readonly number[] | undefined, weights: string | undefined): void {
  if (weights !== undefined) return;
  for (const r of typeof values === 'number' ? [values] : values ?? []) {
    if (r % 32 !== 0) throw new UsageError(`Expected ${RESOLUTION_EXPECTED} for --resolution but received '${r}'`);
  }
}

// ---------------------------------------------------------------------------------------------
// Value parsers shared by commands: each checks with validate.ts under the flag's name.

const ALPHA_NAMES = `one of ${ALPHAS.map((a) => (Number.isInteger(a) ? a.toFixed(1) : String(a))).join(', ')}`;

export const parsers = {
  /** A width multiplier with published weights (1.0, 0.75, 0.5, 0.25); bench takes any (synthetic weights). */
  alpha: (raw: string, flag: string): number => {
    const a = ALPHAS.find((x) => raw.trim() !== '' && x === Number(raw));
    if (a === undefined) throw rangeError(flag, ALPHA_NAMES, raw);
    return a;
  },
  resolution: (raw: string, flag: string): number => checkResolution(parseNumber(flag, raw, RESOLUTION_EXPECTED), flag),
  /**
   * bench's --resolution: any size up to the limit here, since a fixed-input file given by --weights (SSD: 300) takes
   * its own; checkResolutionFlag asks for a multiple of 32 when there is no --weights, load() checks it against the file.
   */
  inputSize: (raw: string, flag: string): number =>
    checkInteger(flag, parseNumber(flag, raw, RESOLUTION_EXPECTED), 1, LIMITS.maxResolution, RESOLUTION_EXPECTED),
  threads: (raw: string, flag: string): number => checkThreads(parseNumber(flag, raw, `an integer between 1 and ${LIMITS.maxThreads}`), flag),
  int: (lo: number, hi: number) => (raw: string, flag: string): number =>
    checkInteger(flag, parseNumber(flag, raw, `an integer between ${lo} and ${hi}`), lo, hi),
  oneOf: <T extends string>(values: readonly T[]) => (raw: string, flag: string): T => checkOneOf(flag, raw, values),
  /** A comma-separated list, each item checked by `item`; duplicates dropped. */
  list: <T>(item: (raw: string, flag: string) => T) => (raw: string, flag: string): T[] => {
    const parts = raw.split(',').map((s) => s.trim());
    if (parts.some((p) => p === '')) throw new UsageError(`Expected a comma-separated list for ${flag} but received '${raw}'`);
    return [...new Set(parts.map((p) => {
      try {
        return item(p, flag);
      } catch (e) {
        // Name the item that is wrong, not the whole list.
        if (parts.length > 1 && (e instanceof TypeError || e instanceof RangeError || e instanceof UsageError)) {
          throw new UsageError(e.message.replace(/ but received .*$/s, ` but received '${p}' (in '${raw}')`));
        }
        throw e;
      }
    }))];
  },
};
