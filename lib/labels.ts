// Label files: one class name per line, or Teachable Machine's and TFLite Model Maker's
// `index name` lines ("0 daisy"). The index prefix is stripped only when every line has it and
// the indices run 0, 1, 2, ... in order, so a plain label that starts with a number is kept.

/** Splits a labels file into names (a trailing newline does not add an empty label). */
export function parseLabels(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l, i, all) => l.length > 0 || i < all.length - 1);
  const indexed = lines.length > 0 && lines.every((l, i) => {
    const m = /^(\d+)\s+(\S.*)$/.exec(l);
    return m !== null && Number(m[1]) === i;
  });
  return indexed ? lines.map((l) => l.replace(/^\d+\s+/, '')) : lines;
}
