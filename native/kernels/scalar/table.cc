#include "scalar.h"

namespace mn::scalar {

const KernelTable& table() {
  static const KernelTable t = {
      "scalar",
      f32_gemm_minmax_4x4__scalar, 4, 4,
      f32_dwconv3x3_minmax__scalar_1c, 1,
      f32_conv3x3s2_minmax__scalar_1c, 1,
      f32_gavgpool__scalar,
      nullptr,
  };
  return t;
}

}  // namespace mn::scalar
