// Integer kernel tester: every integer kernel of every QKernelTable this CPU supports (scalar included)
// against naive loops on UNPACKED TFLite-layout weights with TFLite 2.2's formulas
//   acc = bias + sum (a - za)(w - zw);  out = clamp(MultiplyByQuantizedMultiplier(acc, M, shift) + zo)
// packed with runtime/qpack.h using the kernel's own layout. Integers: results must be equal, bit for bit.
// - Inputs and packed weights sit flush against a PROT_NONE page (after the end on even cases, before
//   the start on odd ones): an out-of-bounds read faults. Outputs are surrounded and interleaved with
//   sentinel bytes that must survive: no write outside the tile/rows asked for.
// - Zero points, multipliers (including exact powers of two, where rounding ties are common, and
//   multipliers above 1), clamps (full range, ReLU6-like, narrow) vary per case.
// - Also: the requantization primitives against hand-computed TFLite values, pack errors, and the integer ADD
//   kernels (vadd) against the scalar form (runtime/qadd.h) on every pair of input values.
//
// Usage: qkernel_test [--isa NAME] [--verbose]. Exit code 1 on any failure.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "dispatch/qdispatch.h"
#include "kernels/qkernels.h"
#include "kernels/requantization.h"
#include "runtime/qadd.h"
#include "runtime/qpack.h"

namespace {

using mn::QKernelTable;

size_t g_cases = 0, g_failures = 0;
const char* g_current = "";
bool g_verbose = false;
std::mt19937 g_rng(4242);

int32_t irand(int32_t lo, int32_t hi) { return std::uniform_int_distribution<int32_t>(lo, hi)(g_rng); }  // [lo, hi]
size_t zrand(size_t lo, size_t hi) { return std::uniform_int_distribution<size_t>(lo, hi)(g_rng); }

// Bytes placed flush against an inaccessible page (after it or before it).
class Guarded {
 public:
  Guarded(size_t bytes, bool at_end) : n_(bytes) {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t body = ((bytes ? bytes : 1) + page - 1) / page * page;
    len_ = body + 2 * page;
    base_ = (char*)mmap(nullptr, len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base_ == MAP_FAILED) { perror("mmap"); std::abort(); }
    mprotect(base_, page, PROT_NONE);
    mprotect(base_ + page + body, page, PROT_NONE);
    data_ = at_end ? base_ + page + body - bytes : base_ + page;
  }
  ~Guarded() { munmap(base_, len_); }
  Guarded(const Guarded&) = delete;
  Guarded& operator=(const Guarded&) = delete;
  template <typename T>
  T* as() { return (T*)data_; }
  size_t size() const { return n_; }

 private:
  size_t n_, len_;
  char* base_;
  char* data_;
};

constexpr size_t kGuard = 64;
constexpr uint8_t kSentinel = 0xA5;
struct Out {
  std::vector<uint8_t> buf;
  explicit Out(size_t n) : buf(n + 2 * kGuard, kSentinel) {}
  template <typename T>
  T* data() { return (T*)(buf.data() + kGuard); }
  bool guards_ok() const {
    for (size_t i = 0; i < kGuard; i++)
      if (buf[i] != kSentinel || buf[buf.size() - 1 - i] != kSentinel) return false;
    return true;
  }
};

struct Case {
  std::string desc;
  size_t errors = 0;
  explicit Case(std::string d) : desc(std::move(d)) {
    g_cases++;
    g_current = desc.c_str();
  }
  void fail(const std::string& what) {
    if (errors++ < 3) std::printf("FAIL %s: %s\n", desc.c_str(), what.c_str());
  }
  ~Case() {
    if (errors) g_failures++;
    else if (g_verbose) std::printf("ok   %s\n", desc.c_str());
  }
};

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char b[640];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(b, sizeof b, f, ap);
  va_end(ap);
  return b;
}

template <typename T>
constexpr bool kU8 = std::is_same<T, uint8_t>::value;
template <typename T>
const char* scheme() { return kU8<T> ? "qu8" : "qs8"; }
template <typename T>
int32_t tmin() { return std::numeric_limits<T>::min(); }
template <typename T>
int32_t tmax() { return std::numeric_limits<T>::max(); }

// Random quantization of one layer. qu8: per-tensor weights with a zero point; qs8: per-channel
// symmetric weights (zw = 0, w in [-127, 127]). `taps` = reduction length, for the multiplier scale.
template <typename T>
struct QLayer {
  size_t n;
  bool per_channel;
  int32_t za;
  std::vector<int32_t> zw, bias, mult, shift;
  mn::QOutputParams out;
  std::string desc;

  QLayer(size_t n_, size_t taps) : n(n_), per_channel(!kU8<T>) {
    const size_t count = per_channel ? n : 1;
    za = irand(tmin<T>(), tmax<T>());
    if (g_cases % 7 == 3) za = kU8<T> ? 0 : -128;
    zw.assign(count, 0);
    if (kU8<T>) zw[0] = g_cases % 5 == 1 ? 128 : irand(0, 255);
    bias.resize(n);
    for (auto& b : bias) b = irand(-40000, 40000);
    mult.resize(count);
    shift.resize(count);
    const int mode = (int)(g_cases % 6);
    for (size_t j = 0; j < count; j++) {
      // Scale so sum of `taps` products of ~128 x ~128 lands in the output range (~2^14 * sqrt(taps)).
      double m = std::ldexp(std::uniform_real_distribution<double>(0.5, 1.0)(g_rng), -7 - irand(0, 6));
      m /= std::sqrt((double)taps);
      if (mode == 1) m = std::ldexp(1.0, -irand(1, 14));       // exact power of two: many ties
      if (mode == 2 && j % 3 == 0) m = std::ldexp(std::uniform_real_distribution<double>(1.0, 3.9)(g_rng), 0) / 4096;
      if (mode == 4 && (j % 4 == 1 || count == 1)) m = std::uniform_real_distribution<double>(1.0, 3.9)(g_rng);  // left shift
      if (!mn::quantize_multiplier(m, &mult[j], &shift[j])) std::abort();
    }
    switch (g_cases % 3) {
      case 0: out = {irand(tmin<T>(), tmax<T>()), tmin<T>(), tmax<T>()}; desc = "full"; break;
      case 1: {  // ReLU6-like: [zo, zo + 6 / scale]
        const int32_t zo = irand(tmin<T>(), tmin<T>() + 40);
        out = {zo, zo, std::min(tmax<T>(), zo + irand(100, 255))};
        desc = "relu6";
        break;
      }
      default: {
        const int32_t lo = irand(tmin<T>(), tmax<T>() - 10);
        out = {irand(tmin<T>(), tmax<T>()), lo, irand(lo, std::min(tmax<T>(), lo + 60))};
        desc = "narrow";
      }
    }
    // As the runtime sets it (qlayers.cc): kernels may skip the left shift when no channel has one.
    out.left_shift = std::any_of(shift.begin(), shift.end(), [](int32_t s) { return s > 0; });
  }
  int32_t zw_of(size_t c) const { return zw[per_channel ? c : 0]; }
  mn::QPackArgs args(size_t k) const {
    return {k, n, bias.data(), zw.data(), mult.data(), shift.data(), per_channel, za};
  }
  int32_t requant(size_t c, int32_t acc) const {
    const size_t q = per_channel ? c : 0;
    int32_t v = mn::multiply_by_quantized_multiplier(acc, mult[q], shift[q]) + out.zero_point;
    return v < out.min ? out.min : (v > out.max ? out.max : v);
  }
  int32_t random_weight(size_t c) const {
    return kU8<T> ? irand(0, 255) : irand(-127, 127);
  }
  std::string str() const {
    return fmt("za=%d zw=%d M[0]=(%d,%d) out(zp=%d,[%d,%d] %s)", za, zw[0], mult[0], shift[0], out.zero_point, out.min,
               out.max, desc.c_str());
  }
};

