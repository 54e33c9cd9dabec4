// GCC 12 warns about _mm512_undefined_ps() inside _mm512_max_ps/_mm512_min_ps (a false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "avx512.h"
#include "gemm_avx512.h"

namespace mn::avx512 {

// 14 x 32: 28 zmm accumulators + 2 weight vectors (the A broadcasts fold into the FMAs as {1to16}
// operands). Twice the rows of 7 x 32 per weight load halves the weight traffic per FMA, which is what
// limits the K = 512/1024 layers once a panel (K x 32 floats, 64-128 KiB) no longer fits in L1:
// bench/kernels, 1.0/224 pointwise, ~8% less time than 7 x 32 on a Xeon (AVX-512, 48 KiB L1d).
// 14 divides 112^2, 56^2, 28^2 and 14^2; 7^2 leaves a 7-row tile.
void f32_gemm_minmax_14x32__avx512(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride,
                                   const float* w, float* c, size_t c_stride, float min, float max) {
  gemm_minmax_rows_x32<14>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
}

}  // namespace mn::avx512
