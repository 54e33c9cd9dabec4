// The avx512 kernel set: one kernel per family, picked by name from the family lists
// (native/kernels/*.inc), which hold the tile sizes.
#include "../ukernels.h"

namespace mn::avx512 {

const KernelTable& table() {
  static const KernelTable t = [] {
    KernelTable k{};
    k.isa = "avx512";
    k.gemm = ukernel::f32_gemm_minmax_14x32__avx512;
    k.gemv = ukernel::f32_gemv_minmax__avx512_4p32;
    k.dwconv3x3 = ukernel::f32_dwconv3x3_minmax__avx512_16c;
    k.conv3x3s2 = ukernel::f32_conv3x3s2_minmax__avx512_32c;
    k.gavgpool = ukernel::f32_gavgpool__avx512;
    return k;
  }();
  return t;
}

}  // namespace mn::avx512
