// Peak multiply-accumulate throughput of one core: the "FMA limit" the bench GFLOP/s figures are compared against.
// 12 independent accumulator chains per ISA (more than latency x ports on any current x86 core), all in registers, so
// nothing but the execution ports limits the rate. Prints GFLOP/s (f32: 2 flops per FMA lane) and GOP/s for the
// int8 dot products (vpdpbusd: 4 multiply-adds per 32-bit lane, counted as 8 ops).
//   g++ -O2 -o build-tests/peak bench/peak.cc && build-tests/peak [--runs 5]
// x86-64 only (the ARM figures come from the meter and llvm-mca: bench/arm-meter).
// GCC 12 warns about _mm512_undefined_*() inside the reduce intrinsics (a false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <vector>

namespace {
constexpr long kIters = 20'000'000;
using Clock = std::chrono::steady_clock;
double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
volatile float sink_f;
volatile int sink_i;

__attribute__((target("avx512f"))) double f32_zmm() {
  __m512 a[12];
  for (int i = 0; i < 12; i++) a[i] = _mm512_set1_ps(i * 1e-3f);
  const __m512 b = _mm512_set1_ps(0.9999f), c = _mm512_set1_ps(1e-7f);
  const auto t0 = Clock::now();
  for (long n = 0; n < kIters; n++)
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
  const double s = seconds(t0);
  float r = 0;
  for (int i = 0; i < 12; i++) r += _mm512_reduce_add_ps(a[i]);
  sink_f = r;
  return kIters * 12.0 * 16 * 2 / s / 1e9;
}
__attribute__((target("avx2,fma"))) double f32_ymm() {
  __m256 a[12];
  for (int i = 0; i < 12; i++) a[i] = _mm256_set1_ps(i * 1e-3f);
  const __m256 b = _mm256_set1_ps(0.9999f), c = _mm256_set1_ps(1e-7f);
  const auto t0 = Clock::now();
  for (long n = 0; n < kIters; n++)
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) a[i] = _mm256_fmadd_ps(a[i], b, c);
  const double s = seconds(t0);
  float r[8], t = 0;
  for (int i = 0; i < 12; i++) { _mm256_storeu_ps(r, a[i]); for (float x : r) t += x; }
  sink_f = t;
  return kIters * 12.0 * 8 * 2 / s / 1e9;
}
__attribute__((target("avx512f,avx512vnni"))) double u8s8_zmm() {
  __m512i a[12];
  for (int i = 0; i < 12; i++) a[i] = _mm512_set1_epi32(i);
  const __m512i b = _mm512_set1_epi8(3), c = _mm512_set1_epi8(-2);
  const auto t0 = Clock::now();
  for (long n = 0; n < kIters; n++)
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) a[i] = _mm512_dpbusd_epi32(a[i], b, c);
  const double s = seconds(t0);
  int t = 0;
  for (int i = 0; i < 12; i++) t += _mm512_reduce_add_epi32(a[i]);
  sink_i = t;
  return kIters * 12.0 * 64 * 2 / s / 1e9;
}
__attribute__((target("avx2,avxvnni"))) double u8s8_ymm() {
  __m256i a[12];
  for (int i = 0; i < 12; i++) a[i] = _mm256_set1_epi32(i);
  const __m256i b = _mm256_set1_epi8(3), c = _mm256_set1_epi8(-2);
  const auto t0 = Clock::now();
  for (long n = 0; n < kIters; n++)
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) a[i] = _mm256_dpbusd_avx_epi32(a[i], b, c);
  const double s = seconds(t0);
  int r[8], t = 0;
  for (int i = 0; i < 12; i++) { _mm256_storeu_si256((__m256i*)r, a[i]); for (int x : r) t += x; }
  sink_i = t;
  return kIters * 12.0 * 32 * 2 / s / 1e9;
}

struct Probe { const char* name; const char* unit; bool ok; double (*fn)(); };
}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  for (int i = 1; i < argc; i++) {
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::atoi(argv[++i]);
    else { std::fprintf(stderr, "usage: peak [--runs N]\n"); return 2; }
  }
  __builtin_cpu_init();
  const Probe probes[] = {
      {"f32 FMA zmm (avx512f)", "GFLOP/s", (bool)__builtin_cpu_supports("avx512f"), f32_zmm},
      {"f32 FMA ymm (avx2+fma)", "GFLOP/s", __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"), f32_ymm},
      {"u8xs8 vpdpbusd zmm (avx512vnni)", "GOP/s", (bool)__builtin_cpu_supports("avx512vnni"), u8s8_zmm},
      {"u8xs8 vpdpbusd ymm (avxvnni)", "GOP/s", (bool)__builtin_cpu_supports("avxvnni"), u8s8_ymm},
  };
  std::printf("one thread, %d runs of %ld x 12 independent chains; best run (median in brackets)\n", runs, kIters);
  for (const Probe& p : probes) {
    if (!p.ok) { std::printf("%-34s not supported\n", p.name); continue; }
    std::vector<double> r;
    for (int i = 0; i < runs; i++) r.push_back(p.fn());
    std::sort(r.begin(), r.end());
    std::printf("%-34s %7.1f %s  (%.1f)\n", p.name, r.back(), p.unit, r[r.size() / 2]);
  }
}
