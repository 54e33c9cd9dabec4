// The integer path of a Network: MobileNetV1 in uint8 (per-tensor) or int8 (per-channel) arithmetic,
// bit-exact with TensorFlow Lite 2.2 (contracts and requantization: kernels/qkernels.h,
// kernels/requantization.h; parameters from lib/weights/tflite-quant.ts). It runs the same plan as the
// float path (build_mobilenet_v1_plan), on the owning Network's thread pool, with the integer kernel
// table chosen at creation; weights are packed once (runtime/qpack.h folds the zero points into the bias).
// run() allocates nothing: activations ping-pong between two byte buffers sized for the largest layer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../kernels/qkernels.h"
#include "buffer.h"
#include "network.h"
#include "threadpool.h"

namespace mn {

// One layer's integer weights and requantization, in TFLite's layouts (qpack.h): conv1 [c_out x 27],
// depthwise [9 x c], pointwise / classifier [c_out x c_in]. Per-channel arrays have out_c values.
struct QLayerParams {
  const void* weights = nullptr; size_t weights_len = 0;  // bytes (uint8 or int8 as the dtype)
  const int32_t* bias = nullptr; size_t bias_len = 0;
  const int32_t* multiplier = nullptr; const int32_t* shift = nullptr; size_t requant_len = 0;
  int32_t weight_zero_point = 0, input_zero_point = 0, output_zero_point = 0;
  int32_t output_min = 0, output_max = 0;
};

struct QuantConfig {
  bool int8 = false;                  // false: uint8 per-tensor; true: int8 per-channel
  double input_scale = 1.0;           // graph input
  int32_t input_zero_point = 0;
  double pool_scale = 1.0;            // the pooled features (average pool input = output)
  int32_t pool_zero_point = 0;
  double output_scale = 1.0;          // the logits
  int32_t output_zero_point = 0;
  std::vector<QLayerParams> layers;   // one per plan layer (conv1 .. conv_preds)
  std::string isa;                    // integer kernel table ("" = best)
  std::string isa_source = "MOBILENET_QISA";
};

class QNetwork {
 public:
  // Validates every length and value against the plan (std::invalid_argument naming the layer), packs.
  QNetwork(const std::vector<LayerDesc>& plan, size_t resolution, const QuantConfig& q, ThreadPool& pool);

  const QKernelTable& kernels() const { return *kt_; }
  bool int8() const { return q_.int8; }
  size_t memory_bytes() const;
  void reserve_batch(size_t batch);

  // Input: bytes through the shared crop/resize (uint8 models take them as is, int8 models byte - 128,
  // the convention of int8 files whose input quantization is the uint8 one shifted by 128); a float tensor
  // is quantized with the input's scale and zero point (round half away from zero, saturate), as QUANTIZE.
  void set_input_frame(size_t image, const uint8_t* data, size_t width, size_t height, size_t channels);
  void set_input_tensor(size_t image, const float* data);

  // Runs `batch` staged inputs (or `external` float tensors, quantized first). Integer results stay in
  // qlogits()/qfeatures(); dequantized copies go to logits/features (batch x classes / features floats).
  void run(size_t batch, bool classify, Profile* profile, const float* external, float* logits, float* features);
  const uint8_t* qlogits() const { return qlogits_.data(); }    // int8 bytes when int8()
  const uint8_t* qfeatures() const { return qfeatures_.data(); }

 private:
  struct Layer {
    const LayerDesc* desc;
    size_t packed_offset;
    QOutputParams out;
    int32_t input_zero_point;
  };
  template <typename T> void run_typed(size_t batch, bool classify, Profile* profile, const float* external);
  template <typename T> void run_layer(const Layer& l, const T* in, T* out);
  template <typename T> void gemm(const Layer& l, size_t m, const T* a, T* c);
  uint8_t* staged(size_t image) { return input_.data() + image * input_bytes_; }

  const std::vector<LayerDesc>& plan_;
  QuantConfig q_;
  const QKernelTable* kt_;
  ThreadPool& pool_;
  std::vector<Layer> layers_;
  size_t input_bytes_, features_, classes_, resolution_;
  AlignedBuffer packed_;  // 64-byte aligned storage, used as bytes
  std::vector<uint8_t> ping_, pong_, input_, qfeatures_, qlogits_;
  size_t batch_capacity_ = 0;
};

}  // namespace mn
