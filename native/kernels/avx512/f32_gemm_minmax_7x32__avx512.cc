// GCC 12 warns about _mm512_undefined_ps() inside _mm512_max_ps/_mm512_min_ps (a false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "avx512.h"
#include "gemm_avx512.h"

namespace mn::avx512 {

// 7 x 32: 14 zmm accumulators + 2 weight vectors + 1 broadcast. 7 divides every MobileNet
// pixel count at 224 (7^2 .. 112^2), so M remainders are rare. A candidate (kernel_test, bench/kernels);
// the avx512 table runs 14 x 32.
void f32_gemm_minmax_7x32__avx512(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride,
                                  const float* w, float* c, size_t c_stride, float min, float max, const float* /*w_prefetch*/) {
  gemm_minmax_rows_x32<7>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
}

}  // namespace mn::avx512
