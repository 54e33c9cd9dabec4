// The avx2 kernel set: one kernel per family, picked by name from the family lists
// (native/kernels/*.inc), which hold the tile sizes.
#include "../ukernels.h"

namespace mn::avx2 {

const KernelTable& table() {
  static const KernelTable t = [] {
    KernelTable k{};
    k.isa = "avx2";
    k.gemm = ukernel::f32_gemm_minmax_6x16__avx2;
    k.gemv = ukernel::f32_gemv_minmax__avx2_4p16;
    k.dwconv3x3 = ukernel::f32_dwconv3x3_minmax__avx2_8c;
    k.conv3x3s2 = ukernel::f32_conv3x3s2_minmax__avx2_16c;
    k.gavgpool = ukernel::f32_gavgpool__avx2;
    return k;
  }();
  return t;
}

}  // namespace mn::avx2
