// Kernel tester: every kernel in the family lists (native/kernels/*.inc) whose ISA this CPU supports
// (scalar included) against naive loops on UNPACKED weights, packed with
// runtime/pack.h using the kernel's own tile sizes (from its list entry).
//
// - Tolerance: |got - ref| <= 1e-6 + 1e-5 |ref| + 4 sqrt(n) eps sum|terms|, ref in double. The
//   sqrt(n) term covers float summation in any fixed order with or without FMA (and armv7 NEON's
//   flushed denormals); a wrong or missing term is ~sum|terms|/n, 10x+ above it even at n = 1100.
// - Inputs and packed weights sit flush against a PROT_NONE page (after the end on even cases,
//   before the start on odd ones): an out-of-bounds read faults. Outputs are surrounded and
//   interleaved with sentinel values that must survive: no write outside the tile/rows asked for.
// - Determinism: GEMM through tiles shifted by one row, dwconv/conv over split row ranges must
//   give bit-identical results (accumulation order must not depend on tile position).
//
// Usage: kernel_test [--isa NAME] [--verbose]. Exit code 1 on any failure.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdarg>
#include <cstdlib>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "dispatch/dispatch.h"
#include "kernels/kernels.h"
#include "kernels/ukernels.h"
#include "runtime/pack.h"

namespace {

using mn::KernelTable;

size_t g_cases = 0, g_failures = 0;
const char* g_current = "";  // the running case, named by the SIGSEGV handler (out-of-bounds read)
bool g_verbose = false;
std::mt19937 g_rng(12345);

float urand(float lo = -1.0f, float hi = 1.0f) { return std::uniform_real_distribution<float>(lo, hi)(g_rng); }
size_t irand(size_t lo, size_t hi) { return std::uniform_int_distribution<size_t>(lo, hi)(g_rng); }  // [lo, hi]

// A float array placed flush against an inaccessible page (after it or before it).
class Guarded {
 public:
  Guarded(size_t n, bool at_end) : n_(n) {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t bytes = (n ? n : 1) * sizeof(float);
    const size_t body = (bytes + page - 1) / page * page;
    len_ = body + 2 * page;
    base_ = (char*)mmap(nullptr, len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base_ == MAP_FAILED) { perror("mmap"); std::abort(); }
    mprotect(base_, page, PROT_NONE);
    mprotect(base_ + page + body, page, PROT_NONE);
    data_ = (float*)(at_end ? base_ + page + body - n * sizeof(float) : base_ + page);
  }
  ~Guarded() { munmap(base_, len_); }
  Guarded(const Guarded&) = delete;
  Guarded& operator=(const Guarded&) = delete;
  float* data() { return data_; }
  float& operator[](size_t i) { return data_[i]; }
  size_t size() const { return n_; }

 private:
  size_t n_, len_;
  char* base_;
  float* data_;
};

// Output with kGuard sentinel floats on each side; untouched cells must keep the sentinel.
constexpr size_t kGuard = 64;
const float kSentinel = -12345.6789f;
struct Out {
  std::vector<float> buf;
  explicit Out(size_t n) : buf(n + 2 * kGuard, kSentinel) {}
  float* data() { return buf.data() + kGuard; }
  bool guards_ok() const {
    for (size_t i = 0; i < kGuard; i++)
      if (std::memcmp(&buf[i], &kSentinel, 4) || std::memcmp(&buf[buf.size() - 1 - i], &kSentinel, 4)) return false;
    return true;
  }
  void reset() { std::fill(buf.begin(), buf.end(), kSentinel); }
};
bool is_sentinel(float v) { return std::memcmp(&v, &kSentinel, 4) == 0; }

struct Clamp { float min, max; const char* name; };
const Clamp kClamps[] = {
    {-std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity(), "none"},
    {0.0f, 6.0f, "relu6"},
    {-0.3f, 0.45f, "narrow"},
};
const Clamp& pick_clamp() { return kClamps[g_cases % 3]; }

double clampd(double v, const Clamp& c) { return v < c.min ? c.min : (v > c.max ? c.max : v); }

bool close(float got, double ref, double sum_abs, size_t n) {
  if (!std::isfinite(got)) return false;
  const double tol = 1e-6 + 1e-5 * std::fabs(ref) + 4.0 * std::sqrt((double)n + 1.0) * 1.1920929e-7 * sum_abs;
  return std::fabs((double)got - ref) <= tol;
}

// Records a case; prints the first few failures of each case.
struct Case {
  std::string desc;
  size_t errors = 0;
  explicit Case(std::string d) : desc(std::move(d)) {
    g_cases++;
    g_current = desc.c_str();
  }
  void fail(const char* what) {
    if (errors++ < 3) std::printf("FAIL %s: %s\n", desc.c_str(), what);
  }
  ~Case() {
    if (errors) g_failures++;
    else if (g_verbose) std::printf("ok   %s\n", desc.c_str());
  }
};

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char b[512];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(b, sizeof b, f, ap);
  va_end(ap);
  return b;
}

