// Metered inference driver: runs whole MobileNetV1 inferences of this project's runtime (batch 1, 1 thread,
// seeded synthetic weights: instruction counts do not depend on the values) and marks each layer for the
// meter plugin (meter.c) with system call 0x4d4e. Built for aarch64/armv7 by bench/arm-meter/run.sh.
//
//   driver --alpha 0.25 --res 128 [--runs 2] [--dtype float32|uint8|int8] [--isa ISA] [--time N]
// --time N: also times N more inferences natively (no markers) and prints "median_ms <ms>": used on x86 to
// check the llvm-mca estimate against a measurement (timings under qemu mean nothing).
//
// stdout: "layer <phase id> <name> <kind> <macs>" for every phase, then "macs <total>" and "isa <name>".
// The network is the layer table of lib/graph.ts as bench/layers.txt lists it (--layers, default
// bench/layers.txt from the repository root): the rows of one alpha/res, a chain.
// --dtype uint8 | int8: the integer path (runtime/qlayers.h) with seeded synthetic quantized weights in the
// two TFLite schemes: uint8 per-tensor asymmetric (weights with a zero point, as the official _quant.tflite
// files), int8 per-channel symmetric weights with asymmetric int8 activations (TF2's full-integer converter).
// Scales as lib/weights/synthetic-quant.ts: input 1/128, ReLU6 outputs 6/255, classifier output 0.01; the
// requantization multipliers come from those scales (TFLite QuantizeMultiplier), so they are realistic.
// The meter's "imac" class counts integer MACs (mla, smlal, sdot, ...).
// Phase ids: 1 + layer index (27 conv/dw/pw, then the global average pool, then the classifier);
// phase 0 is setup and the loop between inferences.
#include <unistd.h>
#include <sys/syscall.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "kernels/requantization.h"
#include "runtime/model.h"

