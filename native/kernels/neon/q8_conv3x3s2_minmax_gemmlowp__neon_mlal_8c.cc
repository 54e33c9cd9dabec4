// qu8/qs8 first convolution 3x3 stride 2, 3 -> out_c, 8 output channels per block, NEON (aarch64 and
// armv7). Layout kQConvLayout8cNeon: per block, header x 8 int32 then 27 taps x 8 int16 centered
// weights. Per output pixel the 27 input values (za for padded taps) are gathered once as int16;
// per block and tap two vmlal_n_s16 (tap value x 8 channels).
#include "q8_neon.h"
#include "q8_neon_requant.h"

namespace mn::neon {

namespace {

template <typename T>
void conv(const QConvParams<T>& p, size_t oy_begin, size_t oy_end) {
  const size_t OC = p.out_c, blocks = (OC + 7) / 8;
  constexpr size_t kBlockBytes = 4 * 8 * 4 + 27 * 8 * 2;
  const int32x4_t zp = vdupq_n_s32(p.out.zero_point), lo = vdupq_n_s32(p.out.min), hi = vdupq_n_s32(p.out.max);
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    for (size_t ox = 0; ox < p.out_w; ox++) {
      int16_t a[27];
      for (size_t ky = 0; ky < 3; ky++) {
        const ptrdiff_t iy = (ptrdiff_t)(oy * 2 + ky) - (ptrdiff_t)p.pad_top;
        for (size_t kx = 0; kx < 3; kx++) {
          const ptrdiff_t ix = (ptrdiff_t)(ox * 2 + kx) - (ptrdiff_t)p.pad_left;
          const bool inside = iy >= 0 && iy < (ptrdiff_t)p.in_h && ix >= 0 && ix < (ptrdiff_t)p.in_w;
          const T* px = p.input + ((size_t)(inside ? iy : 0) * p.in_w + (size_t)(inside ? ix : 0)) * 3;
          for (size_t ci = 0; ci < 3; ci++)
            a[(ky * 3 + kx) * 3 + ci] = inside ? (int16_t)px[ci] : (int16_t)p.input_zero_point;
        }
      }
      T* out = p.output + (oy * p.out_w + ox) * OC;
      for (size_t b = 0; b < blocks; b++) {
        const int32_t* h = (const int32_t*)((const uint8_t*)p.weights + b * kBlockBytes);
        const int16_t* wk = (const int16_t*)(h + 4 * 8);
        int32x4_t al = vld1q_s32(h), ah = vld1q_s32(h + 4);
        for (size_t t = 0; t < 27; t++) {
          const int16x8_t w = vld1q_s16(wk + 8 * t);
          al = vmlal_n_s16(al, vget_low_s16(w), a[t]);
          ah = vmlal_n_s16(ah, vget_high_s16(w), a[t]);
        }
        const int32x4_t ql = neon_q::requant4(al, neon_q::load_requant4(h, 8, 0), zp, lo, hi);
        const int32x4_t qh = neon_q::requant4(ah, neon_q::load_requant4(h, 8, 4), zp, lo, hi);
        uint8x8_t bytes;
        if constexpr (sizeof(T) == 1 && T(-1) > T(0)) bytes = neon_q::narrow8_u8(ql, qh);
        else bytes = vreinterpret_u8_s8(neon_q::narrow8_s8(ql, qh));
        neon_q::store_partial8(out + 8 * b, bytes, OC - 8 * b < 8 ? OC - 8 * b : 8);
      }
    }
  }
}

// Sums 8 channels at a time in int32, then TFLite's rounding division per channel.
template <typename T>
void gavgpool(size_t pixels, size_t channels, const T* in, T* out, int32_t out_min, int32_t out_max) {
  const int32_t n = (int32_t)pixels;
  for (size_t c0 = 0; c0 < channels; c0 += 8) {
    const size_t m = channels - c0 < 8 ? channels - c0 : 8;
    int32x4_t sl = vdupq_n_s32(0), sh = vdupq_n_s32(0);
    for (size_t p = 0; p < pixels; p++) {
      const T* src = in + p * channels + c0;
      T buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      if (m < 8) {
        for (size_t j = 0; j < m; j++) buf[j] = src[j];
        src = buf;
      }
      int16x8_t x;
      if constexpr (sizeof(T) == 1 && T(-1) > T(0)) x = vreinterpretq_s16_u16(vmovl_u8(vld1_u8((const uint8_t*)src)));
      else x = vmovl_s8(vld1_s8((const int8_t*)src));
      sl = vaddw_s16(sl, vget_low_s16(x));
      sh = vaddw_s16(sh, vget_high_s16(x));
    }
    int32_t sums[8];
    vst1q_s32(sums, sl);
    vst1q_s32(sums + 4, sh);
    for (size_t j = 0; j < m; j++) {
      const int32_t sum = sums[j];
      const int32_t v = sum > 0 ? (sum + n / 2) / n : (sum - n / 2) / n;
      out[c0 + j] = (T)(v < out_min ? out_min : (v > out_max ? out_max : v));
    }
  }
}

}  // namespace

void qu8_conv3x3s2_minmax_gemmlowp__neon_mlal_8c(const QConvParams<uint8_t>& p, size_t oy_begin, size_t oy_end) {
  conv(p, oy_begin, oy_end);
}
void qs8_conv3x3s2_minmax_gemmlowp__neon_mlal_8c(const QConvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  conv(p, oy_begin, oy_end);
}
void qu8_gavgpool_minmax__neon_8c(size_t pixels, size_t channels, const uint8_t* in, uint8_t* out, int32_t out_min,
                                  int32_t out_max) {
  gavgpool(pixels, channels, in, out, out_min, out_max);
}
void qs8_gavgpool_minmax__neon_8c(size_t pixels, size_t channels, const int8_t* in, int8_t* out, int32_t out_min,
                                  int32_t out_max) {
  gavgpool(pixels, channels, in, out, out_min, out_max);
}

}  // namespace mn::neon
