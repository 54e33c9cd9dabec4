// Label files: one class name per line, or Teachable Machine's, TFLite Model Maker's and Coral's
// `index name` lines ("0 daisy", "0  person", "0: person"). The index prefix is read only when every line has it and
// the indices start at 0 and only go up, so a plain label that starts with a number is kept. Coral's
// coco_labels.txt skips the ids COCO does not use (no 11, 25, ...): each name goes to its index, the
// missing ones are empty, as a blank line is. Where a label is used, an empty one means "no label": classify() shows
// the class index (which is the file id minus the background line's offset, so parseLabels cannot write it), detect()
// leaves the detection unlabelled.
import { withoutBom } from './files.js';

/**
 * Splits a labels file into names. Blank lines at the end add no label (an editor's extra newline made a
 * 1000-line ImageNet file count 1001 lines, read as one with a background line: every label shifted by one);
 * a blank line in the middle keeps its class's place (an empty name: classify() shows the class index as text, as for
 * a class without a label).
 */
export function parseLabels(text: string): string[] {
  const lines = withoutBom(text).split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const pairs = lines.map((l) => /^(\d+)(?::\s*|\s+)(\S.*)$/.exec(l));
  const indexed = pairs.length > 0 && pairs.every((m, i) => m !== null && (i === 0 ? Number(m[1]) === 0 : Number(m[1]) > Number(pairs[i - 1]![1])));
  if (!indexed) return lines;
  const names = Array.from({ length: Number(pairs[pairs.length - 1]![1]) + 1 }, () => '');
  for (const m of pairs) names[Number(m![1])] = m![2]!;
  return names;
}
