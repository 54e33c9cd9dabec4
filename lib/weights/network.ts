// The public options and events of downloads, apart from download.ts so that the published types
// never reach undici's or Node's own (a TypeScript user needs neither @types/node nor undici's types).

/** What an AbortSignal offers, structurally (no DOM or Node types in the public surface). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Progress of one model download: bytes so far over all its files, and the total when known. */
export interface DownloadProgress {
  /** e.g. 'mobilenet_v1_0.25_224 (tfjs)'. */
  model: string;
  receivedBytes: number;
  /** Undefined until known (a Content-Length, or the registry's sizes). */
  totalBytes: number | undefined;
}

export type ProgressCallback = (p: DownloadProgress) => void;

/** Network settings shared by every download entry point. */
export interface NetworkOptions {
  /** Replaces https://storage.googleapis.com (mirrors, tests). Default: MOBILENET_BASE_URL, else official. */
  baseUrl?: string | undefined;
  /** Stall timeout: fail an attempt when no bytes arrive for this long (connect included). Default 30 s. */
  timeoutMs?: number | undefined;
  /** Overall timeout per file, retries included. Default 30 min. */
  totalTimeoutMs?: number | undefined;
  /** Extra attempts per file after a failure worth retrying. Default 3 (4 attempts). */
  retries?: number | undefined;
  /** Wait before the first retry, doubled for each next one (capped at 15 s). Default 1000 ms. */
  retryDelayMs?: number | undefined;
  /** Called as bytes arrive; the library itself prints nothing. */
  onProgress?: ProgressCallback | undefined;
  /** Aborting it stops the download and removes what it wrote. */
  signal?: AbortSignalLike | undefined;
}
