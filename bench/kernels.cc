// Per-kernel benchmark over the real MobileNetV1 layer shapes (bench/layers.txt, generated from the
// layer table), single thread, every kernel of the family lists (native/kernels/*.inc) this CPU runs.
// Each layer runs through the same tile loop the runtime uses (GEMM: every MR x NR tile; dwconv and
// first conv: all output rows), reports the median of repeated runs as GFLOP/s = 2 * MACs / time
// (gap: 1 flop per add), per layer and per ISA, plus per-kind totals.
//
//   kernels [--layers bench/layers.txt] [--alpha 1.0] [--res 224] [--isa avx512] [--kind pw]
//           [--order nm|mn|blocked|l2:KIB] [--no-prefetch] [--samples 11] [--min-ms 2]
// --order (pw/fc only): nm = N panels outer, M tiles inner (a weight panel stays in cache while A
// streams); mn = M tiles outer, N panels inner (an A tile stays in L1 while all weights stream);
// blocked = M blocks of ~64 KiB of A, N panels, M tiles inside the block; l2:KIB = the same with
// KIB KiB blocks (Model::gemm on one thread with that block size). With panels outer (nm, blocked, l2), each
// row tile is given its slice of the next panel to prefetch when the weights outgrow kL2BlockBytes, as
// Model::gemm does; --no-prefetch passes nullptr.
#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dispatch/dispatch.h"
#include "kernels/kernels.h"
#include "kernels/ukernels.h"
#include "runtime/pack.h"
#include "runtime/gemm_split.h"

