// qu8/qs8 first convolution 3x3 stride 2, 3 -> out_c, scalar, one output channel at a time. Layout
// kQTapsLayout1cScalar with 27 taps ((ky * 3 + kx) * 3 + ci). Taps outside the input read the input
// zero point (the packed bias carries -za * sum s).
#include "../requantization.h"
#include "q8_scalar.h"

namespace mn::scalar {

namespace {
template <typename T>
void conv(const QConvParams<T>& p, size_t oy_begin, size_t oy_end) {
  constexpr size_t kBlock = (kQHeaderRows * sizeof(int32_t) + 27 * sizeof(int16_t) + 3) / 4 * 4;  // 4-byte aligned blocks
  for (size_t oy = oy_begin; oy < oy_end; oy++)
    for (size_t ox = 0; ox < p.out_w; ox++) {
      T* out = p.output + (oy * p.out_w + ox) * p.out_c;
      for (size_t oc = 0; oc < p.out_c; oc++) {
        const int32_t* h = (const int32_t*)((const char*)p.weights + oc * kBlock);
        const int16_t* w = (const int16_t*)(h + kQHeaderRows);
        int32_t acc = h[0];
        for (size_t ky = 0; ky < 3; ky++) {
          const ptrdiff_t iy = (ptrdiff_t)(oy * 2 + ky) - (ptrdiff_t)p.pad_top;
          for (size_t kx = 0; kx < 3; kx++) {
            const ptrdiff_t ix = (ptrdiff_t)(ox * 2 + kx) - (ptrdiff_t)p.pad_left;
            const bool inside = iy >= 0 && iy < (ptrdiff_t)p.in_h && ix >= 0 && ix < (ptrdiff_t)p.in_w;
            const T* px = inside ? p.input + ((size_t)iy * p.in_w + (size_t)ix) * 3 : nullptr;
            for (size_t ci = 0; ci < 3; ci++) {
              const int32_t a = inside ? (int32_t)px[ci] : p.input_zero_point;
              acc += a * (int32_t)w[(ky * 3 + kx) * 3 + ci];
            }
          }
        }
        out[oc] = (T)requantize(acc, h[1], h[2], h[3], p.out.zero_point, p.out.min, p.out.max);
      }
    }
}
}  // namespace

void qu8_conv3x3s2_minmax_gemmlowp__scalar_1c(const QConvParams<uint8_t>& p, size_t oy_begin, size_t oy_end) {
  conv(p, oy_begin, oy_end);
}
void qs8_conv3x3s2_minmax_gemmlowp__scalar_1c(const QConvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  conv(p, oy_begin, oy_end);
}

}  // namespace mn::scalar
