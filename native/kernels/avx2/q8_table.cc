#include "q8_avx2.h"

namespace mn::avx2 {

const QKernelTable& qtable() {
  static const QKernelTable t = [] {
    QKernelTable k = {
        "avx2",
        "qu8_gemm_minmax_gemmlowp_3x8c8__avx2", qu8_gemm_minmax_gemmlowp_3x8c8__avx2, kQGemmLayout3x8c8Avx2,
        "qs8_gemm_minmax_gemmlowp_3x8c8__avx2", qs8_gemm_minmax_gemmlowp_3x8c8__avx2, kQGemmLayout3x8c8Avx2,
        "qu8_dwconv3x3_minmax_gemmlowp__avx2_8c", mn::avx2::qu8_dwconv3x3_minmax_gemmlowp__avx2_8c,
        mn::avx2::kQDwconvLayout8cPairsAvx2,
        "qs8_dwconv3x3_minmax_gemmlowp__avx2_8c", mn::avx2::qs8_dwconv3x3_minmax_gemmlowp__avx2_8c,
        mn::avx2::kQDwconvLayout8cPairsAvx2,
        "qu8_conv3x3s2_minmax_gemmlowp__avx2_8c", mn::avx2::qu8_conv3x3s2_minmax_gemmlowp__avx2_8c,
        mn::avx2::kQConvLayout8cPairsAvx2,
        "qs8_conv3x3s2_minmax_gemmlowp__avx2_8c", mn::avx2::qs8_conv3x3s2_minmax_gemmlowp__avx2_8c,
        mn::avx2::kQConvLayout8cPairsAvx2,
        mn::avx2::qu8_gavgpool_minmax__avx2_8c,
        mn::avx2::qs8_gavgpool_minmax__avx2_8c,
        nullptr, 0,
    };
    k.qu8_vadd = mn::avx2::qu8_vadd_minmax__avx2_8;
    k.qs8_vadd = mn::avx2::qs8_vadd_minmax__avx2_8;
    return k;
  }();
  return t;
}

}  // namespace mn::avx2
