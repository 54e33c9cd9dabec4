import type { QuantNet } from './tflite-quant.js';

// The one in-memory form every weight format is converted to before it reaches the native side.
// The native runtime folds BatchNorm (double precision) and packs for the chosen ISA.
//
// Canonical kernel layouts (float32, row-major):
//   conv1        [3, 3, 3, Cout]   (HWIO, as TF/Keras)
//   conv_dw_i    [3, 3, C]         (HWC; TF's [3, 3, C, 1])
//   conv_pw_i    [Cin, Cout]       (IO; TF's [1, 1, Cin, Cout])
//   conv_preds   [Cin, classes]    with bias [classes]
// Layer order: conv1, conv_dw_1, conv_pw_1, ..., conv_dw_13, conv_pw_13, conv_preds (28 layers),
// matching buildSpec(alpha, resolution).layers.

export interface BatchNorm {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

export interface LayerWeights {
  kernel: Float32Array;
  bias?: Float32Array;   // conv bias (TFLite folded bias, classifier bias)
  bn?: BatchNorm;        // unfolded BatchNorm (TF.js layers / Keras)
}

/** How a byte x in 0..255 becomes the network input. The two differ by 1 ulp for half the values. */
export type Normalization =
  | 'tfjs' /* float32(x / 127.5) - 1 */
  | 'tflite' /* (x - 127.5) / 127.5 */
  | 'tflite-uint8' /* (x - 128) / 128: the input quantization of Google's uint8 models */
  | 'quantized' /* scale * (x - zeroPoint): a uint8 input tensor's own quantization (inputQuantization) */;

/**
 * Fully connected layers after the backbone instead of conv_preds (Teachable Machine, Keras transfer
 * learning). Their weights follow the 27 backbone layers in `layers`: kernel [inputs, units], bias [units].
 * `flatten`: the first layer reads the flattened last feature map (H x W x C, NHWC) instead of the
 * pooled features. A final softmax is left to classify().
 */
export interface DenseHead {
  flatten: boolean;
  layers: { units: number; activation: 'relu' | 'linear' | 'softmax' }[];
}

export interface NetWeights {
  format: 'tfjs' | 'tflite' | 'synthetic';
  source: string;             // file or directory, used in messages and info
  alpha: number;
  /** Resolution the file declares (TFLite input shape); undefined when the format does not fix one. */
  resolution?: number;
  classes: number;            // 1000 (TF.js/Keras), 1001 (TFLite, index 0 = background), any for custom heads, 0 = headless (no conv_preds layer)
  /** 1 when index 0 is 'background' (TFLite): ImageNet class i is logit i + classOffset. */
  classOffset: number;
  normalization: Normalization;
  /** With normalization 'quantized': the uint8 input tensor's scale and zero point (TFLite quantization). */
  inputQuantization?: { scale: number; zeroPoint: number };
  /** A dense head in place of conv_preds; `classes` is its last layer's units. */
  head?: DenseHead;
  /** Class names the file carries (Teachable Machine metadata.json, TFLite metadata), one per real class. */
  labels?: readonly string[];
  quantized?: boolean;        // true when dequantized from uint8/int8/float16 at load
  layers: LayerWeights[];
  /** The integer form of a quantized file (lib/weights/tflite-quant.ts): what the integer path runs. */
  quant?: QuantNet;
  /** Why a quantized file has no integer form (it then runs only with precision: 'float'). */
  quantError?: string;
}
