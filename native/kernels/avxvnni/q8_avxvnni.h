// AVX-VNNI integer kernels (vpdpbusd on ymm, VEX-encoded: Alder Lake and later, Intel N100-class
// mini PCs, Zen 5 client). Built with -mavx2 -mfma -mavxvnni (these files only).
#pragma once
#include "../qkernels.h"

namespace mn::avxvnni {

// GEMM MRx(8*NV)c4, same scheme as avx512vnni (qu8: int8 w-128 weights; qs8: uint8 w+128; row_sum * h).
#define MN_Q8_AVXVNNI_GEMM(mr, nr)                                                                             \
  void qu8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avxvnni(size_t, size_t, size_t, const uint8_t*, size_t,      \
                                                         const void*, uint8_t*, size_t, const QOutputParams&); \
  void qs8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avxvnni(size_t, size_t, size_t, const int8_t*, size_t,       \
                                                         const void*, int8_t*, size_t, const QOutputParams&);  \
  constexpr QGemmLayout kQU8GemmLayout##mr##x##nr = {mr, nr, 4, QWeight::kInt8, false, 128, true};             \
  constexpr QGemmLayout kQS8GemmLayout##mr##x##nr = {mr, nr, 4, QWeight::kUint8, false, -128, true};
MN_Q8_AVXVNNI_GEMM(6, 16)
MN_Q8_AVXVNNI_GEMM(4, 24)
#undef MN_Q8_AVXVNNI_GEMM

// Depthwise 3x3, 8 channels per block: the AVX2 kernel with vpdpwssd (2 taps x 8 channels per instruction).
void qu8_dwconv3x3_minmax_gemmlowp__avxvnni_8c(const QDwconvParams<uint8_t>& p, size_t oy_begin, size_t oy_end);
void qs8_dwconv3x3_minmax_gemmlowp__avxvnni_8c(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end);

const QKernelTable& qtable();
}  // namespace mn::avxvnni
