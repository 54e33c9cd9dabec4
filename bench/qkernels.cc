// Integer kernel benchmark over the real MobileNetV1 layer shapes (bench/layers.txt), single thread.
// For each layer: every integer GEMM tile the ISA has (selected one and alternatives), qu8 and qs8,
// and, in the same run and alternating with them, the float kernel of the best float table, so the
// int/float ratio is measured under the same machine load. GEMM runs through the runtime's loop
// (row blocks of 192 KiB of A, weight panels outer, row tiles inner). Reports the median of repeated
// runs as GOP/s = 2 * MACs / time (gap: 1 op per add), per layer and per kernel, plus totals.
//
//   qkernels [--layers bench/layers.txt] [--alpha 1.0] [--res 224] [--isa avx512vnni] [--kind pw]
//            [--scheme qu8|qs8] [--no-float] [--stat median|min] [--samples 11] [--min-ms 2]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dispatch/dispatch.h"
#include "dispatch/qdispatch.h"
#include "kernels/kernels.h"
#include "kernels/qkernels.h"
#include "kernels/requantization.h"
#include "runtime/pack.h"
#include "runtime/qpack.h"

namespace {

struct Layer {
  std::string alpha, kind;
  size_t res, in_h, in_w, in_c, out_c, stride;
};

struct Options {
  std::string layers = "bench/layers.txt", alpha, res, isa, kind, scheme;
  bool with_float = true, stat_min = false;
  size_t samples = 11;
  double min_ms = 2.0;
};

template <typename T>
struct Aligned64 {
  using value_type = T;
  Aligned64() = default;
  template <typename U>
  Aligned64(const Aligned64<U>&) {}
  T* allocate(size_t n) {
    void* p = nullptr;
    if (posix_memalign(&p, 64, n * sizeof(T) + 64)) throw std::bad_alloc();
    return (T*)p;
  }
  void deallocate(T* p, size_t) { free(p); }
  bool operator==(const Aligned64&) const { return true; }
  bool operator!=(const Aligned64&) const { return false; }
};
template <typename T>
using Vec = std::vector<T, Aligned64<T>>;

// Every kernel of a layer is timed in interleaved rounds (round r runs each kernel once, in turn), so
// load from other processes hits all of them alike; per kernel, the median (or --stat min) over rounds.
struct Timer {
  std::vector<std::function<void()>> fns;
  std::vector<size_t> iters;
  size_t add(std::function<void()> fn) {
    fns.push_back(std::move(fn));
    return fns.size() - 1;
  }
  std::vector<double> run(const Options& o) {
    using clk = std::chrono::steady_clock;
    iters.assign(fns.size(), 1);
    for (size_t f = 0; f < fns.size(); f++) {
      fns[f]();
      for (;;) {
        const auto t0 = clk::now();
        for (size_t i = 0; i < iters[f]; i++) fns[f]();
        const double s = std::chrono::duration<double>(clk::now() - t0).count();
        if (s * 1e3 >= o.min_ms || iters[f] > (1u << 24)) break;
        iters[f] *= 2;
      }
    }
    std::vector<std::vector<double>> v(fns.size());
    for (size_t r = 0; r < o.samples; r++)
      for (size_t f = 0; f < fns.size(); f++) {
        const auto t0 = clk::now();
        for (size_t i = 0; i < iters[f]; i++) fns[f]();
        v[f].push_back(std::chrono::duration<double>(clk::now() - t0).count() / (double)iters[f]);
      }
    std::vector<double> out;
    for (auto& x : v) {
      std::sort(x.begin(), x.end());
      out.push_back(o.stat_min ? x.front() : x[x.size() / 2]);
    }
    return out;
  }
};

constexpr size_t kL2BlockBytes = 192 * 1024;  // as native/runtime/network.cc

// The runtime's single-thread GEMM loop: row blocks (L2), panels, row tiles.
template <typename Tile>
void gemm_loop(size_t M, size_t N, size_t K, size_t elem, size_t mr, size_t nr, Tile tile) {
  const size_t rows = std::max(mr, kL2BlockBytes / (K * elem) / mr * mr);
  for (size_t b0 = 0; b0 < M; b0 += rows) {
    const size_t b1 = std::min(M, b0 + rows);
    for (size_t n0 = 0; n0 < N; n0 += nr)
      for (size_t m0 = b0; m0 < b1; m0 += mr) tile(m0, std::min(mr, b1 - m0), n0, std::min(nr, N - n0));
  }
}

// Requantization as a real layer would have it: output in range, ReLU6-like clamp.
template <typename T>
mn::QPackArgs qargs(size_t k, size_t n, std::vector<int32_t>& bias, std::vector<int32_t>& zw,
                    std::vector<int32_t>& mult, std::vector<int32_t>& shift, std::mt19937& rng) {
  const bool u8 = std::is_same<T, uint8_t>::value;
  const size_t count = u8 ? 1 : n;
  bias.resize(n);
  for (auto& b : bias) b = (int32_t)(rng() % 20001) - 10000;
  zw.assign(count, u8 ? 120 : 0);
  mult.resize(count);
  shift.resize(count);
  for (size_t j = 0; j < count; j++) mn::quantize_multiplier(0.0007 + 0.0001 * (j % 7), &mult[j], &shift[j]);
  return {k, n, bias.data(), zw.data(), mult.data(), shift.data(), !u8, u8 ? 128 : -128};
}

// Buffers of the layer being timed; the kernels' closures point into them. Cleared after each layer.
std::vector<std::shared_ptr<void>> g_keep;
template <typename V>
V& keep(V v) {
  auto p = std::make_shared<V>(std::move(v));
  g_keep.push_back(p);
  return *p;
}

template <typename T>
Vec<T> random_q(size_t n, std::mt19937& rng) {
  Vec<T> v(n);
  for (auto& x : v) x = (T)(rng() >> 8);
  return v;
}

template <typename T, typename Fn>
std::function<void()> bench_qgemm(Fn fn, const mn::QGemmLayout& lay, size_t M, size_t N, size_t K, const Options& o) {
  std::mt19937 rng(7);
  auto& a = keep(random_q<T>(M * K, rng));
  Vec<T> w = random_q<T>(N * K, rng);
  if (!std::is_same<T, uint8_t>::value)
    for (auto& x : w) x = (T)std::max<int>(-127, (int)x);
  std::vector<int32_t> bias, zw, mult, shift;
  const mn::QPackArgs args = qargs<T>(K, N, bias, zw, mult, shift, rng);
  auto& packed = keep(Vec<uint8_t>(mn::qpacked_gemm_size(lay, K, N)));
  if constexpr (std::is_same<T, uint8_t>::value) mn::pack_qu8_gemm(lay, args, w.data(), packed.data());
  else mn::pack_qs8_gemm(lay, args, w.data(), packed.data());
  auto& c = keep(Vec<T>(M * N));
  const mn::QOutputParams out{std::is_same<T, uint8_t>::value ? 0 : -128, std::is_same<T, uint8_t>::value ? 0 : -128,
                              std::is_same<T, uint8_t>::value ? 255 : 127};
  const size_t panel = mn::qpacked_gemm_panel_bytes(lay, K);
  const T* ap = a.data();
  const uint8_t* wp = packed.data();
  T* cp = c.data();
  return [=] {
    gemm_loop(M, N, K, 1, lay.mr, lay.nr, [&](size_t m0, size_t mr, size_t n0, size_t nc) {
      fn(mr, nc, K, ap + m0 * K, K, wp + (n0 / lay.nr) * panel, cp + m0 * N + n0, N, out);
    });
  };
}

std::function<void()> bench_fgemm(const mn::KernelTable& t, size_t M, size_t N, size_t K, const Options& o) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  auto& a = keep(Vec<float>(M * K));
  auto& w = keep(Vec<float>(mn::packed_gemm_size(K, N, t.gemm.nr)));
  auto& c = keep(Vec<float>(M * N));
  Vec<float> wio(K * N), bias(N);
  for (auto& x : a) x = d(rng) + 1.0f;
  for (auto& x : wio) x = d(rng);
  for (auto& x : bias) x = d(rng);
  mn::pack_gemm_weights(K, N, t.gemm.nr, wio.data(), bias.data(), w.data());
  const float *ap = a.data(), *wp = w.data();
  float* cp = c.data();
  const mn::KernelTable* tp = &t;
  return [=] {
    gemm_loop(M, N, K, 4, tp->gemm.mr, tp->gemm.nr, [&](size_t m0, size_t mr, size_t n0, size_t nc) {
      tp->gemm.fn(mr, nc, K, ap + m0 * K, K, wp + (n0 / tp->gemm.nr) * tp->gemm.nr * (K + 1), cp + m0 * N + n0, N, 0.0f, 6.0f,
                  nullptr);
    });
  };
}

