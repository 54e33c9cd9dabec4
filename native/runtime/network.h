// The network plan (a list of layer descriptors built from alpha and resolution) and the
// executor that runs it. Weights are folded (BatchNorm) and packed once in the constructor;
// run() is const-like: it allocates nothing and touches only the model's own arena.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../kernels/kernels.h"
#include "buffer.h"
#include "threadpool.h"

namespace mn {

enum class LayerKind { Conv3x3s2, Dwconv3x3, Pointwise, Classifier };
const char* layer_kind_name(LayerKind k);

struct LayerDesc {
  LayerKind kind;
  std::string name;       // Keras name: conv1, conv_dw_1, conv_pw_1, ..., conv_preds
  size_t in_h, in_w, in_c;
  size_t out_h, out_w, out_c;
  size_t stride, pad_top, pad_left;
  float min, max;         // fused activation clamp
  size_t kernel_size;     // floats in the canonical (unpacked) kernel, for validation
  size_t macs;
  size_t packed_offset = 0, packed_size = 0;  // into Network's packed weights
};

// Channels of MobileNetV1 at width multiplier alpha; resolution any multiple of 32 >= 32.
std::vector<LayerDesc> build_mobilenet_v1_plan(double alpha, size_t resolution, size_t classes);

// Raw weights of one layer in the canonical layouts (lib/weights/types.ts). BN optional.
struct RawLayer {
  const float* kernel = nullptr; size_t kernel_len = 0;
  const float* bias = nullptr; size_t bias_len = 0;
  const float* gamma = nullptr; const float* beta = nullptr;
  const float* mean = nullptr; const float* variance = nullptr;
  size_t bn_len = 0;      // 0 = no BatchNorm
  double epsilon = 1e-3;
};

enum class Normalization { Tfjs, Tflite, TfliteUint8 };

struct NetworkConfig {
  double alpha = 1.0;
  size_t resolution = 224;
  size_t classes = 1000;
  size_t threads = 1;
  Normalization normalization = Normalization::Tfjs;
  std::string isa;        // "" = best for this CPU
  std::string isa_source = "MOBILENET_ISA";  // named in the error when `isa` is not available
};

// Per-layer-type time accumulated by run() when profiling is on (nanoseconds).
struct Profile {
  double ns[4] = {0, 0, 0, 0};  // indexed by LayerKind
  double pool_ns = 0;
  std::vector<double> layer_ns;  // per plan layer, same order as plan()
  size_t runs = 0;
  // Optional: called before each plan layer with its index, and with plan().size() before the global
  // average pool (the classifier is the last plan layer). bench/arm-meter marks phases with it.
  void (*on_layer)(size_t layer) = nullptr;
};

class Network {
 public:
  // Validates every length against the plan (std::invalid_argument naming the layer), folds BN, packs.
  Network(const NetworkConfig& cfg, const std::vector<RawLayer>& layers);

  const std::vector<LayerDesc>& plan() const { return plan_; }
  const KernelTable& kernels() const { return *kernels_; }
  size_t threads() const { return pool_.threads(); }
  size_t resolution() const { return cfg_.resolution; }
  size_t classes() const { return cfg_.classes; }
  size_t features() const { return plan_.back().in_c; }
  size_t input_floats() const { return cfg_.resolution * cfg_.resolution * 3; }
  size_t memory_bytes() const;
  size_t macs() const;
  size_t params() const;

  // Grows the per-batch buffers (the only allocation after construction, and only when the
  // batch exceeds every earlier one).
  void reserve_batch(size_t batch);
  size_t batch_capacity() const { return batch_capacity_; }

  // Input staging (batch x R x R x 3 floats), written by the preprocessors below, read by run().
  float* input(size_t image) { return input_.data() + image * input_floats(); }
  // Normalises a frame of bytes into input(image): H x W x channels (3 or 4), any size;
  // center square crop + bilinear (half-pixel) resize when the size is not R x R.
  void set_input_frame(size_t image, const uint8_t* data, size_t width, size_t height, size_t channels);
  void set_input_tensor(size_t image, const float* data);

  // Runs the first `batch` staged inputs, or `batch` tensors at `external` (synchronous callers
  // skip the staging copy). Results stay in logits()/features() until the next run.
  void run(size_t batch, bool classify = true, Profile* profile = nullptr, const float* external = nullptr);
  const float* logits() const { return logits_.data(); }
  const float* features_out() const { return features_.data(); }

 private:
  void run_layer(const LayerDesc& l, const float* in, float* out);
  void gemm(size_t m, size_t n, size_t k, const float* a, const float* w, float* c, float min, float max);

  NetworkConfig cfg_;
  const KernelTable* kernels_;
  std::vector<LayerDesc> plan_;
  AlignedBuffer packed_;
  AlignedBuffer ping_, pong_;
  AlignedBuffer input_, features_, logits_;
  size_t batch_capacity_ = 0;
  float norm_lut_[256];
  ThreadPool pool_;
};

}  // namespace mn