// ------------------------------------------------------------------------------------------------
// GEMM: M x N x K through the runtime's tile loop (N panels outer, M tiles inner). prefetch: give every tile
// a w_prefetch slice of the next panel as Model::gemm does (past the buffer's end for the last panel: a
// kernel may only prefetch there, never read).
void run_gemm_tiles(const mn::GemmKernel& t, size_t M, size_t N, size_t K, const float* a, size_t as, const float* w,
                    float* c, size_t cs, const Clamp& cl, size_t first_tile_rows, bool prefetch = false) {
  const size_t MR = t.mr, NR = t.nr, panel = NR * (K + 1), slice = K * mn::kGemmPrefetchBytesPerK / sizeof(float);
  for (size_t n0 = 0; n0 < N; n0 += NR) {
    const size_t nc = N - n0 < NR ? N - n0 : NR;
    size_t m0 = 0;
    for (size_t tile = 0; m0 < M; tile++) {
      size_t mr = M - m0 < MR ? M - m0 : MR;
      if (m0 == 0 && first_tile_rows && first_tile_rows < mr) mr = first_tile_rows;
      const float* pf = prefetch ? w + (n0 / NR + 1) * panel + tile * slice : nullptr;
      t.fn(mr, nc, K, a + m0 * as, as, w + (n0 / NR) * panel, c + m0 * cs + n0, cs, cl.min, cl.max, pf);
      m0 += mr;
    }
  }
}

void test_gemm(const mn::GemmKernel& t, size_t M, size_t N, size_t K, size_t a_extra, size_t c_extra) {
  const Clamp& cl = pick_clamp();
  const size_t as = K + a_extra, cs = N + c_extra;
  Case cs_(fmt("kernel=%s M x N x K=%zu x %zu x %zu a_stride=%zu c_stride=%zu clamp=%s tile=%zux%zu", t.name, M,
               N, K, as, cs, cl.name, t.mr, t.nr));
  const bool at_end = g_cases % 2 == 0;
  Guarded a((M - 1) * as + K, at_end);
  for (size_t i = 0; i < a.size(); i++) a[i] = urand();
  std::vector<float> w_io(K * N), bias(N);
  for (auto& v : w_io) v = urand();
  for (auto& v : bias) v = urand();
  Guarded wp(mn::packed_gemm_size(K, N, t.nr), !at_end);
  mn::pack_gemm_weights(K, N, t.nr, w_io.data(), bias.data(), wp.data());

  const size_t csize = (M - 1) * cs + N;
  Out c(csize), c2(csize);
  run_gemm_tiles(t, M, N, K, a.data(), as, wp.data(), c.data(), cs, cl, 0);
  if (!c.guards_ok()) cs_.fail("wrote outside the output buffer");
  for (size_t m = 0; m < M; m++) {
    for (size_t j = 0; j < cs && m * cs + j < csize; j++) {
      const float got = c.data()[m * cs + j];
      if (j >= N) {
        if (!is_sentinel(got)) cs_.fail(fmt("wrote padding C[%zu][%zu] between rows", m, j).c_str());
        continue;
      }
      double ref = bias[j], sum_abs = std::fabs(bias[j]);
      for (size_t k = 0; k < K; k++) {
        const double term = (double)a[m * as + k] * w_io[k * N + j];
        ref += term;
        sum_abs += std::fabs(term);
      }
      ref = clampd(ref, cl);
      if (!close(got, ref, sum_abs, K + 1))
        cs_.fail(fmt("C[%zu][%zu] = %.9g, expected %.9g (tile row %zu col %zu)", m, j, got, ref, m % t.mr,
                     j % t.nr).c_str());
    }
  }
  // The same rows computed at other positions in a tile, and with w_prefetch given, must be bit-identical.
  if (M > 1) {
    run_gemm_tiles(t, M, N, K, a.data(), as, wp.data(), c2.data(), cs, cl, 1);
    if (std::memcmp(c.buf.data(), c2.buf.data(), c.buf.size() * 4))
      cs_.fail("results depend on the row's position in the tile (first tile of 1 row)");
  }
  Out c3(csize);
  run_gemm_tiles(t, M, N, K, a.data(), as, wp.data(), c3.data(), cs, cl, 0, true);
  if (!c3.guards_ok()) cs_.fail("wrote outside the output buffer with w_prefetch");
  if (std::memcmp(c.buf.data(), c3.buf.data(), c.buf.size() * 4)) cs_.fail("results depend on w_prefetch");
}