struct Geometry {
  size_t oh, ow, pt, pl;
};
Geometry same(const Layer& l) {
  const size_t s = l.stride, oh = (l.in_h + s - 1) / s, ow = (l.in_w + s - 1) / s;
  const size_t ph = std::max<ptrdiff_t>((ptrdiff_t)((oh - 1) * s + 3) - (ptrdiff_t)l.in_h, 0);
  const size_t pw = std::max<ptrdiff_t>((ptrdiff_t)((ow - 1) * s + 3) - (ptrdiff_t)l.in_w, 0);
  return {oh, ow, ph / 2, pw / 2};
}

template <typename T, typename Fn>
std::function<void()> bench_qdw(Fn fn, const mn::QTapsLayout& lay, const Layer& l, const Options& o) {
  std::mt19937 rng(7);
  const Geometry g = same(l);
  const size_t C = l.in_c;
  auto& in = keep(random_q<T>(l.in_h * l.in_w * C, rng));
  Vec<T> w = random_q<T>(9 * C, rng);
  if (!std::is_same<T, uint8_t>::value)
    for (auto& x : w) x = (T)std::max<int>(-127, (int)x);
  std::vector<int32_t> bias, zw, mult, shift;
  const mn::QPackArgs args = qargs<T>(9, C, bias, zw, mult, shift, rng);
  auto& packed = keep(Vec<uint8_t>(mn::qpacked_taps_size(lay, 9, C)));
  if constexpr (std::is_same<T, uint8_t>::value) mn::pack_qu8_dwconv3x3(lay, args, w.data(), packed.data());
  else mn::pack_qs8_dwconv3x3(lay, args, w.data(), packed.data());
  auto& out = keep(Vec<T>(g.oh * g.ow * C));
  mn::QDwconvParams<T> p{in.data(), out.data(), packed.data(), l.in_h, l.in_w, C, g.oh, g.ow, l.stride, g.pt, g.pl,
                         args.a_zero_point, {0, std::is_same<T, uint8_t>::value ? 0 : -128, std::is_same<T, uint8_t>::value ? 255 : 127}};
  const size_t oh = g.oh;
  return [=] { fn(p, 0, oh); };
}

