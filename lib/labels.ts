// Label files: one class name per line, or Teachable Machine's and TFLite Model Maker's
// `index name` lines ("0 daisy"). The index prefix is stripped only when every line has it and
// the indices run 0, 1, 2, ... in order, so a plain label that starts with a number is kept.

/**
 * Splits a labels file into names. Blank lines at the end add no label (an editor's extra newline made a
 * 1000-line ImageNet file count 1001 lines, read as one with a background line: every label shifted by one);
 * a blank line in the middle keeps its class's place.
 */
export function parseLabels(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const indexed = lines.length > 0 && lines.every((l, i) => {
    const m = /^(\d+)\s+(\S.*)$/.exec(l);
    return m !== null && Number(m[1]) === i;
  });
  return indexed ? lines.map((l) => l.replace(/^\d+\s+/, '')) : lines;
}