void gemm_suite(const mn::GemmKernel& t) {
  const size_t MR = t.mr, NR = t.nr;
  // Every partial tile with short K.
  for (size_t mr = 1; mr <= MR; mr++)
    for (size_t nc = 1; nc <= NR; nc++)
      for (size_t K : {1, 2, 3, 7, 8, 9, 16, 17, 31}) test_gemm(t, mr, nc, K, (mr + nc) % 3, nc % 2);
  // Full / ragged tiles over K, with row strides larger than K.
  for (size_t K : {1, 2, 3, 7, 8, 9, 16, 17, 31, 64, 100, 256, 1024, 1025, 1100}) {
    test_gemm(t, MR, NR, K, 0, 0);
    test_gemm(t, MR, NR, K, 7, 5);
    test_gemm(t, MR > 1 ? MR - 1 : 1, NR > 1 ? NR - 1 : 1, K, 1, 3);
  }
  // Multi-tile shapes, N not a multiple of NR, M not a multiple of MR.
  for (size_t M : {MR + 1, 2 * MR + 3, (size_t)49})
    for (size_t N : {2 * NR + 3, 3 * NR - 1, (size_t)10, 4 * NR})
      for (size_t K : {3, 32, 100}) test_gemm(t, M, N, K, K % 5, N % 3);
  test_gemm(t, 196, 64, 512, 0, 0);
  test_gemm(t, 49, 1001, 1024, 0, 0);  // classifier-like
}

// GEMV (M = 1, optional per ISA): bit-identical to the same ISA's GEMM on that row, panel by panel.
void test_gemv(const mn::GemvKernel& g, const mn::GemmKernel& gemm, size_t N, size_t K) {
  const Clamp& cl = pick_clamp();
  Case cs_(fmt("kernel=%s N x K=%zu x %zu clamp=%s vs %s", g.name, N, K, cl.name, gemm.name));
  if (g.nr != gemm.nr) {
    cs_.fail("nr differs from the GEMM's: they cannot share packed weights");
    return;
  }
  Guarded a(K, g_cases % 2 == 0);
  for (size_t i = 0; i < K; i++) a[i] = urand();
  std::vector<float> w_io(K * N), bias(N);
  for (auto& v : w_io) v = urand();
  for (auto& v : bias) v = urand();
  Guarded wp(mn::packed_gemm_size(K, N, g.nr), g_cases % 2 != 0);
  mn::pack_gemm_weights(K, N, g.nr, w_io.data(), bias.data(), wp.data());
  Out c(N), ref(N);
  g.fn(N, K, a.data(), wp.data(), c.data(), cl.min, cl.max);
  if (!c.guards_ok()) cs_.fail("wrote outside the output buffer");
  for (size_t n0 = 0; n0 < N; n0 += gemm.nr)
    gemm.fn(1, std::min(gemm.nr, N - n0), K, a.data(), K, wp.data() + (n0 / gemm.nr) * gemm.nr * (K + 1), ref.data() + n0, N,
            cl.min, cl.max, nullptr);
  if (std::memcmp(c.buf.data(), ref.buf.data(), c.buf.size() * 4)) cs_.fail("differs bitwise from the GEMM on the same row");
}