template <typename T>
void fill(T* p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = (T)irand(tmin<T>(), tmax<T>());
}

// ------------------------------------------------------------------------------------------------
// GEMM through the runtime's tile loop (N panels outer, M tiles inner).
template <typename T, typename Fn>
void run_gemm_tiles(Fn fn, const mn::QGemmLayout& l, size_t M, size_t N, size_t K, const T* a, size_t as,
                    const uint8_t* w, T* c, size_t cs, const mn::QOutputParams& out, size_t first_tile_rows) {
  const size_t MR = l.mr, NR = l.nr, panel = mn::qpacked_gemm_panel_bytes(l, K);
  for (size_t n0 = 0; n0 < N; n0 += NR) {
    const size_t nc = N - n0 < NR ? N - n0 : NR;
    size_t m0 = 0;
    while (m0 < M) {
      size_t mr = M - m0 < MR ? M - m0 : MR;
      if (m0 == 0 && first_tile_rows && first_tile_rows < mr) mr = first_tile_rows;
      fn(mr, nc, K, a + m0 * as, as, w + (n0 / NR) * panel, c + m0 * cs + n0, cs, out);
      m0 += mr;
    }
  }
}

template <typename T, typename Fn>
void test_gemm(const QKernelTable& t, const char* name, Fn fn, const mn::QGemmLayout& l, size_t M, size_t N, size_t K,
               size_t a_extra, size_t c_extra) {
  const size_t as = K + a_extra, cs = N + c_extra;
  QLayer<T> q(N, K);
  Case cs_(fmt("isa=%s kernel=%s M x N x K=%zu x %zu x %zu a_stride=%zu c_stride=%zu tile=%zux%zu %s", t.isa, name, M, N,
               K, as, cs, l.mr, l.nr, q.str().c_str()));
  const bool at_end = g_cases % 2 == 0;
  Guarded a((M - 1) * as + K, at_end);
  fill(a.as<T>(), a.size());
  if (g_cases % 4 == 0)  // saturated inputs: the largest accumulators
    for (size_t i = 0; i < a.size(); i++) a.as<T>()[i] = (T)(i % 2 ? tmin<T>() : tmax<T>());
  std::vector<T> w(N * K);
  for (size_t j = 0; j < N; j++)
    for (size_t k = 0; k < K; k++) w[j * K + k] = (T)q.random_weight(j);
  Guarded wp(mn::qpacked_gemm_size(l, K, N), !at_end);
  if constexpr (kU8<T>) mn::pack_qu8_gemm(l, q.args(K), w.data(), wp.as<void>());
  else mn::pack_qs8_gemm(l, q.args(K), w.data(), wp.as<void>());

  const size_t csize = (M - 1) * cs + N;
  Out c(csize), c2(csize);
  run_gemm_tiles<T>(fn, l, M, N, K, a.as<T>(), as, wp.as<uint8_t>(), c.data<T>(), cs, q.out, 0);
  if (!c.guards_ok()) cs_.fail("wrote outside the output buffer");
  for (size_t m = 0; m < M; m++)
    for (size_t j = 0; j < cs && m * cs + j < csize; j++) {
      const uint8_t raw = c.data<uint8_t>()[m * cs + j];
      if (j >= N) {
        if (raw != kSentinel) cs_.fail(fmt("wrote padding C[%zu][%zu] between rows", m, j));
        continue;
      }
      int32_t acc = q.bias[j];
      for (size_t k = 0; k < K; k++) acc += ((int32_t)a.as<T>()[m * as + k] - q.za) * ((int32_t)w[j * K + k] - q.zw_of(j));
      const int32_t ref = q.requant(j, acc);
      const int32_t got = c.data<T>()[m * cs + j];
      if (got != ref)
        cs_.fail(fmt("C[%zu][%zu] = %d, expected %d (acc %d; tile row %zu col %zu)", m, j, got, ref, acc, m % l.mr,
                     j % l.nr));
    }
  if (M > 1) {
    run_gemm_tiles<T>(fn, l, M, N, K, a.as<T>(), as, wp.as<uint8_t>(), c2.data<T>(), cs, q.out, 1);
    if (c.buf != c2.buf) cs_.fail("results depend on the row's position in the tile (first tile of 1 row)");
  }
  if (l.panels) {  // one call per row tile over every panel (nc = N > NR)
    Out c3(csize);
    for (size_t m0 = 0; m0 < M; m0 += l.mr)
      fn(M - m0 < l.mr ? M - m0 : l.mr, N, K, a.as<T>() + m0 * as, as, wp.as<uint8_t>(), c3.data<T>() + m0 * cs, cs, q.out);
    if (!c3.guards_ok()) cs_.fail("wrote outside the output buffer (one call over all panels)");
    if (c.buf != c3.buf) cs_.fail("results differ when one call covers all panels (layout.panels)");
  }
  if (l.rows) {  // one call over every row tile (per panel, or over all of them with layout.panels)
    Out c4(csize);
    const size_t panel = mn::qpacked_gemm_panel_bytes(l, K);
    for (size_t n0 = 0; n0 < N; n0 += l.panels ? N : l.nr)
      fn(M, l.panels ? N : std::min(l.nr, N - n0), K, a.as<T>(), as, wp.as<uint8_t>() + (n0 / l.nr) * panel,
         c4.data<T>() + n0, cs, q.out);
    if (!c4.guards_ok()) cs_.fail("wrote outside the output buffer (one call over all row tiles)");
    if (c.buf != c4.buf) cs_.fail("results differ when one call covers all row tiles (layout.rows)");
  }
}

