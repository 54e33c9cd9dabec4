export { load, checkResolution } from './model.js';
export type { MobileNet, LoadOptions, ModelInfo, Classification, InferOptions, ClassifyOptions, Input, Frame } from './model.js';
export type { PixelFormat, TensorInput, SharpRaw, Background } from './model.js';
export { buildSpec, ALPHAS, RESOLUTIONS } from './spec.js';
export type { NetSpec, LayerSpec } from './spec.js';
export { readWeights, syntheticWeights } from './weights/index.js';
export type { NetWeights, LayerWeights, BatchNorm, Normalization, DenseHead } from './weights/index.js';
export { IMAGENET_LABELS } from './imagenet-labels.js';
export { WeightsError } from './errors.js';
