// Type-checks the package's ESM declarations (exports "import" -> dist/index.d.ts) as a user's .mts file.
import { load, IMAGENET_LABELS, type Classification, type MobileNet } from 'mobilenet-native';

const model: MobileNet = await load({ weights: 'w', threads: 1 });
const top: Classification[] = await model.classify('x.jpg', { topK: 1 });
const n: number = IMAGENET_LABELS.length;
export const summary = `${top[0].label} ${n}`;
