#include "scalar.h"

namespace mn::scalar {

static inline float clampf(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

void f32_gemm_minmax_4x4__scalar(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride,
                                 const float* w, float* c, size_t c_stride, float min, float max, const float* /*w_prefetch*/) {
  constexpr size_t MR = 4, NR = 4;
  float acc[MR][NR];
  for (size_t i = 0; i < MR; i++)
    for (size_t j = 0; j < NR; j++) acc[i][j] = w[j];
  w += NR;
  for (size_t k = 0; k < kc; k++, w += NR) {
    for (size_t i = 0; i < mr; i++) {
      const float av = a[i * a_stride + k];
      for (size_t j = 0; j < NR; j++) acc[i][j] += av * w[j];
    }
  }
  for (size_t i = 0; i < mr; i++)
    for (size_t j = 0; j < nc; j++) c[i * c_stride + j] = clampf(acc[i][j], min, max);
}

}  // namespace mn::scalar
