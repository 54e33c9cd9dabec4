// The scalar kernel set: one kernel per family, picked by name from the family lists
// (native/kernels/*.inc), which hold the tile sizes.
#include "../ukernels.h"

namespace mn::scalar {

const KernelTable& table() {
  static const KernelTable t = [] {
    KernelTable k{};
    k.isa = "scalar";
    k.gemm = ukernel::f32_gemm_minmax_4x4__scalar;
    k.dwconv3x3 = ukernel::f32_dwconv3x3_minmax__scalar_1c;
    k.conv3x3s2 = ukernel::f32_conv3x3s2_minmax__scalar_1c;
    k.gavgpool = ukernel::f32_gavgpool__scalar;
    return k;
  }();
  return t;
}

}  // namespace mn::scalar
