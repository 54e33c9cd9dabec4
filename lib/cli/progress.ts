// The CLI's one progress bar (downloads and bench runs): a single line redrawn in place on stderr,
// only when stderr is a terminal, so logs and pipes never see it. Hand-rolled: one bar, no themes or
// multi-bars needed, and every dependency is one more thing to install on a Pi Zero.

export interface TtyLike {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBar {
  /** `done` of `total` units (bytes or runs; total undefined when unknown), `text` after the bar. */
  update(done: number, total: number | undefined, text: string): void;
  /** Erase the line (the caller prints the outcome). */
  clear(): void;
}

const NONE: ProgressBar = { update() {}, clear() {} };

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function progressBar(stream: TtyLike, label: string, minIntervalMs = 80): ProgressBar {
  if (!stream.isTTY) return NONE;
  let last = 0;
  let drawn = false;
  return {
    update(done, total, text) {
      const now = Date.now();
      if (now - last < minIntervalMs && !(total !== undefined && done >= total)) return;
      last = now;
      const cols = stream.columns || 80; // 0 when the terminal does not say
      let bar = '';
      if (total !== undefined && total > 0) {
        // The bar takes what the label and the text leave of the line (10 to 24 cells).
        const width = Math.max(10, Math.min(24, cols - 1 - label.length - text.length - 10));
        const frac = Math.min(done / total, 1);
        const fill = Math.round(frac * width);
        bar = `[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${String(Math.floor(frac * 100)).padStart(3)}% `;
      }
      const line = `${label} ${bar}${text}`;
      stream.write(`\r${line.slice(0, Math.max(cols - 1, 10))}\x1b[K`);
      drawn = true;
    },
    clear() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** A download's onProgress that draws the bar: bytes, total and rate. */
export function downloadBar(stream: TtyLike): { onProgress(p: { model: string; receivedBytes: number; totalBytes: number | undefined }): void; clear(): void } {
  let bar: ProgressBar | undefined;
  const start = Date.now();
  return {
    onProgress(p) {
      bar ??= progressBar(stream, p.model);
      const secs = Math.max((Date.now() - start) / 1000, 0.001);
      const total = p.totalBytes !== undefined ? `/${humanBytes(p.totalBytes)}` : '';
      bar.update(p.receivedBytes, p.totalBytes, `${humanBytes(p.receivedBytes)}${total} ${humanBytes(Math.round(p.receivedBytes / secs))}/s`);
    },
    clear() {
      bar?.clear();
    },
  };
}
