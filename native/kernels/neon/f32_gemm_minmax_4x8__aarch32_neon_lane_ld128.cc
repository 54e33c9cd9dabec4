// f32 GEMM microkernel, 4x8 tile, ARMv7 NEON multiply-accumulate by scalar (VMLA.F32 q, q, d[x]),
// A loaded 4 floats per row (ld128) and used as two d-registers. The tile of XNNPACK's
// f32_gemm_minmax_4x8__aarch32_neon_* kernels: 8 accumulators + 4 A + 2-4 B = 14-16 q-registers.
// VMLA-by-scalar is one instruction; the FMA form on AArch32 has no by-element variant and needs an
// extra VDUP per A value. VMLA rounds twice (like the scalar twin without contraction): the tester
// compares with tolerances. ARMv7 NEON also flushes denormals to zero.
//
// Contract (kernels.h): reads exactly mr x kc floats of A (rows >= mr alias the last valid row),
// writes exactly mr x nc floats of C. Every element accumulates bias, then k = 0..kc-1 in order.
#if defined(__arm__) && !defined(__aarch64__)
#include <arm_neon.h>

#include "neon.h"

namespace mn::neon {

void f32_gemm_minmax_4x8__aarch32_neon_lane_ld128(size_t mr, size_t nc, size_t kc, const float* a,
                                                  size_t a_stride, const float* w, float* c,
                                                  size_t c_stride, float min, float max) {
  const float* a0 = a;
  float* c0 = c;
  const float* a1 = mr > 1 ? a0 + a_stride : a0;
  float* c1 = mr > 1 ? c0 + c_stride : c0;
  const float* a2 = mr > 2 ? a1 + a_stride : a1;
  float* c2 = mr > 2 ? c1 + c_stride : c1;
  const float* a3 = mr > 3 ? a2 + a_stride : a2;
  float* c3 = mr > 3 ? c2 + c_stride : c2;

  float32x4_t vacc0x0123 = vld1q_f32(w);
  float32x4_t vacc0x4567 = vld1q_f32(w + 4);
  w += 8;
  float32x4_t vacc1x0123 = vacc0x0123, vacc1x4567 = vacc0x4567;
  float32x4_t vacc2x0123 = vacc0x0123, vacc2x4567 = vacc0x4567;
  float32x4_t vacc3x0123 = vacc0x0123, vacc3x4567 = vacc0x4567;

#define MN_GEMM_STEP(L, va0d, va1d, va2d, va3d, lane)                          \
  {                                                                            \
    const float32x4_t vb0123 = vld1q_f32(w + 8 * (L));                         \
    const float32x4_t vb4567 = vld1q_f32(w + 8 * (L) + 4);                     \
    vacc0x0123 = vmlaq_lane_f32(vacc0x0123, vb0123, va0d, lane);               \
    vacc1x0123 = vmlaq_lane_f32(vacc1x0123, vb0123, va1d, lane);               \
    vacc2x0123 = vmlaq_lane_f32(vacc2x0123, vb0123, va2d, lane);               \
    vacc3x0123 = vmlaq_lane_f32(vacc3x0123, vb0123, va3d, lane);               \
    vacc0x4567 = vmlaq_lane_f32(vacc0x4567, vb4567, va0d, lane);               \
    vacc1x4567 = vmlaq_lane_f32(vacc1x4567, vb4567, va1d, lane);               \
    vacc2x4567 = vmlaq_lane_f32(vacc2x4567, vb4567, va2d, lane);               \
    vacc3x4567 = vmlaq_lane_f32(vacc3x4567, vb4567, va3d, lane);               \
  }

  size_t k = kc;
  for (; k >= 4; k -= 4) {
    const float32x4_t va0 = vld1q_f32(a0); a0 += 4;
    const float32x4_t va1 = vld1q_f32(a1); a1 += 4;
    const float32x4_t va2 = vld1q_f32(a2); a2 += 4;
    const float32x4_t va3 = vld1q_f32(a3); a3 += 4;
    const float32x2_t va0x01 = vget_low_f32(va0), va0x23 = vget_high_f32(va0);
    const float32x2_t va1x01 = vget_low_f32(va1), va1x23 = vget_high_f32(va1);
    const float32x2_t va2x01 = vget_low_f32(va2), va2x23 = vget_high_f32(va2);
    const float32x2_t va3x01 = vget_low_f32(va3), va3x23 = vget_high_f32(va3);
    MN_GEMM_STEP(0, va0x01, va1x01, va2x01, va3x01, 0)
    MN_GEMM_STEP(1, va0x01, va1x01, va2x01, va3x01, 1)
    MN_GEMM_STEP(2, va0x23, va1x23, va2x23, va3x23, 0)
    MN_GEMM_STEP(3, va0x23, va1x23, va2x23, va3x23, 1)
    w += 32;
  }
  for (; k != 0; k--) {
    const float32x2_t va0 = vld1_dup_f32(a0); a0 += 1;
    const float32x2_t va1 = vld1_dup_f32(a1); a1 += 1;
    const float32x2_t va2 = vld1_dup_f32(a2); a2 += 1;
    const float32x2_t va3 = vld1_dup_f32(a3); a3 += 1;
    MN_GEMM_STEP(0, va0, va1, va2, va3, 0)
    w += 8;
  }
#undef MN_GEMM_STEP

  const float32x4_t vmin = vdupq_n_f32(min), vmax = vdupq_n_f32(max);
#define MN_CLAMP(r)                                                  \
  vacc##r##x0123 = vminq_f32(vmaxq_f32(vacc##r##x0123, vmin), vmax); \
  vacc##r##x4567 = vminq_f32(vmaxq_f32(vacc##r##x4567, vmin), vmax);
  MN_CLAMP(0) MN_CLAMP(1) MN_CLAMP(2) MN_CLAMP(3)
#undef MN_CLAMP

  if (nc == 8) {
    vst1q_f32(c3, vacc3x0123); vst1q_f32(c3 + 4, vacc3x4567);
    vst1q_f32(c2, vacc2x0123); vst1q_f32(c2 + 4, vacc2x4567);
    vst1q_f32(c1, vacc1x0123); vst1q_f32(c1 + 4, vacc1x4567);
    vst1q_f32(c0, vacc0x0123); vst1q_f32(c0 + 4, vacc0x4567);
    return;
  }
  if (nc & 4) {
    vst1q_f32(c3, vacc3x0123); c3 += 4; vacc3x0123 = vacc3x4567;
    vst1q_f32(c2, vacc2x0123); c2 += 4; vacc2x0123 = vacc2x4567;
    vst1q_f32(c1, vacc1x0123); c1 += 4; vacc1x0123 = vacc1x4567;
    vst1q_f32(c0, vacc0x0123); c0 += 4; vacc0x0123 = vacc0x4567;
  }
  float32x2_t vacc3x01 = vget_low_f32(vacc3x0123), vacc2x01 = vget_low_f32(vacc2x0123);
  float32x2_t vacc1x01 = vget_low_f32(vacc1x0123), vacc0x01 = vget_low_f32(vacc0x0123);
  if (nc & 2) {
    vst1_f32(c3, vacc3x01); c3 += 2; vacc3x01 = vget_high_f32(vacc3x0123);
    vst1_f32(c2, vacc2x01); c2 += 2; vacc2x01 = vget_high_f32(vacc2x0123);
    vst1_f32(c1, vacc1x01); c1 += 2; vacc1x01 = vget_high_f32(vacc1x0123);
    vst1_f32(c0, vacc0x01); c0 += 2; vacc0x01 = vget_high_f32(vacc0x0123);
  }
  if (nc & 1) {
    vst1_lane_f32(c3, vacc3x01, 0);
    vst1_lane_f32(c2, vacc2x01, 0);
    vst1_lane_f32(c1, vacc1x01, 0);
    vst1_lane_f32(c0, vacc0x01, 0);
  }
}

}  // namespace mn::neon
#endif  // __arm__ && !__aarch64__
