// qu8/qs8 depthwise 3x3, stride 1 or 2, scalar, one channel at a time. Layout kQTapsLayout1cScalar:
// per channel, header (bias, multiplier, lshift, rshift) then 9 int16 centered weights. Taps outside
// the input read the input zero point (the packed bias carries -za * sum s).
#include "../requantization.h"
#include "q8_scalar.h"

namespace mn::scalar {

namespace {
template <typename T>
void dwconv(const QDwconvParams<T>& p, size_t oy_begin, size_t oy_end) {
  const size_t C = p.channels;
  constexpr size_t kBlock = (kQHeaderRows * sizeof(int32_t) + 9 * sizeof(int16_t) + 3) / 4 * 4;  // 4-byte aligned blocks
  for (size_t oy = oy_begin; oy < oy_end; oy++)
    for (size_t ox = 0; ox < p.out_w; ox++) {
      T* out = p.output + (oy * p.out_w + ox) * C;
      for (size_t c = 0; c < C; c++) {
        const char* blk = (const char*)p.weights + c * kBlock;
        const int32_t* h = (const int32_t*)blk;
        const int16_t* w = (const int16_t*)(h + kQHeaderRows);
        int32_t acc = h[0];
        for (size_t ky = 0; ky < 3; ky++) {
          const ptrdiff_t iy = (ptrdiff_t)(oy * p.stride + ky) - (ptrdiff_t)p.pad_top;
          for (size_t kx = 0; kx < 3; kx++) {
            const ptrdiff_t ix = (ptrdiff_t)(ox * p.stride + kx) - (ptrdiff_t)p.pad_left;
            const bool inside = iy >= 0 && iy < (ptrdiff_t)p.in_h && ix >= 0 && ix < (ptrdiff_t)p.in_w;
            const int32_t a = inside ? (int32_t)p.input[((size_t)iy * p.in_w + (size_t)ix) * C + c] : p.input_zero_point;
            acc += a * (int32_t)w[ky * 3 + kx];
          }
        }
        out[c] = (T)requantize(acc, h[1], h[2], h[3], p.out.zero_point, p.out.min, p.out.max);
      }
    }
}
}  // namespace

void qu8_dwconv3x3_minmax_gemmlowp__scalar_1c(const QDwconvParams<uint8_t>& p, size_t oy_begin, size_t oy_end) {
  dwconv(p, oy_begin, oy_end);
}
void qs8_dwconv3x3_minmax_gemmlowp__scalar_1c(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  dwconv(p, oy_begin, oy_end);
}

}  // namespace mn::scalar
