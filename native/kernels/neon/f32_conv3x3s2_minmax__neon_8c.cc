// f32 first-layer convolution: dense 3x3, stride 2, 3 input channels -> out_c, NEON, 8 outputs per block.
// Packed weights per 8-output block: 8 bias, then 27 x 8 ((ky*3+kx)*3+ci rows; kernels.h, conv_ct = 8).
//
// Per output pixel, the 27-value input patch is gathered once into 7 q-registers (taps outside the
// input are zeros: adding 0*w leaves the sum unchanged, so this equals skipping them), then every
// 8-channel block runs 27 multiply-accumulates by lane, one weight tile load per tap.
// Every output element accumulates bias, then taps 0..26 in order, whatever its position.
// Output channels beyond out_c are computed from the zero-padded weights but never stored.
#include <arm_neon.h>

#include <cstring>

#include "neon.h"

namespace mn::neon {

namespace {

#if defined(__aarch64__)
#define MN_MLA_LANE(acc, w, vq, lane) vfmaq_laneq_f32(acc, w, vq, lane)
#else
// AArch32 has no FMA by element; VMLA by scalar is one instruction (rounds twice: tests use tolerances).
#define MN_MLA_LANE(acc, w, vq, lane) \
  vmlaq_lane_f32(acc, w, (lane) < 2 ? vget_low_f32(vq) : vget_high_f32(vq), (lane) & 1)
#endif

inline void store_lanes(float* y, float32x4_t v, size_t n) {  // n in 0..4
  if (n == 4) { vst1q_f32(y, v); return; }
  float32x2_t lo = vget_low_f32(v);
  if (n & 2) { vst1_f32(y, lo); y += 2; lo = vget_high_f32(v); }
  if (n & 1) vst1_lane_f32(y, lo, 0);
}

}  // namespace

void f32_conv3x3s2_minmax__neon_8c(const ConvParams& p, size_t oy_begin, size_t oy_end) {
  const size_t OC = p.out_c;
  const float32x4_t vmin = vdupq_n_f32(p.min), vmax = vdupq_n_f32(p.max);
  const ptrdiff_t in_h = (ptrdiff_t)p.in_h, in_w = (ptrdiff_t)p.in_w;
  float patch[28];
  patch[27] = 0.0f;
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    const ptrdiff_t iy0 = (ptrdiff_t)(oy * 2) - (ptrdiff_t)p.pad_top;
    for (size_t ox = 0; ox < p.out_w; ox++) {
      const ptrdiff_t ix0 = (ptrdiff_t)(ox * 2) - (ptrdiff_t)p.pad_left;
      const bool interior_x = ix0 >= 0 && ix0 + 3 <= in_w;
      for (ptrdiff_t ky = 0; ky < 3; ky++) {
        float* dst = patch + ky * 9;
        const ptrdiff_t iy = iy0 + ky;
        if (iy < 0 || iy >= in_h) {
          std::memset(dst, 0, 9 * sizeof(float));
          continue;
        }
        const float* src = p.input + (iy * in_w + ix0) * 3;
        if (interior_x) {
          std::memcpy(dst, src, 9 * sizeof(float));
          continue;
        }
        for (ptrdiff_t kx = 0; kx < 3; kx++) {
          const bool ok = ix0 + kx >= 0 && ix0 + kx < in_w;
          for (ptrdiff_t ci = 0; ci < 3; ci++) dst[kx * 3 + ci] = ok ? src[kx * 3 + ci] : 0.0f;
        }
      }
      const float32x4_t vp0 = vld1q_f32(patch), vp1 = vld1q_f32(patch + 4), vp2 = vld1q_f32(patch + 8);
      const float32x4_t vp3 = vld1q_f32(patch + 12), vp4 = vld1q_f32(patch + 16), vp5 = vld1q_f32(patch + 20);
      const float32x4_t vp6 = vld1q_f32(patch + 24);

      float* out = p.output + (oy * p.out_w + ox) * OC;
      const float* w = p.weights;
      for (size_t c = 0; c < OC; c += 8, w += 8 * 28) {
        float32x4_t vacc0123 = vld1q_f32(w), vacc4567 = vld1q_f32(w + 4);
#define MN_TAP(t, vq, lane)                                                      \
  vacc0123 = MN_MLA_LANE(vacc0123, vld1q_f32(w + 8 + (t) * 8), vq, lane);        \
  vacc4567 = MN_MLA_LANE(vacc4567, vld1q_f32(w + 8 + (t) * 8 + 4), vq, lane);
#define MN_TAP4(q, vq) MN_TAP(4 * q, vq, 0) MN_TAP(4 * q + 1, vq, 1) MN_TAP(4 * q + 2, vq, 2) MN_TAP(4 * q + 3, vq, 3)
        MN_TAP4(0, vp0) MN_TAP4(1, vp1) MN_TAP4(2, vp2) MN_TAP4(3, vp3) MN_TAP4(4, vp4) MN_TAP4(5, vp5)
        MN_TAP(24, vp6, 0) MN_TAP(25, vp6, 1) MN_TAP(26, vp6, 2)
#undef MN_TAP4
#undef MN_TAP
        vacc0123 = vminq_f32(vmaxq_f32(vacc0123, vmin), vmax);
        vacc4567 = vminq_f32(vmaxq_f32(vacc4567, vmin), vmax);
        if (c + 8 <= OC) {
          vst1q_f32(out + c, vacc0123);
          vst1q_f32(out + c + 4, vacc4567);
        } else {
          const size_t n = OC - c;
          store_lanes(out + c, vacc0123, n < 4 ? n : 4);
          if (n > 4) store_lanes(out + c + 4, vacc4567, n - 4);
        }
      }
    }
  }
}

#undef MN_MLA_LANE

}  // namespace mn::neon
