// AMX-INT8 integer GEMM (Sapphire Rapids and later Xeons): tdpbusd / tdpbsud multiply a 16-row x 64-byte tile
// of A by a 16 x 64-byte tile of 4-interleaved weights, 16 x 16 x 64 multiply-accumulates per instruction.
// The rest of the table (depthwise, first conv, average pool) is AVX-512 VNNI's.
// Needs AVX512-VNNI's features + AMX-TILE + AMX-INT8 and the OS's permission to use tile data
// (Linux 5.16+: arch_prctl(ARCH_REQ_XCOMP_PERM), asked once in qdispatch.cc).
#pragma once
#include "../qkernels.h"

namespace mn::avx512amx {

// GEMM MRxNRc4, MR = 64 rows a call in 32-row subtiles, NR = 32, 64 or 128 columns a panel in 32-column slices.
// qu8: int8 s = w - 128 (tdpbusd: unsigned A x signed s), adds row_sum(a) * h as avx512vnni; qs8: raw int8
// weights (tdpbssd), no row-sum term.
#define MN_Q8_AVX512AMX_GEMM(mr, nr)                                                                              \
  void qu8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avx512amx(size_t, size_t, size_t, const uint8_t*, size_t,      \
                                                            const void*, uint8_t*, size_t, const QOutputParams&); \
  void qs8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avx512amx(size_t, size_t, size_t, const int8_t*, size_t,       \
                                                            const void*, int8_t*, size_t, const QOutputParams&);  \
  constexpr QGemmLayout kQU8GemmLayout##mr##x##nr = {mr, nr, 4, QWeight::kInt8, false, 128, true};                \
  constexpr QGemmLayout kQS8GemmLayout##mr##x##nr = {mr, nr, 4, QWeight::kInt8, false, 0, false};
MN_Q8_AVX512AMX_GEMM(64, 32)
MN_Q8_AVX512AMX_GEMM(64, 64)
MN_Q8_AVX512AMX_GEMM(64, 128)
#undef MN_Q8_AVX512AMX_GEMM

// First conv 3x3 s2 as the 64x32 GEMM over gathered 28-byte pixel rows (27 taps + a 0 byte); weights packed as that
// GEMM's panels (QTapsLayout::as_gemm).
void qu8_conv3x3s2_minmax_gemmlowp__avx512amx(const QConvParams<uint8_t>& p, size_t oy_begin, size_t oy_end);
void qs8_conv3x3s2_minmax_gemmlowp__avx512amx(const QConvParams<int8_t>& p, size_t oy_begin, size_t oy_end);
constexpr QTapsLayout kQU8ConvLayoutGemm = {32, QWeight::kInt8, false, &kQU8GemmLayout64x32};
constexpr QTapsLayout kQS8ConvLayoutGemm = {32, QWeight::kInt8, false, &kQS8GemmLayout64x32};

const QKernelTable& qtable();
}  // namespace mn::avx512amx
