// qu8/qs8 global average pool, scalar, rounding as TFLite 2.2 AVERAGE_POOL_2D (see qkernels.h).
#include "q8_scalar.h"
#include "../requantization.h"

namespace mn::scalar {

void qu8_gavgpool_minmax__scalar(size_t pixels, size_t channels, const uint8_t* in, uint8_t* out, int32_t out_min,
                                 int32_t out_max) {
  gavgpool_channels(pixels, channels, 0, channels, in, out, out_min, out_max);
}
void qs8_gavgpool_minmax__scalar(size_t pixels, size_t channels, const int8_t* in, int8_t* out, int32_t out_min,
                                 int32_t out_max) {
  gavgpool_channels(pixels, channels, 0, channels, in, out, out_min, out_max);
}

}  // namespace mn::scalar
