// qu8/qs8 GEMM 4x4, scalar. Layout kQGemmLayout4x4Scalar: header (bias, multiplier, lshift, rshift)
// x 4 int32, then kc rows of 4 int16 centered weights (s = w - zw), so acc = bias + sum a * s.
#include "../requantization.h"
#include "q8_scalar.h"

namespace mn::scalar {

namespace {
template <typename T>
void gemm_4x4(size_t mr, size_t nc, size_t kc, const T* a, size_t a_stride, const void* w, T* c, size_t c_stride,
              const QOutputParams& out) {
  constexpr size_t MR = 4, NR = 4;
  const int32_t* h = (const int32_t*)w;
  const int16_t* wk = (const int16_t*)(h + kQHeaderRows * NR);
  int32_t acc[MR][NR];
  for (size_t i = 0; i < MR; i++)
    for (size_t j = 0; j < NR; j++) acc[i][j] = h[j];
  for (size_t k = 0; k < kc; k++, wk += NR)
    for (size_t i = 0; i < mr; i++) {
      const int32_t av = a[i * a_stride + k];
      for (size_t j = 0; j < NR; j++) acc[i][j] += av * (int32_t)wk[j];
    }
  for (size_t i = 0; i < mr; i++)
    for (size_t j = 0; j < nc; j++)
      c[i * c_stride + j] =
          (T)requantize(acc[i][j], h[NR + j], h[2 * NR + j], h[3 * NR + j], out.zero_point, out.min, out.max);
}
}  // namespace

void qu8_gemm_minmax_gemmlowp_4x4__scalar(size_t mr, size_t nc, size_t kc, const uint8_t* a, size_t a_stride,
                                          const void* w, uint8_t* c, size_t c_stride, const QOutputParams& out) {
  gemm_4x4(mr, nc, kc, a, a_stride, w, c, c_stride, out);
}
void qs8_gemm_minmax_gemmlowp_4x4__scalar(size_t mr, size_t nc, size_t kc, const int8_t* a, size_t a_stride,
                                          const void* w, int8_t* c, size_t c_stride, const QOutputParams& out) {
  gemm_4x4(mr, nc, kc, a, a_stride, w, c, c_stride, out);
}

}  // namespace mn::scalar
