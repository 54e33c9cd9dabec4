// f32 GEMV for one row of A (the batch-1 classifier): c[0..nc) = clamp(a[0..kc) * W + bias) over the GEMM's
// packed panels of 32 columns. Through the 14x32 GEMM one row has 2 FMA chains, so every k-step waits
// for the FMA latency and one weight stream at a time comes from memory (the classifier's 1-4 MB of weights
// are not in cache). Here four panels run side by side: 8 independent FMA chains and 4 weight streams.
// Every element accumulates bias, then k = 0..kc-1 in order with one FMA per step, as the GEMM does, so
// results are bit-identical to it (kernel_test checks).
// GCC 12 warns about _mm512_undefined_ps() inside _mm512_max_ps/_mm512_min_ps (a false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "avx512.h"

namespace mn::avx512 {

namespace {

// P panels (32 columns each) starting at w; panel j at w + j * (kc + 1) * 32. Writes nc <= 32 * P columns.
template <size_t P>
inline __attribute__((always_inline)) void gemv_panels(size_t nc, size_t kc, const float* a, const float* w, float* c,
                                                       __m512 vmin, __m512 vmax) {
  const size_t panel = (kc + 1) * 32;
  __m512 acc[P][2];
#pragma GCC unroll 4
  for (size_t p = 0; p < P; p++) {
    acc[p][0] = _mm512_loadu_ps(w + p * panel);
    acc[p][1] = _mm512_loadu_ps(w + p * panel + 16);
  }
  w += 32;
  for (size_t k = 0; k < kc; k++, w += 32) {
    const __m512 va = _mm512_set1_ps(a[k]);
#pragma GCC unroll 4
    for (size_t p = 0; p < P; p++) {
      acc[p][0] = _mm512_fmadd_ps(va, _mm512_loadu_ps(w + p * panel), acc[p][0]);
      acc[p][1] = _mm512_fmadd_ps(va, _mm512_loadu_ps(w + p * panel + 16), acc[p][1]);
    }
  }
#pragma GCC unroll 4
  for (size_t p = 0; p < P; p++, c += 32, nc -= nc < 32 ? nc : 32) {
    const __m512 lo = _mm512_min_ps(_mm512_max_ps(acc[p][0], vmin), vmax);
    const __m512 hi = _mm512_min_ps(_mm512_max_ps(acc[p][1], vmin), vmax);
    if (nc >= 32) {
      _mm512_storeu_ps(c, lo);
      _mm512_storeu_ps(c + 16, hi);
      continue;
    }
    const size_t n_hi = nc > 16 ? nc - 16 : 0;
    _mm512_mask_storeu_ps(c, (__mmask16)((1u << (nc < 16 ? nc : 16)) - 1u), lo);
    if (n_hi) _mm512_mask_storeu_ps(c + 16, (__mmask16)((1u << n_hi) - 1u), hi);
    return;
  }
}

}  // namespace

void f32_gemv_minmax__avx512_4p32(size_t nc, size_t kc, const float* a, const float* w, float* c, float min,
                                  float max) {
  const __m512 vmin = _mm512_set1_ps(min), vmax = _mm512_set1_ps(max);
  const size_t panel = (kc + 1) * 32;
  for (; nc >= 128; nc -= 128, w += 4 * panel, c += 128) gemv_panels<4>(128, kc, a, w, c, vmin, vmax);
  for (; nc != 0; nc -= nc < 32 ? nc : 32, w += panel, c += 32) gemv_panels<1>(nc < 32 ? nc : 32, kc, a, w, c, vmin, vmax);
}

}  // namespace mn::avx512
