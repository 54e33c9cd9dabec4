// qu8/qs8 depthwise 3x3, stride 1 or 2, 8 channels per block, NEON (aarch64 and armv7). Layout
// kQDwconvLayout8cNeon: per block, header x 8 int32 then 9 taps x 8 int16 centered weights.
// Block-outer (a block's 9 weight vectors stay in registers while it walks the rows asked for);
// interior pixels load taps at fixed offsets, border taps outside the input use za (the packed bias
// cancels za * s). Per tap: 8 bytes widened to int16, two vmlal_s16 into int32 (|a|, |s| <= 255).
// The channel tail (C % 8) is loaded from and stored through small buffers: never out of bounds.
#include <algorithm>
#include <cstring>

#include "q8_neon.h"
#include "q8_neon_requant.h"

namespace mn::neon {

namespace {

template <typename T>
inline int16x8_t load_widen(const T* p, size_t n) {
  uint8_t buf[8];
  const uint8_t* src = (const uint8_t*)p;
  if (n < 8) {
    std::memset(buf, 0, 8);
    std::memcpy(buf, p, n);
    src = buf;
  }
  if constexpr (sizeof(T) == 1 && T(-1) > T(0)) return vreinterpretq_s16_u16(vmovl_u8(vld1_u8(src)));
  else return vmovl_s8(vld1_s8((const int8_t*)src));
}

template <typename T>
void dwconv(const QDwconvParams<T>& p, size_t oy_begin, size_t oy_end) {
  const size_t C = p.channels, blocks = (C + 7) / 8, W = p.in_w, s = p.stride;
  constexpr size_t kBlockBytes = 4 * 8 * 4 + 9 * 8 * 2;
  const int16x8_t za = vdupq_n_s16((int16_t)p.input_zero_point);
  const neon_q::Out8 o = neon_q::load_out8(p.out.zero_point, p.out.min, p.out.max);
  const size_t ox_lo = std::min(p.out_w, (p.pad_left + s - 1) / s);
  const size_t ox_hi = W + p.pad_left >= 3 ? std::max(ox_lo, std::min(p.out_w, (W + p.pad_left - 3) / s + 1)) : ox_lo;
  for (size_t b = 0; b < blocks; b++) {
    const size_t c0 = 8 * b, n = C - c0 < 8 ? C - c0 : 8;
    const int32_t* h = (const int32_t*)((const uint8_t*)p.weights + b * kBlockBytes);
    const int16_t* wk = (const int16_t*)(h + 4 * 8);
    int16x8_t wt[9];
    for (size_t t = 0; t < 9; t++) wt[t] = vld1q_s16(wk + 8 * t);
    const int32x4_t bias_l = vld1q_s32(h), bias_h = vld1q_s32(h + 4);
    const neon_q::Requant4 rl = neon_q::load_requant4(h, 8, 0), rh = neon_q::load_requant4(h, 8, 4);
    for (size_t oy = oy_begin; oy < oy_end; oy++) {
      const T* row[3];
      bool rv[3];
      for (size_t ky = 0; ky < 3; ky++) {
        const ptrdiff_t iy = (ptrdiff_t)(oy * s + ky) - (ptrdiff_t)p.pad_top;
        rv[ky] = iy >= 0 && iy < (ptrdiff_t)p.in_h;
        row[ky] = rv[ky] ? p.input + (size_t)iy * W * C + c0 : nullptr;
      }
      T* out = p.output + oy * p.out_w * C + c0;
      auto finish = [&](int32x4_t al, int32x4_t ah, size_t ox) {
        neon_q::store_partial8(out + ox * C, neon_q::requant8<(T(-1) < T(0))>(al, ah, rl, rh, o), n);
      };
      auto border = [&](size_t ox) {
        int32x4_t al = bias_l, ah = bias_h;
        for (size_t kx = 0; kx < 3; kx++) {
          const ptrdiff_t ix = (ptrdiff_t)(ox * s + kx) - (ptrdiff_t)p.pad_left;
          const bool in = ix >= 0 && ix < (ptrdiff_t)W;
          for (size_t ky = 0; ky < 3; ky++) {
            const int16x8_t x = in && rv[ky] ? load_widen(row[ky] + (size_t)ix * C, n) : za;
            const int16x8_t w = wt[ky * 3 + kx];
            al = vmlal_s16(al, vget_low_s16(x), vget_low_s16(w));
            ah = vmlal_s16(ah, vget_high_s16(x), vget_high_s16(w));
          }
        }
        finish(al, ah, ox);
      };
      if (!(rv[0] && rv[1] && rv[2])) {
        for (size_t ox = 0; ox < p.out_w; ox++) border(ox);
        continue;
      }
      for (size_t ox = 0; ox < ox_lo; ox++) border(ox);
      if (s == 1 && ox_lo < ox_hi) {
        // Stride 1: a column of widened inputs serves three output pixels (3 widenings per pixel, not 9).
        const size_t off0 = (ox_lo - p.pad_left) * C;
        int16x8_t x[3][3];
        for (size_t ky = 0; ky < 3; ky++) {
          x[ky][0] = load_widen(row[ky] + off0, n);
          x[ky][1] = load_widen(row[ky] + off0 + C, n);
        }
        for (size_t ox = ox_lo; ox < ox_hi; ox++) {
          const size_t off2 = (ox - p.pad_left + 2) * C;
          int32x4_t al = bias_l, ah = bias_h;
          for (size_t ky = 0; ky < 3; ky++) {
            x[ky][2] = load_widen(row[ky] + off2, n);
            for (size_t kx = 0; kx < 3; kx++) {
              const int16x8_t w = wt[ky * 3 + kx];
              al = vmlal_s16(al, vget_low_s16(x[ky][kx]), vget_low_s16(w));
              ah = vmlal_s16(ah, vget_high_s16(x[ky][kx]), vget_high_s16(w));
            }
            x[ky][0] = x[ky][1];
            x[ky][1] = x[ky][2];
          }
          finish(al, ah, ox);
        }
        for (size_t ox = ox_hi; ox < p.out_w; ox++) border(ox);
        continue;
      }
      for (size_t ox = ox_lo; ox < ox_hi; ox++) {
        const size_t off = (ox * s - p.pad_left) * C;
        int32x4_t al = bias_l, ah = bias_h;
        for (size_t ky = 0; ky < 3; ky++) {
          const T* q = row[ky] + off;
          for (size_t kx = 0; kx < 3; kx++) {
            const int16x8_t x = load_widen(q + kx * C, n);
            const int16x8_t w = wt[ky * 3 + kx];
            al = vmlal_s16(al, vget_low_s16(x), vget_low_s16(w));
            ah = vmlal_s16(ah, vget_high_s16(x), vget_high_s16(w));
          }
        }
        finish(al, ah, ox);
      }
      for (size_t ox = ox_hi; ox < p.out_w; ox++) border(ox);
    }
  }
}

}  // namespace

void qu8_dwconv3x3_minmax_gemmlowp__neon_mlal_8c(const QDwconvParams<uint8_t>& p, size_t oy_begin, size_t oy_end) {
  dwconv(p, oy_begin, oy_end);
}
void qs8_dwconv3x3_minmax_gemmlowp__neon_mlal_8c(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  dwconv(p, oy_begin, oy_end);
}

}  // namespace mn::neon
