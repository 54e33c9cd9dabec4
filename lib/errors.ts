// Every error class the package throws, and the wording helpers every user-facing message is built
// with (sharp's habit): messages name the parameter (an option name in the API, a flag name such as
// `--top` in the CLI), what was expected and what was received, and tests assert the exact text.
// The limits those messages quote live in validate.ts.

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `'${value.length > 60 ? value.slice(0, 57) + '...' : value}' of type string`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${String(value)} of type ${typeof value}`;
  }
  if (ArrayBuffer.isView(value)) return `${value.constructor.name} of length ${(value as unknown as { length?: number }).length ?? value.byteLength}`;
  if (value instanceof ArrayBuffer) return `ArrayBuffer of ${value.byteLength} bytes`;
  if (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer) return `SharedArrayBuffer of ${value.byteLength} bytes`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'function') return 'a function';
  if (value instanceof URL) return `URL ${value.href}`;
  return `an object`;
}

/** Appended to "not a supported image" for bytes (not files): the API's answer to raw pixels passed without their size. */
export const RAW_PIXELS_HINT = "; raw pixels (a camera's RGB, RGBA, gray or YUV bytes) go in a frame { data, width, height, format }";

/** "Expected <expected> for <name> but received <actual>": TypeError for the wrong type, RangeError for a bad value. */
export function typeError(name: string, expected: string, actual: unknown): TypeError {
  return new TypeError(`Expected ${expected} for ${name} but received ${describe(actual)}`);
}

export function rangeError(name: string, expected: string, actual: unknown): RangeError {
  return new RangeError(`Expected ${expected} for ${name} but received ${describe(actual)}`);
}

/** Edit distance counting an adjacent swap as one edit (optimal string alignment), for "did you mean". */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to `word` when it is a plausible typo (at most a third of the letters off). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(Math.max(w.length, best.length) / 3)) ? best : undefined;
}

/** "Unknown option 'x' for fn; did you mean 'y'? Expected one of: a, b" */
export function unknownOptionError(key: string, fn: string, allowed: readonly string[]): TypeError {
  const guess = closest(key, allowed);
  return new TypeError(`Unknown option '${key}' for ${fn}${guess ? ` (did you mean '${guess}'?)` : ''}; expected one of: ${allowed.join(', ')}`);
}

/** A weights file problem: names the file, what was expected and what was found. */
export class WeightsError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'WeightsError';
  }
}

/** No weights for the request in MOBILENET_WEIGHTS or the cache, and none could be downloaded. */
export class WeightsNotFoundError extends Error {
  readonly code = 'WEIGHTS_NOT_FOUND';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WeightsNotFoundError';
  }
}

export type DownloadErrorCode =
  | 'HTTP_STATUS' | 'TIMEOUT' | 'TRUNCATED' | 'CHECKSUM' | 'SIZE' | 'NETWORK' | 'REDIRECT' | 'ARCHIVE' | 'ABORTED';

/** One download failed (after its retries, where the failure was worth retrying). */
/**
 * `text` with the user information of every URL in it (`https://user:token@mirror/…`) replaced by `***`, as npm
 * prints registry URLs: a mirror's credentials in MOBILENET_BASE_URL must not reach logs or error reports.
 */
export function redactUrl(text: string): string {
  // A proxy setting may omit the scheme (`user:pass@host:3128`): user information at the very start counts too.
  return text.replace(/(^|\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, '$1***@');
}

/** An fs error's code (ENOENT, EACCES...), or its message when the code says too little (EFBIG: files.ts's limit). */
export function errnoOrMessage(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code !== 'EFBIG' ? code : e instanceof Error ? e.message : String(e);
}

/** Why a file could not be read, in words: 'no such file', 'it is a directory', 'permission denied', else the system's message. */
export function describeFileError(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}

export class DownloadError extends Error {
  status?: number | undefined;
  /** How many attempts were made before giving up (1 when the failure was not worth retrying). */
  attempts?: number | undefined;
  /** The URL that failed, credentials redacted (see redactUrl). */
  readonly url: string;
  constructor(readonly code: DownloadErrorCode, url: string, message: string, options?: { cause?: unknown; status?: number }) {
    super(redactUrl(message), options?.cause === undefined ? undefined : { cause: options.cause });
    this.url = redactUrl(url);
    this.name = 'DownloadError';
    if (options?.status !== undefined) this.status = options.status;
  }
}

/** A cached file that no longer matches its record or its known hash. */
export class IntegrityError extends Error {
  constructor(readonly target: string, readonly problems: readonly string[], hint: string) {
    super(`${target}: integrity check failed\n  ${problems.join('\n  ')}\n${hint}`);
    this.name = 'IntegrityError';
  }
}
