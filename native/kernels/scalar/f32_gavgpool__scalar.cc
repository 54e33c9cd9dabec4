#include "scalar.h"

namespace mn::scalar {

void f32_gavgpool__scalar(size_t pixels, size_t channels, const float* in, float* out) {
  for (size_t c = 0; c < channels; c++) out[c] = 0.0f;
  for (size_t p = 0; p < pixels; p++)
    for (size_t c = 0; c < channels; c++) out[c] += in[p * channels + c];
  const float scale = 1.0f / (float)pixels;
  for (size_t c = 0; c < channels; c++) out[c] *= scale;
}

}  // namespace mn::scalar
