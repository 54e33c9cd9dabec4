// f32 GEMV for one row of A on ARMv7 (the batch-1 classifier): c[0..nc) = clamp(a[0..kc) * W + bias) over the
// GEMM's packed panels of 8 columns. The 4x8 GEMM would compute 4 rows to keep one; here two panels (16 columns)
// run side by side: 4 independent VMLA chains, 2 q-registers of weights per panel and k-step (16 q-registers
// limit the width). Every element accumulates bias, then k = 0..kc-1 in order with the same VMLA-by-scalar as the
// 4x8 GEMM, so results are bit-identical to it (kernel_test checks).
#if defined(__arm__) && !defined(__aarch64__)
#include <arm_neon.h>

#include "neon.h"

namespace mn::neon {

namespace {

template <size_t P>
void gemv_panels(size_t nc, size_t kc, const float* a, const float* w, float* c, float32x4_t vmin,
                 float32x4_t vmax) {
  const size_t panel = (kc + 1) * 8;
  const float* wp[P];
  float32x4_t acc[P][2];
  for (size_t p = 0; p < P; p++) {
    wp[p] = w + p * panel;
    acc[p][0] = vld1q_f32(wp[p]);
    acc[p][1] = vld1q_f32(wp[p] + 4);
    wp[p] += 8;
  }
  size_t k = kc;
  for (; k >= 2; k -= 2) {
    const float32x2_t va = vld1_f32(a);
    a += 2;
    for (size_t p = 0; p < P; p++) {
      const float32x4_t b0 = vld1q_f32(wp[p]), b1 = vld1q_f32(wp[p] + 4);
      const float32x4_t b2 = vld1q_f32(wp[p] + 8), b3 = vld1q_f32(wp[p] + 12);
      wp[p] += 16;
      acc[p][0] = vmlaq_lane_f32(acc[p][0], b0, va, 0);
      acc[p][1] = vmlaq_lane_f32(acc[p][1], b1, va, 0);
      acc[p][0] = vmlaq_lane_f32(acc[p][0], b2, va, 1);
      acc[p][1] = vmlaq_lane_f32(acc[p][1], b3, va, 1);
    }
  }
  if (k != 0) {
    const float32x2_t va = vld1_dup_f32(a);
    for (size_t p = 0; p < P; p++) {
      acc[p][0] = vmlaq_lane_f32(acc[p][0], vld1q_f32(wp[p]), va, 0);
      acc[p][1] = vmlaq_lane_f32(acc[p][1], vld1q_f32(wp[p] + 4), va, 0);
    }
  }
  for (size_t p = 0; p < P; p++) {
    float32x4_t lo = vminq_f32(vmaxq_f32(acc[p][0], vmin), vmax);
    float32x4_t hi = vminq_f32(vmaxq_f32(acc[p][1], vmin), vmax);
    if (nc >= 8) {
      vst1q_f32(c, lo);
      vst1q_f32(c + 4, hi);
      c += 8;
      nc -= 8;
      continue;
    }
    if (nc & 4) { vst1q_f32(c, lo); c += 4; lo = hi; }
    float32x2_t lo2 = vget_low_f32(lo);
    if (nc & 2) { vst1_f32(c, lo2); c += 2; lo2 = vget_high_f32(lo); }
    if (nc & 1) vst1_lane_f32(c, lo2, 0);
    return;
  }
}

}  // namespace

void f32_gemv_minmax__aarch32_neon_lane_2p8(size_t nc, size_t kc, const float* a, const float* w, float* c,
                                            float min, float max) {
  const float32x4_t vmin = vdupq_n_f32(min), vmax = vdupq_n_f32(max);
  const size_t panel = (kc + 1) * 8;
  for (; nc >= 16; nc -= 16, w += 2 * panel, c += 16) gemv_panels<2>(16, kc, a, w, c, vmin, vmax);
  for (; nc != 0; nc -= nc < 8 ? nc : 8, w += panel, c += 8) gemv_panels<1>(nc < 8 ? nc : 8, kc, a, w, c, vmin, vmax);
}

}  // namespace mn::neon
#endif  // __arm__ && !__aarch64__
