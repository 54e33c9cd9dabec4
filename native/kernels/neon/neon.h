// NEON kernels for aarch64 and armv7 (hard-float, NEON + VFPv4). The same sources build for both:
// CMake compiles native/kernels/neon/*.cc with no extra flags on aarch64 and with -mfpu=neon-vfpv4
// on 32-bit ARM (only these files, so the rest of the library stays runnable on NEON-less boards;
// dispatch checks AT_HWCAP before choosing this table there).
//
// Tiles differ per architecture (AArch64 has 32 q-registers and by-element FMA, ARMv7 16):
//   GEMM   aarch64 6x8 (fmla by element, ld128)   armv7 4x8 (vmla by scalar, ld128)
//   dwconv 8 channels per block, 2 output pixels per step in the interior
//   conv   8 output channels per block
// Each GEMM variant lives in a file guarded by its architecture; table() picks the right one, and on a
// Cortex-A53 (CPU part 0xd03, see arm_cpu_part() in dispatch) the GEMM variant whose loads are all 64-bit.
#pragma once
#include "../kernels.h"

namespace mn::neon {

#if defined(__aarch64__)
void f32_gemm_minmax_6x8__aarch64_neonfma_lane_ld128(size_t mr, size_t nc, size_t kc, const float* a,
                                                     size_t a_stride, const float* w, float* c,
                                                     size_t c_stride, float min, float max, const float* w_prefetch);
void f32_gemm_minmax_6x8__aarch64_neonfma_cortex_a53(size_t mr, size_t nc, size_t kc, const float* a,
                                                     size_t a_stride, const float* w, float* c,
                                                     size_t c_stride, float min, float max, const float* w_prefetch);
void f32_gemv_minmax__aarch64_neonfma_lane_4p8(size_t nc, size_t kc, const float* a, const float* w, float* c,
                                              float min, float max);
#else
void f32_gemm_minmax_4x8__aarch32_neon_lane_ld128(size_t mr, size_t nc, size_t kc, const float* a,
                                                  size_t a_stride, const float* w, float* c,
                                                  size_t c_stride, float min, float max, const float* w_prefetch);
void f32_gemm_minmax_4x8__aarch32_neon_cortex_a53(size_t mr, size_t nc, size_t kc, const float* a,
                                                  size_t a_stride, const float* w, float* c,
                                                  size_t c_stride, float min, float max, const float* w_prefetch);
void f32_gemv_minmax__aarch32_neon_lane_2p8(size_t nc, size_t kc, const float* a, const float* w, float* c,
                                            float min, float max);
#endif
void f32_dwconv3x3_minmax__neon_8c(const DwconvParams& p, size_t oy_begin, size_t oy_end);
void f32_conv3x3s2_minmax__neon_8c(const ConvParams& p, size_t oy_begin, size_t oy_end);
void f32_gavgpool__neon(size_t pixels, size_t channels, const float* in, float* out);

// The table for this CPU's core (A53 variant or the general one), chosen once.
const KernelTable& table();
// Both, for tests: general first.
const KernelTable& table_general();
const KernelTable& table_cortex_a53();

}  // namespace mn::neon