template <typename T, typename Fn>
void gemm_suite(const QKernelTable& t, const char* name, Fn fn, const mn::QGemmLayout& l) {
  const size_t MR = l.mr, NR = l.nr;
  for (size_t mr = 1; mr <= MR; mr++)
    for (size_t nc = 1; nc <= NR; nc++)
      for (size_t K : {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 24, 31}) test_gemm<T>(t, name, fn, l, mr, nc, K, (mr + nc) % 3, nc % 2);
  for (size_t K : {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 40, 63, 64, 65, 100, 127, 128, 129, 256,
                   1016, 1024, 1025, 1100}) {
    test_gemm<T>(t, name, fn, l, MR, NR, K, 0, 0);
    test_gemm<T>(t, name, fn, l, MR, NR, K, 7, 5);
    test_gemm<T>(t, name, fn, l, MR > 1 ? MR - 1 : 1, NR > 1 ? NR - 1 : 1, K, 1, 3);
  }
  for (size_t M : {MR + 1, 2 * MR + 3, (size_t)49})
    for (size_t N : {2 * NR + 3, 3 * NR - 1, (size_t)10, 4 * NR})
      for (size_t K : {3, 32, 100}) test_gemm<T>(t, name, fn, l, M, N, K, K % 5, N % 3);
  test_gemm<T>(t, name, fn, l, 196, 64, 512, 0, 0);
  test_gemm<T>(t, name, fn, l, 49, 1001, 1024, 0, 0);  // classifier-like
  test_gemm<T>(t, name, fn, l, 1, 1001, 1024, 0, 0);
}

// ------------------------------------------------------------------------------------------------
// Depthwise 3x3 and first conv share geometry.
struct Geometry {
  size_t OH, OW, pt, pl;
  bool ok;
};
Geometry geometry(size_t H, size_t W, size_t s, bool same) {
  Geometry g{};
  if (same) {
    g.OH = (H + s - 1) / s;
    g.OW = (W + s - 1) / s;
    const ptrdiff_t ph = (ptrdiff_t)((g.OH - 1) * s + 3) - (ptrdiff_t)H, pw = (ptrdiff_t)((g.OW - 1) * s + 3) - (ptrdiff_t)W;
    g.pt = ph > 0 ? (size_t)ph / 2 : 0;
    g.pl = pw > 0 ? (size_t)pw / 2 : 0;
    g.ok = true;
  } else {
    g.ok = H >= 3 && W >= 3;
    if (g.ok) {
      g.OH = (H - 3) / s + 1;
      g.OW = (W - 3) / s + 1;
    }
  }
  return g;
}

template <typename T, typename Fn>
void test_dwconv(const QKernelTable& t, const char* name, Fn fn, const mn::QTapsLayout& l, size_t H, size_t W, size_t C,
                 size_t s, bool same) {
  const Geometry g = geometry(H, W, s, same);
  if (!g.ok) return;
  const size_t r0 = zrand(0, g.OH - 1), r1 = zrand(r0 + 1, g.OH);
  QLayer<T> q(C, 9);
  Case cs_(fmt("isa=%s kernel=%s HxWxC=%zux%zux%zu stride=%zu pads(top,left)=(%zu,%zu) out=%zux%zu rows[%zu,%zu) "
               "tile=%zuc %s",
               t.isa, name, H, W, C, s, g.pt, g.pl, g.OH, g.OW, r0, r1, l.ct, q.str().c_str()));
  const bool at_end = g_cases % 2 == 0;
  Guarded in(H * W * C, at_end);
  fill(in.as<T>(), in.size());
  std::vector<T> w(9 * C);
  for (size_t i = 0; i < w.size(); i++) w[i] = (T)q.random_weight(i % C);
  Guarded wp(mn::qpacked_taps_size(l, 9, C), !at_end);
  if constexpr (kU8<T>) mn::pack_qu8_dwconv3x3(l, q.args(9), w.data(), wp.as<void>());
  else mn::pack_qs8_dwconv3x3(l, q.args(9), w.data(), wp.as<void>());
  const size_t total = g.OH * g.OW * C;
  Out out(total), full(total);
  mn::QDwconvParams<T> p{in.as<T>(), out.data<T>(), wp.as<void>(), H, W, C, g.OH, g.OW, s, g.pt, g.pl, q.za, q.out};
  fn(p, r0, r1);
  const size_t row = g.OW * C;
  for (size_t i = 0; i < g.OH * row; i++)
    if ((i / row < r0 || i / row >= r1) && out.data<uint8_t>()[i] != kSentinel) {
      cs_.fail(fmt("wrote output row %zu outside rows [%zu,%zu)", i / row, r0, r1));
      break;
    }
  fn(p, 0, r0);
  fn(p, r1, g.OH);
  if (!out.guards_ok()) cs_.fail("wrote outside the output buffer");
  for (size_t oy = 0; oy < g.OH; oy++)
    for (size_t ox = 0; ox < g.OW; ox++)
      for (size_t c = 0; c < C; c++) {
        int32_t acc = q.bias[c];
        for (size_t ky = 0; ky < 3; ky++)
          for (size_t kx = 0; kx < 3; kx++) {
            const ptrdiff_t iy = (ptrdiff_t)(oy * s + ky) - (ptrdiff_t)g.pt, ix = (ptrdiff_t)(ox * s + kx) - (ptrdiff_t)g.pl;
            if (iy < 0 || ix < 0 || iy >= (ptrdiff_t)H || ix >= (ptrdiff_t)W) continue;  // TFLite skips padded taps
            acc += ((int32_t)in.as<T>()[((size_t)iy * W + (size_t)ix) * C + c] - q.za) *
                   ((int32_t)w[(ky * 3 + kx) * C + c] - q.zw_of(c));
          }
        const int32_t ref = q.requant(c, acc);
        const int32_t got = out.data<T>()[(oy * g.OW + ox) * C + c];
        if (got != ref) cs_.fail(fmt("out[y=%zu][x=%zu][c=%zu] = %d, expected %d (acc %d)", oy, ox, c, got, ref, acc));
      }
  p.output = full.data<T>();
  fn(p, 0, g.OH);
  if (out.buf != full.buf) cs_.fail("split row ranges differ from one call over all rows");
}

