#include "../avx2/q8_avx2.h"
#include "../scalar/q8_scalar.h"
#include "q8_avx512vnni.h"

namespace mn::avx512vnni {

// 6x64: see README "Integer kernels" for the tile measurements.
#define MN_VARIANT(mr, nr)                                                                                 \
  {"qu8_gemm_minmax_gemmlowp_" #mr "x" #nr "c4__avx512vnni", qu8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avx512vnni, \
   kQU8GemmLayout##mr##x##nr, "qs8_gemm_minmax_gemmlowp_" #mr "x" #nr "c4__avx512vnni",                           \
   qs8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avx512vnni, kQS8GemmLayout##mr##x##nr}
static const QGemmVariant kAlternatives[] = {MN_VARIANT(12, 32), MN_VARIANT(14, 32), MN_VARIANT(24, 16)};
#undef MN_VARIANT

const QKernelTable& qtable() {
  using namespace mn::scalar;
  static const QKernelTable t = [] {
    QKernelTable k = {
        "avx512vnni",
        "qu8_gemm_minmax_gemmlowp_6x64c4__avx512vnni", qu8_gemm_minmax_gemmlowp_6x64c4__avx512vnni, kQU8GemmLayout6x64,
        "qs8_gemm_minmax_gemmlowp_6x64c4__avx512vnni", qs8_gemm_minmax_gemmlowp_6x64c4__avx512vnni, kQS8GemmLayout6x64,
        "qu8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c", qu8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c,
        kQDwconvLayout32cPairs,
        "qs8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c", qs8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c,
        kQDwconvLayout32cPairs,
        "qu8_conv3x3s2_minmax_gemmlowp__avx512vnni_16c", qu8_conv3x3s2_minmax_gemmlowp__avx512vnni_16c, kQConvLayout16cPairs,
        "qs8_conv3x3s2_minmax_gemmlowp__avx512vnni_16c", qs8_conv3x3s2_minmax_gemmlowp__avx512vnni_16c, kQConvLayout16cPairs,
        qu8_gavgpool_minmax__avx512skx_16c,
        qs8_gavgpool_minmax__avx512skx_16c,
        kAlternatives, sizeof kAlternatives / sizeof kAlternatives[0],
    };
    k.qu8_vadd = mn::avx2::qu8_vadd_minmax__avx2_8;
    k.qs8_vadd = mn::avx2::qs8_vadd_minmax__avx2_8;
    return k;
  }();
  return t;
}

}  // namespace mn::avx512vnni