void gemv_suite(const mn::GemvKernel& g, const mn::GemmKernel& gemm) {
  for (size_t N : {(size_t)1, (size_t)3, g.nr - 1, g.nr, g.nr + 1, 2 * g.nr - 1, 2 * g.nr, 2 * g.nr + 1, 3 * g.nr + 2,
                   (size_t)40, (size_t)65, (size_t)1000, (size_t)1001})
    for (size_t K : {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 64, 256, 1024}) test_gemv(g, gemm, N ? N : 1, K);
}

// ------------------------------------------------------------------------------------------------
// Depthwise 3x3.
void test_dwconv(const mn::DwconvKernel& t, size_t H, size_t W, size_t C, size_t s, bool same) {
  const Clamp& cl = pick_clamp();
  size_t OH, OW, pt, pl;
  if (same) {  // TF SAME
    OH = (H + s - 1) / s;
    OW = (W + s - 1) / s;
    const ptrdiff_t ph = (ptrdiff_t)((OH - 1) * s + 3) - (ptrdiff_t)H, pw = (ptrdiff_t)((OW - 1) * s + 3) - (ptrdiff_t)W;
    pt = ph > 0 ? (size_t)ph / 2 : 0;
    pl = pw > 0 ? (size_t)pw / 2 : 0;
  } else {  // VALID
    if (H < 3 || W < 3) return;
    OH = (H - 3) / s + 1;
    OW = (W - 3) / s + 1;
    pt = pl = 0;
  }
  const size_t r0 = irand(0, OH - 1), r1 = irand(r0 + 1, OH);
  Case cs_(fmt("kernel=%s HxWxC=%zux%zux%zu stride=%zu pads(top,left)=(%zu,%zu) out=%zux%zu rows[%zu,%zu) "
               "clamp=%s tile=%zuc",
               t.name, H, W, C, s, pt, pl, OH, OW, r0, r1, cl.name, t.channel_tile));
  const bool at_end = g_cases % 2 == 0;
  Guarded in(H * W * C, at_end);
  for (size_t i = 0; i < in.size(); i++) in[i] = urand();
  std::vector<float> w(9 * C), bias(C);
  for (auto& v : w) v = urand();
  for (auto& v : bias) v = urand();
  Guarded wp(mn::packed_dwconv_size(C, t.channel_tile), !at_end);
  mn::pack_dwconv_weights(C, t.channel_tile, w.data(), bias.data(), wp.data());
  Out out(OH * OW * C), full(OH * OW * C);
  mn::DwconvParams p{in.data(), out.data(), wp.data(), H, W, C, OH, OW, s, pt, pl, cl.min, cl.max};
  t.fn(p, r0, r1);
  const size_t row = OW * C;
  for (size_t i = 0; i < OH * row; i++)
    if ((i / row < r0 || i / row >= r1) && !is_sentinel(out.data()[i])) {
      cs_.fail(fmt("wrote output row %zu outside rows [%zu,%zu)", i / row, r0, r1).c_str());
      break;
    }
  t.fn(p, 0, r0);
  t.fn(p, r1, OH);
  if (!out.guards_ok()) cs_.fail("wrote outside the output buffer");
  for (size_t oy = 0; oy < OH; oy++)
    for (size_t ox = 0; ox < OW; ox++)
      for (size_t c = 0; c < C; c++) {
        double ref = bias[c], sum_abs = std::fabs(bias[c]);
        size_t n = 1;
        for (size_t ky = 0; ky < 3; ky++)
          for (size_t kx = 0; kx < 3; kx++) {
            const ptrdiff_t iy = (ptrdiff_t)(oy * s + ky) - (ptrdiff_t)pt, ix = (ptrdiff_t)(ox * s + kx) - (ptrdiff_t)pl;
            if (iy < 0 || ix < 0 || iy >= (ptrdiff_t)H || ix >= (ptrdiff_t)W) continue;
            const double term = (double)in[((size_t)iy * W + (size_t)ix) * C + c] * w[(ky * 3 + kx) * C + c];
            ref += term;
            sum_abs += std::fabs(term);
            n++;
          }
        ref = clampd(ref, cl);
        const float got = out.data()[(oy * OW + ox) * C + c];
        if (!close(got, ref, sum_abs, n))
          cs_.fail(fmt("out[y=%zu][x=%zu][c=%zu] = %.9g, expected %.9g", oy, ox, c, got, ref).c_str());
      }
  p.output = full.data();
  t.fn(p, 0, OH);
  if (std::memcmp(out.buf.data(), full.buf.data(), out.buf.size() * 4))
    cs_.fail("split row ranges differ bitwise from one call over all rows");
}

