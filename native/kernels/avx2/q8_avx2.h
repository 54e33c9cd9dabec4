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

// Depthwise 3x3, 8 channels per block: int16 tap pairs, vpmaddwd (as the AVX-512 VNNI kernel).
void qu8_dwconv3x3_minmax_gemmlowp__avx2_8c(const QDwconvParams<uint8_t>& p, size_t oy_begin, size_t oy_end);
void qs8_dwconv3x3_minmax_gemmlowp__avx2_8c(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end);
constexpr QTapsLayout kQDwconvLayout8cPairsAvx2 = {8, QWeight::kInt16, true};

// First conv 3x3 s2, 8 output channels per block: int16 tap pairs, vpmaddwd.
void qu8_conv3x3s2_minmax_gemmlowp__avx2_8c(const QConvParams<uint8_t>& p, size_t oy_begin, size_t oy_end);
void qs8_conv3x3s2_minmax_gemmlowp__avx2_8c(const QConvParams<int8_t>& p, size_t oy_begin, size_t oy_end);
constexpr QTapsLayout kQConvLayout8cPairsAvx2 = {8, QWeight::kInt16, true};

// Global average pool: int32 sums 8 channels at a time, scalar rounding division.
void qu8_gavgpool_minmax__avx2_8c(size_t pixels, size_t channels, const uint8_t* in, uint8_t* out, int32_t out_min,
                                  int32_t out_max);
void qs8_gavgpool_minmax__avx2_8c(size_t pixels, size_t channels, const int8_t* in, int8_t* out, int32_t out_min,
                                  int32_t out_max);

// Integer ADD, 8 elements per step, with the GEMMs' exact AVX2 requantization (every x86 set uses it).
void qu8_vadd_minmax__avx2_8(const QAddParams& p, const uint8_t* a, const uint8_t* b, uint8_t* out, size_t n);
void qs8_vadd_minmax__avx2_8(const QAddParams& p, const int8_t* a, const int8_t* b, int8_t* out, size_t n);

const QKernelTable& qtable();
}  // namespace mn::avx2
