// Shared body of the AVX2/FMA GEMM microkernels (included only by files compiled with -mavx2 -mfma).
// MR rows x NV ymm vectors (NR = 8 * NV). Rows past mr read the last valid A row and write the last
// valid C row again (same values): no A row beyond mr is ever read, one code path for every mr.
// Each C element accumulates bias, then k = 0, 1, ... in order (one FMA per step) wherever it sits
// in the tile, so results do not depend on the tiling.
#pragma once
#include <immintrin.h>
#include <cstddef>
#include <cstdint>

namespace mn::avx2 {

// Lane masks for maskload/maskstore: mask_for(n) enables lanes [0, n), n in 0..8.
static inline __m256i mask_for(size_t n) {
  alignas(32) static const int32_t kMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask + 8 - n));
}

// NR is the packed panel width; NV * 8 <= NR columns are computed (a narrower body serves
// panels whose valid columns fit in fewer vectors).
template <size_t MR, size_t NV, size_t NR = 8 * NV>
static inline __attribute__((always_inline)) void gemm_minmax_body(size_t mr, size_t nc, size_t kc, const float* a,
                                                                    size_t a_stride, const float* w, float* c,
                                                                    size_t c_stride, float min, float max) {
  const float* ar[MR];
  float* cr[MR];
  ar[0] = a;
  cr[0] = c;
#pragma GCC unroll 16
  for (size_t i = 1; i < MR; i++) {
    ar[i] = i < mr ? ar[i - 1] + a_stride : ar[i - 1];
    cr[i] = i < mr ? cr[i - 1] + c_stride : cr[i - 1];
  }
  __m256 acc[MR][NV];
#pragma GCC unroll 4
  for (size_t v = 0; v < NV; v++) acc[0][v] = _mm256_loadu_ps(w + 8 * v);
#pragma GCC unroll 16
  for (size_t i = 1; i < MR; i++)
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; v++) acc[i][v] = acc[0][v];
  w += NR;

  size_t k = 0;
  for (; k + 2 <= kc; k += 2) {
    _mm_prefetch((const char*)(w + 16 * NR), _MM_HINT_T0);
#pragma GCC unroll 2
    for (size_t u = 0; u < 2; u++) {
      __m256 b[NV];
#pragma GCC unroll 4
      for (size_t v = 0; v < NV; v++) b[v] = _mm256_loadu_ps(w + u * NR + 8 * v);
#pragma GCC unroll 16
      for (size_t i = 0; i < MR; i++) {
        const __m256 va = _mm256_broadcast_ss(ar[i] + k + u);
#pragma GCC unroll 4
        for (size_t v = 0; v < NV; v++) acc[i][v] = _mm256_fmadd_ps(va, b[v], acc[i][v]);
      }
    }
    w += 2 * NR;
  }
  if (k < kc) {
    __m256 b[NV];
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; v++) b[v] = _mm256_loadu_ps(w + 8 * v);
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; i++) {
      const __m256 va = _mm256_broadcast_ss(ar[i] + k);
#pragma GCC unroll 4
      for (size_t v = 0; v < NV; v++) acc[i][v] = _mm256_fmadd_ps(va, b[v], acc[i][v]);
    }
  }

  const __m256 vmin = _mm256_set1_ps(min), vmax = _mm256_set1_ps(max);
#pragma GCC unroll 16
  for (size_t i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; v++) acc[i][v] = _mm256_min_ps(_mm256_max_ps(acc[i][v], vmin), vmax);

  if (nc == 8 * NV) {
#pragma GCC unroll 16
    for (size_t ii = 0; ii < MR; ii++)
#pragma GCC unroll 4
      for (size_t v = 0; v < NV; v++) _mm256_storeu_ps(cr[MR - 1 - ii] + 8 * v, acc[MR - 1 - ii][v]);
  } else {
    __m256i m[NV];
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; v++) {
      const size_t lo = 8 * v;
      m[v] = mask_for(nc > lo ? (nc - lo > 8 ? 8 : nc - lo) : 0);
    }
#pragma GCC unroll 16
    for (size_t ii = 0; ii < MR; ii++)
#pragma GCC unroll 4
      for (size_t v = 0; v < NV; v++) _mm256_maskstore_ps(cr[MR - 1 - ii] + 8 * v, m[v], acc[MR - 1 - ii][v]);
  }
}

}  // namespace mn::avx2
