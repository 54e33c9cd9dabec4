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

namespace {

// kA53: the main loop of the Cortex-A53 variant (f32_gemm_minmax_4x8__aarch32_neon_cortex_a53 below).
template <bool kA53>
__attribute__((always_inline)) inline void gemm_4x8(size_t mr, size_t nc, size_t kc, const float* a,
                                                    size_t a_stride, const float* w, float* c, size_t c_stride,
                                                    float min, float max) {
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
  if constexpr (kA53) if (k >= 4) {
    // Cortex-A53 main loop (Pi 3 / Zero 2 on 32-bit Raspberry Pi OS): every load is 64 bits (VLD1 of one
    // d-register, post-incremented), which the in-order A53 dual-issues beside a VMLA, and each sits next to a
    // VMLA, software-pipelined one k-step ahead (XNNPACK's cortex_a53 design rule). 58 instructions per 32
    // VMLAs (the ld128 loop: 42). Same VMLA-by-scalar in the same k order as every other path.
    size_t k4 = k / 4 - 1;
    k -= (k4 + 1) * 4;
    __asm__ volatile(
        "vld1.32 {d8}, [%[w]]!\n\t"
        "vld1.32 {d9}, [%[w]]!\n\t"
        "vld1.32 {d10}, [%[w]]!\n\t"
        "vld1.32 {d11}, [%[w]]!\n\t"
        "vld1.32 {d0}, [%[a0]]!\n\t"
        "vld1.32 {d2}, [%[a1]]!\n\t"
        "vld1.32 {d4}, [%[a2]]!\n\t"
        "vld1.32 {d6}, [%[a3]]!\n\t"
        "cmp %[k4], #0\n\t"
        "beq 2f\n\t"
        "1:\n\t"
        "vmla.f32 %q[c0l], q4, d0[0]\n\t"
        "vld1.32 {d1}, [%[a0]]!\n\t"
        "vmla.f32 %q[c0h], q5, d0[0]\n\t"
        "vld1.32 {d3}, [%[a1]]!\n\t"
        "vmla.f32 %q[c1l], q4, d2[0]\n\t"
        "vld1.32 {d5}, [%[a2]]!\n\t"
        "vmla.f32 %q[c1h], q5, d2[0]\n\t"
        "vld1.32 {d7}, [%[a3]]!\n\t"
        "vmla.f32 %q[c2l], q4, d4[0]\n\t"
        "vld1.32 {d12}, [%[w]]!\n\t"
        "vmla.f32 %q[c2h], q5, d4[0]\n\t"
        "vld1.32 {d13}, [%[w]]!\n\t"
        "vmla.f32 %q[c3l], q4, d6[0]\n\t"
        "vld1.32 {d14}, [%[w]]!\n\t"
        "vmla.f32 %q[c3h], q5, d6[0]\n\t"
        "vld1.32 {d15}, [%[w]]!\n\t"
        "vmla.f32 %q[c0l], q6, d0[1]\n\t"
        "vld1.32 {d8}, [%[w]]!\n\t"
        "vmla.f32 %q[c0h], q7, d0[1]\n\t"
        "vld1.32 {d9}, [%[w]]!\n\t"
        "vmla.f32 %q[c1l], q6, d2[1]\n\t"
        "vld1.32 {d10}, [%[w]]!\n\t"
        "vmla.f32 %q[c1h], q7, d2[1]\n\t"
        "vld1.32 {d11}, [%[w]]!\n\t"
        "vmla.f32 %q[c2l], q6, d4[1]\n\t"
        "vmla.f32 %q[c2h], q7, d4[1]\n\t"
        "vmla.f32 %q[c3l], q6, d6[1]\n\t"
        "vmla.f32 %q[c3h], q7, d6[1]\n\t"
        "vmla.f32 %q[c0l], q4, d1[0]\n\t"
        "vld1.32 {d12}, [%[w]]!\n\t"
        "vmla.f32 %q[c0h], q5, d1[0]\n\t"
        "vld1.32 {d13}, [%[w]]!\n\t"
        "vmla.f32 %q[c1l], q4, d3[0]\n\t"
        "vld1.32 {d14}, [%[w]]!\n\t"
        "vmla.f32 %q[c1h], q5, d3[0]\n\t"
        "vld1.32 {d15}, [%[w]]!\n\t"
        "vmla.f32 %q[c2l], q4, d5[0]\n\t"
        "vmla.f32 %q[c2h], q5, d5[0]\n\t"
        "vmla.f32 %q[c3l], q4, d7[0]\n\t"
        "vmla.f32 %q[c3h], q5, d7[0]\n\t"
        "vmla.f32 %q[c0l], q6, d1[1]\n\t"
        "vld1.32 {d8}, [%[w]]!\n\t"
        "vmla.f32 %q[c0h], q7, d1[1]\n\t"
        "vld1.32 {d9}, [%[w]]!\n\t"
        "vmla.f32 %q[c1l], q6, d3[1]\n\t"
        "vld1.32 {d10}, [%[w]]!\n\t"
        "vmla.f32 %q[c1h], q7, d3[1]\n\t"
        "vld1.32 {d11}, [%[w]]!\n\t"
        "vmla.f32 %q[c2l], q6, d5[1]\n\t"
        "vld1.32 {d0}, [%[a0]]!\n\t"
        "vmla.f32 %q[c2h], q7, d5[1]\n\t"
        "vld1.32 {d2}, [%[a1]]!\n\t"
        "vmla.f32 %q[c3l], q6, d7[1]\n\t"
        "vld1.32 {d4}, [%[a2]]!\n\t"
        "vmla.f32 %q[c3h], q7, d7[1]\n\t"
        "vld1.32 {d6}, [%[a3]]!\n\t"
        "subs %[k4], %[k4], #1\n\t"
        "bne 1b\n\t"
        "2:\n\t"
        "vmla.f32 %q[c0l], q4, d0[0]\n\t"
        "vld1.32 {d1}, [%[a0]]!\n\t"
        "vmla.f32 %q[c0h], q5, d0[0]\n\t"
        "vld1.32 {d3}, [%[a1]]!\n\t"
        "vmla.f32 %q[c1l], q4, d2[0]\n\t"
        "vld1.32 {d5}, [%[a2]]!\n\t"
        "vmla.f32 %q[c1h], q5, d2[0]\n\t"
        "vld1.32 {d7}, [%[a3]]!\n\t"
        "vmla.f32 %q[c2l], q4, d4[0]\n\t"
        "vld1.32 {d12}, [%[w]]!\n\t"
        "vmla.f32 %q[c2h], q5, d4[0]\n\t"
        "vld1.32 {d13}, [%[w]]!\n\t"
        "vmla.f32 %q[c3l], q4, d6[0]\n\t"
        "vld1.32 {d14}, [%[w]]!\n\t"
        "vmla.f32 %q[c3h], q5, d6[0]\n\t"
        "vld1.32 {d15}, [%[w]]!\n\t"
        "vmla.f32 %q[c0l], q6, d0[1]\n\t"
        "vld1.32 {d8}, [%[w]]!\n\t"
        "vmla.f32 %q[c0h], q7, d0[1]\n\t"
        "vld1.32 {d9}, [%[w]]!\n\t"
        "vmla.f32 %q[c1l], q6, d2[1]\n\t"
        "vld1.32 {d10}, [%[w]]!\n\t"
        "vmla.f32 %q[c1h], q7, d2[1]\n\t"
        "vld1.32 {d11}, [%[w]]!\n\t"
        "vmla.f32 %q[c2l], q6, d4[1]\n\t"
        "vmla.f32 %q[c2h], q7, d4[1]\n\t"
        "vmla.f32 %q[c3l], q6, d6[1]\n\t"
        "vmla.f32 %q[c3h], q7, d6[1]\n\t"
        "vmla.f32 %q[c0l], q4, d1[0]\n\t"
        "vld1.32 {d12}, [%[w]]!\n\t"
        "vmla.f32 %q[c0h], q5, d1[0]\n\t"
        "vld1.32 {d13}, [%[w]]!\n\t"
        "vmla.f32 %q[c1l], q4, d3[0]\n\t"
        "vld1.32 {d14}, [%[w]]!\n\t"
        "vmla.f32 %q[c1h], q5, d3[0]\n\t"
        "vld1.32 {d15}, [%[w]]!\n\t"
        "vmla.f32 %q[c2l], q4, d5[0]\n\t"
        "vmla.f32 %q[c2h], q5, d5[0]\n\t"
        "vmla.f32 %q[c3l], q4, d7[0]\n\t"
        "vmla.f32 %q[c3h], q5, d7[0]\n\t"
        "vmla.f32 %q[c0l], q6, d1[1]\n\t"
        "vmla.f32 %q[c0h], q7, d1[1]\n\t"
        "vmla.f32 %q[c1l], q6, d3[1]\n\t"
        "vmla.f32 %q[c1h], q7, d3[1]\n\t"
        "vmla.f32 %q[c2l], q6, d5[1]\n\t"
        "vmla.f32 %q[c2h], q7, d5[1]\n\t"
        "vmla.f32 %q[c3l], q6, d7[1]\n\t"
        "vmla.f32 %q[c3h], q7, d7[1]\n\t"
        : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [w] "+r"(w), [k4] "+r"(k4),
          [c0l] "+w"(vacc0x0123), [c0h] "+w"(vacc0x4567), [c1l] "+w"(vacc1x0123), [c1h] "+w"(vacc1x4567),
          [c2l] "+w"(vacc2x0123), [c2h] "+w"(vacc2x4567), [c3l] "+w"(vacc3x0123), [c3h] "+w"(vacc3x4567)
        :
        : "cc", "memory", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10", "d11", "d12", "d13",
          "d14", "d15");
  }
  if constexpr (!kA53) if (k >= 4) {
    // Main loop, 4 k-steps in 42 instructions for 32 VMLAs: post-incremented VLD1 for every load (A 4 floats
    // per row, weights 8 floats = one k-step per VLD1 of 4 d-registers), no other address arithmetic
    // (XNNPACK's ld64 loop: 44). A in q0-q3, weights q4-q7, accumulators q8-q15 (the compiler's choice,
    // the only ones left). Same VMLA-by-scalar in the same k order as the tail loop below.
    size_t k4 = k / 4;
    k -= k4 * 4;
#define MN_V(acc, vw, va) "vmla.f32 %q[" #acc "], " #vw ", " #va "\n\t"
#define MN_KSTEP(wl, wh, l0, l1, l2, l3) \
  MN_V(c0l, wl, l0) MN_V(c0h, wh, l0) MN_V(c1l, wl, l1) MN_V(c1h, wh, l1) \
  MN_V(c2l, wl, l2) MN_V(c2h, wh, l2) MN_V(c3l, wl, l3) MN_V(c3h, wh, l3)
    __asm__ volatile(
        "1:\n\t"
        "vld1.32 {d0-d1}, [%[a0]]!\n\t"
        "vld1.32 {d2-d3}, [%[a1]]!\n\t"
        "vld1.32 {d8-d11}, [%[w]]!\n\t"
        "vld1.32 {d4-d5}, [%[a2]]!\n\t"
        "vld1.32 {d6-d7}, [%[a3]]!\n\t"
        "vld1.32 {d12-d15}, [%[w]]!\n\t"
        MN_KSTEP(q4, q5, d0[0], d2[0], d4[0], d6[0])
        "vld1.32 {d8-d11}, [%[w]]!\n\t"
        MN_KSTEP(q6, q7, d0[1], d2[1], d4[1], d6[1])
        "vld1.32 {d12-d15}, [%[w]]!\n\t"
        MN_KSTEP(q4, q5, d1[0], d3[0], d5[0], d7[0])
        "subs %[k4], %[k4], #1\n\t"
        MN_KSTEP(q6, q7, d1[1], d3[1], d5[1], d7[1])
        "bne 1b\n\t"
        : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [w] "+r"(w), [k4] "+r"(k4),
          [c0l] "+w"(vacc0x0123), [c0h] "+w"(vacc0x4567), [c1l] "+w"(vacc1x0123), [c1h] "+w"(vacc1x4567),
          [c2l] "+w"(vacc2x0123), [c2h] "+w"(vacc2x4567), [c3l] "+w"(vacc3x0123), [c3h] "+w"(vacc3x4567)
        :
        : "cc", "memory", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10", "d11", "d12", "d13",
          "d14", "d15");
#undef MN_KSTEP
#undef MN_V
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

}  // namespace

void f32_gemm_minmax_4x8__aarch32_neon_lane_ld128(size_t mr, size_t nc, size_t kc, const float* a,
                                                  size_t a_stride, const float* w, float* c,
                                                  size_t c_stride, float min, float max, const float* /*w_prefetch*/) {
  gemm_4x8<false>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
}

// Cortex-A53 variant: 64-bit loads paired with the VMLAs (dispatch picks it from the CPU part).
void f32_gemm_minmax_4x8__aarch32_neon_cortex_a53(size_t mr, size_t nc, size_t kc, const float* a,
                                                  size_t a_stride, const float* w, float* c,
                                                  size_t c_stride, float min, float max, const float* /*w_prefetch*/) {
  gemm_4x8<true>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
}

}  // namespace mn::neon
#endif  // __arm__ && !__aarch64__