void dwconv_suite(const mn::DwconvKernel& t, size_t max_ct) {
  for (size_t s : {1, 2}) {
    for (size_t C = 1; C <= 3 * max_ct + 1; C++) {
      test_dwconv(t, 5, 6, C, s, true);
      test_dwconv(t, 8, 7, C, s, true);
    }
    const size_t cs[] = {1, t.channel_tile, t.channel_tile + 1, 2 * t.channel_tile + 3, 40};
    for (size_t H : {1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15})
      for (size_t W : {1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15})
        for (size_t same : {1, 0}) test_dwconv(t, H, W, cs[(H + W) % 5], s, same);
    test_dwconv(t, 28, 28, 64, s, true);
    test_dwconv(t, 28, 27, 19, s, true);
    test_dwconv(t, 112, 112, 32, s, true);
    test_dwconv(t, 113, 111, 8, s, true);
  }
  test_dwconv(t, 14, 14, 512, 1, true);
  test_dwconv(t, 7, 7, 1024, 1, true);
}

// ------------------------------------------------------------------------------------------------
// First conv 3x3 s2, 3 -> out_c.
void test_conv(const mn::ConvKernel& t, size_t H, size_t W, size_t OC, bool same) {
  const Clamp& cl = pick_clamp();
  size_t OH, OW, pt, pl;
  if (same) {
    OH = (H + 1) / 2;
    OW = (W + 1) / 2;
    const ptrdiff_t ph = (ptrdiff_t)((OH - 1) * 2 + 3) - (ptrdiff_t)H, pw = (ptrdiff_t)((OW - 1) * 2 + 3) - (ptrdiff_t)W;
    pt = ph > 0 ? (size_t)ph / 2 : 0;
    pl = pw > 0 ? (size_t)pw / 2 : 0;
  } else {
    if (H < 3 || W < 3) return;
    OH = (H - 3) / 2 + 1;
    OW = (W - 3) / 2 + 1;
    pt = pl = 0;
  }
  const size_t r0 = irand(0, OH - 1), r1 = irand(r0 + 1, OH);
  Case cs_(fmt("kernel=%s HxWx3=%zux%zux3 out_c=%zu stride=2 pads(top,left)=(%zu,%zu) out=%zux%zu "
               "rows[%zu,%zu) clamp=%s tile=%zuc",
               t.name, H, W, OC, pt, pl, OH, OW, r0, r1, cl.name, t.channel_tile));
  const bool at_end = g_cases % 2 == 0;
  Guarded in(H * W * 3, at_end);
  for (size_t i = 0; i < in.size(); i++) in[i] = urand();
  std::vector<float> w(27 * OC), bias(OC);
  for (auto& v : w) v = urand();
  for (auto& v : bias) v = urand();
  Guarded wp(mn::packed_conv3x3_size(OC, t.channel_tile), !at_end);
  mn::pack_conv3x3_weights(OC, t.channel_tile, w.data(), bias.data(), wp.data());
  Out out(OH * OW * OC), full(OH * OW * OC);
  mn::ConvParams p{in.data(), out.data(), wp.data(), H, W, OC, OH, OW, pt, pl, cl.min, cl.max};
  t.fn(p, r0, r1);
  const size_t row = OW * OC;
  for (size_t i = 0; i < OH * row; i++)
    if ((i / row < r0 || i / row >= r1) && !is_sentinel(out.data()[i])) {
      cs_.fail(fmt("wrote output row %zu outside rows [%zu,%zu)", i / row, r0, r1).c_str());
      break;
    }
  t.fn(p, 0, r0);
  t.fn(p, r1, OH);
  if (!out.guards_ok()) cs_.fail("wrote outside the output buffer");
  for (size_t oy = 0; oy < OH; oy++)
    for (size_t ox = 0; ox < OW; ox++)
      for (size_t oc = 0; oc < OC; oc++) {
        double ref = bias[oc], sum_abs = std::fabs(bias[oc]);
        size_t n = 1;
        for (size_t ky = 0; ky < 3; ky++)
          for (size_t kx = 0; kx < 3; kx++) {
            const ptrdiff_t iy = (ptrdiff_t)(oy * 2 + ky) - (ptrdiff_t)pt, ix = (ptrdiff_t)(ox * 2 + kx) - (ptrdiff_t)pl;
            if (iy < 0 || ix < 0 || iy >= (ptrdiff_t)H || ix >= (ptrdiff_t)W) continue;
            for (size_t ci = 0; ci < 3; ci++) {
              const double term =
                  (double)in[((size_t)iy * W + (size_t)ix) * 3 + ci] * w[((ky * 3 + kx) * 3 + ci) * OC + oc];
              ref += term;
              sum_abs += std::fabs(term);
              n++;
            }
          }
        ref = clampd(ref, cl);
        const float got = out.data()[(oy * OW + ox) * OC + oc];
        if (!close(got, ref, sum_abs, n))
          cs_.fail(fmt("out[y=%zu][x=%zu][c=%zu] = %.9g, expected %.9g", oy, ox, oc, got, ref).c_str());
      }
  p.output = full.data();
  t.fn(p, 0, OH);
  if (std::memcmp(out.buf.data(), full.buf.data(), out.buf.size() * 4))
    cs_.fail("split row ranges differ bitwise from one call over all rows");
}

