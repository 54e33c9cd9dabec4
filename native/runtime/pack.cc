#include "pack.h"

namespace mn {

static size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }

size_t packed_gemm_size(size_t k, size_t n, size_t nr) { return round_up(n, nr) * (k + 1); }

void pack_gemm_weights(size_t k, size_t n, size_t nr, const float* w_io, const float* bias, float* out) {
  for (size_t n0 = 0; n0 < n; n0 += nr) {
    for (size_t j = 0; j < nr; j++) *out++ = (n0 + j < n && bias) ? bias[n0 + j] : 0.0f;
    for (size_t kk = 0; kk < k; kk++)
      for (size_t j = 0; j < nr; j++) *out++ = n0 + j < n ? w_io[kk * n + n0 + j] : 0.0f;
  }
}

// Depthwise and first conv share one layout: per channel block, bias then `taps` rows of ct.
static void pack_taps(size_t c, size_t ct, size_t taps, const float* w, const float* bias, float* out) {
  for (size_t c0 = 0; c0 < c; c0 += ct) {
    for (size_t j = 0; j < ct; j++) *out++ = (c0 + j < c && bias) ? bias[c0 + j] : 0.0f;
    for (size_t t = 0; t < taps; t++)
      for (size_t j = 0; j < ct; j++) *out++ = c0 + j < c ? w[t * c + c0 + j] : 0.0f;
  }
}

size_t packed_dwconv_size(size_t c, size_t ct) { return round_up(c, ct) * 10; }
void pack_dwconv_weights(size_t c, size_t ct, const float* w_hwc, const float* bias, float* out) {
  pack_taps(c, ct, 9, w_hwc, bias, out);
}

size_t packed_conv3x3_size(size_t cout, size_t ct) { return round_up(cout, ct) * 28; }
void pack_conv3x3_weights(size_t cout, size_t ct, const float* w_hwio, const float* bias, float* out) {
  pack_taps(cout, ct, 27, w_hwio, bias, out);  // HWIO flattens to (ky*3+kx)*3+ci rows of cout
}

}  // namespace mn
