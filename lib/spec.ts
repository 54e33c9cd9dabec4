// MobileNetV1 architecture as data: the layer table for a width multiplier α and resolution ρ,
// with multiply-accumulate and parameter counts. The native plan is built from the same numbers.

export const ALPHAS = [0.25, 0.5, 0.75, 1.0] as const;
export const RESOLUTIONS = [128, 160, 192, 224] as const;

/** Base channel counts of the 13 depthwise-separable blocks (pointwise outputs), before α. */
const BLOCK_CHANNELS = [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024] as const;
/** Depthwise stride of each block. */
const BLOCK_STRIDES = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1] as const;

export type LayerKind = 'conv' | 'dwconv' | 'pwconv' | 'classifier';

export interface LayerSpec {
  name: string;          // Keras names: conv1, conv_dw_1, conv_pw_1, ..., conv_preds
  kind: LayerKind;
  inChannels: number;
  outChannels: number;
  stride: number;
  inSize: number;        // input height = width
  outSize: number;
  kernelShape: number[]; // canonical layout of the weights this layer takes (see weights/types.ts)
  macs: number;
  params: number;        // weights + bias (BN folded)
}

export interface NetSpec {
  alpha: number;
  resolution: number;
  classes: number;
  layers: LayerSpec[];
  features: number;      // width of the pooled embedding, 1024·α
  macs: number;
  params: number;
}

export function scaledChannels(base: number, alpha: number): number {
  return Math.floor(base * alpha);
}

/** TF SAME output size. */
export function sameOutSize(inSize: number, stride: number): number {
  return Math.ceil(inSize / stride);
}

export function buildSpec(alpha: number, resolution: number, classes = 1000): NetSpec {
  const layers: LayerSpec[] = [];
  let size = resolution;
  let ch = scaledChannels(32, alpha);
  const conv1Out = sameOutSize(size, 2);
  layers.push({
    name: 'conv1', kind: 'conv', inChannels: 3, outChannels: ch, stride: 2, inSize: size, outSize: conv1Out,
    kernelShape: [3, 3, 3, ch], macs: conv1Out * conv1Out * 27 * ch, params: 27 * ch + ch,
  });
  size = conv1Out;
  BLOCK_CHANNELS.forEach((base, i) => {
    const stride = BLOCK_STRIDES[i];
    const out = sameOutSize(size, stride);
    layers.push({
      name: `conv_dw_${i + 1}`, kind: 'dwconv', inChannels: ch, outChannels: ch, stride, inSize: size, outSize: out,
      kernelShape: [3, 3, ch], macs: out * out * 9 * ch, params: 9 * ch + ch,
    });
    const next = scaledChannels(base, alpha);
    layers.push({
      name: `conv_pw_${i + 1}`, kind: 'pwconv', inChannels: ch, outChannels: next, stride: 1, inSize: out, outSize: out,
      kernelShape: [ch, next], macs: out * out * ch * next, params: ch * next + next,
    });
    ch = next;
    size = out;
  });
  layers.push({
    name: 'conv_preds', kind: 'classifier', inChannels: ch, outChannels: classes, stride: 1, inSize: 1, outSize: 1,
    kernelShape: [ch, classes], macs: ch * classes, params: ch * classes + classes,
  });
  return {
    alpha, resolution, classes, layers, features: ch,
    macs: layers.reduce((s, l) => s + l.macs, 0),
    params: layers.reduce((s, l) => s + l.params, 0),
  };
}
