#include "scalar.h"

namespace mn::scalar {

// CT = 1: packed weights are, per output channel, [bias, 27 weights ((ky*3+kx)*3+ci)].
void f32_conv3x3s2_minmax__scalar_1c(const ConvParams& p, size_t oy_begin, size_t oy_end) {
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    for (size_t ox = 0; ox < p.out_w; ox++) {
      float* out = p.output + (oy * p.out_w + ox) * p.out_c;
      for (size_t oc = 0; oc < p.out_c; oc++) {
        const float* w = p.weights + oc * 28;
        float acc = w[0];
        for (size_t ky = 0; ky < 3; ky++) {
          const ptrdiff_t iy = (ptrdiff_t)(oy * 2 + ky) - (ptrdiff_t)p.pad_top;
          if (iy < 0 || iy >= (ptrdiff_t)p.in_h) continue;
          for (size_t kx = 0; kx < 3; kx++) {
            const ptrdiff_t ix = (ptrdiff_t)(ox * 2 + kx) - (ptrdiff_t)p.pad_left;
            if (ix < 0 || ix >= (ptrdiff_t)p.in_w) continue;
            const float* px = p.input + ((size_t)iy * p.in_w + (size_t)ix) * 3;
            const float* wt = w + 1 + (ky * 3 + kx) * 3;
            acc += px[0] * wt[0] + px[1] * wt[1] + px[2] * wt[2];
          }
        }
        out[oc] = acc < p.min ? p.min : (acc > p.max ? p.max : acc);
      }
    }
  }
}

}  // namespace mn::scalar
