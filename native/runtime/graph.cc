#include "graph.h"

#include <cmath>
#include <stdexcept>

#include "qlayers.h"

namespace mn {

namespace {
struct KindName { LayerKind kind; const char* name; const char* profile; };
constexpr KindName kKinds[kLayerKinds] = {
    {LayerKind::Conv, "conv", "conv"},
    {LayerKind::Dwconv, "dwconv", "depthwise"},
    {LayerKind::Pwconv, "pwconv", "pointwise"},
    {LayerKind::Classifier, "classifier", "classifier"},
    {LayerKind::Gavgpool, "gavgpool", "pool"},
    {LayerKind::Add, "add", "add"},
    {LayerKind::Concat, "concat", "concat"},
    {LayerKind::Logistic, "logistic", "logistic"},
    {LayerKind::DetectionPostprocess, "detection_postprocess", "postprocess"},
};

std::string shape_str(const TensorDesc& t) {
  return "[" + std::to_string(t.h) + ", " + std::to_string(t.w) + ", " + std::to_string(t.c) + "]";
}

// Output size of a padded window: floor((in + pads - k) / stride) + 1, or 0 when it does not fit.
size_t window_out(size_t in, size_t pad_a, size_t pad_b, size_t k, size_t stride) {
  const size_t padded = in + pad_a + pad_b;
  return padded < k ? 0 : (padded - k) / stride + 1;
}
}  // namespace

const char* layer_kind_name(LayerKind k) { return kKinds[(size_t)k].name; }
const char* layer_kind_profile_name(LayerKind k) { return kKinds[(size_t)k].profile; }

bool parse_layer_kind(const std::string& s, LayerKind* out) {
  for (const KindName& k : kKinds)
    if (s == k.name) { *out = k.kind; return true; }
  return false;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::Float32: return "float32";
    case DType::Uint8: return "uint8";
    case DType::Int8: return "int8";
  }
  return "?";
}

bool parse_dtype(const std::string& s, DType* out) {
  for (DType t : {DType::Float32, DType::Uint8, DType::Int8})
    if (s == dtype_name(t)) { *out = t; return true; }
  return false;
}

// Quantization belongs to integer tensors: one scale, or one per channel of the last axis.
void check_quantization(const TensorDesc& t, const std::string& what) {
  const size_t n = t.quant.scale.size();
  if (n == 0) return;
  if (t.dtype == DType::Float32) throw std::invalid_argument(what + ": a float32 tensor takes no quantization");
  if (n != 1 && n != t.c)
    throw std::invalid_argument(what + ": expected 1 or " + std::to_string(t.c) + " quantization scales but received " + std::to_string(n));
  for (float s : t.quant.scale)
    if (!(s > 0) || !std::isfinite(s)) throw std::invalid_argument(what + ": quantization scales must be finite and > 0");
}

