// import 'mobilenet-native' from an ES module: classify a photo, check the top-1 label.
// node classify.mjs <weights> <image> <accepted top-1 label prefix>...
import { load } from 'mobilenet-native';

const [weights, image, ...accepted] = process.argv.slice(2);
try {
  const model = await load({ weights });
  const [top] = await model.classify(image, { topK: 1 });
  const ok = accepted.some((a) => top.label.startsWith(a));
  console.log(`import: ${top.label} (${top.probability.toFixed(3)}) isa=${model.info.isa} ${ok ? 'ok' : `FAIL, expected ${accepted.join(' or ')}`}`);
  model.dispose();
  process.exitCode = ok ? 0 : 1;
} catch (e) {
  console.error(`import: FAIL ${e.stack}`);
  process.exitCode = 1;
}