template <typename T, typename Fn>
void dwconv_suite(const QKernelTable& t, const char* name, Fn fn, const mn::QTapsLayout& l, size_t max_ct) {
  for (size_t s : {1, 2}) {
    for (size_t C = 1; C <= 3 * max_ct + 1; C++) {
      test_dwconv<T>(t, name, fn, l, 5, 6, C, s, true);
      test_dwconv<T>(t, name, fn, l, 8, 7, C, s, true);
    }
    const size_t cs[] = {1, l.ct, l.ct + 1, 2 * l.ct + 3, 40};
    for (size_t H : {1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15})
      for (size_t W : {1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15})
        for (size_t same : {1, 0}) test_dwconv<T>(t, name, fn, l, H, W, cs[(H + W) % 5], s, same);
    test_dwconv<T>(t, name, fn, l, 28, 28, 64, s, true);
    test_dwconv<T>(t, name, fn, l, 28, 27, 19, s, true);
    test_dwconv<T>(t, name, fn, l, 112, 112, 32, s, true);
    test_dwconv<T>(t, name, fn, l, 113, 111, 8, s, true);
  }
  test_dwconv<T>(t, name, fn, l, 14, 14, 512, 1, true);
  test_dwconv<T>(t, name, fn, l, 7, 7, 1024, 1, true);
}

template <typename T, typename Fn>
void test_conv(const QKernelTable& t, const char* name, Fn fn, const mn::QTapsLayout& l, size_t H, size_t W, size_t OC,
               bool same) {
  const Geometry g = geometry(H, W, 2, same);
  if (!g.ok) return;
  const size_t r0 = zrand(0, g.OH - 1), r1 = zrand(r0 + 1, g.OH);
  QLayer<T> q(OC, 27);
  Case cs_(fmt("isa=%s kernel=%s HxWx3=%zux%zux3 out_c=%zu pads(top,left)=(%zu,%zu) out=%zux%zu rows[%zu,%zu) tile=%zuc %s",
               t.isa, name, H, W, OC, g.pt, g.pl, g.OH, g.OW, r0, r1, l.ct, q.str().c_str()));
  const bool at_end = g_cases % 2 == 0;
  Guarded in(H * W * 3, at_end);
  fill(in.as<T>(), in.size());
  std::vector<T> w(OC * 27);  // OHWI
  for (size_t i = 0; i < w.size(); i++) w[i] = (T)q.random_weight(i / 27);
  Guarded wp(mn::qpacked_taps_size(l, 27, OC), !at_end);
  if constexpr (kU8<T>) mn::pack_qu8_conv3x3s2(l, q.args(27), w.data(), wp.as<void>());
  else mn::pack_qs8_conv3x3s2(l, q.args(27), w.data(), wp.as<void>());
  const size_t total = g.OH * g.OW * OC;
  Out out(total), full(total);
  mn::QConvParams<T> p{in.as<T>(), out.data<T>(), wp.as<void>(), H, W, OC, g.OH, g.OW, g.pt, g.pl, q.za, q.out};
  fn(p, r0, r1);
  const size_t row = g.OW * OC;
  for (size_t i = 0; i < g.OH * row; i++)
    if ((i / row < r0 || i / row >= r1) && out.data<uint8_t>()[i] != kSentinel) {
      cs_.fail(fmt("wrote output row %zu outside rows [%zu,%zu)", i / row, r0, r1));
      break;
    }
  fn(p, 0, r0);
  fn(p, r1, g.OH);
  if (!out.guards_ok()) cs_.fail("wrote outside the output buffer");
  for (size_t oy = 0; oy < g.OH; oy++)
    for (size_t ox = 0; ox < g.OW; ox++)
      for (size_t oc = 0; oc < OC; oc++) {
        int32_t acc = q.bias[oc];
        for (size_t ky = 0; ky < 3; ky++)
          for (size_t kx = 0; kx < 3; kx++) {
            const ptrdiff_t iy = (ptrdiff_t)(oy * 2 + ky) - (ptrdiff_t)g.pt, ix = (ptrdiff_t)(ox * 2 + kx) - (ptrdiff_t)g.pl;
            if (iy < 0 || ix < 0 || iy >= (ptrdiff_t)H || ix >= (ptrdiff_t)W) continue;
            for (size_t ci = 0; ci < 3; ci++)
              acc += ((int32_t)in.as<T>()[((size_t)iy * W + (size_t)ix) * 3 + ci] - q.za) *
                     ((int32_t)w[oc * 27 + (ky * 3 + kx) * 3 + ci] - q.zw_of(oc));
          }
        const int32_t ref = q.requant(oc, acc);
        const int32_t got = out.data<T>()[(oy * g.OW + ox) * OC + oc];
        if (got != ref) cs_.fail(fmt("out[y=%zu][x=%zu][c=%zu] = %d, expected %d (acc %d)", oy, ox, oc, got, ref, acc));
      }
  p.output = full.data<T>();
  fn(p, 0, g.OH);
  if (out.buf != full.buf) cs_.fail("split row ranges differ from one call over all rows");
}

template <typename T, typename Fn>
void conv_suite(const QKernelTable& t, const char* name, Fn fn, const mn::QTapsLayout& l, size_t max_ct) {
  for (size_t OC = 1; OC <= 3 * max_ct + 1; OC++) {
    test_conv<T>(t, name, fn, l, 9, 10, OC, true);
    test_conv<T>(t, name, fn, l, 20, 23, OC, true);
  }
  for (size_t OC = 1; OC <= 17; OC++) test_conv<T>(t, name, fn, l, 6, 71, OC, OC % 2 == 0);
  const size_t ocs[] = {1, l.ct, l.ct + 1, 8, 24, 32};
  for (size_t H : {1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15, 28, 33})
    for (size_t W : {1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15, 28, 33})
      for (size_t same : {1, 0}) test_conv<T>(t, name, fn, l, H, W, ocs[(H * 3 + W) % 6], same);
  test_conv<T>(t, name, fn, l, 224, 224, 32, true);
  test_conv<T>(t, name, fn, l, 225, 223, 24, true);
}

