// The NEON kernel set (aarch64 and armv7): one kernel per family, picked by name from the family
// lists (native/kernels/*.inc), which hold the tile sizes.
#include "../ukernels.h"

namespace mn::neon {

const KernelTable& table() {
  static const KernelTable t = [] {
    KernelTable k{};
    k.isa = "neon";
#if defined(__aarch64__)
    k.gemm = ukernel::f32_gemm_minmax_6x8__aarch64_neonfma_lane_ld128;
#else
    k.gemm = ukernel::f32_gemm_minmax_4x8__aarch32_neon_lane_ld128;
#endif
    k.dwconv3x3 = ukernel::f32_dwconv3x3_minmax__neon_8c;
    k.conv3x3s2 = ukernel::f32_conv3x3s2_minmax__neon_8c;
    k.gavgpool = ukernel::f32_gavgpool__neon;
    return k;
  }();
  return t;
}

}  // namespace mn::neon
