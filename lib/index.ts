// The public API: load() and the model, the weights resolver, every error class, and the value sets
// and types a TypeScript user needs. Nothing here mentions Node's own types (no @types/node needed).
export { load, checkResolution } from './model.js';
export type { MobileNet, LoadOptions, ModelInfo, Classification, InferOptions, IntegerInferOptions, ClassifyOptions, Input, Frame, Detection, DetectOptions } from './model.js';
export type { PixelFormat, TensorInput, SharpRaw, Background, BlobLike } from './model.js';
export type { NativeProfile, OutputArray } from './binding.js';
export { buildSpec, buildMobileNetV1, appendLayer, samePadding, RELU6, NO_ACTIVATION } from './graph.js';
export type { NetSpec, LayerSpec, Graph, GraphLayer, LayerKind, DType, Quantization, NewLayer } from './graph.js';
export { ALPHAS, RESOLUTIONS, ISAS, FORMATS, LIMITS } from './validate.js';
export type { Alpha, Isa, WeightsFormat, FileUrl } from './validate.js';
export { INTEGER_ISAS } from './graph-quant.js';
export type { IntegerIsa } from './graph-quant.js';
export { readWeights, syntheticWeights } from './weights/index.js';
export type { NetWeights, LayerWeights, BatchNorm, Normalization, DenseHead } from './weights/index.js';
export { resolveWeights, fetchWeights, cacheDir, listCached } from './weights/resolve.js';
export type {
  ResolveOptions, ResolvedWeights, WeightsSource, FetchOptions, FetchResult, CachedEntry, CacheStatus, ListCachedOptions,
  RecordBasis, Env,
} from './weights/resolve.js';
export type { AbortSignalLike, DownloadProgress, ProgressCallback, NetworkOptions } from './weights/network.js';
export { IMAGENET_LABELS } from './imagenet-labels.js';
export { COCO_LABELMAP } from './coco-labels.js';
export { WeightsError, WeightsNotFoundError, DownloadError, IntegrityError } from './errors.js';
export type { DownloadErrorCode } from './errors.js';
export { version } from './version.js';
