// Metered inference driver: runs whole MobileNetV1 inferences of this project's runtime (batch 1, 1 thread,
// seeded synthetic weights: instruction counts do not depend on the values) and marks each layer for the
// meter plugin (meter.c) with system call 0x4d4e. Built for aarch64/armv7 by bench/arm-meter/run.sh.
//
//   driver --alpha 0.25 --res 128 [--runs 2] [--isa neon|scalar] [--time N]
// --time N: also times N more inferences natively (no markers) and prints "median_ms <ms>": used on x86 to
// check the llvm-mca estimate against a measurement (timings under qemu mean nothing).
//
// stdout: "layer <phase id> <name> <kind> <macs>" for every phase, then "macs <total>" and "isa <name>".
// Integer path: when the runtime gains one (uint8/int8 kernels), select it here (an option such as --dtype
// into NetworkConfig); nothing else changes: the meter's "imac" class counts integer MACs (mla, smlal, sdot, ...).
// Phase ids: 1 + plan index for each layer (the classifier is the last plan layer), plan size + 1 for the
// global average pool; phase 0 is setup and the loop between inferences.
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

#include "runtime/network.h"

namespace {

constexpr long kMeterSyscall = 0x4d4e;
void mark(size_t phase) { syscall(kMeterSyscall, (long)phase); }
void on_layer(size_t layer) { mark(layer + 1); }

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr, "%s\nusage: driver --alpha A --res R [--runs N] [--isa ISA]\n", msg);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  double alpha = 0;
  size_t res = 0, runs = 2, time_runs = 0;
  std::string isa;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value after " + a).c_str());
    const char* v = argv[++i];
    if (a == "--alpha") alpha = std::atof(v);
    else if (a == "--res") res = std::strtoul(v, nullptr, 10);
    else if (a == "--runs") runs = std::strtoul(v, nullptr, 10);
    else if (a == "--isa") isa = v;
    else if (a == "--time") time_runs = std::strtoul(v, nullptr, 10);
    else usage(("unknown option " + a).c_str());
  }
  if (alpha <= 0 || res == 0 || runs == 0) usage("--alpha, --res and --runs must be positive");
  try {
    mn::NetworkConfig cfg;
    cfg.alpha = alpha;
    cfg.resolution = res;
    cfg.threads = 1;
    cfg.isa = isa;
    const std::vector<mn::LayerDesc> plan = mn::build_mobilenet_v1_plan(alpha, res, cfg.classes);
    // Seeded weights in the canonical layouts, BN folded already (bias only).
    std::vector<std::vector<float>> kernels(plan.size()), biases(plan.size());
    std::vector<mn::RawLayer> raw(plan.size());
    uint32_t s = 12345;
    auto rnd = [&] { s = s * 1664525u + 1013904223u; return (float)(s >> 8) / 16777216.0f - 0.5f; };
    for (size_t i = 0; i < plan.size(); i++) {
      kernels[i].resize(plan[i].kernel_size);
      biases[i].resize(plan[i].out_c);
      for (float& x : kernels[i]) x = rnd() * 0.2f;
      for (float& x : biases[i]) x = rnd() * 0.1f;
      raw[i].kernel = kernels[i].data(); raw[i].kernel_len = kernels[i].size();
      raw[i].bias = biases[i].data(); raw[i].bias_len = biases[i].size();
    }
    mn::Network net(cfg, raw);
    float* in = net.input(0);
    for (size_t i = 0; i < net.input_floats(); i++) in[i] = rnd() * 2.0f;
    size_t total = 0;
    for (size_t i = 0; i < plan.size(); i++) {
      std::printf("layer %zu %s %s %zu\n", i + 1, plan[i].name.c_str(), mn::layer_kind_name(plan[i].kind), plan[i].macs);
      total += plan[i].macs;
    }
    std::printf("layer %zu gavgpool pool 0\nmacs %zu\nisa %s\n", plan.size() + 1, total, net.kernels().isa);
    std::fflush(stdout);
    mn::Profile prof;
    prof.on_layer = on_layer;
    for (size_t r = 0; r < runs; r++) {
      net.run(1, true, &prof);
      mark(0);
    }
    std::printf("logit0 %.6g\n", (double)net.logits()[0]);
    if (time_runs) {
      std::vector<double> ms;
      for (size_t r = 0; r < time_runs; r++) {
        const auto t0 = std::chrono::steady_clock::now();
        net.run(1, true);
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
