// GCC 12 warns about _mm512_undefined_ps() inside _mm512_max_ps/_mm512_min_ps (a false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "avx512.h"
#include "gemm_avx512.h"

namespace mn::avx512 {

// 7 x 32: 14 zmm accumulators + 2 weight vectors + 1 broadcast. 7 divides every MobileNet
// pixel count at 224 (7^2 .. 112^2), so M remainders are rare.
void f32_gemm_minmax_7x32__avx512(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride,
                                  const float* w, float* c, size_t c_stride, float min, float max) {
  // Specialised on the valid rows and on whether the valid columns fit in one vector: a remainder
  // tile (4x4 pixels, N = 16 at alpha 0.25) does no FMAs for rows or columns it then discards.
  // Each element still accumulates bias, then k in order, so results do not depend on the tile.
  const bool narrow = nc <= 16;
  switch (mr) {
    case 7: return narrow ? gemm_minmax_body<7, 1, 32>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max)
                   : gemm_minmax_body<7, 2>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
    case 6: return narrow ? gemm_minmax_body<6, 1, 32>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max)
                   : gemm_minmax_body<6, 2>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
    case 5: return narrow ? gemm_minmax_body<5, 1, 32>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max)
                   : gemm_minmax_body<5, 2>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
    case 4: return narrow ? gemm_minmax_body<4, 1, 32>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max)
                   : gemm_minmax_body<4, 2>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
    case 3: return narrow ? gemm_minmax_body<3, 1, 32>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max)
                   : gemm_minmax_body<3, 2>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
    case 2: return narrow ? gemm_minmax_body<2, 1, 32>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max)
                   : gemm_minmax_body<2, 2>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
    case 1: return narrow ? gemm_minmax_body<1, 1, 32>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max)
                   : gemm_minmax_body<1, 2>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
  }
}

}  // namespace mn::avx512
