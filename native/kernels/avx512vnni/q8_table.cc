#include "../scalar/q8_scalar.h"
#include "q8_avx512vnni.h"

namespace mn::avx512vnni {

// 6x64: see README "Integer kernels" for the tile measurements.
const QKernelTable& qtable() {
  using namespace mn::scalar;
  static const QKernelTable t = {
      "avx512vnni",
      "qu8_gemm_minmax_gemmlowp_6x64c4__avx512vnni", qu8_gemm_minmax_gemmlowp_6x64c4__avx512vnni, kQU8GemmLayout6x64,
      "qs8_gemm_minmax_gemmlowp_6x64c4__avx512vnni", qs8_gemm_minmax_gemmlowp_6x64c4__avx512vnni, kQS8GemmLayout6x64,
      "qu8_dwconv3x3_minmax_gemmlowp__scalar_1c", qu8_dwconv3x3_minmax_gemmlowp__scalar_1c, kQTapsLayout1cScalar,
      "qs8_dwconv3x3_minmax_gemmlowp__scalar_1c", qs8_dwconv3x3_minmax_gemmlowp__scalar_1c, kQTapsLayout1cScalar,
      "qu8_conv3x3s2_minmax_gemmlowp__scalar_1c", qu8_conv3x3s2_minmax_gemmlowp__scalar_1c, kQTapsLayout1cScalar,
      "qs8_conv3x3s2_minmax_gemmlowp__scalar_1c", qs8_conv3x3s2_minmax_gemmlowp__scalar_1c, kQTapsLayout1cScalar,
      qu8_gavgpool_minmax__scalar,
      qs8_gavgpool_minmax__scalar,
  };
  return t;
}

}  // namespace mn::avx512vnni
