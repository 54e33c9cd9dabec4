// Synthetic float32 MobileNetV2 .tflite files (seeded weights) laid out as TF's converter writes the released ones:
// CONV_2D 3x3/2 + RELU6, inverted residual blocks (1x1 expand RELU6, depthwise 3x3 RELU6, 1x1 linear project, ADD when
// the shape is kept), 1x1 conv to the features, global AVERAGE_POOL_2D, 1x1 classifier, RESHAPE, SOFTMAX. For the
// width multipliers V2 publishes but ../shared has no file for (0.35, 0.5, 0.75, 1.3, 1.4).
import { seededRandom } from '../../lib/weights/synthetic.js';
import { makeDivisible, V2_BLOCKS } from '../../lib/weights/tflite-graph.js';
import type { TfliteOperator, TfliteTensor } from '../../lib/weights/tflite.js';
import { serialize, type EditableModel } from './tflite-rewrite.js';

export function syntheticV2Tflite(alpha: number, resolution: number, classes: number, seed = 1): Uint8Array {
  const rnd = seededRandom(seed);
  const m: EditableModel = { tensors: [], inputs: [], outputs: [], operators: [], buffers: [new Uint8Array(0)] };
  const tensor = (name: string, shape: number[], data?: Float32Array): number => {
    let buffer = 0;
    if (data) { m.buffers.push(new Uint8Array(data.buffer.slice(0))); buffer = m.buffers.length - 1; }
    const t: TfliteTensor = { index: m.tensors.length, name, shape, type: 0, buffer };
    m.tensors.push(t);
    return t.index;
  };
  const random = (n: number, std: number) => Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * std * Math.sqrt(3));
  const op = (o: Omit<TfliteOperator, 'index'>) => { m.operators.push({ index: m.operators.length, ...o }); };
  let size = resolution;
  let x = tensor('input', [1, resolution, resolution, 3]);
  m.inputs.push(x);
  const conv = (name: string, cin: number, cout: number, k: number, stride: number, relu6: boolean): number => {
    size = Math.ceil(size / stride);
    const w = tensor(`${name}/weights`, [cout, k, k, cin], random(cout * k * k * cin, Math.sqrt(2 / (k * k * cin)) * 0.8));
    const b = tensor(`${name}/bias`, [cout], random(cout, 0.05));
    const y = tensor(name, [1, size, size, cout]);
    op({ opcode: 3, inputs: [x, w, b], outputs: [y], optionsType: 1, conv: { padding: 0, strideW: stride, strideH: stride, activation: relu6 ? 3 : 0, dilationW: 1, dilationH: 1 } });
    return (x = y);
  };
  const dw = (name: string, c: number, stride: number): number => {
    size = Math.ceil(size / stride);
    const w = tensor(`${name}/weights`, [1, 3, 3, c], random(9 * c, Math.sqrt(2 / 9) * 0.8));
    const b = tensor(`${name}/bias`, [c], random(c, 0.05));
    const y = tensor(name, [1, size, size, c]);
    op({ opcode: 4, inputs: [x, w, b], outputs: [y], optionsType: 2, conv: { padding: 0, strideW: stride, strideH: stride, depthMultiplier: 1, activation: 3, dilationW: 1, dilationH: 1 } });
    return (x = y);
  };
  let ch = makeDivisible(32 * alpha);
  conv('Conv', 3, ch, 3, 2, true);
  let block = 0;
  for (const [t, c, n, s] of V2_BLOCKS) {
    const cout = makeDivisible(c * alpha);
    for (let r = 0; r < n; r++, block++) {
      const input = x, cin = ch, stride = r === 0 ? s : 1;
      const prefix = block === 0 ? 'expanded_conv' : `expanded_conv_${block}`;
      if (t !== 1) conv(`${prefix}/expand`, cin, cin * t, 1, 1, true);
      dw(`${prefix}/depthwise`, t !== 1 ? cin * t : cin, stride);
      conv(`${prefix}/project`, t !== 1 ? cin * t : cin, cout, 1, 1, false);
      if (stride === 1 && cin === cout) {
        const y = tensor(`${prefix}/add`, [1, size, size, cout]);
        op({ opcode: 0, inputs: [x, input], outputs: [y], optionsType: 11, fusedActivation: 0 });
        x = y;
      }
      ch = cout;
    }
  }
  const features = alpha > 1 ? makeDivisible(1280 * alpha) : 1280;
  conv('Conv_1', ch, features, 1, 1, true);
  const pooled = tensor('AvgPool', [1, 1, 1, features]);
  op({ opcode: 1, inputs: [x], outputs: [pooled], optionsType: 5, pool: { padding: 1, strideW: 1, strideH: 1, filterW: size, filterH: size, activation: 0 } });
  x = pooled;
  size = 1;
  conv('Logits', features, classes, 1, 1, false);
  const shape = tensor('Squeeze/shape', [2], undefined);
  const squeezed = tensor('Squeeze', [1, classes]);
  op({ opcode: 22, inputs: [x, shape], outputs: [squeezed], optionsType: 0 });
  const probs = tensor('Predictions', [1, classes]);
  op({ opcode: 25, inputs: [squeezed], outputs: [probs], optionsType: 0 });
  m.outputs.push(probs);
  return serialize(m);
}