template <typename T, typename Fn>
std::function<void()> bench_qconv(Fn fn, const mn::QTapsLayout& lay, const Layer& l, const Options& o) {
  std::mt19937 rng(7);
  const Geometry g = same(l);
  const size_t OC = l.out_c;
  auto& in = keep(random_q<T>(l.in_h * l.in_w * 3, rng));
  Vec<T> w = random_q<T>(27 * OC, rng);
  if (!std::is_same<T, uint8_t>::value)
    for (auto& x : w) x = (T)std::max<int>(-127, (int)x);
  std::vector<int32_t> bias, zw, mult, shift;
  const mn::QPackArgs args = qargs<T>(27, OC, bias, zw, mult, shift, rng);
  auto& packed = keep(Vec<uint8_t>(mn::qpacked_taps_size(lay, 27, OC)));
  if constexpr (std::is_same<T, uint8_t>::value) mn::pack_qu8_conv3x3s2(lay, args, w.data(), packed.data());
  else mn::pack_qs8_conv3x3s2(lay, args, w.data(), packed.data());
  auto& out = keep(Vec<T>(g.oh * g.ow * OC));
  mn::QConvParams<T> p{in.data(), out.data(), packed.data(), l.in_h, l.in_w, OC, g.oh, g.ow, g.pt, g.pl,
                       args.a_zero_point, {0, std::is_same<T, uint8_t>::value ? 0 : -128, std::is_same<T, uint8_t>::value ? 255 : 127}};
  const size_t oh = g.oh;
  return [=] { fn(p, 0, oh); };
}

template <typename T, typename Fn>
std::function<void()> bench_qgap(Fn fn, const Layer& l, const Options& o) {
  std::mt19937 rng(7);
  const size_t P = l.in_h * l.in_w, C = l.in_c;
  auto& in = keep(random_q<T>(P * C, rng));
  auto& out = keep(Vec<T>(C));
  const T* ip = in.data();
  T* op = out.data();
  return [=] { fn(P, C, ip, op, std::numeric_limits<T>::min(), std::numeric_limits<T>::max()); };
}

