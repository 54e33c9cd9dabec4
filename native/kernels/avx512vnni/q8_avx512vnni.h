// AVX-512 VNNI integer kernels (vpdpbusd, 64 u8 x s8 multiply-accumulates per instruction).
// Needs AVX512F/BW/VL/DQ + AVX512_VNNI (Ice Lake, Sapphire Rapids, Zen 4/5).
#pragma once
#include "../qkernels.h"

namespace mn::avx512vnni {

// GEMM MRx(16*NV)c4. qu8: weights stored int8 s = w - 128, A is vpdpbusd's unsigned operand;
// qs8: weights stored uint8 s = w + 128, A is the signed operand. Both add row_sum(a) * h.
#define MN_Q8_AVX512VNNI_GEMM(mr, nr)                                                                              \
  void qu8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avx512vnni(size_t, size_t, size_t, const uint8_t*, size_t,      \
                                                             const void*, uint8_t*, size_t, const QOutputParams&); \
  void qs8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avx512vnni(size_t, size_t, size_t, const int8_t*, size_t,       \
                                                             const void*, int8_t*, size_t, const QOutputParams&);  \
  constexpr QGemmLayout kQU8GemmLayout##mr##x##nr = {mr, nr, 4, QWeight::kInt8, false, 128, true};                 \
  constexpr QGemmLayout kQS8GemmLayout##mr##x##nr = {mr, nr, 4, QWeight::kUint8, false, -128, true};
MN_Q8_AVX512VNNI_GEMM(6, 64)
MN_Q8_AVX512VNNI_GEMM(12, 32)
MN_Q8_AVX512VNNI_GEMM(14, 32)
MN_Q8_AVX512VNNI_GEMM(24, 16)
#undef MN_Q8_AVX512VNNI_GEMM

const QKernelTable& qtable();
}  // namespace mn::avx512vnni
