#include "../scalar/q8_scalar.h"
#include "q8_avx2.h"

namespace mn::avx2 {

const QKernelTable& qtable() {
  using namespace mn::scalar;
  static const QKernelTable t = {
      "avx2",
      "qu8_gemm_minmax_gemmlowp_3x8c8__avx2", qu8_gemm_minmax_gemmlowp_3x8c8__avx2, kQGemmLayout3x8c8Avx2,
      "qs8_gemm_minmax_gemmlowp_3x8c8__avx2", qs8_gemm_minmax_gemmlowp_3x8c8__avx2, kQGemmLayout3x8c8Avx2,
      "qu8_dwconv3x3_minmax_gemmlowp__scalar_1c", qu8_dwconv3x3_minmax_gemmlowp__scalar_1c, kQTapsLayout1cScalar,
      "qs8_dwconv3x3_minmax_gemmlowp__scalar_1c", qs8_dwconv3x3_minmax_gemmlowp__scalar_1c, kQTapsLayout1cScalar,
      "qu8_conv3x3s2_minmax_gemmlowp__scalar_1c", qu8_conv3x3s2_minmax_gemmlowp__scalar_1c, kQTapsLayout1cScalar,
      "qs8_conv3x3s2_minmax_gemmlowp__scalar_1c", qs8_conv3x3s2_minmax_gemmlowp__scalar_1c, kQTapsLayout1cScalar,
      qu8_gavgpool_minmax__scalar,
      qs8_gavgpool_minmax__scalar,
      nullptr, 0,
  };
  return t;
}

}  // namespace mn::avx2
