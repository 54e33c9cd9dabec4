#include "../neon/q8_neon.h"
#include "q8_neondot.h"

namespace mn::neondot {

#define MN_VARIANT(mr, nr)                                                                                       \
  {"qu8_gemm_minmax_gemmlowp_" #mr "x" #nr "c4__neondot", qu8_gemm_minmax_gemmlowp_##mr##x##nr##c4__neondot,      \
   kQU8GemmLayout##mr##x##nr, "qs8_gemm_minmax_gemmlowp_" #mr "x" #nr "c4__neondot",                             \
   qs8_gemm_minmax_gemmlowp_##mr##x##nr##c4__neondot, kQS8GemmLayout##mr##x##nr}
static const QGemmVariant kAlternatives[] = {MN_VARIANT(4, 8), MN_VARIANT(8, 8)};
#undef MN_VARIANT

const QKernelTable& qtable() {
  static const QKernelTable t = {
      "neondot",
      "qu8_gemm_minmax_gemmlowp_4x16c4__neondot", qu8_gemm_minmax_gemmlowp_4x16c4__neondot, kQU8GemmLayout4x16,
      "qs8_gemm_minmax_gemmlowp_4x16c4__neondot", qs8_gemm_minmax_gemmlowp_4x16c4__neondot, kQS8GemmLayout4x16,
      "qu8_dwconv3x3_minmax_gemmlowp__neon_mlal_8c", mn::neon::qu8_dwconv3x3_minmax_gemmlowp__neon_mlal_8c,
      mn::neon::kQDwconvLayout8cNeon,
      "qs8_dwconv3x3_minmax_gemmlowp__neon_mlal_8c", mn::neon::qs8_dwconv3x3_minmax_gemmlowp__neon_mlal_8c,
      mn::neon::kQDwconvLayout8cNeon,
      "qu8_conv3x3s2_minmax_gemmlowp__neondot", qu8_conv3x3s2_minmax_gemmlowp__neondot, kQU8ConvLayoutGemm,
      "qs8_conv3x3s2_minmax_gemmlowp__neondot", qs8_conv3x3s2_minmax_gemmlowp__neondot, kQS8ConvLayoutGemm,
      mn::neon::qu8_gavgpool_minmax__neon_32c,
      mn::neon::qs8_gavgpool_minmax__neon_32c,
      kAlternatives, sizeof kAlternatives / sizeof kAlternatives[0],
      nullptr, nullptr, {},
      "qs8_dwconv3x3_minmax_gemmlowp__neon_mla8", mn::neon::qs8_dwconv3x3_minmax_gemmlowp__neon_mla8,
      mn::neon::kQS8DwconvLayoutMla8,
      mn::neon::qu8_vadd_minmax__neon_16, mn::neon::qs8_vadd_minmax__neon_16,
  };
  return t;
}

}  // namespace mn::neondot