namespace {

constexpr long kMeterSyscall = 0x4d4e;
void mark(size_t phase) { syscall(kMeterSyscall, (long)phase); }
void on_layer(size_t layer) { mark(layer + 1); }

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr, "%s\nusage: driver --alpha A --res R [--runs N] [--dtype float32|uint8|int8] [--isa ISA] [--layers bench/layers.txt]\n", msg);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  double alpha = 0;
  size_t res = 0, runs = 2, time_runs = 0;
  std::string isa, layers_file = "bench/layers.txt";
  mn::DType dtype = mn::DType::Float32;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value after " + a).c_str());
    const char* v = argv[++i];
    if (a == "--alpha") alpha = std::atof(v);
    else if (a == "--res") res = std::strtoul(v, nullptr, 10);
    else if (a == "--runs") runs = std::strtoul(v, nullptr, 10);
    else if (a == "--isa") isa = v;
    else if (a == "--time") time_runs = std::strtoul(v, nullptr, 10);
    else if (a == "--layers") layers_file = v;
    else if (a == "--dtype") { if (!mn::parse_dtype(v, &dtype)) usage("--dtype must be float32, uint8 or int8"); }
    else usage(("unknown option " + a).c_str());
  }
  if (alpha <= 0 || res == 0 || runs == 0) usage("--alpha, --res and --runs must be positive");
  try {
    // The chain of this alpha/res from bench/layers.txt (generated from lib/graph.ts).
    std::ifstream f(layers_file);
    if (!f) throw std::runtime_error("cannot open " + layers_file + " (run from the repository root or pass --layers)");
    mn::Graph g;
    std::vector<std::string> kinds;
    for (std::string line; std::getline(f, line);) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ss(line);
      double a;
      size_t r, in_h, in_w, in_c, out_c, stride, pt, pl, out_h, out_w, pb, pr, macs;
      std::string kind, name;
      ss >> a >> r >> kind >> in_h >> in_w >> in_c >> out_c >> stride >> pt >> pl >> out_h >> out_w >> pb >> pr >> macs >> name;
      if (!ss || std::abs(a - alpha) > 1e-9 || r != res) continue;
      if (g.layers.empty()) { g.input.h = in_h; g.input.w = in_w; g.input.c = in_c; }
      mn::GraphLayer l;
      l.name = name;
      l.inputs = {(uint32_t)g.layers.size()};
      l.out.h = out_h; l.out.w = out_w; l.out.c = out_c;
      l.stride = stride;
      l.pad_top = pt; l.pad_left = pl; l.pad_bottom = pb; l.pad_right = pr;
      l.macs = macs;
      const bool relu6 = kind == "conv" || kind == "dw" || kind == "pw";
      l.min = relu6 ? 0.0f : -std::numeric_limits<float>::infinity();
      l.max = relu6 ? 6.0f : std::numeric_limits<float>::infinity();
      if (kind == "conv") { l.kind = mn::LayerKind::Conv; l.kh = l.kw = 3; }
      else if (kind == "dw") { l.kind = mn::LayerKind::Dwconv; l.kh = l.kw = 3; }
      else if (kind == "pw") l.kind = mn::LayerKind::Pwconv;
      else if (kind == "gap") l.kind = mn::LayerKind::Gavgpool;
      else if (kind == "fc") l.kind = mn::LayerKind::Classifier;
      else throw std::runtime_error("unknown kind " + kind + " in " + layers_file);
      g.layers.push_back(l);
      kinds.push_back(kind);
    }
    if (g.layers.empty()) throw std::runtime_error("no rows for this alpha/res in " + layers_file);
    g.outputs = {{"features", (uint32_t)g.layers.size() - 1}, {"logits", (uint32_t)g.layers.size()}};
    // Seeded weights (instruction counts do not depend on the values).
    uint32_t s = 12345;
    auto rnd = [&] { s = s * 1664525u + 1013904223u; return (float)(s >> 8) / 16777216.0f - 0.5f; };
    auto taps_of = [&](size_t i) {
      const size_t in_c = g.tensor(g.layers[i].inputs[0]).c;
      return kinds[i] == "conv" ? (size_t)27 : kinds[i] == "dw" ? (size_t)9 : (kinds[i] == "pw" || kinds[i] == "fc") ? in_c : 0;
    };
    // Float: canonical layouts, BN folded already (bias only).
    std::vector<std::vector<float>> kernels(g.layers.size()), biases(g.layers.size());
    // Integer: TFLite layouts (the values are random, so only the sizes matter), int32 bias and the
    // per-channel requantization from the scales below.
    std::vector<std::vector<uint8_t>> qkernels(g.layers.size());
    std::vector<std::vector<int32_t>> qbias(g.layers.size()), mult(g.layers.size()), shift(g.layers.size());
    const bool integer = dtype != mn::DType::Float32, s8 = dtype == mn::DType::Int8;
    if (integer) {
      const int32_t qmin = s8 ? -128 : 0, qmax = s8 ? 127 : 255;
      auto quant = [&](mn::TensorDesc& t, float scale, int32_t zp) { t.dtype = dtype; t.quant.scale = {scale}; t.quant.zero_point = {zp}; };
      quant(g.input, 1.0f / 128, s8 ? 0 : 128);
      const float relu6_scale = 6.0f / 255;
      float in_scale = g.input.quant.scale[0];
      for (size_t i = 0; i < g.layers.size(); i++) {
        mn::GraphLayer& l = g.layers[i];
        if (kinds[i] == "gap") {  // TFLite's AVERAGE_POOL_2D keeps its input's quantization
          quant(l.out, relu6_scale, s8 ? -128 : 0);
          l.min = (float)qmin; l.max = (float)qmax;
          continue;
        }
        const bool fc = kinds[i] == "fc";
        const float out_scale = fc ? 0.01f : relu6_scale;
        quant(l.out, out_scale, fc ? (s8 ? 0 : 128) : (s8 ? -128 : 0));
        // ReLU6 over [0, 6] at scale 6/255: the whole type range from the zero point up.
        l.min = (float)(fc ? qmin : l.out.quant.zero_point[0]);
        l.max = (float)qmax;
        const size_t taps = taps_of(i), C = l.out.c;
        qkernels[i].resize(taps * C);
        const int32_t wzp = s8 ? 0 : 100 + (int32_t)((rnd() + 0.5f) * 56);  // uint8: a zero point, as real files
        for (uint8_t& v : qkernels[i]) {
          const int32_t q = (int32_t)std::lround((rnd() + 0.5f) * 254.0f);  // 0..254
          v = s8 ? (uint8_t)(int8_t)(q - 127) : (uint8_t)q;                  // int8: symmetric -127..127
        }
        // Weight scale ~ 1/sqrt(taps) keeps the accumulations inside the output range (varied, not saturated).
        const float tensor_scale = 0.014f / std::sqrt((float)taps) * (0.75f + 0.5f * (rnd() + 0.5f));
        for (size_t c = 0; c < C; c++) {
          const float w_scale = s8 ? tensor_scale * (0.5f + (rnd() + 0.5f)) : tensor_scale;  // int8: per channel
          qbias[i].push_back((int32_t)std::lround(rnd() * 0.2 / (in_scale * w_scale)));
          int32_t m = 0;
          int sh = 0;
          if (!mn::quantize_multiplier((double)in_scale * w_scale / out_scale, &m, &sh))
            throw std::runtime_error("requantization multiplier out of range");
          mult[i].push_back(m);
          shift[i].push_back(sh);
        }
        mn::RawWeights& r = l.weights;
        r.qkernel = qkernels[i].data(); r.qkernel_len = qkernels[i].size();
        r.qbias = qbias[i].data(); r.qbias_len = C;
        r.multiplier = mult[i].data(); r.shift = shift[i].data(); r.requant_len = C;
        r.weight_zero_point = wzp;
        l.has_weights = true;
        in_scale = out_scale;
      }
    } else {
      for (size_t i = 0; i < g.layers.size(); i++) {
        mn::GraphLayer& l = g.layers[i];
        const size_t n = taps_of(i) * l.out.c;
        if (n == 0) continue;
        kernels[i].resize(n);
        biases[i].resize(l.out.c);
        for (float& x : kernels[i]) x = rnd() * 0.2f;
        for (float& x : biases[i]) x = rnd() * 0.1f;
        l.has_weights = true;
        l.weights.kernel = kernels[i].data(); l.weights.kernel_len = n;
        l.weights.bias = biases[i].data(); l.weights.bias_len = l.out.c;
      }
    }
    mn::ModelConfig cfg;
    cfg.threads = 1;
    cfg.isa = isa;
    const mn::Model model(cfg, g);
    const std::unique_ptr<mn::Workspace> ws = model.create_workspace();
    if (integer) {  // an RGB frame, staged as the integer input (uint8 as is, int8 = byte - 128)
      std::vector<uint8_t> frame(g.input.h * g.input.w * 3);
      for (uint8_t& v : frame) v = (uint8_t)std::lround((rnd() + 0.5f) * 255.0f);
      mn::FrameView fv;
      fv.data = frame.data(); fv.length = frame.size(); fv.width = g.input.w; fv.height = g.input.h;
      ws->set_input_frame(0, fv);
    } else {
      float* in = ws->input(0);
      for (size_t i = 0; i < model.input_floats(); i++) in[i] = rnd() * 2.0f;
    }
    size_t total = 0;
    for (size_t i = 0; i < g.layers.size(); i++) {
      const mn::GraphLayer& l = model.graph().layers[i];
      std::printf("layer %zu %s %s %zu\n", i + 1, l.name.c_str(), mn::layer_kind_profile_name(l.kind), l.macs);
      total += l.macs;
    }
    std::printf("macs %zu\nisa %s\ndtype %s\n", total, model.isa(), mn::dtype_name(dtype));
    std::fflush(stdout);
    const size_t logits = 1;
    ws->profile().on_layer = on_layer;
    for (size_t r = 0; r < runs; r++) {
      model.run(*ws, 1, logits, true);
      mark(0);
    }
    std::printf("logit0 %.6g\n", (double)ws->result(logits)[0]);
    if (integer) {  // a degenerate network (every logit equal) would measure nothing real
      const uint8_t* q = ws->qresult(logits);
      size_t distinct = 0;
      std::vector<bool> seen(256);
      for (size_t i = 0; i < model.output_floats(logits); i++) if (!seen[q[i]]) { seen[q[i]] = true; distinct++; }
      std::printf("distinct_logits %zu\n", distinct);
    }
    if (time_runs) {
      std::vector<double> ms;
      for (size_t r = 0; r < time_runs; r++) {
        const auto t0 = std::chrono::steady_clock::now();
        model.run(*ws, 1, logits);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      }
      std::sort(ms.begin(), ms.end());
      std::printf("median_ms %.4f\nmin_ms %.4f\n", ms[ms.size() / 2], ms[0]);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
