// f32 GEMV for one row of A (the batch-1 classifier): c[0..nc) = clamp(a[0..kc) * W + bias) over the GEMM's
// packed panels of 8 columns. The 6x8 GEMM would compute 6 rows to keep one; here four panels (32 columns)
// run side by side, so 8 independent FMA chains hide the FMA latency without a second row.
// Per 4 k-steps and 4 panels: 1 A load, 8 weight loads (LD1 of 4 registers = 2 k-steps of a panel), 32 FMAs.
// Every element accumulates bias, then k = 0..kc-1 in order with the same fused by-element FMLA as the 6x8
// GEMM, so results are bit-identical to it (kernel_test checks).
#if defined(__aarch64__)
#include <arm_neon.h>

#include "neon.h"

namespace mn::neon {

namespace {

// P panels (8 columns each) starting at w; panel j at w + j * (kc + 1) * 8. Writes nc <= 8 * P columns.
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
  for (; k >= 4; k -= 4) {
    const float32x4_t va = vld1q_f32(a);
    a += 4;
    for (size_t half = 0; half < 2; half++) {
      float32x4x4_t b[P];
      for (size_t p = 0; p < P; p++) {
        b[p] = vld1q_f32_x4(wp[p]);
        wp[p] += 16;
      }
      for (size_t p = 0; p < P; p++) {
        acc[p][0] = vfmaq_laneq_f32(acc[p][0], b[p].val[0], va, 0 + 2 * half);
        acc[p][1] = vfmaq_laneq_f32(acc[p][1], b[p].val[1], va, 0 + 2 * half);
      }
      for (size_t p = 0; p < P; p++) {
        acc[p][0] = vfmaq_laneq_f32(acc[p][0], b[p].val[2], va, 1 + 2 * half);
        acc[p][1] = vfmaq_laneq_f32(acc[p][1], b[p].val[3], va, 1 + 2 * half);
      }
    }
  }
  for (; k != 0; k--) {
    const float32x4_t va = vld1q_dup_f32(a);
    a += 1;
    for (size_t p = 0; p < P; p++) {
      acc[p][0] = vfmaq_laneq_f32(acc[p][0], vld1q_f32(wp[p]), va, 0);
      acc[p][1] = vfmaq_laneq_f32(acc[p][1], vld1q_f32(wp[p] + 4), va, 0);
      wp[p] += 8;
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

void f32_gemv_minmax__aarch64_neonfma_lane_4p8(size_t nc, size_t kc, const float* a, const float* w, float* c,
                                              float min, float max) {
  const float32x4_t vmin = vdupq_n_f32(min), vmax = vdupq_n_f32(max);
  const size_t panel = (kc + 1) * 8;
  for (; nc >= 32; nc -= 32, w += 4 * panel, c += 32) gemv_panels<4>(32, kc, a, w, c, vmin, vmax);
  for (; nc != 0; nc -= nc < 8 ? nc : 8, w += panel, c += 8) gemv_panels<1>(nc < 8 ? nc : 8, kc, a, w, c, vmin, vmax);
}

}  // namespace mn::neon
#endif  // __aarch64__
