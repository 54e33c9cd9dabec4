#include "../avx2/q8_avx2.h"
#include "q8_avxvnni.h"

namespace mn::avxvnni {

static const QGemmVariant kAlternatives[] = {
    {"qu8_gemm_minmax_gemmlowp_6x16c4__avxvnni", qu8_gemm_minmax_gemmlowp_6x16c4__avxvnni, kQU8GemmLayout6x16,
     "qs8_gemm_minmax_gemmlowp_6x16c4__avxvnni", qs8_gemm_minmax_gemmlowp_6x16c4__avxvnni, kQS8GemmLayout6x16}};

// 4x24 selected: 261 vs 227 GOP/s for 6x16 over the 1.0/224 pointwise layers (bench/qkernels, qs8,
// min of 11 interleaved rounds, loaded machine); it has 12 accumulators + 3 weight vectors of 16 ymm.
const QKernelTable& qtable() {
  static const QKernelTable t = [] {
    QKernelTable k = {
        "avxvnni",
        "qu8_gemm_minmax_gemmlowp_4x24c4__avxvnni", qu8_gemm_minmax_gemmlowp_4x24c4__avxvnni, kQU8GemmLayout4x24,
        "qs8_gemm_minmax_gemmlowp_4x24c4__avxvnni", qs8_gemm_minmax_gemmlowp_4x24c4__avxvnni, kQS8GemmLayout4x24,
        "qu8_dwconv3x3_minmax_gemmlowp__avxvnni_8c", qu8_dwconv3x3_minmax_gemmlowp__avxvnni_8c,
        mn::avx2::kQDwconvLayout8cPairsAvx2,
        "qs8_dwconv3x3_minmax_gemmlowp__avxvnni_8c", qs8_dwconv3x3_minmax_gemmlowp__avxvnni_8c,
        mn::avx2::kQDwconvLayout8cPairsAvx2,
        "qu8_conv3x3s2_minmax_gemmlowp__avx2_8c", mn::avx2::qu8_conv3x3s2_minmax_gemmlowp__avx2_8c,
        mn::avx2::kQConvLayout8cPairsAvx2,
        "qs8_conv3x3s2_minmax_gemmlowp__avx2_8c", mn::avx2::qs8_conv3x3s2_minmax_gemmlowp__avx2_8c,
        mn::avx2::kQConvLayout8cPairsAvx2,
        mn::avx2::qu8_gavgpool_minmax__avx2_8c,
        mn::avx2::qs8_gavgpool_minmax__avx2_8c,
        kAlternatives, 1,
    };
    k.qu8_vadd = mn::avx2::qu8_vadd_minmax__avx2_8;
    k.qs8_vadd = mn::avx2::qs8_vadd_minmax__avx2_8;
    return k;
  }();
  return t;
}

}  // namespace mn::avxvnni
