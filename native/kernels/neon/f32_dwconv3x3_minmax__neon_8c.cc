// f32 depthwise 3x3 convolution, stride 1 or 2, explicit padding, NEON, 8 channels per block.
// Packed weights per 8-channel block: 8 bias, then 9 taps x 8 (kernels.h; dw_ct = 8).
//
// Loop order: output row -> output pixels -> channel blocks (XNNPACK's dwconv order), so each input
// row is walked once, contiguously, and a block's 80 weights stay L1-hot across pixels.
// The interior (all 9 taps inside the input) runs two output pixels per step, sharing each weight
// load between them (and, at stride 1, the overlapping input columns: the compiler sees equal
// addresses). Borders (first/last output rows and columns) run a generic per-pixel path that skips
// the taps outside the input, so the interior loop has no padding branches.
//
// Numerics: every output element accumulates bias, then the valid taps in (ky, kx) order with FMA,
// the same sequence on the interior and border paths, so a value never depends on which path or
// thread computed it. Channels not a multiple of 8 are read and written lane by lane (no access
// outside the input/output tensors); packed weights are read as whole 8-wide tiles.
#include <arm_neon.h>

#include "neon.h"

namespace mn::neon {

namespace {

inline float32x4_t load_lanes(const float* x, size_t n) {  // n in 1..4
  if (n == 4) return vld1q_f32(x);
  float32x4_t v = vdupq_n_f32(0.0f);
  v = vld1q_lane_f32(x, v, 0);
  if (n > 1) v = vld1q_lane_f32(x + 1, v, 1);
  if (n > 2) v = vld1q_lane_f32(x + 2, v, 2);
  return v;
}

inline void store_lanes(float* y, float32x4_t v, size_t n) {  // n in 1..4
  if (n == 4) { vst1q_f32(y, v); return; }
  float32x2_t lo = vget_low_f32(v);
  if (n & 2) { vst1_f32(y, lo); y += 2; lo = vget_high_f32(v); }
  if (n & 1) vst1_lane_f32(y, lo, 0);
}

inline float32x4_t clamp(float32x4_t v, float32x4_t vmin, float32x4_t vmax) {
  return vminq_f32(vmaxq_f32(v, vmin), vmax);
}

// One output pixel, channels [c_begin, C), taps ky in [ky0, ky1), kx in [kx0, kx1).
// `in` points at input pixel (iy_base, ix_base), which may lie outside the tensor: only valid
// taps are dereferenced. c_begin is a multiple of 8.
void dw_pixel(const float* in, const float* weights, float* out, size_t C, size_t in_w, size_t c_begin,
              size_t ky0, size_t ky1, size_t kx0, size_t kx1, float32x4_t vmin, float32x4_t vmax) {
  const ptrdiff_t row = (ptrdiff_t)(in_w * C);
  const float* w = weights + c_begin * 10;
  size_t c = c_begin;
  for (; c + 8 <= C; c += 8, w += 80) {
    float32x4_t vacc0123 = vld1q_f32(w), vacc4567 = vld1q_f32(w + 4);
    for (size_t ky = ky0; ky < ky1; ky++) {
      for (size_t kx = kx0; kx < kx1; kx++) {
        const float* x = in + (ptrdiff_t)ky * row + (ptrdiff_t)(kx * C) + (ptrdiff_t)c;
        const float* wt = w + 8 + (ky * 3 + kx) * 8;
        vacc0123 = vfmaq_f32(vacc0123, vld1q_f32(x), vld1q_f32(wt));
        vacc4567 = vfmaq_f32(vacc4567, vld1q_f32(x + 4), vld1q_f32(wt + 4));
      }
    }
    vst1q_f32(out + c, clamp(vacc0123, vmin, vmax));
    vst1q_f32(out + c + 4, clamp(vacc4567, vmin, vmax));
  }
  // 1..7 leftover channels: one or two 4-lane groups of the last (zero-padded) weight block.
  for (size_t sub = 0; c + sub < C; sub += 4) {
    const size_t n = C - c - sub < 4 ? C - c - sub : 4;
    float32x4_t vacc = vld1q_f32(w + sub);
    for (size_t ky = ky0; ky < ky1; ky++) {
      for (size_t kx = kx0; kx < kx1; kx++) {
        const float* x = in + (ptrdiff_t)ky * row + (ptrdiff_t)(kx * C) + (ptrdiff_t)(c + sub);
        vacc = vfmaq_f32(vacc, load_lanes(x, n), vld1q_f32(w + 8 + (ky * 3 + kx) * 8 + sub));
      }
    }
    store_lanes(out + c + sub, clamp(vacc, vmin, vmax), n);
  }
}

// Interior of one output row: pixels [ox_lo, ox_hi), all 9 taps valid. i0/i1/i2 are the three
// input rows; pixel ox reads columns ox*S - pad_left + {0,1,2}.
template <size_t S>
void dw_row_interior(const float* i0, const float* i1, const float* i2, const float* weights, float* out,
                     size_t C, size_t in_w, size_t pad_left, size_t ox_lo, size_t ox_hi, float32x4_t vmin,
                     float32x4_t vmax) {
  const size_t c8 = C & ~(size_t)7;
  size_t ox = ox_lo;
  for (; ox + 2 <= ox_hi; ox += 2) {
    const size_t ix = ox * S - pad_left;
    const float* r0 = i0 + ix * C;
    const float* r1 = i1 + ix * C;
    const float* r2 = i2 + ix * C;
    float* o = out + ox * C;
    const float* w = weights;
    for (size_t c = 0; c < c8; c += 8, w += 80) {
      // vaccP_xLLLL: output pixel P (0 = ox, 1 = ox + 1), channel lanes LLLL of the block.
      float32x4_t vacc0x0123 = vld1q_f32(w), vacc0x4567 = vld1q_f32(w + 4);
      float32x4_t vacc1x0123 = vacc0x0123, vacc1x4567 = vacc0x4567;
      const float* rows[3] = {r0 + c, r1 + c, r2 + c};
      for (size_t ky = 0; ky < 3; ky++) {
        const float* r = rows[ky];
        for (size_t kx = 0; kx < 3; kx++) {
          const float* wt = w + 8 + (ky * 3 + kx) * 8;
          const float32x4_t vw0123 = vld1q_f32(wt), vw4567 = vld1q_f32(wt + 4);
          const float* x0 = r + kx * C;
          const float* x1 = r + (kx + S) * C;
          vacc0x0123 = vfmaq_f32(vacc0x0123, vld1q_f32(x0), vw0123);
          vacc0x4567 = vfmaq_f32(vacc0x4567, vld1q_f32(x0 + 4), vw4567);
          vacc1x0123 = vfmaq_f32(vacc1x0123, vld1q_f32(x1), vw0123);
          vacc1x4567 = vfmaq_f32(vacc1x4567, vld1q_f32(x1 + 4), vw4567);
        }
      }
      vst1q_f32(o + c, clamp(vacc0x0123, vmin, vmax));
      vst1q_f32(o + c + 4, clamp(vacc0x4567, vmin, vmax));
      vst1q_f32(o + C + c, clamp(vacc1x0123, vmin, vmax));
      vst1q_f32(o + C + c + 4, clamp(vacc1x4567, vmin, vmax));
    }
    if (c8 != C) {
      dw_pixel(r0, weights, o, C, in_w, c8, 0, 3, 0, 3, vmin, vmax);
      dw_pixel(r0 + S * C, weights, o + C, C, in_w, c8, 0, 3, 0, 3, vmin, vmax);
    }
  }
  if (ox < ox_hi) dw_pixel(i0 + (ox * S - pad_left) * C, weights, out + ox * C, C, in_w, 0, 0, 3, 0, 3, vmin, vmax);
}

}  // namespace

void f32_dwconv3x3_minmax__neon_8c(const DwconvParams& p, size_t oy_begin, size_t oy_end) {
  const size_t C = p.channels, S = p.stride;
  const float32x4_t vmin = vdupq_n_f32(p.min), vmax = vdupq_n_f32(p.max);
  const ptrdiff_t in_h = (ptrdiff_t)p.in_h, in_w = (ptrdiff_t)p.in_w;
  // Output columns whose three taps are all inside the input: [ox_lo, ox_hi).
  size_t ox_lo = (p.pad_left + S - 1) / S;
  size_t ox_hi = in_w + (ptrdiff_t)p.pad_left >= 3 ? (size_t)(in_w + (ptrdiff_t)p.pad_left - 3) / S + 1 : 0;
  if (ox_hi > p.out_w) ox_hi = p.out_w;
  if (ox_lo > ox_hi) ox_lo = ox_hi;

  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    const ptrdiff_t iy = (ptrdiff_t)(oy * S) - (ptrdiff_t)p.pad_top;
    const size_t ky0 = iy < 0 ? (size_t)(-iy < 3 ? -iy : 3) : 0;
    const size_t ky1 = in_h - iy >= 3 ? 3 : (in_h - iy > 0 ? (size_t)(in_h - iy) : 0);
    float* out = p.output + oy * p.out_w * C;
    // A pixel at (iy, ix) may be outside the tensor; dw_pixel only dereferences valid taps.
    auto border = [&](size_t ox) {
      const ptrdiff_t ix = (ptrdiff_t)(ox * S) - (ptrdiff_t)p.pad_left;
      const size_t kx0 = ix < 0 ? (size_t)(-ix < 3 ? -ix : 3) : 0;
      const size_t kx1 = in_w - ix >= 3 ? 3 : (in_w - ix > 0 ? (size_t)(in_w - ix) : 0);
      const float* in = p.input + (iy * in_w + ix) * (ptrdiff_t)C;
      dw_pixel(in, p.weights, out + ox * C, C, p.in_w, 0, ky0 < ky1 ? ky0 : ky1, ky1, kx0 < kx1 ? kx0 : kx1, kx1,
               vmin, vmax);
    };
    if (ky0 != 0 || ky1 != 3) {
      for (size_t ox = 0; ox < p.out_w; ox++) border(ox);
      continue;
    }
    for (size_t ox = 0; ox < ox_lo; ox++) border(ox);
    const float* i0 = p.input + (size_t)iy * p.in_w * C;
    const float* i1 = i0 + p.in_w * C;
    const float* i2 = i1 + p.in_w * C;
    if (S == 1)
      dw_row_interior<1>(i0, i1, i2, p.weights, out, C, p.in_w, p.pad_left, ox_lo, ox_hi, vmin, vmax);
    else
      dw_row_interior<2>(i0, i1, i2, p.weights, out, C, p.in_w, p.pad_left, ox_lo, ox_hi, vmin, vmax);
    for (size_t ox = ox_hi; ox < p.out_w; ox++) border(ox);
  }
}

}  // namespace mn::neon