// ------------------------------------------------------------------------------------------------
// fill_with: 0 random inputs; else every input tmin (-1) or tmax (1): the largest sums, for the kernels'
// narrow partial sums and exact division.
template <typename T, typename Fn>
void test_gavgpool(const QKernelTable& t, Fn fn, size_t P, size_t C, int fill_with = 0) {
  const int32_t lo = g_cases % 3 == 0 && !fill_with ? irand(tmin<T>(), 0) : tmin<T>();
  const int32_t hi = g_cases % 3 == 0 && !fill_with ? irand(lo, tmax<T>()) : tmax<T>();
  Case cs_(fmt("isa=%s kernel=%s_gavgpool pixels=%zu channels=%zu clamp=[%d,%d] inputs=%s", t.isa, scheme<T>(), P, C, lo,
               hi, fill_with ? (fill_with < 0 ? "min" : "max") : "random"));
  Guarded in(P * C, g_cases % 2 == 0);
  fill(in.as<T>(), in.size());
  if (fill_with)
    for (size_t i = 0; i < in.size(); i++) in.as<T>()[i] = (T)(fill_with < 0 ? tmin<T>() : tmax<T>());
  Out out(C);
  fn(P, C, in.as<T>(), out.data<T>(), lo, hi);
  if (!out.guards_ok()) cs_.fail("wrote outside the output buffer");
  for (size_t c = 0; c < C; c++) {
    int32_t sum = 0;
    for (size_t i = 0; i < P; i++) sum += in.as<T>()[i * C + c];
    const int32_t n = (int32_t)P;
    // TFLite 2.2: uint8 reference_ops::AveragePool, int8 reference_integer_ops::AveragePool.
    int32_t ref = kU8<T> ? (sum + n / 2) / n : (sum > 0 ? (sum + n / 2) / n : (sum - n / 2) / n);
    ref = ref < lo ? lo : (ref > hi ? hi : ref);
    const int32_t got = out.data<T>()[c];
    if (got != ref) cs_.fail(fmt("out[%zu] = %d, expected %d (sum %d)", c, got, ref, sum));
  }
}

template <typename T, typename Fn>
void gavgpool_suite(const QKernelTable& t, Fn fn) {
  for (size_t P = 1; P <= 50; P++)
    for (size_t C = 1; C <= 70; C++) test_gavgpool<T>(t, fn, P, C);
  test_gavgpool<T>(t, fn, 49, 1024);
  test_gavgpool<T>(t, fn, 36, 768);
  test_gavgpool<T>(t, fn, 16, 256);
  test_gavgpool<T>(t, fn, 1000, 17);  // large n: rounding division far from small numerators
  test_gavgpool<T>(t, fn, 50000, 3);
  for (size_t P : {2, 3, 49, 254, 255, 256, 257, 511, 1000, 4095, 4096, 4097, 8191, 70001})
    for (int f : {-1, 1}) test_gavgpool<T>(t, fn, P, 48, f);
  test_gavgpool<T>(t, fn, 70001, 35);
}

// ------------------------------------------------------------------------------------------------
// Integer ADD: a vadd kernel against the scalar form (runtime/qadd.h, itself checked against TFLite's per-element
// formula by qmodel_test). n = 65536 + extra: every pair of input values, then `extra` random ones (tails).
template <typename T, typename Fn>
void test_vadd(const QKernelTable& t, Fn fn, size_t extra) {
  std::uniform_real_distribution<float> scale(0.001f, 0.25f);
  const float s1 = scale(g_rng), s2 = g_cases % 4 == 0 ? s1 : scale(g_rng), so = g_cases % 5 == 0 ? 64 * scale(g_rng) : scale(g_rng);
  const int32_t z1 = irand(tmin<T>(), tmax<T>()), z2 = irand(tmin<T>(), tmax<T>()), zo = irand(tmin<T>(), tmax<T>());
  const int32_t lo = g_cases % 3 == 0 ? irand(tmin<T>(), zo) : tmin<T>(), hi = g_cases % 3 == 0 ? irand(zo, tmax<T>()) : tmax<T>();
  const size_t n = 65536 + extra;
  Case cs_(fmt("isa=%s kernel=%s_vadd n=%zu scales=%g,%g,%g zero_points=%d,%d,%d clamp=[%d,%d]", t.isa, scheme<T>(), n, s1, s2,
               so, z1, z2, zo, lo, hi));
  mn::QAddParams p;
  if (!mn::qadd_params(s1, z1, s2, z2, so, zo, lo, hi, &p)) return cs_.fail("qadd_params refused the scales");
  Guarded a(n, g_cases % 2 == 0), b(n, g_cases % 2 == 1);
  for (size_t i = 0; i < n; i++) {
    a.as<T>()[i] = (T)(i < 65536 ? tmin<T>() + (int32_t)(i & 255) : irand(tmin<T>(), tmax<T>()));
    b.as<T>()[i] = (T)(i < 65536 ? tmin<T>() + (int32_t)(i >> 8) : irand(tmin<T>(), tmax<T>()));
  }
  Out out(n);
  std::vector<T> want(n);
  fn(p, a.as<T>(), b.as<T>(), out.data<T>(), n);
  mn::qadd<T>(p, mn::QAddTables<T>(p), a.as<T>(), b.as<T>(), want.data(), 0, n);
  if (!out.guards_ok()) cs_.fail("wrote outside the output buffer");
  for (size_t i = 0; i < n; i++)
    if (out.data<T>()[i] != want[i])
      cs_.fail(fmt("out[%zu] = %d, expected %d (inputs %d, %d)", i, out.data<T>()[i], want[i], a.as<T>()[i], b.as<T>()[i]));
}

template <typename T, typename Fn>
void vadd_suite(const QKernelTable& t, Fn fn) {
  for (size_t extra = 0; extra < 40; extra++) test_vadd<T>(t, fn, extra);
}

