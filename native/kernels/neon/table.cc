#include "neon.h"

namespace mn::neon {

const KernelTable& table() {
  static const KernelTable t = {
      "neon",
#if defined(__aarch64__)
      f32_gemm_minmax_6x8__aarch64_neonfma_lane_ld128, 6, 8,
#else
      f32_gemm_minmax_4x8__aarch32_neon_lane_ld128, 4, 8,
#endif
      f32_dwconv3x3_minmax__neon_8c, 8,
      f32_conv3x3s2_minmax__neon_8c, 8,
      f32_gavgpool__neon,
#if defined(__aarch64__)
      f32_gemv_minmax__aarch64_neonfma_lane_4p8,
#else
      f32_gemv_minmax__aarch32_neon_lane_2p8,
#endif
  };
  return t;
}

}  // namespace mn::neon
