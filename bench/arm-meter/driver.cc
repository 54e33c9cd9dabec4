// Metered inference driver: runs whole MobileNetV1 inferences of this project's runtime (batch 1, 1 thread,
// seeded synthetic weights: instruction counts do not depend on the values) and marks each layer for the
// meter plugin (meter.c) with system call 0x4d4e. Built for aarch64/armv7 by bench/arm-meter/run.sh.
//
//   driver --alpha 0.25 --res 128 [--runs 2] [--isa neon|scalar] [--time N]
// --time N: also times N more inferences natively (no markers) and prints "median_ms <ms>": used on x86 to
// check the llvm-mca estimate against a measurement (timings under qemu mean nothing).
//
// stdout: "layer <phase id> <name> <kind> <macs>" for every phase, then "macs <total>" and "isa <name>".
// The network is the layer table of lib/graph.ts as bench/layers.txt lists it (--layers, default
// bench/layers.txt from the repository root): the rows of one alpha/res, a chain.
// Integer path: when the runtime gains one (uint8/int8 kernels), select it here (the layers' dtype);
// nothing else changes: the meter's "imac" class counts integer MACs (mla, smlal, sdot, ...).
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

#include "runtime/model.h"

namespace {

constexpr long kMeterSyscall = 0x4d4e;
void mark(size_t phase) { syscall(kMeterSyscall, (long)phase); }
void on_layer(size_t layer) { mark(layer + 1); }

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr, "%s\nusage: driver --alpha A --res R [--runs N] [--isa ISA] [--layers bench/layers.txt]\n", msg);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  double alpha = 0;
  size_t res = 0, runs = 2, time_runs = 0;
  std::string isa, layers_file = "bench/layers.txt";
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
    // Seeded weights in the canonical layouts, BN folded already (bias only).
    std::vector<std::vector<float>> kernels(g.layers.size()), biases(g.layers.size());
    uint32_t s = 12345;
    auto rnd = [&] { s = s * 1664525u + 1013904223u; return (float)(s >> 8) / 16777216.0f - 0.5f; };
    for (size_t i = 0; i < g.layers.size(); i++) {
      mn::GraphLayer& l = g.layers[i];
      const size_t in_c = g.tensor(l.inputs[0]).c;
      const size_t n = kinds[i] == "conv" ? 27 * l.out.c : kinds[i] == "dw" ? 9 * l.out.c
                     : (kinds[i] == "pw" || kinds[i] == "fc") ? in_c * l.out.c : 0;
      if (n == 0) continue;
      kernels[i].resize(n);
      biases[i].resize(l.out.c);
      for (float& x : kernels[i]) x = rnd() * 0.2f;
      for (float& x : biases[i]) x = rnd() * 0.1f;
      l.has_weights = true;
      l.weights.kernel = kernels[i].data(); l.weights.kernel_len = n;
      l.weights.bias = biases[i].data(); l.weights.bias_len = l.out.c;
    }
    mn::ModelConfig cfg;
    cfg.threads = 1;
    cfg.isa = isa;
    const mn::Model model(cfg, g);
    const std::unique_ptr<mn::Workspace> ws = model.create_workspace();
    float* in = ws->input(0);
    for (size_t i = 0; i < model.input_floats(); i++) in[i] = rnd() * 2.0f;
    size_t total = 0;
    for (size_t i = 0; i < g.layers.size(); i++) {
      const mn::GraphLayer& l = model.graph().layers[i];
      std::printf("layer %zu %s %s %zu\n", i + 1, l.name.c_str(), mn::layer_kind_profile_name(l.kind), l.macs);
      total += l.macs;
    }
    std::printf("macs %zu\nisa %s\n", total, model.kernels().isa);
    std::fflush(stdout);
    const size_t logits = 1;
    ws->profile().on_layer = on_layer;
    for (size_t r = 0; r < runs; r++) {
      model.run(*ws, 1, logits, true);
      mark(0);
    }
    std::printf("logit0 %.6g\n", (double)ws->result(logits)[0]);
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
