#include "avx2.h"

namespace mn::avx2 {

const KernelTable& table() {
  static const KernelTable t = {
      "avx2",
      f32_gemm_minmax_6x16__avx2, 6, 16,
      f32_dwconv3x3_minmax__avx2_8c, 8,
      f32_conv3x3s2_minmax__avx2_16c, 16,
      f32_gavgpool__avx2,
      nullptr,
  };
  return t;
}

}  // namespace mn::avx2
