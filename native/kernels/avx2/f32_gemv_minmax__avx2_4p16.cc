// f32 GEMV for one row of A (the batch-1 classifier): c[0..nc) = clamp(a[0..kc) * W + bias) over the GEMM's
// packed panels of 16 columns. Through the 6x16 GEMM one row has 2 FMA chains, so every k-step waits for
// the FMA latency and one weight stream at a time comes from memory (the classifier's 1-4 MB of weights are
// not in cache). Here four panels run side by side: 8 independent FMA chains and 4 weight streams.
// Every element accumulates bias, then k = 0..kc-1 in order with one FMA per step, as the GEMM does, so
// results are bit-identical to it (kernel_test checks).
#include <immintrin.h>

#include "avx2.h"
#include "gemm_avx2.h"

namespace mn::avx2 {

namespace {

// P panels (16 columns each) starting at w; panel j at w + j * (kc + 1) * 16. Writes nc <= 16 * P columns.
template <size_t P>
inline __attribute__((always_inline)) void gemv_panels(size_t nc, size_t kc, const float* a, const float* w, float* c,
                                                       __m256 vmin, __m256 vmax) {
  const size_t panel = (kc + 1) * 16;
  __m256 acc[P][2];
#pragma GCC unroll 4
  for (size_t p = 0; p < P; p++) {
    acc[p][0] = _mm256_loadu_ps(w + p * panel);
    acc[p][1] = _mm256_loadu_ps(w + p * panel + 8);
  }
  w += 16;
  for (size_t k = 0; k < kc; k++, w += 16) {
    const __m256 va = _mm256_broadcast_ss(a + k);
#pragma GCC unroll 4
    for (size_t p = 0; p < P; p++) {
      acc[p][0] = _mm256_fmadd_ps(va, _mm256_loadu_ps(w + p * panel), acc[p][0]);
      acc[p][1] = _mm256_fmadd_ps(va, _mm256_loadu_ps(w + p * panel + 8), acc[p][1]);
    }
  }
#pragma GCC unroll 4
  for (size_t p = 0; p < P; p++, c += 16, nc -= nc < 16 ? nc : 16) {
    const __m256 lo = _mm256_min_ps(_mm256_max_ps(acc[p][0], vmin), vmax);
    const __m256 hi = _mm256_min_ps(_mm256_max_ps(acc[p][1], vmin), vmax);
    if (nc >= 16) {
      _mm256_storeu_ps(c, lo);
      _mm256_storeu_ps(c + 8, hi);
      continue;
    }
    _mm256_maskstore_ps(c, mask_for(nc < 8 ? nc : 8), lo);
    if (nc > 8) _mm256_maskstore_ps(c + 8, mask_for(nc - 8), hi);
    return;
  }
}

}  // namespace

void f32_gemv_minmax__avx2_4p16(size_t nc, size_t kc, const float* a, const float* w, float* c, float min, float max) {
  const __m256 vmin = _mm256_set1_ps(min), vmax = _mm256_set1_ps(max);
  const size_t panel = (kc + 1) * 16;
  for (; nc >= 64; nc -= 64, w += 4 * panel, c += 64) gemv_panels<4>(64, kc, a, w, c, vmin, vmax);
  for (; nc != 0; nc -= nc < 16 ? nc : 16, w += panel, c += 16) gemv_panels<1>(nc < 16 ? nc : 16, kc, a, w, c, vmin, vmax);
}

}  // namespace mn::avx2
