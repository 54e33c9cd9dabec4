// The layer table the runtime executes, as lib/graph.ts builds it (that file documents the format).
// This side only checks it: every shape follows from its inputs, every weight has the length its
// shape says, every kind/dtype combination has a kernel in this build. It never derives the
// architecture (no SAME padding, no channel schedule here).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "detection_postprocess.h"

namespace mn {

// Bounds shared with lib/validate.ts LIMITS (test/hostile.test.ts compares them through the binding).
struct Limits {
  static constexpr size_t kMaxResolution = 2048;
  static constexpr size_t kMaxClasses = 100000;
  static constexpr size_t kMaxThreads = 256;
  static constexpr size_t kMaxBatch = 4096;
  static constexpr size_t kMaxConcurrency = 64;
  static constexpr size_t kMaxLayers = 1024;
};

enum class LayerKind { Conv, Dwconv, Pwconv, Classifier, Gavgpool, Add, Concat, Logistic, DetectionPostprocess };
constexpr size_t kLayerKinds = 9;
constexpr size_t kMaxLayerInputs = 16;  // concat: SSD joins 6 predictor maps
const char* layer_kind_name(LayerKind k);        // the table's name: "conv", "dwconv", ...
const char* layer_kind_profile_name(LayerKind k); // grouping in profiles: "conv", "depthwise", "pointwise", ...
bool parse_layer_kind(const std::string& s, LayerKind* out);

enum class DType { Float32, Uint8, Int8 };
const char* dtype_name(DType t);
bool parse_dtype(const std::string& s, DType* out);

// real = scale * (q - zero_point); one entry, or one per channel of the last axis.
struct Quantization {
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
};

struct TensorDesc {
  size_t h = 0, w = 0, c = 0;
  DType dtype = DType::Float32;
  Quantization quant;
  size_t elements() const { return h * w * c; }
};

// Raw weights of one layer in the canonical layouts (lib/weights/types.ts). BN optional.
struct RawWeights {
  const float* kernel = nullptr; size_t kernel_len = 0;
  const float* bias = nullptr; size_t bias_len = 0;
  const float* gamma = nullptr; const float* beta = nullptr;
  const float* mean = nullptr; const float* variance = nullptr;
  size_t bn_len = 0;      // 0 = no BatchNorm
  double epsilon = 1e-3;
  // Integer layers (qlayers.h), TFLite layouts: conv [cout x 27], dwconv [9 x c], pwconv/classifier
  // [cout x cin]; uint8 or int8 as the layer's dtype. Per output channel: int32 bias, Q31 multiplier
  // and power-of-two shift (TFLite QuantizeMultiplier, lib/weights/tflite-quant.ts).
  const void* qkernel = nullptr; size_t qkernel_len = 0;
  const int32_t* qbias = nullptr; size_t qbias_len = 0;
  const int32_t* multiplier = nullptr; const int32_t* shift = nullptr; size_t requant_len = 0;
  int32_t weight_zero_point = 0;
};

struct GraphLayer {
  std::string name;
  LayerKind kind = LayerKind::Conv;
  std::vector<uint32_t> inputs;   // tensor ids; the output is tensor (index + 1)
  TensorDesc out;
  size_t kh = 1, kw = 1, stride = 1;
  size_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  float min = 0, max = 0;         // fused clamp
  size_t macs = 0;                // from the table, for GFLOP/s in profiles
  RawWeights weights;             // valid during construction only (detection_postprocess: kernel = anchors)
  bool has_weights = false;
  DetectionPostprocessOptions detection;  // detection_postprocess only
};

struct GraphOutput {
  std::string name;
  uint32_t tensor;
};

struct Graph {
  TensorDesc input;
  std::vector<GraphLayer> layers;
  std::vector<GraphOutput> outputs;
  // Tensor t's descriptor: 0 = input, i + 1 = layers[i].out.
  const TensorDesc& tensor(uint32_t t) const { return t == 0 ? input : layers[t - 1].out; }
  size_t tensors() const { return layers.size() + 1; }
};

// Throws std::invalid_argument naming the layer and what does not fit. `kernels_ok(kind, ...)`
// questions are answered by the executor (model.cc): validation of shapes is here.
void validate_graph(const Graph& g);

}  // namespace mn