namespace {

struct Layer {
  std::string alpha, kind;
  size_t res, in_h, in_w, in_c, out_c, stride, pad_top, pad_left;
};

// One candidate kernel of the family a layer kind needs; exactly one pointer is set.
struct Candidate {
  const char* name;
  const mn::GemmKernel* gemm = nullptr;
  const mn::DwconvKernel* dw = nullptr;
  const mn::ConvKernel* conv = nullptr;
  const mn::GavgpoolKernel* gap = nullptr;
  const mn::GemvKernel* gemv = nullptr;  // fc only (M = 1)
};

struct Options {
  std::string layers = "bench/layers.txt", alpha, res, isa, kind, order = "nm";
  bool prefetch = true;
  size_t samples = 11;
  double min_ms = 2.0;
};

// 64-byte aligned buffers, as the runtime arena and packed weights are: a zmm load straddling two
// cache lines costs two loads, which would make the numbers depend on malloc's offset.
template <typename T>
struct Aligned64 {
  using value_type = T;
  Aligned64() = default;
  template <typename U>
  Aligned64(const Aligned64<U>&) {}
  T* allocate(size_t n) {
    void* p = nullptr;
    if (posix_memalign(&p, 64, n * sizeof(T))) throw std::bad_alloc();
    return (T*)p;
  }
  void deallocate(T* p, size_t) { free(p); }
  bool operator==(const Aligned64&) const { return true; }
  bool operator!=(const Aligned64&) const { return false; }
};
using Vec = std::vector<float, Aligned64<float>>;

Vec random_vec(size_t n, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  Vec v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// Runs fn enough times per sample to last min_ms, returns the median seconds per call.
template <typename F>
double time_median(F&& fn, const Options& o) {
  using clk = std::chrono::steady_clock;
  fn();  // warm-up
  size_t iters = 1;
  for (;;) {
    const auto t0 = clk::now();
    for (size_t i = 0; i < iters; i++) fn();
    const double s = std::chrono::duration<double>(clk::now() - t0).count();
    if (s * 1e3 >= o.min_ms || iters > (1u << 24)) break;
    iters *= 2;
  }
  std::vector<double> v;
  for (size_t r = 0; r < o.samples; r++) {
    const auto t0 = clk::now();
    for (size_t i = 0; i < iters; i++) fn();
    v.push_back(std::chrono::duration<double>(clk::now() - t0).count() / (double)iters);
  }
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void gemm_driver(const mn::GemmKernel& t, const std::string& order, bool prefetch, size_t M, size_t N, size_t K,
                 const float* a, const float* w, float* c) {
  const size_t MR = t.mr, NR = t.nr, panel = NR * (K + 1), weight_bytes = (N + NR - 1) / NR * panel * sizeof(float);
  const float lo = 0.0f, hi = 6.0f;
  // t: the tile's index among the row tiles that meet this panel in a row (SIZE_MAX: no prefetch, order mn).
  // Row tiles as the runtime cuts them (gemm_split.h: tile_rows), up to row m1.
  auto tile = [&](size_t m0, size_t m1, size_t n0, size_t t_in_panel = SIZE_MAX) {
    const float* next = prefetch && t_in_panel != SIZE_MAX && n0 + NR < N ? w + (n0 / NR + 1) * panel : nullptr;
    t.fn(mn::tile_rows(MR, m1 - m0), std::min(NR, N - n0), K, a + m0 * K, K, w + (n0 / NR) * panel, c + m0 * N + n0, N, lo, hi,
         mn::gemm_prefetch_slice(next, t_in_panel, K, panel, weight_bytes));
  };
  if (order == "mn") {
    for (size_t m0 = 0; m0 < M; m0 += mn::tile_rows(MR, M - m0))
      for (size_t n0 = 0; n0 < N; n0 += NR) tile(m0, M, n0);
  } else if (order == "blocked" || order.rfind("l2:", 0) == 0) {
    // blocked: 64 KiB of A per block; l2:KIB: KIB KiB (the runtime's Model::gemm on one thread: l2:<its block>).
    const size_t kib = order == "blocked" ? 64 : std::strtoul(order.c_str() + 3, nullptr, 10);
    size_t mb = (kib * 1024 / 4) / K / MR * MR;
    if (mb < MR) mb = MR;
    for (size_t mb0 = 0; mb0 < M; mb0 += mb)
      for (size_t n0 = 0; n0 < N; n0 += NR)
        for (size_t m0 = mb0, m1 = std::min(M, mb0 + mb), ti = 0; m0 < m1; m0 += mn::tile_rows(MR, m1 - m0), ti++)
          tile(m0, m1, n0, ti);
  } else {
    for (size_t n0 = 0; n0 < N; n0 += NR)
      for (size_t m0 = 0, ti = 0; m0 < M; m0 += mn::tile_rows(MR, M - m0), ti++) tile(m0, M, n0, ti);
  }
}

// Returns seconds per layer run, and sets flops. Output size from TF SAME (out = ceil(in / stride)),
// padding as the layer table wrote it into bench/layers.txt.
double bench_layer(const Candidate& k, const Layer& l, const Options& o, double& flops) {
  std::mt19937 rng(42);
  const size_t s = l.stride, oh = (l.in_h + s - 1) / s, ow = (l.in_w + s - 1) / s;
  if (k.gemm) {
    const mn::GemmKernel& t = *k.gemm;
    const size_t M = l.in_h * l.in_w, K = l.in_c, N = l.out_c;
    auto a = random_vec(M * K, rng, 0.0f, 6.0f), wio = random_vec(K * N, rng), bias = random_vec(N, rng);
    Vec w(mn::packed_gemm_size(K, N, t.nr)), c(M * N);
    mn::pack_gemm_weights(K, N, t.nr, wio.data(), bias.data(), w.data());
    flops = 2.0 * M * N * K;
    return time_median([&] { gemm_driver(t, o.order, o.prefetch, M, N, K, a.data(), w.data(), c.data()); }, o);
  }
  if (k.gemv) {
    const mn::GemvKernel& t = *k.gemv;
    const size_t K = l.in_c, N = l.out_c;
    auto a = random_vec(K, rng, 0.0f, 6.0f), wio = random_vec(K * N, rng), bias = random_vec(N, rng);
    Vec w(mn::packed_gemm_size(K, N, t.nr)), c(N);
    mn::pack_gemm_weights(K, N, t.nr, wio.data(), bias.data(), w.data());
    flops = 2.0 * N * K;
    return time_median([&] { t.fn(N, K, a.data(), w.data(), c.data(), -INFINITY, INFINITY); }, o);
  }
  if (k.dw) {
    const mn::DwconvKernel& t = *k.dw;
    const size_t C = l.in_c;
    auto in = random_vec(l.in_h * l.in_w * C, rng, 0.0f, 6.0f), wk = random_vec(9 * C, rng), bias = random_vec(C, rng);
    Vec w(mn::packed_dwconv_size(C, t.channel_tile)), out(oh * ow * C);
    mn::pack_dwconv_weights(C, t.channel_tile, wk.data(), bias.data(), w.data());
    mn::DwconvParams p{in.data(), out.data(), w.data(), l.in_h, l.in_w, C, oh, ow, s, l.pad_top, l.pad_left, 0.0f, 6.0f};
    flops = 2.0 * oh * ow * C * 9;
    return time_median([&] { t.fn(p, 0, oh); }, o);
  }
  if (k.conv) {
    const mn::ConvKernel& t = *k.conv;
    const size_t OC = l.out_c;
    auto in = random_vec(l.in_h * l.in_w * 3, rng), wk = random_vec(27 * OC, rng), bias = random_vec(OC, rng);
    Vec w(mn::packed_conv3x3_size(OC, t.channel_tile)), out(oh * ow * OC);
    mn::pack_conv3x3_weights(OC, t.channel_tile, wk.data(), bias.data(), w.data());
    mn::ConvParams p{in.data(), out.data(), w.data(), l.in_h, l.in_w, OC, oh, ow, l.pad_top, l.pad_left, 0.0f, 6.0f};
    flops = 2.0 * oh * ow * OC * 27;
    return time_median([&] { t.fn(p, 0, oh); }, o);
  }
  const size_t P = l.in_h * l.in_w, C = l.in_c;
  auto in = random_vec(P * C, rng, 0.0f, 6.0f);
  Vec out(C);
  flops = (double)P * C;
  return time_median([&] { k.gap->fn(P, C, in.data(), out.data()); }, o);
}

// Every kernel in the family list for `kind` that needs `isa`.
std::vector<Candidate> candidates(const std::string& kind, const char* isa) {
  static const auto gemms = mn::ukernel::gemm_kernels();
  static const auto dws = mn::ukernel::dwconv3x3_kernels();
  static const auto convs = mn::ukernel::conv3x3s2_kernels();
  static const auto gaps = mn::ukernel::gavgpool_kernels();
  static const auto gemvs = mn::ukernel::gemv_kernels();
  std::vector<Candidate> v;
  auto mine = [&](const char* k) { return std::strcmp(k, isa) == 0; };
  if (kind == "pw" || kind == "fc") { for (const auto& k : gemms) if (mine(k.isa)) v.push_back({k.name, &k}); }
  if (kind == "fc") {
    for (const auto& k : gemvs)
      if (mine(k.isa)) { Candidate c{k.name}; c.gemv = &k; v.push_back(c); }
  }
  else if (kind == "dw") { for (const auto& k : dws) if (mine(k.isa)) v.push_back({k.name, nullptr, &k}); }
  else if (kind == "conv") { for (const auto& k : convs) if (mine(k.isa)) v.push_back({k.name, nullptr, nullptr, &k}); }
  else if (kind == "gap") { for (const auto& k : gaps) if (mine(k.isa)) v.push_back({k.name, nullptr, nullptr, nullptr, &k}); }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) { std::fprintf(stderr, "%s needs a value\n", a.c_str()); std::exit(2); }
      return argv[++i];
    };
    if (a == "--layers") o.layers = next();
    else if (a == "--alpha") o.alpha = next();
    else if (a == "--res") o.res = next();
    else if (a == "--isa") o.isa = next();
    else if (a == "--kind") o.kind = next();
    else if (a == "--order") o.order = next();
    else if (a == "--no-prefetch") o.prefetch = false;
    else if (a == "--samples") o.samples = std::max(1, std::atoi(next().c_str()));
    else if (a == "--min-ms") o.min_ms = std::atof(next().c_str());
    else {
      std::fprintf(stderr,
                   "usage: kernels [--layers FILE] [--alpha A] [--res R] [--isa ISA] [--kind conv|dw|pw|gap|fc]\n"
                   "               [--order nm|mn|blocked|l2:KIB] [--no-prefetch] [--samples N] [--min-ms MS]\n");
      return 2;
    }
  }
  std::ifstream f(o.layers);
  if (!f) { std::fprintf(stderr, "cannot open %s (run from the repo root or pass --layers)\n", o.layers.c_str()); return 2; }
  std::vector<Layer> layers;
  for (std::string line; std::getline(f, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    Layer l;
    ss >> l.alpha >> l.res >> l.kind >> l.in_h >> l.in_w >> l.in_c >> l.out_c >> l.stride >> l.pad_top >> l.pad_left;
    if (!ss) continue;
    if (!o.alpha.empty() && std::atof(o.alpha.c_str()) != std::atof(l.alpha.c_str())) continue;
    if (!o.res.empty() && (size_t)std::atoi(o.res.c_str()) != l.res) continue;
    if (!o.kind.empty() && o.kind != l.kind) continue;
    layers.push_back(l);
  }
  std::printf("# cpu: %s, 1 thread, median of %zu samples, gemm order %s%s\n", mn::cpu_model_name().c_str(), o.samples,
              o.order.c_str(), o.prefetch ? "" : ", no prefetch");
  std::printf("%-7s %-5s %4s %-5s %-22s %10s %9s  %s\n", "isa", "alpha", "res", "kind", "shape", "us", "GFLOP/s", "kernel");
  for (const mn::KernelTable* t : mn::supported_kernel_tables()) {
    if (!o.isa.empty() && o.isa != t->isa) continue;
    std::map<std::string, std::pair<double, double>> per_kind;  // kind -> (flops, seconds)
    for (const Layer& l : layers) {
      // Every candidate of the family (the list entries for this ISA); the totals count the one
      // the ISA table picks.
      for (const Candidate& k : candidates(l.kind, t->isa)) {
        double flops = 0;
        const double sec = bench_layer(k, l, o, flops);
        char shape[64];
        std::snprintf(shape, sizeof shape, "%zux%zux%zu>%zu/s%zu", l.in_h, l.in_w, l.in_c, l.out_c, l.stride);
        std::printf("%-7s %-5s %4zu %-5s %-22s %10.1f %9.1f  %s\n", t->isa, l.alpha.c_str(), l.res, l.kind.c_str(), shape,
                    sec * 1e6, flops / sec * 1e-9, k.name);
        std::fflush(stdout);
        // fc: the runtime runs M = 1 through the GEMV when the table has one.
        const bool fc_gemv = l.kind == "fc" && t->gemv.fn;
        const bool chosen = (k.gemv ? (fc_gemv && !std::strcmp(k.name, t->gemv.name)) : (!std::strcmp(k.name, t->gemm.name) && !fc_gemv)) || !std::strcmp(k.name, t->dwconv3x3.name) ||
                            !std::strcmp(k.name, t->conv3x3s2.name) || !std::strcmp(k.name, t->gavgpool.name);
        if (!chosen) continue;
        per_kind[l.kind].first += flops;
        per_kind[l.kind].second += sec;
      }
    }
    double tf = 0, ts = 0;
    for (auto& [k, v] : per_kind) {
      std::printf("%-7s total %-5s %10.1f us %7.1f GFLOP/s\n", t->isa, k.c_str(), v.second * 1e6, v.first / v.second * 1e-9);
      tf += v.first;
      ts += v.second;
    }
    std::printf("%-7s total all   %10.1f us %7.1f GFLOP/s\n", t->isa, ts * 1e6, tf / ts * 1e-9);
  }
  return 0;
}
