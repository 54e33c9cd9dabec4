// qu8/qs8 depthwise 3x3, stride 1 or 2, 8 channels per block, NEON (aarch64 and armv7). Layout
// kQDwconvLayout8cNeon: per block, header x 8 int32 then 9 taps x 8 int16 centered weights.
// Block-outer: a block walks the rows asked for. Interior pixels of full blocks (8 channels) load
// their 9 taps at fixed offsets: per tap an 8-byte load widened to int16 and two vmlal_s16 into int32
// (|a|, |s| <= 255); the weights stay in registers on aarch64 (32 vector registers), armv7 (16)
// reloads them per tap rather than spill. Border pixels (taps outside the input use za; the packed
// bias cancels za * s) and the channel tail (C % 8, loaded from and stored through small buffers:
// never out of bounds) take the general path. The requantization's fixup is a template constant.
#include <algorithm>
#include <cstring>

#include "q8_neon.h"
#include "q8_neon_requant.h"

namespace mn::neon {

namespace {

template <typename T>
inline int16x8_t widen8(const T* p) {
  if constexpr (sizeof(T) == 1 && T(-1) > T(0)) return vreinterpretq_s16_u16(vmovl_u8(vld1_u8((const uint8_t*)p)));
  else return vmovl_s8(vld1_s8((const int8_t*)p));
}

template <typename T>
inline int16x8_t load_widen(const T* p, size_t n) {
  if (n == 8) return widen8(p);
  T buf[8];
  std::memset(buf, 0, sizeof buf);
  std::memcpy(buf, p, n);
  return widen8(buf);
}

// acc_lo/acc_hi += x * w, 8 int16 lanes (smlal + smlal2 on aarch64).
inline void mlal8(int32x4_t& al, int32x4_t& ah, int16x8_t x, int16x8_t w) {
  al = vmlal_s16(al, vget_low_s16(x), vget_low_s16(w));
#if defined(__aarch64__)
  ah = vmlal_high_s16(ah, x, w);
#else
  ah = vmlal_s16(ah, vget_high_s16(x), vget_high_s16(w));
#endif
}

template <typename T, bool kFixup>
void dwconv(const QDwconvParams<T>& p, size_t oy_begin, size_t oy_end) {
  constexpr bool kS8 = T(-1) < T(0);
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
    const int32x4_t bias_l = vld1q_s32(h), bias_h = vld1q_s32(h + 4);
    const neon_q::Requant4 rl = neon_q::load_requant4(h, 8, 0), rh = neon_q::load_requant4(h, 8, 4);
#if defined(__aarch64__)
    int16x8_t wt[9];
    for (size_t t = 0; t < 9; t++) wt[t] = vld1q_s16(wk + 8 * t);
#define MN_W(t) wt[t]
#else
#define MN_W(t) vld1q_s16(wk + 8 * (t))
#endif
    for (size_t oy = oy_begin; oy < oy_end; oy++) {
      const T* row[3];
      bool rv[3];
      for (size_t ky = 0; ky < 3; ky++) {
        const ptrdiff_t iy = (ptrdiff_t)(oy * s + ky) - (ptrdiff_t)p.pad_top;
        rv[ky] = iy >= 0 && iy < (ptrdiff_t)p.in_h;
        row[ky] = rv[ky] ? p.input + (size_t)iy * W * C + c0 : nullptr;
      }
      T* out = p.output + oy * p.out_w * C + c0;
      auto border = [&](size_t ox) {
        int32x4_t al = bias_l, ah = bias_h;
        for (size_t kx = 0; kx < 3; kx++) {
          const ptrdiff_t ix = (ptrdiff_t)(ox * s + kx) - (ptrdiff_t)p.pad_left;
          const bool in = ix >= 0 && ix < (ptrdiff_t)W;
          for (size_t ky = 0; ky < 3; ky++)
            mlal8(al, ah, in && rv[ky] ? load_widen(row[ky] + (size_t)ix * C, n) : za, MN_W(ky * 3 + kx));
        }
        neon_q::store_partial8(out + ox * C, neon_q::requant8<kS8>(al, ah, rl, rh, o, kFixup), n);
      };
      if (!(rv[0] && rv[1] && rv[2]) || n < 8) {
        for (size_t ox = 0; ox < p.out_w; ox++) border(ox);
        continue;
      }
      for (size_t ox = 0; ox < ox_lo; ox++) border(ox);
      if (ox_lo < ox_hi) {
        const T* r0 = row[0] + (ox_lo * s - p.pad_left) * C;
        const T* r1 = row[1] + (ox_lo * s - p.pad_left) * C;
        const T* r2 = row[2] + (ox_lo * s - p.pad_left) * C;
        T* dst = out + ox_lo * C;
        const size_t step = s * C;
        for (size_t ox = ox_lo; ox < ox_hi; ox++) {
          int32x4_t al = bias_l, ah = bias_h;
          mlal8(al, ah, widen8(r0), MN_W(0));
          mlal8(al, ah, widen8(r0 + C), MN_W(1));
          mlal8(al, ah, widen8(r0 + 2 * C), MN_W(2));
          mlal8(al, ah, widen8(r1), MN_W(3));
          mlal8(al, ah, widen8(r1 + C), MN_W(4));
          mlal8(al, ah, widen8(r1 + 2 * C), MN_W(5));
          mlal8(al, ah, widen8(r2), MN_W(6));
          mlal8(al, ah, widen8(r2 + C), MN_W(7));
          mlal8(al, ah, widen8(r2 + 2 * C), MN_W(8));
          vst1_u8((uint8_t*)dst, neon_q::requant8<kS8>(al, ah, rl, rh, o, kFixup));
          r0 += step; r1 += step; r2 += step;
          dst += C;
        }
      }
      for (size_t ox = ox_hi; ox < p.out_w; ox++) border(ox);
    }
#undef MN_W
  }
}

template <typename T>
void dwconv_any(const QDwconvParams<T>& p, size_t oy_begin, size_t oy_end) {
  if (p.out.min < p.out.zero_point) dwconv<T, true>(p, oy_begin, oy_end);
  else dwconv<T, false>(p, oy_begin, oy_end);
}

}  // namespace

void qu8_dwconv3x3_minmax_gemmlowp__neon_mlal_8c(const QDwconvParams<uint8_t>& p, size_t oy_begin, size_t oy_end) {
  dwconv_any(p, oy_begin, oy_end);
}
void qs8_dwconv3x3_minmax_gemmlowp__neon_mlal_8c(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  dwconv_any(p, oy_begin, oy_end);
}

}  // namespace mn::neon
