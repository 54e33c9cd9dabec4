#include "../avx512vnni/q8_avx512vnni.h"
#include "q8_avx512amx.h"

namespace mn::avx512amx {

// AMX for the GEMMs (pointwise, classifier, im2col convolutions); everything else is avx512vnni's kernels.
const QKernelTable& qtable() {
  using namespace mn::avx512vnni;
  static const QKernelTable t = {
      "avx512amx",
      "qu8_gemm_minmax_gemmlowp_32x32c4__avx512amx", qu8_gemm_minmax_gemmlowp_32x32c4__avx512amx, kQU8GemmLayout32x32,
      "qs8_gemm_minmax_gemmlowp_32x32c4__avx512amx", qs8_gemm_minmax_gemmlowp_32x32c4__avx512amx, kQS8GemmLayout32x32,
      "qu8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c", qu8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c,
      kQDwconvLayout32cPairs,
      "qs8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c", qs8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c,
      kQDwconvLayout32cPairs,
      "qu8_conv3x3s2_minmax_gemmlowp__avx512vnni_16c", qu8_conv3x3s2_minmax_gemmlowp__avx512vnni_16c, kQConvLayout16cPairs,
      "qs8_conv3x3s2_minmax_gemmlowp__avx512vnni_16c", qs8_conv3x3s2_minmax_gemmlowp__avx512vnni_16c, kQConvLayout16cPairs,
      qu8_gavgpool_minmax__avx512skx_16c,
      qs8_gavgpool_minmax__avx512skx_16c,
      nullptr, 0,
  };
  return t;
}

}  // namespace mn::avx512amx