void validate_graph(const Graph& g) {
  auto bad = [](const std::string& msg) { throw std::invalid_argument(msg); };
  const TensorDesc& in = g.input;
  if (in.h == 0 || in.h > Limits::kMaxResolution || in.w != in.h || in.c != 3)
    bad("graph input: expected a square [R, R, 3] shape with R in [1, " + std::to_string(Limits::kMaxResolution) +
        "] but received " + shape_str(in));
  check_quantization(in, "graph input");
  if (g.layers.empty() || g.layers.size() > Limits::kMaxLayers)
    bad("graph: expected 1 to " + std::to_string(Limits::kMaxLayers) + " layers but received " + std::to_string(g.layers.size()));
  for (size_t i = 0; i < g.layers.size(); i++) {
    const GraphLayer& l = g.layers[i];
    const std::string where = "layer " + l.name + ": ";
    const size_t n_in = l.kind == LayerKind::Add || l.kind == LayerKind::DetectionPostprocess ? 2 : 1;
    if (l.kind == LayerKind::Concat ? (l.inputs.empty() || l.inputs.size() > kMaxLayerInputs) : l.inputs.size() != n_in)
      bad(where + "expected " + (l.kind == LayerKind::Concat ? "1 to " + std::to_string(kMaxLayerInputs) : std::to_string(n_in)) +
          " input(s) but received " + std::to_string(l.inputs.size()));
    for (uint32_t t : l.inputs)
      if (t > i) bad(where + "input tensor " + std::to_string(t) + " is not produced before this layer (tensor ids: 0 = input, i + 1 = layer i)");
    const TensorDesc& x = g.tensor(l.inputs[0]);
    const TensorDesc& y = l.out;
    if (y.h == 0 || y.w == 0 || y.c == 0) bad(where + "empty output shape " + shape_str(y));
    if (!(l.min <= l.max) || std::isnan(l.min)) bad(where + "activation clamp [min, max] must have min <= max");
    if (l.stride == 0 || l.kh == 0 || l.kw == 0) bad(where + "kernel size and stride must be positive");
    // Integer layers (output uint8/int8) are checked by qlayers.cc after the shapes; float layers take float inputs.
    if (!is_integer(y.dtype) && l.kind != LayerKind::DetectionPostprocess)
      for (uint32_t t : l.inputs)
        if (g.tensor(t).dtype != DType::Float32) bad(where + "float32 layer with input dtype " + dtype_name(g.tensor(t).dtype) + " (no conversion layers in this build)");
    check_quantization(y, where + "output");
    const bool windowed = l.kind == LayerKind::Conv || l.kind == LayerKind::Dwconv || l.kind == LayerKind::Pwconv ||
                          l.kind == LayerKind::Classifier;
    if (windowed) {
      const size_t oh = window_out(x.h, l.pad_top, l.pad_bottom, l.kh, l.stride);
      const size_t ow = window_out(x.w, l.pad_left, l.pad_right, l.kw, l.stride);
      if (oh != y.h || ow != y.w)
        bad(where + "output " + shape_str(y) + " does not follow from input " + shape_str(x) + ", kernel " +
            std::to_string(l.kh) + "x" + std::to_string(l.kw) + ", stride " + std::to_string(l.stride) + " and padding");
      // What the kernels are built and tested for: SAME or VALID, at most (k - 1) / 2 on a side.
      if (l.pad_top > (l.kh - 1) / 2 || l.pad_bottom > (l.kh - 1) / 2 || l.pad_left > (l.kw - 1) / 2 || l.pad_right > (l.kw - 1) / 2)
        bad(where + "padding [" + std::to_string(l.pad_top) + ", " + std::to_string(l.pad_left) + ", " + std::to_string(l.pad_bottom) +
            ", " + std::to_string(l.pad_right) + "] exceeds (kernel - 1) / 2 on a side");
    }
    size_t kernel_len = 0;
    switch (l.kind) {
      case LayerKind::Conv:
        // 3x3 stride 2 on 3 channels: the first-conv kernel; any other 3x3 stride 1 or 2: im2col + GEMM.
        if (l.kh != 3 || l.kw != 3 || (l.stride != 1 && l.stride != 2))
          bad(where + "conv runs 3x3 stride 1 or 2 in this build, not " + std::to_string(l.kh) + "x" +
              std::to_string(l.kw) + " stride " + std::to_string(l.stride));
        if (x.c > 65536) bad(where + "conv takes at most 65536 input channels");
        kernel_len = 9 * x.c * y.c;
        break;
      case LayerKind::Dwconv:
        if (l.kh != 3 || l.kw != 3 || (l.stride != 1 && l.stride != 2))
          bad(where + "dwconv runs 3x3 stride 1 or 2 in this build");
        if (y.c != x.c) bad(where + "dwconv keeps the channel count: input " + shape_str(x) + ", output " + shape_str(y));
        kernel_len = 9 * y.c;
        break;
      case LayerKind::Pwconv:
      case LayerKind::Classifier:
        if (l.kh != 1 || l.kw != 1 || l.stride != 1) bad(where + std::string(layer_kind_name(l.kind)) + " is a 1x1 stride 1 convolution");
        kernel_len = x.c * y.c;
        if (y.c > Limits::kMaxClasses) bad(where + "at most " + std::to_string(Limits::kMaxClasses) + " output channels");
        break;
      case LayerKind::Gavgpool:
        if (y.h != 1 || y.w != 1 || y.c != x.c) bad(where + "gavgpool output must be [1, 1, " + std::to_string(x.c) + "], not " + shape_str(y));
        break;
      case LayerKind::Add: {
        const TensorDesc& x2 = g.tensor(l.inputs[1]);
        if (x2.h != x.h || x2.w != x.w || x2.c != x.c || y.h != x.h || y.w != x.w || y.c != x.c)
          bad(where + "add needs inputs and output of one shape: " + shape_str(x) + ", " + shape_str(x2) + " -> " + shape_str(y));
        break;
      }
      case LayerKind::Concat: {
        size_t total = 0;
        for (uint32_t t : l.inputs) total += g.tensor(t).elements();
        if (total != y.elements())
          bad(where + "concat output " + shape_str(y) + " must hold the " + std::to_string(total) + " elements of its inputs");
        break;
      }
      case LayerKind::Logistic:
        if (y.elements() != x.elements()) bad(where + "logistic keeps the shape: input " + shape_str(x) + ", output " + shape_str(y));
        break;
      case LayerKind::DetectionPostprocess: {
        const DetectionPostprocessOptions& o = l.detection;
        for (uint32_t t : l.inputs)
          if (g.tensor(t).dtype == DType::Int8) bad(where + "detection_postprocess takes float32 or uint8 inputs, not int8");
        const TensorDesc& scores = g.tensor(l.inputs[1]);
        const size_t boxes = x.elements() / 4;
        if (boxes == 0 || x.elements() != boxes * 4) bad(where + "box encodings " + shape_str(x) + " must hold 4 values per box");
        const size_t width = scores.elements() / boxes;
        if (width * boxes != scores.elements()) bad(where + "class predictions " + shape_str(scores) + " must hold one row per box (" + std::to_string(boxes) + ")");
        const std::string err = check_detection_postprocess(o, boxes, 4, width);
        if (!err.empty()) bad(where + err);
        if (y.elements() != detection_slots(o) * 6 + 1)
          bad(where + "output " + shape_str(y) + " must hold " + std::to_string(detection_slots(o) * 6 + 1) +
              " values (boxes, classes, scores of max_detections x max_classes_per_detection, and the count)");
        kernel_len = boxes * 4;  // the anchors
        if (!l.has_weights || !l.weights.kernel || l.weights.kernel_len != kernel_len)
          bad(where + "expected anchors (kernel) of length " + std::to_string(kernel_len) + " but received length " +
              std::to_string(l.weights.kernel ? l.weights.kernel_len : 0));
        continue;  // anchors are checked; no bias or batch norm
      }
    }
    if (is_integer(y.dtype)) {
      validate_integer_layer(g, l, where, kernel_len);
      continue;
    }
    const RawWeights& r = l.weights;
    if (r.qkernel || r.qbias) bad(where + "a float32 layer takes float weights, not integer ones");
    if (kernel_len == 0) {
      if (l.has_weights) bad(where + std::string(layer_kind_name(l.kind)) + " takes no weights");
      continue;
    }
    auto fail = [&](const std::string& what, size_t expected, size_t got) {
      bad(where + "expected " + what + " of length " + std::to_string(expected) + " but received length " + std::to_string(got));
    };
    if (!r.kernel || r.kernel_len != kernel_len) fail("kernel", kernel_len, r.kernel ? r.kernel_len : 0);
    if (r.bias && r.bias_len != y.c) fail("bias", y.c, r.bias_len);
    if (r.bn_len != 0 && r.bn_len != y.c) fail("batch norm parameters", y.c, r.bn_len);
    if (r.bn_len != 0 && (!r.gamma || !r.beta || !r.mean || !r.variance))
      bad(where + "batch norm needs gamma, beta, mean and variance");
    if (r.bn_len != 0 && (!(r.epsilon >= 0) || !std::isfinite(r.epsilon)))
      bad(where + "batch norm epsilon must be a finite number >= 0");
  }
  if (g.outputs.empty()) bad("graph: expected at least one output");
  for (const GraphOutput& o : g.outputs)
    if (o.tensor == 0 || o.tensor >= g.tensors()) bad("graph output " + o.name + ": no tensor " + std::to_string(o.tensor));
}

}  // namespace mn