// ------------------------------------------------------------------------------------------------
// The fixed-point primitives against values worked out from gemmlowp / TFLite by hand, and the
// identity the SIMD kernels use: srdhm(a, b) == (a * b + 2^30) >> 31 (floor) for b != INT32_MIN.
void test_requantization() {
  Case cs_("requantization primitives");
  struct { int32_t a, b, want; } srd[] = {
      {INT32_MIN, INT32_MIN, INT32_MAX}, {1 << 30, 1 << 30, 1 << 29}, {-(1 << 30), 1 << 30, -(1 << 29)},
      {1, 1 << 30, 1},  // 0.5 rounds up
      {-1, 1 << 30, 0},  // -0.5: nudge 1 - 2^30, truncating division -> 0
      {-3, 1 << 30, -1}, {3, 1 << 30, 2}, {INT32_MAX, INT32_MAX, INT32_MAX - 1},
  };
  for (auto& t : srd)
    if (mn::srdhm(t.a, t.b) != t.want) cs_.fail(fmt("srdhm(%d, %d) = %d, expected %d", t.a, t.b, mn::srdhm(t.a, t.b), t.want));
  struct { int32_t x; int e, want; } rd[] = {{5, 1, 3}, {-5, 1, -3}, {-4, 1, -2}, {4, 1, 2}, {7, 2, 2}, {-6, 2, -2},
                                             {-7, 2, -2}, {6, 2, 2}, {-2, 2, -1}, {2, 2, 1}, {-1, 1, -1}, {1, 1, 1},
                                             {0, 5, 0}, {123, 0, 123}, {-123, 0, -123}, {INT32_MAX, 31, 1},
                                             {INT32_MIN, 31, -1}};
  for (auto& t : rd)
    if (mn::rounding_divide_by_pot(t.x, t.e) != t.want)
      cs_.fail(fmt("rounding_divide_by_pot(%d, %d) = %d, expected %d", t.x, t.e, mn::rounding_divide_by_pot(t.x, t.e), t.want));
  struct { double m; int32_t mult; int shift; } qm[] = {
      {0.5, 1 << 30, 0}, {1.0, 1 << 30, 1}, {0.75, 1610612736, 0}, {0.25, 1 << 30, -1}, {3.0, 1610612736, 2},
      {0.0, 0, 0}, {1e-12, 0, 0},  // 2^-40: shift < -31 flushes to zero
      {0.99999999999, 1 << 30, 1},  // rounds up to 2^31 -> halved, shift + 1
  };
  for (auto& t : qm) {
    int32_t mult = -1;
    int shift = -99;
    if (!mn::quantize_multiplier(t.m, &mult, &shift) || mult != t.mult || shift != t.shift)
      cs_.fail(fmt("quantize_multiplier(%.12g) = (%d, %d), expected (%d, %d)", t.m, mult, shift, t.mult, t.shift));
  }
  int32_t mult;
  int shift;
  if (mn::quantize_multiplier(-0.5, &mult, &shift) || mn::quantize_multiplier(std::ldexp(1.0, 31), &mult, &shift))
    cs_.fail("quantize_multiplier accepted a negative multiplier or one >= 2^31");
  for (int i = 0; i < 200000; i++) {
    const int32_t a = (int32_t)g_rng(), b = i % 2 ? (int32_t)(g_rng() >> 1) : irand(INT32_MIN + 1, INT32_MAX);
    const int32_t fast = (int32_t)(((int64_t)a * b + (int64_t(1) << 30)) >> 31);
    if (fast != mn::srdhm(a, b)) {
      cs_.fail(fmt("srdhm(%d, %d) = %d but (a*b + 2^30) >> 31 = %d", a, b, mn::srdhm(a, b), fast));
      break;
    }
  }
}

// Pack errors name the bad value.
void test_pack_errors(const QKernelTable& t) {
  Case cs_(fmt("isa=%s pack errors", t.isa));
  const int32_t bias[2] = {0, 0}, zw[1] = {3}, mult[2] = {1 << 30, 1 << 30}, bad_shift[2] = {0, 31};
  std::vector<uint8_t> w(2 * 4, 1), buf(mn::qpacked_gemm_size(t.qs8_gemm_layout, 4, 2) + 64);
  auto expect = [&](auto fn, const char* want) {
    try {
      fn();
      cs_.fail(fmt("no error, expected \"%s\"", want));
    } catch (const std::invalid_argument& e) {
      if (std::string(e.what()) != want) cs_.fail(fmt("error \"%s\", expected \"%s\"", e.what(), want));
    }
  };
  expect([&] {
    mn::QPackArgs a{4, 2, bias, nullptr, mult, bad_shift, true, 0};
    mn::pack_qs8_gemm(t.qs8_gemm_layout, a, (const int8_t*)w.data(), buf.data());
  }, "integer weight packing: qs8 gemm: shift[1] = 31 is outside [-31, 30]");
  expect([&] {
    const int32_t shift[1] = {0};
    mn::QPackArgs a{4, 2, bias, zw, mult, shift, false, 300};
    std::vector<uint8_t> b2(mn::qpacked_gemm_size(t.qu8_gemm_layout, 4, 2));
    mn::pack_qu8_gemm(t.qu8_gemm_layout, a, w.data(), b2.data());
  }, "integer weight packing: qu8 gemm: input zero point 300 is outside the activation type's range");
  if (!t.qs8_gemm_layout.a_sum && !t.qs8_gemm_layout.w_centered)
    expect([&] {  // qs8 weights must be symmetric for a layout without a row-sum term
      const int32_t shift[1] = {0};
      mn::QPackArgs a{4, 2, bias, zw, mult, shift, false, 0};
      mn::pack_qs8_gemm(t.qs8_gemm_layout, a, (const int8_t*)w.data(), buf.data());
    }, "integer weight packing: qs8 gemm: weight zero point 3 of channel 0 needs a layout with a row-sum term (this "
       "kernel's stores weights offset by 0)");
}

