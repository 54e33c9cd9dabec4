// Immutable model + per-stream workspaces (ncnn's Net / Extractor).
//
// Model: the validated layer table (graph.h), the packed weights (BatchNorm folded once) and the
// arena plan. Built once; every method is const and nothing in it is written during inference, so
// any number of workspaces may run it at the same time.
// Workspace: everything one inference writes: the activation arena, the staged inputs, the
// results of the graph outputs, the thread pool that splits its layers, the profile. One
// workspace runs one inference at a time; which workspace runs a call never changes its result.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../kernels/kernels.h"
#include "../kernels/qkernels.h"
#include "buffer.h"
#include "graph.h"
#include "preprocess.h"
#include "threadpool.h"

namespace mn {

struct ModelConfig {
  size_t threads = 1;     // per workspace: the caller plus threads - 1 pool workers
  Normalization normalization = Normalization::Tfjs;
  float input_scale = 0.0f, input_zero_point = 0.0f;  // Normalization::Quantized only
  bool stretch_input = false;  // frames resized whole to R x R (detectors), not centre-cropped
  bool band_pairs = true;      // false: every layer whole, one after another (model.cc: band_groups; bit-identical)
  std::string isa;        // "" = best for this CPU; an integer kernel set (qdispatch.h) for integer graphs
  std::string isa_source = "MOBILENET_ISA";  // named in the error when `isa` is not available
};

// Time per layer accumulated by Model::run when profiling is on (nanoseconds).
struct Profile {
  std::vector<double> layer_ns;  // per graph layer
  size_t runs = 0;
  // Optional: called with the graph layer index before each layer runs (bench/arm-meter marks phases).
  void (*on_layer)(size_t layer) = nullptr;
};

class Model;

class Workspace {
 public:
  Workspace(const Model& m, size_t threads);
  // Grows the per-batch buffers (the only allocation after creation, and only when the batch
  // exceeds every earlier one).
  void reserve_batch(size_t batch);
  size_t batch_capacity() const { return batch_capacity_; }
  size_t memory_bytes() const;
  size_t threads() const { return pool_.threads(); }

  // Staged input `image` (R x R x 3 floats; an integer graph input keeps its R x R x 3 bytes at the
  // same place), written by the preprocessors, read by Model::run.
  float* input(size_t image) { return input_.data() + image * input_floats_; }
  const float* input(size_t image) const { return input_.data() + image * input_floats_; }
  // Normalises a frame (any size and FrameFormat, checked with frame_check) into input(image):
  // center square crop + bilinear (half-pixel) resize when the size is not R x R.
  void set_input_frame(size_t image, const FrameView& frame);
  // data: R x R x 3 floats, NHWC; or, with nchw, 3 planes of R x R (transposed here, off the caller's JS heap).
  void set_input_tensor(size_t image, const float* data, bool nchw = false);
  // Results of graph output `o` for the images of the last run: batch x elements(o) floats
  // (an integer output: dequantized, real = scale * (q - zero_point)).
  const float* result(size_t o) const { return results_[o].data(); }
  // An integer output's values themselves: batch x elements(o) bytes (uint8, or int8 two's complement).
  const uint8_t* qresult(size_t o) const { return qresults_[o].data(); }
  Profile& profile() { return profile_; }

 private:
  friend class Model;
  const Model& model_;
  size_t input_floats_;
  AlignedBuffer arena_, input_;
  AlignedBuffer scratch_;               // im2col rows of a general 3x3 conv (Model::scratch_floats())
  DetectionScratch detection_;          // TFLite_Detection_PostProcess work vectors
  std::vector<AlignedBuffer> results_;  // one per graph output
  std::vector<std::vector<uint8_t>> qresults_;  // one per graph output (empty for float outputs)
  std::vector<float> nchw_;  // an NCHW tensor transposed before an integer input quantizes it (else unused)
  size_t batch_capacity_ = 0;
  ThreadPool pool_;
  Profile profile_;
};

class Model {
 public:
  // Validates the graph (std::invalid_argument naming the layer), folds BN, packs, plans the arena.
  Model(const ModelConfig& cfg, Graph graph);

  const Graph& graph() const { return graph_; }
  const KernelTable& kernels() const { return *kernels_; }
  // The integer kernel set, when the graph has integer layers (else null).
  const QKernelTable* qkernels() const { return qkernels_; }
  // The kernel set name info() reports: the integer one for integer graphs.
  const char* isa() const { return qkernels_ ? qkernels_->isa : kernels_->isa; }
  size_t threads() const { return cfg_.threads; }
  size_t resolution() const { return graph_.input.h; }
  size_t input_floats() const { return graph_.input.elements(); }
  size_t output_floats(size_t o) const { return graph_.tensor(graph_.outputs[o].tensor).elements(); }
  // The output that needs the most layers (a classifier's logits): what profiles run.
  size_t widest_output() const;
  size_t weights_bytes() const { return packed_.size() * sizeof(float); }
  size_t arena_floats() const { return arena_floats_; }
  size_t scratch_floats() const { return scratch_floats_; }
  const float* norm_lut() const { return norm_lut_; }
  bool stretch_input() const { return cfg_.stretch_input; }

  std::unique_ptr<Workspace> create_workspace() const { return std::make_unique<Workspace>(*this, cfg_.threads); }

  // Runs the first `batch` staged inputs of `ws` (or `batch` tensors at `external`: synchronous
  // callers skip the staging copy), computing only the layers graph output `output` needs; the
  // result lands in ws.result(output). Writes nothing but `ws`.
  void run(Workspace& ws, size_t batch, size_t output, bool profile = false, const float* external = nullptr) const;

 private:
  struct Plan {
    size_t packed_offset = 0;  // into packed_
    size_t arena_offset = 0;   // of the output tensor, in floats
    size_t band_rows = 0;      // first layer of a band pair (model.cc: band_groups): rows of the second's output per band
  };
  void run_layer(Workspace& ws, size_t li, const float* const* in, float* out) const;
  void run_rows(Workspace& ws, size_t li, const float* in, float* out, size_t r0, size_t r1) const;
  void run_band_pair(Workspace& ws, size_t i, const float* in, float* arena, bool profile) const;
  void conv_im2col(Workspace& ws, const GraphLayer& l, const TensorDesc& x, const float* in, const float* w, float* out) const;
  void gemm(ThreadPool& pool, size_t m, size_t n, size_t k, const float* a, const float* w, float* c, float min,
            float max) const;

  ModelConfig cfg_;
  const KernelTable* kernels_;
  const QKernelTable* qkernels_ = nullptr;
  Graph graph_;
  std::vector<Plan> plan_;                  // per layer
  std::vector<std::vector<bool>> needed_;   // per output: which layers it depends on
  AlignedBuffer packed_;
  size_t arena_floats_ = 0;
  size_t scratch_floats_ = 0;
  float norm_lut_[256];
};

}  // namespace mn