std::function<void()> bench_float(const mn::KernelTable& t, const Layer& l, const Options& o) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  const Geometry g = same(l);
  if (l.kind == "pw" || l.kind == "fc") return bench_fgemm(t, l.in_h * l.in_w, l.out_c, l.in_c, o);
  if (l.kind == "dw") {
    const size_t C = l.in_c;
    auto& in = keep(Vec<float>(l.in_h * l.in_w * C));
    auto& w = keep(Vec<float>(mn::packed_dwconv_size(C, t.dwconv3x3.channel_tile)));
    auto& out = keep(Vec<float>(g.oh * g.ow * C));
    Vec<float> wk(9 * C), bias(C);
    for (auto& x : in) x = d(rng);
    for (auto& x : wk) x = d(rng);
    mn::pack_dwconv_weights(C, t.dwconv3x3.channel_tile, wk.data(), bias.data(), w.data());
    mn::DwconvParams p{in.data(), out.data(), w.data(), l.in_h, l.in_w, C, g.oh, g.ow, l.stride, g.pt, g.pl, 0.0f, 6.0f};
    const mn::DwconvFn fn = t.dwconv3x3.fn;
    const size_t oh = g.oh;
    return [=] { fn(p, 0, oh); };
  }
  if (l.kind == "conv") {
    const size_t OC = l.out_c;
    auto& in = keep(Vec<float>(l.in_h * l.in_w * 3));
    auto& w = keep(Vec<float>(mn::packed_conv3x3_size(OC, t.conv3x3s2.channel_tile)));
    auto& out = keep(Vec<float>(g.oh * g.ow * OC));
    Vec<float> wk(27 * OC), bias(OC);
    for (auto& x : in) x = d(rng);
    for (auto& x : wk) x = d(rng);
    mn::pack_conv3x3_weights(OC, t.conv3x3s2.channel_tile, wk.data(), bias.data(), w.data());
    mn::ConvParams p{in.data(), out.data(), w.data(), l.in_h, l.in_w, OC, g.oh, g.ow, g.pt, g.pl, 0.0f, 6.0f};
    const mn::ConvFn fn = t.conv3x3s2.fn;
    const size_t oh = g.oh;
    return [=] { fn(p, 0, oh); };
  }
  const size_t P = l.in_h * l.in_w, C = l.in_c;
  auto& in = keep(Vec<float>(P * C));
  auto& out = keep(Vec<float>(C));
  for (auto& x : in) x = d(rng);
  const mn::GavgpoolFn fn = t.gavgpool.fn;
  const float* ip = in.data();
  float* op = out.data();
  return [=] { fn(P, C, ip, op); };
}

double layer_ops(const Layer& l) {
  const Geometry g = same(l);
  if (l.kind == "pw" || l.kind == "fc") return 2.0 * l.in_h * l.in_w * l.in_c * l.out_c;
  if (l.kind == "dw") return 2.0 * g.oh * g.ow * l.in_c * 9;
  if (l.kind == "conv") return 2.0 * g.oh * g.ow * l.out_c * 27;
  return (double)l.in_h * l.in_w * l.in_c;
}

struct Row {
  std::string kernel;
  std::function<void()> fn;
};

