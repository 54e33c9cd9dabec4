export { load, checkResolution } from './model.js';
export type { MobileNet, LoadOptions, ModelInfo, Classification, InferOptions, ClassifyOptions, Input, Frame } from './model.js';
export { buildSpec, buildMobileNetV1, appendLayer, samePadding, ALPHAS, RESOLUTIONS, LIMITS, RELU6, NO_ACTIVATION } from './graph.js';
export type { NetSpec, LayerSpec, Graph, GraphLayer, LayerKind, DType, Quantization, NewLayer } from './graph.js';
export { readWeights, syntheticWeights } from './weights/index.js';
export type { NetWeights, LayerWeights, BatchNorm, Normalization } from './weights/index.js';
export { IMAGENET_LABELS } from './imagenet-labels.js';
export { WeightsError } from './errors.js';