// The narrow qs8 GEMM (two int8 products per int16 lane: weights must be in [-127, 127]) and its fallback.
// Per case: za = 0, bias 0, acc / 8192 to int8; a tile of 2 x 8 (or the kernel's) with K = 48.
void test_narrow(const QKernelTable& t) {
  Case cs_(fmt("isa=%s kernel=%s narrow weights and the -128 fallback", t.isa, t.qs8_gemm_narrow_name));
  const size_t K = 48, N = 8, M = 2;
  int32_t mult, shift;
  int sh;
  mn::quantize_multiplier(1.0 / 8192, &mult, &sh);
  shift = sh;
  const std::vector<int32_t> bias(N, 0), zw(N, 0), mults(N, mult), shifts(N, shift);
  const mn::QPackArgs args{K, N, bias.data(), zw.data(), mults.data(), shifts.data(), true, 0};
  const mn::QOutputParams out{0, -128, 127};
  const std::vector<int8_t> a(M * K, -128);
  // Runs kernel fn on weights w (N x K) packed with layout l; returns M x N outputs.
  auto run = [&](mn::QS8GemmFn fn, const mn::QGemmLayout& l, const std::vector<int8_t>& w) {
    std::vector<uint8_t> buf(mn::qpacked_gemm_size(l, K, N));
    mn::pack_qs8_gemm(l, args, w.data(), buf.data());
    std::vector<int8_t> c(M * N);
    run_gemm_tiles<int8_t>(fn, l, M, N, K, a.data(), K, buf.data(), c.data(), N, out, 0);
    return c;
  };
  auto expected = [&](const std::vector<int8_t>& w) {
    std::vector<int8_t> c(M * N);
    for (size_t m = 0; m < M; m++)
      for (size_t j = 0; j < N; j++) {
        int32_t acc = 0;
        for (size_t k = 0; k < K; k++) acc += (int32_t)a[m * K + k] * w[j * K + k];
        c[m * N + j] = (int8_t)std::min(127, std::max(-128, mn::multiply_by_quantized_multiplier(acc, mult, shift)));
      }
    return c;
  };
  // The largest int16 pair sums the narrow kernel meets: (-127)(-128) * 2 = 32512 and 127 (-128) * 2 = -32512.
  std::vector<int8_t> w(N * K);
  for (size_t j = 0; j < N; j++)
    for (size_t k = 0; k < K; k++) w[j * K + k] = (int8_t)(j % 2 ? 127 : -127);
  if (!mn::qs8_weights_narrow(w.data(), w.size())) cs_.fail("qs8_weights_narrow refused weights in [-127, 127]");
  if (run(t.qs8_gemm_narrow, t.qs8_gemm_narrow_layout, w) != expected(w)) cs_.fail("narrow kernel wrong at |w| = 127, a = -128");
  // One weight of -128: not narrow; the packer refuses it for the narrow layout, naming it.
  std::vector<int8_t> wm = w;
  for (size_t k = 0; k < K; k++) wm[3 * K + k] = -128;  // channel 3: every product 16384, every pair 32768
  if (mn::qs8_weights_narrow(wm.data(), wm.size())) cs_.fail("qs8_weights_narrow accepted a weight of -128");
  try {
    run(t.qs8_gemm_narrow, t.qs8_gemm_narrow_layout, wm);
    cs_.fail("packing -128 for the narrow kernel did not throw");
  } catch (const std::invalid_argument& e) {
    const std::string want = "integer weight packing: qs8 gemm: weight -128 of channel 3 is outside [-127, 127], the range "
                             "this kernel's paired int16 products need";
    if (e.what() != want) cs_.fail(fmt("error \"%s\", expected \"%s\"", e.what(), want.c_str()));
  }
  // The fallback (the table's qs8_gemm, what the runtime picks for such a layer) is exact on it...
  if (run(t.qs8_gemm, t.qs8_gemm_layout, wm) != expected(wm)) cs_.fail("fallback qs8_gemm wrong with -128 weights");
  // ...and the fallback is needed: the narrow kernel, packed past the check, overflows its int16 pairs.
  mn::QGemmLayout unchecked = t.qs8_gemm_narrow_layout;
  unchecked.narrow = false;
  if (run(t.qs8_gemm_narrow, unchecked, wm) == expected(wm))
    cs_.fail("the narrow kernel was exact on -128 x -128 pairs: this test no longer shows why the fallback exists");
}

// The narrow qs8 depthwise (two int8 products per int16 lane) and its fallback, as test_narrow for the GEMM.
// Inputs all -128 (za = 0: padded taps add nothing), bias 0, acc / 8192 to int8; 6x6 SAME, stride 1, C = 40 (whole
// blocks and a tail of 8).
void test_dw_narrow(const QKernelTable& t) {
  Case cs_(fmt("isa=%s kernel=%s narrow weights and the -128 fallback", t.isa, t.qs8_dwconv3x3_narrow_name));
  const size_t H = 6, W = 6, C = 40;
  int32_t mult;
  int sh;
  mn::quantize_multiplier(1.0 / 8192, &mult, &sh);
  const int32_t shift = sh;
  const std::vector<int32_t> bias(C, 0), zw(C, 0), mults(C, mult), shifts(C, shift);
  const mn::QPackArgs args{9, C, bias.data(), zw.data(), mults.data(), shifts.data(), true, 0};
  const mn::QOutputParams out{0, -128, 127};
  const std::vector<int8_t> in(H * W * C, -128);
  auto run = [&](mn::QS8DwconvFn fn, const mn::QTapsLayout& l, const std::vector<int8_t>& w) {
    std::vector<uint8_t> buf(mn::qpacked_taps_size(l, 9, C));
    mn::pack_qs8_dwconv3x3(l, args, w.data(), buf.data());
    std::vector<int8_t> o(H * W * C);
    const mn::QDwconvParams<int8_t> p{in.data(), o.data(), buf.data(), H, W, C, H, W, 1, 1, 1, 0, out};
    fn(p, 0, H);
    return o;
  };
  auto expected = [&](const std::vector<int8_t>& w) {
    std::vector<int8_t> o(H * W * C);
    for (size_t oy = 0; oy < H; oy++)
      for (size_t ox = 0; ox < W; ox++)
        for (size_t c = 0; c < C; c++) {
          int32_t acc = 0;
          for (size_t ky = 0; ky < 3; ky++)
            for (size_t kx = 0; kx < 3; kx++) {
              const ptrdiff_t iy = (ptrdiff_t)(oy + ky) - 1, ix = (ptrdiff_t)(ox + kx) - 1;
              if (iy < 0 || ix < 0 || iy >= (ptrdiff_t)H || ix >= (ptrdiff_t)W) continue;
              acc += (int32_t)in[((size_t)iy * W + (size_t)ix) * C + c] * w[(ky * 3 + kx) * C + c];
            }
          o[(oy * W + ox) * C + c] = (int8_t)std::min(127, std::max(-128, mn::multiply_by_quantized_multiplier(acc, mult, shift)));
        }
    return o;
  };
  // The largest int16 pair sums the narrow kernel meets: (-127)(-128) * 2 = 32512 and 127 (-128) * 2 = -32512.
  std::vector<int8_t> w(9 * C);
  for (size_t i = 0; i < w.size(); i++) w[i] = (int8_t)(i % C % 2 ? 127 : -127);
  if (!mn::qs8_weights_narrow(w.data(), w.size())) cs_.fail("qs8_weights_narrow refused weights in [-127, 127]");
  if (run(t.qs8_dwconv3x3_narrow, t.qs8_dwconv3x3_narrow_layout, w) != expected(w))
    cs_.fail("narrow kernel wrong at |w| = 127, a = -128");
  // Channel 3 all -128: every product 16384, every pair 32768. The packer refuses it for the narrow layout.
  std::vector<int8_t> wm = w;
  for (size_t tap = 0; tap < 9; tap++) wm[tap * C + 3] = -128;
  if (mn::qs8_weights_narrow(wm.data(), wm.size())) cs_.fail("qs8_weights_narrow accepted a weight of -128");
  try {
    run(t.qs8_dwconv3x3_narrow, t.qs8_dwconv3x3_narrow_layout, wm);
    cs_.fail("packing -128 for the narrow depthwise kernel did not throw");
  } catch (const std::invalid_argument& e) {
    const std::string want = "integer weight packing: qs8 dwconv3x3: weight -128 of channel 3 is outside [-127, 127], "
                             "the range this kernel's paired int16 products need";
    if (e.what() != want) cs_.fail(fmt("error \"%s\", expected \"%s\"", e.what(), want.c_str()));
  }
  // The fallback (the table's qs8_dwconv3x3, what the runtime picks for such a layer) is exact on it...
  if (run(t.qs8_dwconv3x3, t.qs8_dwconv3x3_layout, wm) != expected(wm)) cs_.fail("fallback qs8_dwconv3x3 wrong with -128 weights");
  // ...and needed: the narrow kernel, packed past the check, overflows its int16 pairs.
  mn::QTapsLayout unchecked = t.qs8_dwconv3x3_narrow_layout;
  unchecked.narrow = false;
  if (run(t.qs8_dwconv3x3_narrow, unchecked, wm) == expected(wm))
    cs_.fail("the narrow depthwise kernel was exact on -128 x -128 pairs: this test no longer shows why the fallback exists");
}

