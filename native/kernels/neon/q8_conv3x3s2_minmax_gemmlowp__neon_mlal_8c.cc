// qu8/qs8 first convolution 3x3 stride 2, 3 -> out_c, 8 output channels per block, NEON (aarch64 and
// armv7). Layout kQConvLayout8cNeon: per block, header x 8 int32 then 27 taps x 8 int16 centered
// weights, tap t = ky * 9 + (kx * 3 + ci). Per output pixel the 27 input values are gathered once
// into registers as int16: r[ky] holds taps ky * 9 + 0..7 (the row's first 8 bytes, one 8-byte load
// and a widening for interior pixels), r9 lane ky the row's ninth; padded taps are za (the packed bias
// cancels za * s). Two pixels at a time: per block and tap one weight load and four vmlal_lane_s16
// (tap value x 8 channels) with the tap's lane as the scalar operand: no scalar-to-vector moves.
#include "q8_neon.h"
#include "q8_neon_requant.h"

namespace mn::neon {

namespace {

template <typename T>
inline int16x8_t widen8(const T* p) {
  if constexpr (sizeof(T) == 1 && T(-1) > T(0)) return vreinterpretq_s16_u16(vmovl_u8(vld1_u8((const uint8_t*)p)));
  else return vmovl_s8(vld1_s8((const int8_t*)p));
}

// acc_lo/acc_hi += (channels 0-3 / 4-7 of w) * lane L of x (int16x8, L in 0..7).
#if defined(__aarch64__)
#define MN_MLAL_X(al, ah, w, x, L)                          \
  al = vmlal_laneq_s16(al, vget_low_s16(w), x, L);         \
  ah = vmlal_high_laneq_s16(ah, w, x, L);
#else
#define MN_MLAL_X(al, ah, w, x, L)                                                                    \
  al = vmlal_lane_s16(al, vget_low_s16(w), (L) < 4 ? vget_low_s16(x) : vget_high_s16(x), (L) & 3);  \
  ah = vmlal_lane_s16(ah, vget_high_s16(w), (L) < 4 ? vget_low_s16(x) : vget_high_s16(x), (L) & 3);
#endif

// The 27 taps of one output pixel as int16 lanes: r[ky] = taps ky * 9 + 0..7, r9 lane ky = tap ky * 9 + 8.
struct Patch {
  int16x8_t r0, r1, r2;
  int16x4_t r9;
};

template <typename T>
inline Patch gather(const QConvParams<T>& p, ptrdiff_t iy0, bool rows_in, size_t ox) {
  const size_t W = p.in_w;
  const ptrdiff_t ix0 = (ptrdiff_t)(ox * 2) - (ptrdiff_t)p.pad_left;
  Patch x;
  if (rows_in && ix0 >= 0 && ix0 + 2 < (ptrdiff_t)W) {
    const T* q = p.input + ((size_t)iy0 * W + (size_t)ix0) * 3;
    const size_t row = W * 3;
    x.r0 = widen8(q);
    x.r1 = widen8(q + row);
    x.r2 = widen8(q + 2 * row);
    const int16_t n9[4] = {(int16_t)q[8], (int16_t)q[row + 8], (int16_t)q[2 * row + 8], 0};
    x.r9 = vld1_s16(n9);
    return x;
  }
  int16_t a[4][8];
  for (size_t ky = 0; ky < 3; ky++) {
    const ptrdiff_t iy = iy0 + (ptrdiff_t)ky;
    for (size_t j = 0; j < 9; j++) {
      const ptrdiff_t ix = ix0 + (ptrdiff_t)(j / 3);
      const bool inside = iy >= 0 && iy < (ptrdiff_t)p.in_h && ix >= 0 && ix < (ptrdiff_t)W;
      const int16_t v = inside ? (int16_t)p.input[((size_t)iy * W + (size_t)ix) * 3 + j % 3] : (int16_t)p.input_zero_point;
      if (j < 8) a[ky][j] = v;
      else a[3][ky] = v;
    }
  }
  a[3][3] = 0;
  x.r0 = vld1q_s16(a[0]);
  x.r1 = vld1q_s16(a[1]);
  x.r2 = vld1q_s16(a[2]);
  x.r9 = vld1_s16(a[3]);
  return x;
}

// P (1 or 2) output pixels x one block of 8 channels: each weight vector loaded once for the P pixels.
template <typename T, size_t P>
inline void conv_block(const int32_t* h, const Patch* x, T* const* out, size_t nb, const neon_q::Out8& o) {
  constexpr bool kS8 = T(-1) < T(0);
  const int16_t* wk = (const int16_t*)(h + 4 * 8);
  int32x4_t al[P], ah[P];
  for (size_t q = 0; q < P; q++) { al[q] = vld1q_s32(h); ah[q] = vld1q_s32(h + 4); }
#define MN_TAP(t, reg, L)                                                  \
  {                                                                        \
    const int16x8_t w = vld1q_s16(wk + 8 * (t));                           \
    for (size_t q = 0; q < P; q++) { MN_MLAL_X(al[q], ah[q], w, x[q].reg, L) } \
  }
#define MN_ROW(reg, t0) \
  MN_TAP((t0) + 0, reg, 0) MN_TAP((t0) + 1, reg, 1) MN_TAP((t0) + 2, reg, 2) MN_TAP((t0) + 3, reg, 3) \
  MN_TAP((t0) + 4, reg, 4) MN_TAP((t0) + 5, reg, 5) MN_TAP((t0) + 6, reg, 6) MN_TAP((t0) + 7, reg, 7)
  MN_ROW(r0, 0)
  MN_ROW(r1, 9)
  MN_ROW(r2, 18)
#undef MN_ROW
#undef MN_TAP
  for (size_t ky = 0; ky < 3; ky++) {  // the ninth tap of each row: lane ky of r9
    const int16x8_t w = vld1q_s16(wk + 8 * (ky * 9 + 8));
    for (size_t q = 0; q < P; q++) {
      const int16x4_t r9 = x[q].r9;
      const int16x4_t lane = ky == 0 ? vdup_lane_s16(r9, 0) : ky == 1 ? vdup_lane_s16(r9, 1) : vdup_lane_s16(r9, 2);
      al[q] = vmlal_s16(al[q], vget_low_s16(w), lane);
      ah[q] = vmlal_s16(ah[q], vget_high_s16(w), lane);
    }
  }
  const neon_q::Requant4 rl = neon_q::load_requant4(h, 8, 0), rh = neon_q::load_requant4(h, 8, 4);
  for (size_t q = 0; q < P; q++)
    neon_q::store_partial8(out[q], neon_q::requant8<kS8>(al[q], ah[q], rl, rh, o, o.fixup), nb);
}

template <typename T>
void conv(const QConvParams<T>& p, size_t oy_begin, size_t oy_end) {
  const size_t OC = p.out_c, blocks = (OC + 7) / 8;
  constexpr size_t kBlockBytes = 4 * 8 * 4 + 27 * 8 * 2;
  const neon_q::Out8 o = neon_q::load_out8(p.out.zero_point, p.out.min, p.out.max);
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    const ptrdiff_t iy0 = (ptrdiff_t)(oy * 2) - (ptrdiff_t)p.pad_top;
    const bool rows_in = iy0 >= 0 && iy0 + 2 < (ptrdiff_t)p.in_h;
    size_t ox = 0;
    for (; ox + 2 <= p.out_w; ox += 2) {
      const Patch x[2] = {gather(p, iy0, rows_in, ox), gather(p, iy0, rows_in, ox + 1)};
      T* out0 = p.output + (oy * p.out_w + ox) * OC;
      for (size_t b = 0; b < blocks; b++) {
        T* const outs[2] = {out0 + 8 * b, out0 + OC + 8 * b};
        conv_block<T, 2>((const int32_t*)((const uint8_t*)p.weights + b * kBlockBytes), x, outs,
                         OC - 8 * b < 8 ? OC - 8 * b : 8, o);
      }
    }
    if (ox < p.out_w) {
      const Patch x[1] = {gather(p, iy0, rows_in, ox)};
      T* out0 = p.output + (oy * p.out_w + ox) * OC;
      for (size_t b = 0; b < blocks; b++) {
        T* const outs[1] = {out0 + 8 * b};
        conv_block<T, 1>((const int32_t*)((const uint8_t*)p.weights + b * kBlockBytes), x, outs,
                         OC - 8 * b < 8 ? OC - 8 * b : 8, o);
      }
    }
  }
}
#undef MN_MLAL_X

}  // namespace

void qu8_conv3x3s2_minmax_gemmlowp__neon_mlal_8c(const QConvParams<uint8_t>& p, size_t oy_begin, size_t oy_end) {
  conv(p, oy_begin, oy_end);
}
void qs8_conv3x3s2_minmax_gemmlowp__neon_mlal_8c(const QConvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  conv(p, oy_begin, oy_end);
}

}  // namespace mn::neon