void conv_suite(const mn::ConvKernel& t, size_t max_ct) {
  for (size_t OC = 1; OC <= 3 * max_ct + 1; OC++) {
    test_conv(t, 9, 10, OC, true);
    test_conv(t, 20, 23, OC, true);
  }
  // Wide rows with few channels: the one-vector, many-pixel interior path (alpha 0.25 / 0.5).
  for (size_t OC = 1; OC <= 17; OC++) test_conv(t, 6, 71, OC, OC % 2 == 0);
  const size_t ocs[] = {1, t.channel_tile, t.channel_tile + 1, 8, 24, 32};
  for (size_t H : {1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15, 28, 33})
    for (size_t W : {1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15, 28, 33})
      for (size_t same : {1, 0}) test_conv(t, H, W, ocs[(H * 3 + W) % 6], same);
  test_conv(t, 224, 224, 32, true);
  test_conv(t, 225, 223, 24, true);
  test_conv(t, 128, 128, 8, true);
}

// ------------------------------------------------------------------------------------------------
void test_gavgpool(const mn::GavgpoolKernel& t, size_t P, size_t C) {
  Case cs_(fmt("kernel=%s pixels=%zu channels=%zu", t.name, P, C));
  Guarded in(P * C, g_cases % 2 == 0);
  for (size_t i = 0; i < in.size(); i++) in[i] = urand(0.0f, 6.0f);
  Out out(C);
  t.fn(P, C, in.data(), out.data());
  if (!out.guards_ok()) cs_.fail("wrote outside the output buffer");
  for (size_t c = 0; c < C; c++) {
    double ref = 0, sum_abs = 0;
    for (size_t i = 0; i < P; i++) ref += in[i * C + c];
    sum_abs = ref / P;
    ref /= P;
    if (!close(out.data()[c], ref, sum_abs, P + 1))
      cs_.fail(fmt("out[%zu] = %.9g, expected %.9g", c, out.data()[c], ref).c_str());
  }
}

