#include "neon.h"

#include "../../dispatch/dispatch.h"

namespace mn::neon {

#if defined(__aarch64__)
#define MN_NEON_TABLE(gemm)                                                                          \
  {"neon", gemm, 6, 8, f32_dwconv3x3_minmax__neon_8c, 8, f32_conv3x3s2_minmax__neon_8c, 8,          \
   f32_gavgpool__neon, f32_gemv_minmax__aarch64_neonfma_lane_4p8}
const KernelTable& table_general() {
  static const KernelTable t = MN_NEON_TABLE(f32_gemm_minmax_6x8__aarch64_neonfma_lane_ld128);
  return t;
}
const KernelTable& table_cortex_a53() {
  static const KernelTable t = MN_NEON_TABLE(f32_gemm_minmax_6x8__aarch64_neonfma_cortex_a53);
  return t;
}
#else
#define MN_NEON_TABLE(gemm)                                                                          \
  {"neon", gemm, 4, 8, f32_dwconv3x3_minmax__neon_8c, 8, f32_conv3x3s2_minmax__neon_8c, 8,          \
   f32_gavgpool__neon, f32_gemv_minmax__aarch32_neon_lane_2p8}
const KernelTable& table_general() {
  static const KernelTable t = MN_NEON_TABLE(f32_gemm_minmax_4x8__aarch32_neon_lane_ld128);
  return t;
}
const KernelTable& table_cortex_a53() {
  static const KernelTable t = MN_NEON_TABLE(f32_gemm_minmax_4x8__aarch32_neon_cortex_a53);
  return t;
}
#endif
#undef MN_NEON_TABLE

const KernelTable& table() {
  static const KernelTable& t = arm_cpu_part() == kArmPartCortexA53 ? table_cortex_a53() : table_general();
  return t;
}

}  // namespace mn::neon
