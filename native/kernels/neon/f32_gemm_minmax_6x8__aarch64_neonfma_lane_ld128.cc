// f32 GEMM microkernel, 6x8 tile, AArch64 NEON FMA by element, A loaded 4 floats per row (ld128).
// The tile of XNNPACK's f32_gemm_minmax_6x8__aarch64_neonfma_ld128 (its pick for Cortex-A53/A72/A75):
// 12 accumulators + 6 A registers + 8 B registers = 26 of the 32 q-registers, so nothing spills,
// and every 4 k-steps load 6 A + 8 B vectors for 48 FMAs.
//
// Contract (kernels.h): reads exactly mr x kc floats of A (rows >= mr alias the last valid row,
// XNNPACK-style: they are computed and stored again with identical values, never read past A),
// writes exactly mr x nc floats of C (partial stores for nc < 8). Packed W may be read as whole panels.
// Every output element accumulates bias, then k = 0..kc-1 in order, whatever its row or column.
#if defined(__aarch64__)
#include <arm_neon.h>

#include "neon.h"

namespace mn::neon {

namespace {

// kA53: the main loop of the Cortex-A53 variant (see f32_gemm_minmax_6x8__aarch64_neonfma_cortex_a53 below).
template <bool kA53>
__attribute__((always_inline)) inline void gemm_6x8(size_t mr, size_t nc, size_t kc, const float* a,
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
  const float* a4 = mr > 4 ? a3 + a_stride : a3;
  float* c4 = mr > 4 ? c3 + c_stride : c3;
  const float* a5 = mr > 5 ? a4 + a_stride : a4;
  float* c5 = mr > 5 ? c4 + c_stride : c4;

  float32x4_t vacc0x0123 = vld1q_f32(w);
  float32x4_t vacc0x4567 = vld1q_f32(w + 4);
  w += 8;
  float32x4_t vacc1x0123 = vacc0x0123, vacc1x4567 = vacc0x4567;
  float32x4_t vacc2x0123 = vacc0x0123, vacc2x4567 = vacc0x4567;
  float32x4_t vacc3x0123 = vacc0x0123, vacc3x4567 = vacc0x4567;
  float32x4_t vacc4x0123 = vacc0x0123, vacc4x4567 = vacc0x4567;
  float32x4_t vacc5x0123 = vacc0x0123, vacc5x4567 = vacc0x4567;

// One k-step (lane L of the A registers) against B vectors vb0123 / vb4567 of that step.
#define MN_GEMM_STEP(L, vb0123, vb4567)                                        \
  vacc0x0123 = vfmaq_laneq_f32(vacc0x0123, vb0123, va0, L);                    \
  vacc0x4567 = vfmaq_laneq_f32(vacc0x4567, vb4567, va0, L);                    \
  vacc1x0123 = vfmaq_laneq_f32(vacc1x0123, vb0123, va1, L);                    \
  vacc1x4567 = vfmaq_laneq_f32(vacc1x4567, vb4567, va1, L);                    \
  vacc2x0123 = vfmaq_laneq_f32(vacc2x0123, vb0123, va2, L);                    \
  vacc2x4567 = vfmaq_laneq_f32(vacc2x4567, vb4567, va2, L);                    \
  vacc3x0123 = vfmaq_laneq_f32(vacc3x0123, vb0123, va3, L);                    \
  vacc3x4567 = vfmaq_laneq_f32(vacc3x4567, vb4567, va3, L);                    \
  vacc4x0123 = vfmaq_laneq_f32(vacc4x0123, vb0123, va4, L);                    \
  vacc4x4567 = vfmaq_laneq_f32(vacc4x4567, vb4567, va4, L);                    \
  vacc5x0123 = vfmaq_laneq_f32(vacc5x0123, vb0123, va5, L);                    \
  vacc5x4567 = vfmaq_laneq_f32(vacc5x4567, vb4567, va5, L);

  size_t k = kc;
  if constexpr (kA53) if (mr == 6 && k >= 4) {
    // Cortex-A53 main loop, 4 k-steps per iteration. The A53 is in order and dual-issues a 64-bit load (LDR D,
    // LDR X) or an INS with a NEON FMLA, but not a 128-bit load. Design rule (XNNPACK's cortex_a53 kernels):
    // A is loaded 2 floats per row (LDR D), each weight vector as LDR D + LDR X + INS, and every one of these
    // sits next to an FMLA, software-pipelined: the loads of the next 2 k-steps run beside the FMAs of these.
    // 86 instructions per 48 FMAs (the ld128 loop: 58) that an A53 can issue in about 48 cycles.
    // Same FMLAs in the same k order as every other path.
    const size_t k4 = k / 4;
    k -= k4 * 4;
    const size_t a_bytes = a_stride * sizeof(float), k4m1 = k4 - 1;
    __asm__ volatile(
        "mov x9, %[a0]\n\t"
        "add x10, x9, %[as]\n\t"
        "add x11, x10, %[as]\n\t"
        "add x12, x11, %[as]\n\t"
        "add x13, x12, %[as]\n\t"
        "add x14, x13, %[as]\n\t"
        "mov x15, %[w]\n\t"
        "mov x16, %[kn]\n\t"
        "ldr d12, [x15], #16\n\t"
        "ldr x17, [x15, #-8]\n\t"
        "ldr d0, [x9], #8\n\t"
        "ldr d13, [x15], #16\n\t"
        "ins v12.d[1], x17\n\t"
        "ldr x8, [x15, #-8]\n\t"
        "ldr d1, [x10], #8\n\t"
        "ldr d14, [x15], #16\n\t"
        "ins v13.d[1], x8\n\t"
        "ldr x17, [x15, #-8]\n\t"
        "ldr d2, [x11], #8\n\t"
        "ldr d15, [x15], #16\n\t"
        "ins v14.d[1], x17\n\t"
        "ldr x8, [x15, #-8]\n\t"
        "ldr d3, [x12], #8\n\t"
        "ins v15.d[1], x8\n\t"
        "ldr d4, [x13], #8\n\t"
        "ldr d5, [x14], #8\n\t"
        "cbz x16, 2f\n\t"
        "1:\n\t"
        "fmla %[c0l].4s, v12.4s, v0.s[0]\n\t"
        "ldr d16, [x15], #16\n\t"
        "fmla %[c0h].4s, v13.4s, v0.s[0]\n\t"
        "ldr x17, [x15, #-8]\n\t"
        "fmla %[c1l].4s, v12.4s, v1.s[0]\n\t"
        "ldr d6, [x9], #8\n\t"
        "fmla %[c1h].4s, v13.4s, v1.s[0]\n\t"
        "fmla %[c2l].4s, v12.4s, v2.s[0]\n\t"
        "ldr d17, [x15], #16\n\t"
        "fmla %[c2h].4s, v13.4s, v2.s[0]\n\t"
        "ins v16.d[1], x17\n\t"
        "fmla %[c3l].4s, v12.4s, v3.s[0]\n\t"
        "ldr x8, [x15, #-8]\n\t"
        "fmla %[c3h].4s, v13.4s, v3.s[0]\n\t"
        "fmla %[c4l].4s, v12.4s, v4.s[0]\n\t"
        "ldr d7, [x10], #8\n\t"
        "fmla %[c4h].4s, v13.4s, v4.s[0]\n\t"
        "ldr d18, [x15], #16\n\t"
        "fmla %[c5l].4s, v12.4s, v5.s[0]\n\t"
        "ins v17.d[1], x8\n\t"
        "fmla %[c5h].4s, v13.4s, v5.s[0]\n\t"
        "fmla %[c0l].4s, v14.4s, v0.s[1]\n\t"
        "ldr x17, [x15, #-8]\n\t"
        "fmla %[c0h].4s, v15.4s, v0.s[1]\n\t"
        "ldr d8, [x11], #8\n\t"
        "fmla %[c1l].4s, v14.4s, v1.s[1]\n\t"
        "ldr d19, [x15], #16\n\t"
        "fmla %[c1h].4s, v15.4s, v1.s[1]\n\t"
        "fmla %[c2l].4s, v14.4s, v2.s[1]\n\t"
        "ins v18.d[1], x17\n\t"
        "fmla %[c2h].4s, v15.4s, v2.s[1]\n\t"
        "ldr x8, [x15, #-8]\n\t"
        "fmla %[c3l].4s, v14.4s, v3.s[1]\n\t"
        "ldr d9, [x12], #8\n\t"
        "fmla %[c3h].4s, v15.4s, v3.s[1]\n\t"
        "fmla %[c4l].4s, v14.4s, v4.s[1]\n\t"
        "ins v19.d[1], x8\n\t"
        "fmla %[c4h].4s, v15.4s, v4.s[1]\n\t"
        "ldr d10, [x13], #8\n\t"
        "fmla %[c5l].4s, v14.4s, v5.s[1]\n\t"
        "ldr d11, [x14], #8\n\t"
        "fmla %[c5h].4s, v15.4s, v5.s[1]\n\t"
        "fmla %[c0l].4s, v16.4s, v6.s[0]\n\t"
        "ldr d12, [x15], #16\n\t"
        "fmla %[c0h].4s, v17.4s, v6.s[0]\n\t"
        "ldr x17, [x15, #-8]\n\t"
        "fmla %[c1l].4s, v16.4s, v7.s[0]\n\t"
        "ldr d0, [x9], #8\n\t"
        "fmla %[c1h].4s, v17.4s, v7.s[0]\n\t"
        "fmla %[c2l].4s, v16.4s, v8.s[0]\n\t"
        "ldr d13, [x15], #16\n\t"
        "fmla %[c2h].4s, v17.4s, v8.s[0]\n\t"
        "ins v12.d[1], x17\n\t"
        "fmla %[c3l].4s, v16.4s, v9.s[0]\n\t"
        "ldr x8, [x15, #-8]\n\t"
        "fmla %[c3h].4s, v17.4s, v9.s[0]\n\t"
        "fmla %[c4l].4s, v16.4s, v10.s[0]\n\t"
        "ldr d1, [x10], #8\n\t"
        "fmla %[c4h].4s, v17.4s, v10.s[0]\n\t"
        "ldr d14, [x15], #16\n\t"
        "fmla %[c5l].4s, v16.4s, v11.s[0]\n\t"
        "ins v13.d[1], x8\n\t"
        "fmla %[c5h].4s, v17.4s, v11.s[0]\n\t"
        "fmla %[c0l].4s, v18.4s, v6.s[1]\n\t"
        "ldr x17, [x15, #-8]\n\t"
        "fmla %[c0h].4s, v19.4s, v6.s[1]\n\t"
        "ldr d2, [x11], #8\n\t"
        "fmla %[c1l].4s, v18.4s, v7.s[1]\n\t"
        "ldr d15, [x15], #16\n\t"
        "fmla %[c1h].4s, v19.4s, v7.s[1]\n\t"
        "fmla %[c2l].4s, v18.4s, v8.s[1]\n\t"
        "ins v14.d[1], x17\n\t"
        "fmla %[c2h].4s, v19.4s, v8.s[1]\n\t"
        "ldr x8, [x15, #-8]\n\t"
        "fmla %[c3l].4s, v18.4s, v9.s[1]\n\t"
        "ldr d3, [x12], #8\n\t"
        "fmla %[c3h].4s, v19.4s, v9.s[1]\n\t"
        "fmla %[c4l].4s, v18.4s, v10.s[1]\n\t"
        "ins v15.d[1], x8\n\t"
        "fmla %[c4h].4s, v19.4s, v10.s[1]\n\t"
        "ldr d4, [x13], #8\n\t"
        "fmla %[c5l].4s, v18.4s, v11.s[1]\n\t"
        "ldr d5, [x14], #8\n\t"
        "fmla %[c5h].4s, v19.4s, v11.s[1]\n\t"
        "subs x16, x16, #1\n\t"
        "b.ne 1b\n\t"
        "2:\n\t"
        "fmla %[c0l].4s, v12.4s, v0.s[0]\n\t"
        "ldr d16, [x15], #16\n\t"
        "fmla %[c0h].4s, v13.4s, v0.s[0]\n\t"
        "ldr x17, [x15, #-8]\n\t"
        "fmla %[c1l].4s, v12.4s, v1.s[0]\n\t"
        "ldr d6, [x9], #8\n\t"
        "fmla %[c1h].4s, v13.4s, v1.s[0]\n\t"
        "fmla %[c2l].4s, v12.4s, v2.s[0]\n\t"
        "ldr d17, [x15], #16\n\t"
        "fmla %[c2h].4s, v13.4s, v2.s[0]\n\t"
        "ins v16.d[1], x17\n\t"
        "fmla %[c3l].4s, v12.4s, v3.s[0]\n\t"
        "ldr x8, [x15, #-8]\n\t"
        "fmla %[c3h].4s, v13.4s, v3.s[0]\n\t"
        "fmla %[c4l].4s, v12.4s, v4.s[0]\n\t"
        "ldr d7, [x10], #8\n\t"
        "fmla %[c4h].4s, v13.4s, v4.s[0]\n\t"
        "ldr d18, [x15], #16\n\t"
        "fmla %[c5l].4s, v12.4s, v5.s[0]\n\t"
        "ins v17.d[1], x8\n\t"
        "fmla %[c5h].4s, v13.4s, v5.s[0]\n\t"
        "fmla %[c0l].4s, v14.4s, v0.s[1]\n\t"
        "ldr x17, [x15, #-8]\n\t"
        "fmla %[c0h].4s, v15.4s, v0.s[1]\n\t"
        "ldr d8, [x11], #8\n\t"
        "fmla %[c1l].4s, v14.4s, v1.s[1]\n\t"
        "ldr d19, [x15], #16\n\t"
        "fmla %[c1h].4s, v15.4s, v1.s[1]\n\t"
        "fmla %[c2l].4s, v14.4s, v2.s[1]\n\t"
        "ins v18.d[1], x17\n\t"
        "fmla %[c2h].4s, v15.4s, v2.s[1]\n\t"
        "ldr x8, [x15, #-8]\n\t"
        "fmla %[c3l].4s, v14.4s, v3.s[1]\n\t"
        "ldr d9, [x12], #8\n\t"
        "fmla %[c3h].4s, v15.4s, v3.s[1]\n\t"
        "fmla %[c4l].4s, v14.4s, v4.s[1]\n\t"
        "ins v19.d[1], x8\n\t"
        "fmla %[c4h].4s, v15.4s, v4.s[1]\n\t"
        "ldr d10, [x13], #8\n\t"
        "fmla %[c5l].4s, v14.4s, v5.s[1]\n\t"
        "ldr d11, [x14], #8\n\t"
        "fmla %[c5h].4s, v15.4s, v5.s[1]\n\t"
        "fmla %[c0l].4s, v16.4s, v6.s[0]\n\t"
        "fmla %[c0h].4s, v17.4s, v6.s[0]\n\t"
        "fmla %[c1l].4s, v16.4s, v7.s[0]\n\t"
        "fmla %[c1h].4s, v17.4s, v7.s[0]\n\t"
        "fmla %[c2l].4s, v16.4s, v8.s[0]\n\t"
        "fmla %[c2h].4s, v17.4s, v8.s[0]\n\t"
        "fmla %[c3l].4s, v16.4s, v9.s[0]\n\t"
        "fmla %[c3h].4s, v17.4s, v9.s[0]\n\t"
        "fmla %[c4l].4s, v16.4s, v10.s[0]\n\t"
        "fmla %[c4h].4s, v17.4s, v10.s[0]\n\t"
        "fmla %[c5l].4s, v16.4s, v11.s[0]\n\t"
        "fmla %[c5h].4s, v17.4s, v11.s[0]\n\t"
        "fmla %[c0l].4s, v18.4s, v6.s[1]\n\t"
        "fmla %[c0h].4s, v19.4s, v6.s[1]\n\t"
        "fmla %[c1l].4s, v18.4s, v7.s[1]\n\t"
        "fmla %[c1h].4s, v19.4s, v7.s[1]\n\t"
        "fmla %[c2l].4s, v18.4s, v8.s[1]\n\t"
        "fmla %[c2h].4s, v19.4s, v8.s[1]\n\t"
        "fmla %[c3l].4s, v18.4s, v9.s[1]\n\t"
        "fmla %[c3h].4s, v19.4s, v9.s[1]\n\t"
        "fmla %[c4l].4s, v18.4s, v10.s[1]\n\t"
        "fmla %[c4h].4s, v19.4s, v10.s[1]\n\t"
        "fmla %[c5l].4s, v18.4s, v11.s[1]\n\t"
        "fmla %[c5h].4s, v19.4s, v11.s[1]\n\t"
        : [c0l] "+w"(vacc0x0123), [c0h] "+w"(vacc0x4567), [c1l] "+w"(vacc1x0123), [c1h] "+w"(vacc1x4567),
          [c2l] "+w"(vacc2x0123), [c2h] "+w"(vacc2x4567), [c3l] "+w"(vacc3x0123), [c3h] "+w"(vacc3x4567),
          [c4l] "+w"(vacc4x0123), [c4h] "+w"(vacc4x4567), [c5l] "+w"(vacc5x0123), [c5h] "+w"(vacc5x4567)
        : [a0] "r"(a0), [as] "r"(a_bytes), [w] "r"(w), [kn] "r"(k4m1)
        : "cc", "memory", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "v0", "v1", "v2",
          "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18",
          "v19");
    a0 += 4 * k4; a1 += 4 * k4; a2 += 4 * k4; a3 += 4 * k4; a4 += 4 * k4; a5 += 4 * k4;
    w += 32 * k4;
  }
  if constexpr (!kA53) if (mr == 6 && k >= 8) {
    // Main loop, 8 k-steps per iteration in 108 instructions for 96 FMAs: each A row is loaded 8 floats
    // at a time with one post-incremented LD1 {2 regs}, the weights 16 floats at a time with LD1 {4 regs},
    // and the loop counter is the only other arithmetic (XNNPACK's ld128 loop: 60 per 48). Registers:
    // A v0-v11 (row r in v2r, v2r+1), weights v12-v19 (two k-steps per LD1), accumulators v20-v31.
    // The FMAs are the same fused by-element FMLAs in the same k order as the tail loops below.
    const size_t k8 = k / 8;
    k -= k8 * 8;
    // 12 read-write accumulators use 24 of asm's 30 operands: the pointers go in as 4 inputs (rows from
    // a0 + r * stride, mr == 6) and are copied into scratch registers.
    const size_t a_bytes = a_stride * sizeof(float);
#define MN_F(acc, vw, va, l) "fmla %[" #acc "].4s, v" #vw ".4s, v" #va ".s[" #l "]\n\t"
#define MN_KSTEP(wl, wh, r0, r1, r2, r3, r4, r5, l)                                                   \
  MN_F(c0l, wl, r0, l) MN_F(c0h, wh, r0, l) MN_F(c1l, wl, r1, l) MN_F(c1h, wh, r1, l)                 \
  MN_F(c2l, wl, r2, l) MN_F(c2h, wh, r2, l) MN_F(c3l, wl, r3, l) MN_F(c3h, wh, r3, l)                 \
  MN_F(c4l, wl, r4, l) MN_F(c4h, wh, r4, l) MN_F(c5l, wl, r5, l) MN_F(c5h, wh, r5, l)
    __asm__ volatile(
        "mov x9, %[a0]\n\t"
        "add x10, x9, %[as]\n\t"
        "add x11, x10, %[as]\n\t"
        "add x12, x11, %[as]\n\t"
        "add x13, x12, %[as]\n\t"
        "add x14, x13, %[as]\n\t"
        "mov x15, %[w]\n\t"
        "mov x16, %[kn]\n\t"
        "1:\n\t"
        "ld1 {v0.4s, v1.4s}, [x9], #32\n\t"
        "ld1 {v2.4s, v3.4s}, [x10], #32\n\t"
        "ld1 {v12.4s, v13.4s, v14.4s, v15.4s}, [x15], #64\n\t"
        "ld1 {v4.4s, v5.4s}, [x11], #32\n\t"
        "ld1 {v6.4s, v7.4s}, [x12], #32\n\t"
        "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [x15], #64\n\t"
        "ld1 {v8.4s, v9.4s}, [x13], #32\n\t"
        "ld1 {v10.4s, v11.4s}, [x14], #32\n\t"
        MN_KSTEP(12, 13, 0, 2, 4, 6, 8, 10, 0)
        MN_KSTEP(14, 15, 0, 2, 4, 6, 8, 10, 1)
        "ld1 {v12.4s, v13.4s, v14.4s, v15.4s}, [x15], #64\n\t"
        MN_KSTEP(16, 17, 0, 2, 4, 6, 8, 10, 2)
        MN_KSTEP(18, 19, 0, 2, 4, 6, 8, 10, 3)
        "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [x15], #64\n\t"
        MN_KSTEP(12, 13, 1, 3, 5, 7, 9, 11, 0)
        MN_KSTEP(14, 15, 1, 3, 5, 7, 9, 11, 1)
        MN_KSTEP(16, 17, 1, 3, 5, 7, 9, 11, 2)
        "subs x16, x16, #1\n\t"
        MN_KSTEP(18, 19, 1, 3, 5, 7, 9, 11, 3)
        "b.ne 1b\n\t"
        : [c0l] "+w"(vacc0x0123), [c0h] "+w"(vacc0x4567), [c1l] "+w"(vacc1x0123),
          [c1h] "+w"(vacc1x4567), [c2l] "+w"(vacc2x0123), [c2h] "+w"(vacc2x4567), [c3l] "+w"(vacc3x0123),
          [c3h] "+w"(vacc3x4567), [c4l] "+w"(vacc4x0123), [c4h] "+w"(vacc4x4567), [c5l] "+w"(vacc5x0123),
          [c5h] "+w"(vacc5x4567)
        : [a0] "r"(a0), [as] "r"(a_bytes), [w] "r"(w), [kn] "r"(k8)
        : "cc", "memory", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13",
          "v14", "v15", "v16", "v17", "v18", "v19");
#undef MN_KSTEP
#undef MN_F
    a0 += 8 * k8; a1 += 8 * k8; a2 += 8 * k8; a3 += 8 * k8; a4 += 8 * k8; a5 += 8 * k8;
    w += 64 * k8;
  }
  for (; k >= 4; k -= 4) {
    const float32x4_t va0 = vld1q_f32(a0); a0 += 4;
    const float32x4_t va1 = vld1q_f32(a1); a1 += 4;
    const float32x4_t va2 = vld1q_f32(a2); a2 += 4;
    const float32x4_t va3 = vld1q_f32(a3); a3 += 4;
    const float32x4_t va4 = vld1q_f32(a4); a4 += 4;
    const float32x4_t va5 = vld1q_f32(a5); a5 += 4;
    // All 8 B vectors of the 4 k-steps up front: gives the scheduler room and (measured with
    // llvm-mca) avoids the register copies GCC inserts when loads and FMAs are interleaved.
    const float32x4_t vb0123c0 = vld1q_f32(w), vb4567c0 = vld1q_f32(w + 4);
    const float32x4_t vb0123c1 = vld1q_f32(w + 8), vb4567c1 = vld1q_f32(w + 12);
    const float32x4_t vb0123c2 = vld1q_f32(w + 16), vb4567c2 = vld1q_f32(w + 20);
    const float32x4_t vb0123c3 = vld1q_f32(w + 24), vb4567c3 = vld1q_f32(w + 28);
    w += 32;
    MN_GEMM_STEP(0, vb0123c0, vb4567c0)
    MN_GEMM_STEP(1, vb0123c1, vb4567c1)
    MN_GEMM_STEP(2, vb0123c2, vb4567c2)
    MN_GEMM_STEP(3, vb0123c3, vb4567c3)
  }
  // kc % 4 tail: one A float per row, broadcast (same order as the main loop: k ascending).
  for (; k != 0; k--) {
    const float32x4_t va0 = vld1q_dup_f32(a0); a0 += 1;
    const float32x4_t va1 = vld1q_dup_f32(a1); a1 += 1;
    const float32x4_t va2 = vld1q_dup_f32(a2); a2 += 1;
    const float32x4_t va3 = vld1q_dup_f32(a3); a3 += 1;
    const float32x4_t va4 = vld1q_dup_f32(a4); a4 += 1;
    const float32x4_t va5 = vld1q_dup_f32(a5); a5 += 1;
    const float32x4_t vb0123 = vld1q_f32(w), vb4567 = vld1q_f32(w + 4);
    w += 8;
    MN_GEMM_STEP(0, vb0123, vb4567)
  }
#undef MN_GEMM_STEP

  const float32x4_t vmin = vdupq_n_f32(min), vmax = vdupq_n_f32(max);
#define MN_CLAMP(r)                                            \
  vacc##r##x0123 = vminq_f32(vmaxq_f32(vacc##r##x0123, vmin), vmax); \
  vacc##r##x4567 = vminq_f32(vmaxq_f32(vacc##r##x4567, vmin), vmax);
  MN_CLAMP(0) MN_CLAMP(1) MN_CLAMP(2) MN_CLAMP(3) MN_CLAMP(4) MN_CLAMP(5)
#undef MN_CLAMP

  // Rows are stored last to first so that aliased rows (mr < 6) end on the valid row's values
  // (they are identical anyway).
  if (nc == 8) {
    vst1q_f32(c5, vacc5x0123); vst1q_f32(c5 + 4, vacc5x4567);
    vst1q_f32(c4, vacc4x0123); vst1q_f32(c4 + 4, vacc4x4567);
    vst1q_f32(c3, vacc3x0123); vst1q_f32(c3 + 4, vacc3x4567);
    vst1q_f32(c2, vacc2x0123); vst1q_f32(c2 + 4, vacc2x4567);
    vst1q_f32(c1, vacc1x0123); vst1q_f32(c1 + 4, vacc1x4567);
    vst1q_f32(c0, vacc0x0123); vst1q_f32(c0 + 4, vacc0x4567);
    return;
  }
  if (nc & 4) {
    vst1q_f32(c5, vacc5x0123); c5 += 4; vacc5x0123 = vacc5x4567;
    vst1q_f32(c4, vacc4x0123); c4 += 4; vacc4x0123 = vacc4x4567;
    vst1q_f32(c3, vacc3x0123); c3 += 4; vacc3x0123 = vacc3x4567;
    vst1q_f32(c2, vacc2x0123); c2 += 4; vacc2x0123 = vacc2x4567;
    vst1q_f32(c1, vacc1x0123); c1 += 4; vacc1x0123 = vacc1x4567;
    vst1q_f32(c0, vacc0x0123); c0 += 4; vacc0x0123 = vacc0x4567;
  }
  float32x2_t vacc5x01 = vget_low_f32(vacc5x0123), vacc4x01 = vget_low_f32(vacc4x0123);
  float32x2_t vacc3x01 = vget_low_f32(vacc3x0123), vacc2x01 = vget_low_f32(vacc2x0123);
  float32x2_t vacc1x01 = vget_low_f32(vacc1x0123), vacc0x01 = vget_low_f32(vacc0x0123);
  if (nc & 2) {
    vst1_f32(c5, vacc5x01); c5 += 2; vacc5x01 = vget_high_f32(vacc5x0123);
    vst1_f32(c4, vacc4x01); c4 += 2; vacc4x01 = vget_high_f32(vacc4x0123);
    vst1_f32(c3, vacc3x01); c3 += 2; vacc3x01 = vget_high_f32(vacc3x0123);
    vst1_f32(c2, vacc2x01); c2 += 2; vacc2x01 = vget_high_f32(vacc2x0123);
    vst1_f32(c1, vacc1x01); c1 += 2; vacc1x01 = vget_high_f32(vacc1x0123);
    vst1_f32(c0, vacc0x01); c0 += 2; vacc0x01 = vget_high_f32(vacc0x0123);
  }
  if (nc & 1) {
    vst1_lane_f32(c5, vacc5x01, 0);
    vst1_lane_f32(c4, vacc4x01, 0);
    vst1_lane_f32(c3, vacc3x01, 0);
    vst1_lane_f32(c2, vacc2x01, 0);
    vst1_lane_f32(c1, vacc1x01, 0);
    vst1_lane_f32(c0, vacc0x01, 0);
  }
}

}  // namespace

void f32_gemm_minmax_6x8__aarch64_neonfma_lane_ld128(size_t mr, size_t nc, size_t kc, const float* a,
                                                     size_t a_stride, const float* w, float* c,
                                                     size_t c_stride, float min, float max, const float* /*w_prefetch*/) {
  gemm_6x8<false>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
}

// Cortex-A53 (Pi 3, Zero 2) variant: 64-bit loads paired with the FMAs (dispatch picks it from the CPU part).
void f32_gemm_minmax_6x8__aarch64_neonfma_cortex_a53(size_t mr, size_t nc, size_t kc, const float* a,
                                                     size_t a_stride, const float* w, float* c,
                                                     size_t c_stride, float min, float max, const float* /*w_prefetch*/) {
  gemm_6x8<true>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
}

}  // namespace mn::neon
#endif  // __aarch64__
