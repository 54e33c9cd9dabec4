// qu8/qs8 global average pool, scalar, rounding as TFLite 2.2 AVERAGE_POOL_2D (see qkernels.h).
#include "q8_scalar.h"

namespace mn::scalar {

namespace {
template <typename T>
void gavgpool(size_t pixels, size_t channels, const T* in, T* out, int32_t out_min, int32_t out_max) {
  const int32_t n = (int32_t)pixels;
  for (size_t c = 0; c < channels; c++) {
    int32_t sum = 0;
    for (size_t p = 0; p < pixels; p++) sum += in[p * channels + c];
    int32_t v = sum > 0 ? (sum + n / 2) / n : (sum - n / 2) / n;  // qu8: sum >= 0, so (sum + n/2) / n
    out[c] = (T)(v < out_min ? out_min : (v > out_max ? out_max : v));
  }
}
}  // namespace

void qu8_gavgpool_minmax__scalar(size_t pixels, size_t channels, const uint8_t* in, uint8_t* out, int32_t out_min,
                                 int32_t out_max) {
  gavgpool(pixels, channels, in, out, out_min, out_max);
}
void qs8_gavgpool_minmax__scalar(size_t pixels, size_t channels, const int8_t* in, int8_t* out, int32_t out_min,
                                 int32_t out_max) {
  gavgpool(pixels, channels, in, out, out_min, out_max);
}

}  // namespace mn::scalar
