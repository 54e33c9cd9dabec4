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

// Depthwise 3x3, 32 channels per block, int16 tap pairs: vpdpwssd (2 taps x 16 channels) on pairs made by
// vpunpck{l,h}wd of two widened taps; padded taps and the channel tail take za through masked loads.
void qu8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c(const QDwconvParams<uint8_t>& p, size_t oy_begin, size_t oy_end);
void qs8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end);
constexpr QTapsLayout kQDwconvLayout32cPairs = {32, QWeight::kInt16, true};

// First conv 3x3 s2, 16 output channels per block, int16 tap pairs: vpdpwssd (2 taps x 16 channels).
void qu8_conv3x3s2_minmax_gemmlowp__avx512vnni_16c(const QConvParams<uint8_t>& p, size_t oy_begin, size_t oy_end);
void qs8_conv3x3s2_minmax_gemmlowp__avx512vnni_16c(const QConvParams<int8_t>& p, size_t oy_begin, size_t oy_end);
constexpr QTapsLayout kQConvLayout16cPairs = {16, QWeight::kInt16, true};

// Global average pool, 16 channels at a time; exact rounding division in double (see the .cc).
void qu8_gavgpool_minmax__avx512skx_16c(size_t pixels, size_t channels, const uint8_t* in, uint8_t* out,
                                        int32_t out_min, int32_t out_max);
void qs8_gavgpool_minmax__avx512skx_16c(size_t pixels, size_t channels, const int8_t* in, int8_t* out,
                                        int32_t out_min, int32_t out_max);

const QKernelTable& qtable();
}  // namespace mn::avx512vnni
