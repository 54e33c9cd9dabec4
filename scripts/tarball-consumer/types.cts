// Type-checks the package's CommonJS declarations (exports "require" -> dist/cjs/index.d.ts) as a user's .cts file.
import mobilenet = require('mobilenet-native');

async function main(): Promise<string> {
  const model: mobilenet.MobileNet = await mobilenet.load({ weights: 'w', threads: 1 });
  const top: mobilenet.Classification[] = await model.classify('x.jpg', { topK: 1 });
  const n: number = mobilenet.IMAGENET_LABELS.length;
  return `${top[0].label} ${n}`;
}
export = main;
