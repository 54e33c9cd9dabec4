#include "../avx2/q8_avx2.h"
#include "../avx512vnni/q8_avx512vnni.h"
#include "q8_avx512amx.h"

namespace mn::avx512amx {

#define MN_VARIANT(mr, nr)                                                                                         \
  {"qu8_gemm_minmax_gemmlowp_" #mr "x" #nr "c4__avx512amx", qu8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avx512amx, \
   kQU8GemmLayout##mr##x##nr, "qs8_gemm_minmax_gemmlowp_" #mr "x" #nr "c4__avx512amx",                            \
   qs8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avx512amx, kQS8GemmLayout##mr##x##nr}
// The qu8 and qs8 tiles not selected below, as pairs.
static const QGemmVariant kAlternatives[] = {
    MN_VARIANT(64, 32),
    {"qu8_gemm_minmax_gemmlowp_64x64c4__avx512amx", qu8_gemm_minmax_gemmlowp_64x64c4__avx512amx, kQU8GemmLayout64x64,
     "qs8_gemm_minmax_gemmlowp_64x128c4__avx512amx", qs8_gemm_minmax_gemmlowp_64x128c4__avx512amx, kQS8GemmLayout64x128},
};
#undef MN_VARIANT

// AMX for the GEMMs (pointwise, classifier, im2col convolutions) and the first conv; depthwise and pool are
// avx512vnni's kernels.
// qu8 64x128: its row sums are shared by 4 column slices (1.0/224 pointwise, bench/qkernels: 64x32 1064-1081 us,
// 64x64 997-1008, 64x128 968-975); qs8 has no row sums and 64x64 is as fast as any (825-829 us, 64x32 832-843,
// 64x128 849-852).
const QKernelTable& qtable() {
  using namespace mn::avx512vnni;
  static const QKernelTable t = [] {
    QKernelTable k = {
        "avx512amx",
        "qu8_gemm_minmax_gemmlowp_64x128c4__avx512amx", qu8_gemm_minmax_gemmlowp_64x128c4__avx512amx, kQU8GemmLayout64x128,
        "qs8_gemm_minmax_gemmlowp_64x64c4__avx512amx", qs8_gemm_minmax_gemmlowp_64x64c4__avx512amx, kQS8GemmLayout64x64,
        "qu8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c", qu8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c,
        kQDwconvLayout32cPairs,
        "qs8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c", qs8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c,
        kQDwconvLayout32cPairs,
        "qu8_conv3x3s2_minmax_gemmlowp__avx512amx", qu8_conv3x3s2_minmax_gemmlowp__avx512amx, kQU8ConvLayoutGemm,
        "qs8_conv3x3s2_minmax_gemmlowp__avx512amx", qs8_conv3x3s2_minmax_gemmlowp__avx512amx, kQS8ConvLayoutGemm,
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

}  // namespace mn::avx512amx
