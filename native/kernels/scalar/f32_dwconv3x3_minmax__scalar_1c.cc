#include "scalar.h"

namespace mn::scalar {

// CT = 1: packed weights are, per channel, [bias, w0 .. w8].
void f32_dwconv3x3_minmax__scalar_1c(const DwconvParams& p, size_t oy_begin, size_t oy_end) {
  const size_t C = p.channels;
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    for (size_t ox = 0; ox < p.out_w; ox++) {
      float* out = p.output + (oy * p.out_w + ox) * C;
      for (size_t c = 0; c < C; c++) {
        const float* w = p.weights + c * 10;
        float acc = w[0];
        for (size_t ky = 0; ky < 3; ky++) {
          const ptrdiff_t iy = (ptrdiff_t)(oy * p.stride + ky) - (ptrdiff_t)p.pad_top;
          if (iy < 0 || iy >= (ptrdiff_t)p.in_h) continue;
          for (size_t kx = 0; kx < 3; kx++) {
            const ptrdiff_t ix = (ptrdiff_t)(ox * p.stride + kx) - (ptrdiff_t)p.pad_left;
            if (ix < 0 || ix >= (ptrdiff_t)p.in_w) continue;
            acc += p.input[((size_t)iy * p.in_w + (size_t)ix) * C + c] * w[1 + ky * 3 + kx];
          }
        }
        out[c] = acc < p.min ? p.min : (acc > p.max ? p.max : acc);
      }
    }
  }
}

}  // namespace mn::scalar
