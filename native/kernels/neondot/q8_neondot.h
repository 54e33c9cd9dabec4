// AArch64 dot-product integer kernels (udot/sdot, ARMv8.2-A DotProd: Cortex-A76/Pi 5, A55, N1).
// Built with -march=armv8.2-a+dotprod (these files only); dispatch checks AT_HWCAP HWCAP_ASIMDDP.
#pragma once
#include "../qkernels.h"

namespace mn::neondot {

// GEMM MRx(4*NV)c4, any mr and nc (layout.rows, layout.panels). qu8: raw uint8 weights, udot, plus row_sum(a) * (-zw); qs8: int8 weights, sdot.
#define MN_Q8_NEONDOT_GEMM(mr, nr)                                                                                 \
  void qu8_gemm_minmax_gemmlowp_##mr##x##nr##c4__neondot(size_t, size_t, size_t, const uint8_t*, size_t,          \
                                                         const void*, uint8_t*, size_t, const QOutputParams&);     \
  void qs8_gemm_minmax_gemmlowp_##mr##x##nr##c4__neondot(size_t, size_t, size_t, const int8_t*, size_t,           \
                                                         const void*, int8_t*, size_t, const QOutputParams&);      \
  constexpr QGemmLayout kQU8GemmLayout##mr##x##nr = {mr, nr, 4, QWeight::kUint8, false, 0, true, false, true, true};                  \
  constexpr QGemmLayout kQS8GemmLayout##mr##x##nr = {mr, nr, 4, QWeight::kInt8, false, 0, false, false, true, true};
MN_Q8_NEONDOT_GEMM(4, 16)
MN_Q8_NEONDOT_GEMM(4, 8)
MN_Q8_NEONDOT_GEMM(8, 8)
#undef MN_Q8_NEONDOT_GEMM

// First conv 3x3 s2 as the 4x16 GEMM over gathered 28-byte pixel rows; weights packed as its panels.
void qu8_conv3x3s2_minmax_gemmlowp__neondot(const QConvParams<uint8_t>& p, size_t oy_begin, size_t oy_end);
void qs8_conv3x3s2_minmax_gemmlowp__neondot(const QConvParams<int8_t>& p, size_t oy_begin, size_t oy_end);
constexpr QTapsLayout kQU8ConvLayoutGemm = {16, QWeight::kUint8, false, &kQU8GemmLayout4x16};
constexpr QTapsLayout kQS8ConvLayoutGemm = {16, QWeight::kInt8, false, &kQS8GemmLayout4x16};

const QKernelTable& qtable();
}  // namespace mn::neondot
