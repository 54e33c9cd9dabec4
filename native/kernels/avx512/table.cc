#include "avx512.h"

namespace mn::avx512 {

const KernelTable& table() {
  static const KernelTable t = {
      "avx512",
      f32_gemm_minmax_7x32__avx512, 7, 32,
      f32_dwconv3x3_minmax__avx512_16c, 16,
      f32_conv3x3s2_minmax__avx512_32c, 32,
      f32_gavgpool__avx512,
      nullptr,
  };
  return t;
}

}  // namespace mn::avx512