template <typename T>
std::vector<Row> bench_int(const mn::QKernelTable& t, const Layer& l, const Options& o) {
  const bool u8 = std::is_same<T, uint8_t>::value;
  std::vector<Row> rows;
  if (l.kind == "pw" || l.kind == "fc") {
    const size_t M = l.in_h * l.in_w, N = l.out_c, K = l.in_c;
    std::vector<mn::QGemmVariant> vs{{t.qu8_gemm_name, t.qu8_gemm, t.qu8_gemm_layout, t.qs8_gemm_name, t.qs8_gemm,
                                      t.qs8_gemm_layout}};
    for (size_t i = 0; i < t.num_gemm_alternatives; i++) vs.push_back(t.gemm_alternatives[i]);
    for (const auto& v : vs) {
      if constexpr (std::is_same<T, uint8_t>::value) rows.push_back({v.qu8_name, bench_qgemm<T>(v.qu8, v.qu8_layout, M, N, K, o)});
      else rows.push_back({v.qs8_name, bench_qgemm<T>(v.qs8, v.qs8_layout, M, N, K, o)});
    }
  } else if (l.kind == "dw") {
    if constexpr (std::is_same<T, uint8_t>::value)
      rows.push_back({t.qu8_dwconv3x3_name, bench_qdw<T>(t.qu8_dwconv3x3, t.qu8_dwconv3x3_layout, l, o)});
    else rows.push_back({t.qs8_dwconv3x3_name, bench_qdw<T>(t.qs8_dwconv3x3, t.qs8_dwconv3x3_layout, l, o)});
  } else if (l.kind == "conv") {
    if constexpr (std::is_same<T, uint8_t>::value)
      rows.push_back({t.qu8_conv3x3s2_name, bench_qconv<T>(t.qu8_conv3x3s2, t.qu8_conv3x3s2_layout, l, o)});
    else rows.push_back({t.qs8_conv3x3s2_name, bench_qconv<T>(t.qs8_conv3x3s2, t.qs8_conv3x3s2_layout, l, o)});
  } else {
    if constexpr (std::is_same<T, uint8_t>::value) rows.push_back({"qu8_gavgpool", bench_qgap<T>(t.qu8_gavgpool, l, o)});
    else rows.push_back({"qs8_gavgpool", bench_qgap<T>(t.qs8_gavgpool, l, o)});
  }
  (void)u8;
  return rows;
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
    else if (a == "--scheme") o.scheme = next();
    else if (a == "--no-float") o.with_float = false;
    else if (a == "--stat") o.stat_min = next() == "min";
    else if (a == "--samples") o.samples = std::max(1, std::atoi(next().c_str()));
    else if (a == "--min-ms") o.min_ms = std::atof(next().c_str());
    else {
      std::fprintf(stderr,
                   "usage: qkernels [--layers FILE] [--alpha A] [--res R] [--isa ISA] [--kind conv|dw|pw|gap|fc]\n"
                   "                [--scheme qu8|qs8] [--no-float] [--stat median|min] [--samples N] [--min-ms MS]\n");
      return 2;
    }
  }
  if (!o.scheme.empty() && o.scheme != "qu8" && o.scheme != "qs8") {
    std::fprintf(stderr, "--scheme must be qu8 or qs8, got '%s'\n", o.scheme.c_str());
    return 2;
  }
  std::ifstream f(o.layers);
  if (!f) { std::fprintf(stderr, "cannot open %s (run from the repo root or pass --layers)\n", o.layers.c_str()); return 2; }
  std::vector<Layer> layers;
  for (std::string line; std::getline(f, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    Layer l;
    ss >> l.alpha >> l.res >> l.kind >> l.in_h >> l.in_w >> l.in_c >> l.out_c >> l.stride;
    if (!ss) continue;
    if (!o.alpha.empty() && std::atof(o.alpha.c_str()) != std::atof(l.alpha.c_str())) continue;
    if (!o.res.empty() && (size_t)std::atoi(o.res.c_str()) != l.res) continue;
    if (!o.kind.empty() && o.kind != l.kind) continue;
    layers.push_back(l);
  }
  const mn::KernelTable& ft = mn::select_kernel_table("");
  std::printf("# cpu: %s, 1 thread, %s of %zu interleaved samples; float reference: %s\n", mn::cpu_model_name().c_str(),
              o.stat_min ? "min" : "median", o.samples, ft.isa);
  std::printf("%-5s %4s %-5s %-20s %-48s %9s %8s\n", "alpha", "res", "kind", "shape", "kernel", "us", "GOP/s");
  std::map<std::string, std::pair<double, double>> totals;  // kernel (or kind:kernel) -> (ops, seconds)
  for (const Layer& l : layers) {
    const double ops = layer_ops(l);
    char shape[64];
    std::snprintf(shape, sizeof shape, "%zux%zux%zu>%zu/s%zu", l.in_h, l.in_w, l.in_c, l.out_c, l.stride);
    std::vector<Row> rows;
    if (o.with_float) rows.push_back({std::string("float/") + ft.isa, bench_float(ft, l, o)});
    for (const mn::QKernelTable* t : mn::supported_qkernel_tables()) {
      if (!o.isa.empty() && o.isa != t->isa) continue;
      if (o.scheme != "qs8")
        for (auto& r : bench_int<uint8_t>(*t, l, o)) rows.push_back({std::string(t->isa) + "/" + r.kernel, r.fn});
      if (o.scheme != "qu8")
        for (auto& r : bench_int<int8_t>(*t, l, o)) rows.push_back({std::string(t->isa) + "/" + r.kernel, r.fn});
    }
    Timer timer;
    for (const Row& r : rows) timer.add(r.fn);
    const std::vector<double> secs = timer.run(o);
    g_keep.clear();
    for (size_t i = 0; i < rows.size(); i++) {
      std::printf("%-5s %4zu %-5s %-20s %-48s %9.1f %8.1f\n", l.alpha.c_str(), l.res, l.kind.c_str(), shape,
                  rows[i].kernel.c_str(), secs[i] * 1e6, ops / secs[i] * 1e-9);
      auto& tk = totals[l.kind + " " + rows[i].kernel];
      tk.first += ops;
      tk.second += secs[i];
    }
    std::fflush(stdout);
  }
  std::printf("# totals per kind and kernel\n");
  for (auto& [k, v] : totals) std::printf("total %-60s %10.1f us %8.1f GOP/s\n", k.c_str(), v.second * 1e6, v.first / v.second * 1e-9);
  return 0;
}
