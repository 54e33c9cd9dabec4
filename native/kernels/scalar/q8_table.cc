#include "q8_scalar.h"

namespace mn::scalar {

const QKernelTable& qtable() {
  static const QKernelTable t = {
      "scalar",
      "qu8_gemm_minmax_gemmlowp_4x4__scalar", qu8_gemm_minmax_gemmlowp_4x4__scalar, kQGemmLayout4x4Scalar,
      "qs8_gemm_minmax_gemmlowp_4x4__scalar", qs8_gemm_minmax_gemmlowp_4x4__scalar, kQGemmLayout4x4Scalar,
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

}  // namespace mn::scalar
