// AVX2 integer kernels (no VNNI: Haswell..Skylake, Zen 1-3). Built with the float AVX2 files' flags.
#pragma once
#include "../qkernels.h"

namespace mn::avx2 {
// GEMM 3x8c8: int16 centered weights, 8 k per column contiguous; vpmaddwd (16 MACs per instruction).
void qu8_gemm_minmax_gemmlowp_3x8c8__avx2(size_t mr, size_t nc, size_t kc, const uint8_t* a, size_t a_stride,
                                          const void* w, uint8_t* c, size_t c_stride, const QOutputParams& out);
void qs8_gemm_minmax_gemmlowp_3x8c8__avx2(size_t mr, size_t nc, size_t kc, const int8_t* a, size_t a_stride,
                                          const void* w, int8_t* c, size_t c_stride, const QOutputParams& out);
constexpr QGemmLayout kQGemmLayout3x8c8Avx2 = {3, 8, 8, QWeight::kInt16, true, 0, false};

const QKernelTable& qtable();
}  // namespace mn::avx2
