#include "avx2.h"
#include "gemm_avx2.h"

namespace mn::avx2 {

// 6 x 16: 12 ymm accumulators + 2 weight vectors + 1 broadcast = 15 of 16 registers.
void f32_gemm_minmax_6x16__avx2(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride,
                                const float* w, float* c, size_t c_stride, float min, float max, const float* /*w_prefetch*/) {
  // Specialised on the valid rows and on whether the valid columns fit in one vector: a remainder
  // tile (4x4 pixels, N = 16 at alpha 0.25) does no FMAs for rows or columns it then discards.
  // Each element still accumulates bias, then k in order, so results do not depend on the tile.
  const bool narrow = nc <= 8;
  switch (mr) {
    case 6: return narrow ? gemm_minmax_body<6, 1, 16>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max)
                   : gemm_minmax_body<6, 2>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
    case 5: return narrow ? gemm_minmax_body<5, 1, 16>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max)
                   : gemm_minmax_body<5, 2>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
    case 4: return narrow ? gemm_minmax_body<4, 1, 16>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max)
                   : gemm_minmax_body<4, 2>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
    case 3: return narrow ? gemm_minmax_body<3, 1, 16>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max)
                   : gemm_minmax_body<3, 2>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
    case 2: return narrow ? gemm_minmax_body<2, 1, 16>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max)
                   : gemm_minmax_body<2, 2>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
    case 1: return narrow ? gemm_minmax_body<1, 1, 16>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max)
                   : gemm_minmax_body<1, 2>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
  }
}

}  // namespace mn::avx2
