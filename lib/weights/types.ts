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
  | 'tflite-uint8' /* (x - 128) / 128: the input quantization of Google's uint8 models */;

export interface NetWeights {
  format: 'tfjs' | 'tflite' | 'synthetic';
  source: string;             // file or directory, used in messages and info
  alpha: number;
  /** Resolution the file declares (TFLite input shape); undefined when the format does not fix one. */
  resolution?: number;
  classes: number;            // 1000 (TF.js/Keras) or 1001 (TFLite, index 0 = background)
  /** 1 when index 0 is 'background' (TFLite): ImageNet class i is logit i + classOffset. */
  classOffset: number;
  normalization: Normalization;
  quantized?: boolean;        // true when dequantized from uint8 at load
  layers: LayerWeights[];
  /** The integer form of a quantized file (lib/weights/tflite-quant.ts): what the integer path runs. */
  quant?: QuantNet;
}