void on_segv(int) {
  const char msg[] = "FAIL (segfault: read/write outside a buffer) in ";
  (void)!write(2, msg, sizeof msg - 1);
  (void)!write(2, g_current, std::strlen(g_current));
  (void)!write(2, "\n", 1);
  _exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGSEGV, on_segv);
  std::signal(SIGBUS, on_segv);
  std::string only;
  for (int i = 1; i < argc; i++) {
    if (!std::strcmp(argv[i], "--isa") && i + 1 < argc) only = argv[++i];
    else if (!std::strcmp(argv[i], "--verbose")) g_verbose = true;
    else {
      std::fprintf(stderr, "usage: qkernel_test [--isa NAME] [--verbose]\n");
      return 2;
    }
  }
  test_requantization();
  size_t max_dw_ct = 1, max_conv_ct = 1;
  for (const QKernelTable* t : mn::compiled_qkernel_tables()) {
    max_dw_ct = std::max({max_dw_ct, t->qu8_dwconv3x3_layout.ct, t->qs8_dwconv3x3_layout.ct,
                          t->qs8_dwconv3x3_narrow ? t->qs8_dwconv3x3_narrow_layout.ct : 1});
    max_conv_ct = std::max({max_conv_ct, t->qu8_conv3x3s2_layout.ct, t->qs8_conv3x3s2_layout.ct});
  }
  std::string isas;
  for (const QKernelTable* t : mn::supported_qkernel_tables()) {
    if (!only.empty() && only != t->isa) continue;
    const size_t before = g_failures;
    test_pack_errors(*t);
    gemm_suite<uint8_t>(*t, t->qu8_gemm_name, t->qu8_gemm, t->qu8_gemm_layout);
    gemm_suite<int8_t>(*t, t->qs8_gemm_name, t->qs8_gemm, t->qs8_gemm_layout);
    if (t->qs8_gemm_narrow) {
      gemm_suite<int8_t>(*t, t->qs8_gemm_narrow_name, t->qs8_gemm_narrow, t->qs8_gemm_narrow_layout);
      test_narrow(*t);
    }
    for (size_t i = 0; i < t->num_gemm_alternatives; i++) {
      const mn::QGemmVariant& v = t->gemm_alternatives[i];
      gemm_suite<uint8_t>(*t, v.qu8_name, v.qu8, v.qu8_layout);
      gemm_suite<int8_t>(*t, v.qs8_name, v.qs8, v.qs8_layout);
    }
    dwconv_suite<uint8_t>(*t, t->qu8_dwconv3x3_name, t->qu8_dwconv3x3, t->qu8_dwconv3x3_layout, max_dw_ct);
    dwconv_suite<int8_t>(*t, t->qs8_dwconv3x3_name, t->qs8_dwconv3x3, t->qs8_dwconv3x3_layout, max_dw_ct);
    if (t->qs8_dwconv3x3_narrow) {
      dwconv_suite<int8_t>(*t, t->qs8_dwconv3x3_narrow_name, t->qs8_dwconv3x3_narrow, t->qs8_dwconv3x3_narrow_layout, max_dw_ct);
      test_dw_narrow(*t);
    }
    conv_suite<uint8_t>(*t, t->qu8_conv3x3s2_name, t->qu8_conv3x3s2, t->qu8_conv3x3s2_layout, max_conv_ct);
    conv_suite<int8_t>(*t, t->qs8_conv3x3s2_name, t->qs8_conv3x3s2, t->qs8_conv3x3s2_layout, max_conv_ct);
    gavgpool_suite<uint8_t>(*t, t->qu8_gavgpool);
    gavgpool_suite<int8_t>(*t, t->qs8_gavgpool);
    if (t->qu8_vadd) vadd_suite<uint8_t>(*t, t->qu8_vadd);
    if (t->qs8_vadd) vadd_suite<int8_t>(*t, t->qs8_vadd);
    std::printf("qkernel_test: %s: %zu failing cases\n", t->isa, g_failures - before);
    isas += (isas.empty() ? "" : ", ") + std::string(t->isa);
  }
  if (isas.empty()) {
    std::printf("qkernel_test: no integer kernel table matches --isa %s\n", only.c_str());
    return 1;
  }
  std::printf("qkernel_test: %zu cases, %zu failures (isas: %s)\n", g_cases, g_failures, isas.c_str());
  return g_failures ? 1 : 0;
}
