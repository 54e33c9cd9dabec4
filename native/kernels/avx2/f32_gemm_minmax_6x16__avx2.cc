#include "avx2.h"
#include "gemm_avx2.h"

namespace mn::avx2 {

// 6 x 16: 12 ymm accumulators + 2 weight vectors + 1 broadcast = 15 of 16 registers.
void f32_gemm_minmax_6x16__avx2(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride,
                                const float* w, float* c, size_t c_stride, float min, float max) {
  gemm_minmax_body<6, 2>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
}

}  // namespace mn::avx2
