#include "q8_neon.h"

namespace mn::neon {

const QKernelTable& qtable() {
  static const QKernelTable t = {
      "neon",
      "qu8_gemm_minmax_gemmlowp_4x8__neon_mlal_lane", qu8_gemm_minmax_gemmlowp_4x8__neon_mlal_lane, kQGemmLayout4x8NeonMlal,
      "qs8_gemm_minmax_gemmlowp_4x8__neon_mlal_lane", qs8_gemm_minmax_gemmlowp_4x8__neon_mlal_lane, kQGemmLayout4x8NeonMlal,
      "qu8_dwconv3x3_minmax_gemmlowp__neon_mlal_8c", mn::neon::qu8_dwconv3x3_minmax_gemmlowp__neon_mlal_8c,
      mn::neon::kQDwconvLayout8cNeon,
      "qs8_dwconv3x3_minmax_gemmlowp__neon_mlal_8c", mn::neon::qs8_dwconv3x3_minmax_gemmlowp__neon_mlal_8c,
      mn::neon::kQDwconvLayout8cNeon,
      "qu8_conv3x3s2_minmax_gemmlowp__neon_mlal_8c", mn::neon::qu8_conv3x3s2_minmax_gemmlowp__neon_mlal_8c,
      mn::neon::kQConvLayout8cNeon,
      "qs8_conv3x3s2_minmax_gemmlowp__neon_mlal_8c", mn::neon::qs8_conv3x3s2_minmax_gemmlowp__neon_mlal_8c,
      mn::neon::kQConvLayout8cNeon,
      mn::neon::qu8_gavgpool_minmax__neon_32c,
      mn::neon::qs8_gavgpool_minmax__neon_32c,
      nullptr, 0,
#if defined(__aarch64__)
      "qs8_gemm_minmax_gemmlowp_2x8c16__neon_mlal", qs8_gemm_minmax_gemmlowp_2x8c16__neon_mlal,
      kQS8GemmLayout2x8c16NeonMlal,
#else
      nullptr, nullptr, {},
#endif
      "qs8_dwconv3x3_minmax_gemmlowp__neon_mla8", qs8_dwconv3x3_minmax_gemmlowp__neon_mla8, kQS8DwconvLayoutMla8,
      qu8_vadd_minmax__neon_16, qs8_vadd_minmax__neon_16,
  };
  return t;
}

}  // namespace mn::neon