void gavgpool_suite(const mn::GavgpoolKernel& t) {
  for (size_t P = 1; P <= 50; P++)
    for (size_t C = 1; C <= 70; C++) test_gavgpool(t, P, C);
  test_gavgpool(t, 49, 1024);
  test_gavgpool(t, 16, 256);
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
      std::fprintf(stderr, "usage: kernel_test [--isa NAME] [--verbose]\n");
      return 2;
    }
  }
  {  // ARM core detection: part numbers from MIDR_EL1 and /proc/cpuinfo (Pi 3 / 4 / 5 formats)
    Case cs_("arm core detection");
    if (mn::arm_part_from_midr(0x410fd034ull) != 0xd03) cs_.fail("MIDR 0x410fd034 is not part 0xd03");
    if (mn::arm_part_from_midr(0x414fd0b1ull) != 0xd0b) cs_.fail("MIDR 0x414fd0b1 is not part 0xd0b");
    if (mn::arm_part_from_cpuinfo("processor\t: 0\nBogoMIPS\t: 108.00\nCPU implementer\t: 0x41\nCPU part\t: 0xd08\n") != 0xd08)
      cs_.fail("CPU part 0xd08 not read from /proc/cpuinfo text");
    if (mn::arm_part_from_cpuinfo("model name\t: Intel(R) Xeon(R)\n") != 0) cs_.fail("x86 cpuinfo gave a part");
    const char* core = std::getenv("MOBILENET_ARM_CORE");
    if (core && !std::strcmp(core, "a53") && mn::arm_cpu_part() != mn::kArmPartCortexA53)
      cs_.fail("MOBILENET_ARM_CORE=a53 did not select part 0xd03");
    std::printf("kernel_test: ARM core part 0x%x%s\n", mn::arm_cpu_part(), core ? " (MOBILENET_ARM_CORE)" : "");
  }
  // Every kernel of every family list (native/kernels/*.inc) whose ISA this CPU runs: the ones the
  // ISA tables pick and any other candidate alike.
  const auto gemms = mn::ukernel::gemm_kernels();
  const auto gemvs = mn::ukernel::gemv_kernels();
  const auto dwconvs = mn::ukernel::dwconv3x3_kernels();
  const auto convs = mn::ukernel::conv3x3s2_kernels();
  const auto pools = mn::ukernel::gavgpool_kernels();
  size_t max_dw_ct = 1, max_conv_ct = 1;  // channel sweeps reach 3 x the largest tile of any ISA
  for (const auto& k : dwconvs) max_dw_ct = std::max(max_dw_ct, k.channel_tile);
  for (const auto& k : convs) max_conv_ct = std::max(max_conv_ct, k.channel_tile);
  std::string isas;
  for (const KernelTable* t : mn::supported_kernel_tables()) {
    if (!only.empty() && only != t->isa) continue;
    // Thread-free: each kernel runs on this thread only, the scalar twin against the same naive loops.
    const size_t before = g_failures;
    auto mine = [&](const char* isa) { return std::strcmp(isa, t->isa) == 0; };
    for (const auto& k : gemms) if (mine(k.isa)) gemm_suite(k);
    for (const auto& k : gemvs) if (mine(k.isa)) gemv_suite(k, t->gemm);
    for (const auto& k : dwconvs) if (mine(k.isa)) dwconv_suite(k, max_dw_ct);
    for (const auto& k : convs) if (mine(k.isa)) conv_suite(k, max_conv_ct);
    for (const auto& k : pools) if (mine(k.isa)) gavgpool_suite(k);
    std::printf("kernel_test: %s: %zu failing cases\n", t->isa, g_failures - before);
    isas += (isas.empty() ? "" : ", ") + std::string(t->isa);
  }
  if (isas.empty()) {
    std::printf("kernel_test: no kernel table matches --isa %s\n", only.c_str());
    return 1;
  }
  std::printf("kernel_test: %zu cases, %zu failures (isas: %s)\n", g_cases, g_failures, isas.c_str());
  return g_failures ? 1 : 0;
}
