// The NEON kernel sets (aarch64 and armv7): one kernel per family, picked by name from the family
// lists (native/kernels/*.inc), which hold the tile sizes. Cortex-A53 (in-order, Pi 3 / Zero 2) gets
// its own GEMM; every other core the general one (dispatch.h arm_cpu_part()).
#include "../ukernels.h"

#include "../../dispatch/dispatch.h"

namespace mn::neon {

namespace {
KernelTable make(const GemmKernel& gemm) {
  KernelTable k{};
  k.isa = "neon";
  k.gemm = gemm;
#if defined(__aarch64__)
  k.gemv = ukernel::f32_gemv_minmax__aarch64_neonfma_lane_4p8;
#else
  k.gemv = ukernel::f32_gemv_minmax__aarch32_neon_lane_2p8;
#endif
  k.dwconv3x3 = ukernel::f32_dwconv3x3_minmax__neon_8c;
  k.conv3x3s2 = ukernel::f32_conv3x3s2_minmax__neon_8c;
  k.gavgpool = ukernel::f32_gavgpool__neon;
  return k;
}
}  // namespace

const KernelTable& table_general() {
#if defined(__aarch64__)
  static const KernelTable t = make(ukernel::f32_gemm_minmax_6x8__aarch64_neonfma_lane_ld128);
#else
  static const KernelTable t = make(ukernel::f32_gemm_minmax_4x8__aarch32_neon_lane_ld128);
#endif
  return t;
}

const KernelTable& table_cortex_a53() {
#if defined(__aarch64__)
  static const KernelTable t = make(ukernel::f32_gemm_minmax_6x8__aarch64_neonfma_cortex_a53);
#else
  static const KernelTable t = make(ukernel::f32_gemm_minmax_4x8__aarch32_neon_cortex_a53);
#endif
  return t;
}

const KernelTable& table() {
  static const KernelTable& t = arm_cpu_part() == kArmPartCortexA53 ? table_cortex_a53() : table_general();
  return t;
}

}  // namespace mn::neon
