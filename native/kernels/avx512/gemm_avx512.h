// Shared body of the AVX-512F GEMM microkernels (included only by files compiled with -mavx512f).
// MR rows x NV zmm vectors (NR = 16 * NV). Rows past mr read the last valid A row and write the
// last valid C row again (same values), so no A row beyond mr is ever read and one code path
// serves every mr. Each C element accumulates bias, then k = 0, 1, ... in order with one FMA per
// step, whatever its position in the tile: results do not depend on the tiling.
#pragma once
#include <immintrin.h>
#include <cstddef>

namespace mn::avx512 {

// NR is the packed panel width; NV * 16 <= NR columns are computed (a narrower body serves
// panels whose valid columns fit in fewer vectors).
template <size_t MR, size_t NV, size_t NR = 16 * NV>
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
  __m512 acc[MR][NV];
#pragma GCC unroll 4
  for (size_t v = 0; v < NV; v++) acc[0][v] = _mm512_loadu_ps(w + 16 * v);
#pragma GCC unroll 16
  for (size_t i = 1; i < MR; i++)
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; v++) acc[i][v] = acc[0][v];
  w += NR;

  size_t k = 0;
  for (; k + 2 <= kc; k += 2) {
    // Every cache line of the weights 8 k-steps ahead: at K >= 512 a panel (K x 32 floats) outgrows
    // L1 and streams from L2; one line in four (the old prefetch) left 1.0/224's K = 512/1024 layers ~10% slower.
#pragma GCC unroll 4
    for (size_t l = 0; l < 2 * NR / 16; l++) _mm_prefetch((const char*)(w + 8 * NR + 16 * l), _MM_HINT_T0);
#pragma GCC unroll 2
    for (size_t u = 0; u < 2; u++) {
      __m512 b[NV];
#pragma GCC unroll 4
      for (size_t v = 0; v < NV; v++) b[v] = _mm512_loadu_ps(w + u * NR + 16 * v);
#pragma GCC unroll 16
      for (size_t i = 0; i < MR; i++) {
        const __m512 va = _mm512_set1_ps(ar[i][k + u]);
#pragma GCC unroll 4
        for (size_t v = 0; v < NV; v++) acc[i][v] = _mm512_fmadd_ps(va, b[v], acc[i][v]);
      }
    }
    w += 2 * NR;
  }
  if (k < kc) {
    __m512 b[NV];
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; v++) b[v] = _mm512_loadu_ps(w + 16 * v);
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; i++) {
      const __m512 va = _mm512_set1_ps(ar[i][k]);
#pragma GCC unroll 4
      for (size_t v = 0; v < NV; v++) acc[i][v] = _mm512_fmadd_ps(va, b[v], acc[i][v]);
    }
  }

  const __m512 vmin = _mm512_set1_ps(min), vmax = _mm512_set1_ps(max);
#pragma GCC unroll 16
  for (size_t i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; v++) acc[i][v] = _mm512_min_ps(_mm512_max_ps(acc[i][v], vmin), vmax);

  if (nc == 16 * NV) {
    // Highest row first: duplicated row pointers then end with the genuine row's values (identical anyway).
#pragma GCC unroll 16
    for (size_t ii = 0; ii < MR; ii++)
#pragma GCC unroll 4
      for (size_t v = 0; v < NV; v++) _mm512_storeu_ps(cr[MR - 1 - ii] + 16 * v, acc[MR - 1 - ii][v]);
  } else {
    __mmask16 m[NV];
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; v++) {
      const size_t lo = 16 * v;
      const size_t n = nc > lo ? (nc - lo > 16 ? 16 : nc - lo) : 0;
      m[v] = (__mmask16)((1u << n) - 1u);
    }
#pragma GCC unroll 16
    for (size_t ii = 0; ii < MR; ii++)
#pragma GCC unroll 4
      for (size_t v = 0; v < NV; v++) _mm512_mask_storeu_ps(cr[MR - 1 - ii] + 16 * v, m[v], acc[MR - 1 - ii][v]);
  }
}

// An MR x 32 kernel: specialised on the valid rows (1..MR) and on whether the valid columns fit in one
// vector, so a remainder tile (4x4 pixels, N = 16 at alpha 0.25) does no FMAs for rows or columns it then
// discards. Each element still accumulates bias, then k in order, so results do not depend on the tile.
template <size_t MR>
static inline __attribute__((always_inline)) void gemm_minmax_rows_x32(size_t mr, size_t nc, size_t kc, const float* a,
                                                                        size_t a_stride, const float* w, float* c,
                                                                        size_t c_stride, float min, float max) {
  if constexpr (MR > 1) {
    if (mr < MR) return gemm_minmax_rows_x32<MR - 1>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
  }
  if (nc <= 16) return gemm_minmax_body<MR, 1, 32>(MR, nc, kc, a, a_stride, w, c, c_stride, min, max);
  gemm_minmax_body<MR, 2>(MR, nc, kc, a, a_stride, w, c, c_stride, min, max);
}

}  // namespace mn::avx512
